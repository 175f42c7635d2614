"""A memo that stays bounded in a long-lived process (checkov, the policy pack)."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

LIMIT = 50_000  # a large preview's distinct texts fit; a process that runs for days stays small


class BoundedMemo(dict[K, V], Generic[K, V]):
    """A dict of answers already worked out, emptied when full rather than grown without end.

    Read it as a dict (``memo.get(key)``); store through ``remember``, which returns the value.
    """

    def __init__(self, limit: int = LIMIT) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: K, value: V) -> V:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
