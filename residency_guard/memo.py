"""A memo that stays bounded in a long-lived process (checkov, the policy pack)."""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar, overload

K = TypeVar("K")
V = TypeVar("V")
D = TypeVar("D")

_MISSING = object()
_dict_get = dict.get
_dict_getitem = dict.__getitem__
_move_to_end = OrderedDict.move_to_end

LIMIT = 50_000  # a large preview's distinct texts fit; a process that runs for days stays small


class BoundedMemo(OrderedDict[K, V]):
    """A dict of answers already worked out that forgets the least recently used one when full.

    Read it as a dict (``memo.get(key)``, ``memo[key]``: both count as a use); store through
    ``remember``, which returns the value. Like ``functools.lru_cache``: a key asked for again
    and again stays however many others pass through, and every step is O(1).
    """

    def __init__(self, limit: int = LIMIT) -> None:
        super().__init__()
        self.limit = limit

    # Both reads are the hot path of every scan: C-level calls, no super(), no exception on a miss.
    def __getitem__(self, key: K) -> V:
        value: V = _dict_getitem(self, key)
        _move_to_end(self, key)
        return value

    @overload
    def get(self, key: K, default: None = None) -> V | None: ...
    @overload
    def get(self, key: K, default: V | D) -> V | D: ...
    def get(self, key: K, default: V | D | None = None) -> V | D | None:
        value = _dict_get(self, key, _MISSING)
        if value is _MISSING:
            return default
        _move_to_end(self, key)
        return value  # type: ignore[return-value]  # not _MISSING: a V

    def remember(self, key: K, value: V) -> V:
        self[key] = value
        self.move_to_end(key)  # a key remembered again is as recent as a new one
        if len(self) > self.limit:
            self.popitem(last=False)
        return value
