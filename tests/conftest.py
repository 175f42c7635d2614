"""Hypothesis profiles: "ci" is fixed and bounded (the default), "nightly" hunts longer.

Select one with HYPOTHESIS_PROFILE (SECURITY.md gives the nightly command). Under mutmut,
every test starts with empty memos (below).
"""

from __future__ import annotations

import functools
import os
import sys
import weakref
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,  # the same examples on every run: a red CI run reproduces locally
    max_examples=150,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "nightly",
    max_examples=5000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --- under mutmut (scripts/mutation, tests/MUTATION.md) ------------------------------------
# mutmut runs each mutant's tests in a process forked from the one that ran the whole
# selection first. The memos filled there (lru caches, each catalog's index) would answer for
# the mutant, so that a function called only through a memo never ran mutated, and would hide
# such callers from mutmut's map of which tests call which function. Under mutmut every test
# starts with empty memos; an ordinary run is untouched.
_OURS = ("residency_guard", "policies", "components")
_INDEXES: weakref.WeakSet[Any] = weakref.WeakSet()


def _watch_catalog_indexes() -> None:
    from residency_guard.catalog.index import CatalogIndex

    init = CatalogIndex.__init__

    def registered(self: CatalogIndex, catalog: Any) -> None:
        init(self, catalog)
        _INDEXES.add(self)

    CatalogIndex.__init__ = registered  # type: ignore[method-assign]


def forget_memos() -> None:
    """Empty every lru cache of our modules and every catalog index's memos and tables."""
    from residency_guard.memo import BoundedMemo

    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(_OURS):
            continue
        for value in list(vars(module).values()):
            while callable(getattr(value, "cache_clear", None)):  # stacked caches too
                if value.cache_parameters()["maxsize"] is None:
                    break  # functools.cache: shipped data built once (shipped_catalog)
                value.cache_clear()
                value = getattr(value, "__wrapped__", None)
    for index in list(_INDEXES):
        for attribute, value in list(vars(index).items()):
            if isinstance(getattr(type(index), attribute, None), functools.cached_property):
                del vars(index)[attribute]  # a table worked out from the catalog
            elif isinstance(value, BoundedMemo):
                value.clear()
            elif callable(getattr(value, "cache_clear", None)):
                value.cache_clear()  # the facets gate's text test


# mutmut's own runs: the map (`stats`), the clean and forced-fail runs. A mutant's worker
# empties the memos once: what its tests fill after that, they fill with the mutant.
_MAPPING_RUNS = ("stats", "", "fail", "list_all_tests")
_emptied_in: list[int] = []  # the worker process that emptied them


if "MUTANT_UNDER_TEST" in os.environ:
    _watch_catalog_indexes()

    @pytest.fixture(autouse=True)
    def _fresh_memos_under_mutmut() -> None:
        if os.environ["MUTANT_UNDER_TEST"] in _MAPPING_RUNS:
            forget_memos()  # every test's own calls, for the map of who calls what
        elif os.getpid() not in _emptied_in:
            forget_memos()
            _emptied_in.append(os.getpid())
