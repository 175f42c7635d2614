"""The catalog's memos stay bounded in a long-lived process (checkov, the policy pack)."""

from __future__ import annotations

import dataclasses

from residency_guard.catalog import shipped_catalog
from residency_guard.hosts import find_endpoints
from residency_guard.memo import BoundedMemo
from residency_guard.modelcheck import model_verdict


def test_a_full_memo_forgets_its_oldest_answer_instead_of_growing() -> None:
    memo: BoundedMemo[int, int] = BoundedMemo(limit=3)
    for key in range(10):
        assert memo.remember(key, key * 2) == key * 2
        assert len(memo) == min(key + 1, 3)
    assert list(memo) == [7, 8, 9]  # no cliff: the three newest answers are all still there
    assert memo.get(9) == 18 and memo.get(0) is None


def test_a_hot_key_survives_filling_the_memo() -> None:
    memo: BoundedMemo[str, str] = BoundedMemo(limit=100)
    memo.remember("https://eu.api.openai.com/v1", "eu")
    for number in range(10_000):  # a hundred times the limit of texts seen once each
        memo.remember(f"https://svc-{number}.example.com/v1", "other")
        if number % 50 == 0:  # the stacks' one host, asked for all along
            assert memo.get("https://eu.api.openai.com/v1") == "eu"
        assert len(memo) <= 100
    assert memo["https://eu.api.openai.com/v1"] == "eu"
    assert "https://svc-0.example.com/v1" not in memo  # the texts seen once went first


def test_a_key_read_or_remembered_again_is_the_last_to_go() -> None:
    memo: BoundedMemo[str, int] = BoundedMemo(limit=3)
    for key in "abc":
        memo.remember(key, 1)
    assert memo["a"] == 1  # read by index, as surface_for_path does
    memo.remember("b", 2)  # remembered again: now the most recent
    memo.remember("d", 1)
    assert list(memo) == ["a", "b", "d"]  # "c" was the least recently used
    assert memo.get("c", -1) == -1


def test_searching_ever_new_texts_keeps_the_memo_bounded() -> None:
    catalog = dataclasses.replace(shipped_catalog())  # its own memos
    catalog.index.found.limit = catalog.index.endpoints.limit = 100
    for number in range(1_000):
        assert find_endpoints(f"https://svc-{number}.openai.example.com/v1", catalog)
    assert 0 < len(catalog.index.found) <= 100 and 0 < len(catalog.index.endpoints) <= 100


def test_a_verdict_is_remembered_per_region_of_its_own_catalog() -> None:
    catalog = dataclasses.replace(shipped_catalog())
    eu, us = catalog.regions["eu"], catalog.regions["us"]
    first = model_verdict(catalog, eu, "gpt-4o-2024-11-20", None)
    assert model_verdict(catalog, eu, "gpt-4o-2024-11-20", None) is first
    assert model_verdict(catalog, us, "gpt-4o-2024-11-20", None).model == "gpt-4o-2024-11-20"
    # A region that is not this catalog's (edited, or from another catalog) is never served
    # another region's remembered verdict.
    narrowed = dataclasses.replace(eu, models={})
    assert model_verdict(catalog, narrowed, "gpt-4o-2024-11-20", None).allowed is False
    assert first.allowed
