"""The catalog's memos stay bounded in a long-lived process (checkov, the policy pack)."""

from __future__ import annotations

import dataclasses

from residency_guard.catalog import shipped_catalog
from residency_guard.hosts import find_endpoints
from residency_guard.memo import BoundedMemo
from residency_guard.modelcheck import model_verdict


def test_a_full_memo_starts_again_instead_of_growing() -> None:
    memo: BoundedMemo[int, int] = BoundedMemo(limit=3)
    for key in range(10):
        assert memo.remember(key, key * 2) == key * 2
        assert len(memo) <= 3
    assert memo.get(9) == 18


def test_searching_ever_new_texts_keeps_the_memo_bounded() -> None:
    catalog = dataclasses.replace(shipped_catalog())  # its own memos
    catalog.found_memo.limit = catalog.endpoint_memo.limit = 100
    for number in range(1_000):
        assert find_endpoints(f"https://svc-{number}.openai.example.com/v1", catalog)
    assert 0 < len(catalog.found_memo) <= 100 and 0 < len(catalog.endpoint_memo) <= 100


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
