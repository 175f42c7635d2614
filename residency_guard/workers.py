"""Judging a run's files in several processes: ``check --jobs``, as flake8's ``--jobs``.

A file's judgement depends on nothing another file's judgement finds, so a run's targets are
split into contiguous chunks, each judged in a forked worker, and the results put back in the
targets' order: the output is the same whatever the number of jobs. Workers are forked, not
spawned, so they start with the run's catalog, settings and caches already in memory and
nothing but the results travels between processes. Where the platform cannot fork, or the
run is too small to gain from it, every target is judged in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

# Below this many files a worker costs more than it saves (the fork, the results sent back).
PARALLEL_FLOOR = 200
# More workers than this only add results to send back and caches to fill again.
MAX_JOBS = 8

T = TypeVar("T")
R = TypeVar("R")

# What the forked workers run: set just before the pool forks, so that it is inherited, not
# pickled (a catalog holds memos and caches that are neither small nor picklable).
_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def auto_jobs() -> int:
    """The CPUs this process may run on, at most ``MAX_JOBS``."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_JOBS, cpus))


def parse_jobs(text: str) -> int:
    """``--jobs``: a whole number of at least 1, or ``auto``; ValueError otherwise."""
    if text == "auto":
        return auto_jobs()
    jobs = int(text)
    if jobs < 1:
        raise ValueError(text)
    return jobs


def map_in_order(work: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """``work(item)`` for every item, in the items' order: in ``jobs`` forked processes when
    there are at least ``PARALLEL_FLOOR`` items and the platform forks, else here. ``work``
    must catch what it expects to raise; a worker that dies (killed, out of memory) leaves
    its chunk to be judged here, so that a run never hangs on a lost worker."""
    if jobs <= 1 or len(items) < PARALLEL_FLOOR or not _can_fork():
        return [work(item) for item in items]
    # Imported here: a small run (and the CLI's start) never pays for them.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _TASK
    _TASK = (work, items)
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("fork")
        ) as pool:
            chunks = _chunks(len(items), jobs)
            futures = [pool.submit(_run_chunk, bounds) for bounds in chunks]
            parts: list[list[R]] = []
            for bounds, future in zip(chunks, futures, strict=True):
                try:
                    parts.append(future.result())
                except BrokenProcessPool:
                    parts.append([work(items[i]) for i in range(*bounds)])
    finally:
        _TASK = None
    return [result for part in parts for result in part]


def _can_fork() -> bool:
    # Linux only: macOS lists fork too, but forking there is unsafe once system frameworks
    # are loaded (Python's own default moved to spawn for that reason).
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _chunks(count: int, jobs: int) -> list[tuple[int, int]]:
    """``jobs`` contiguous (start, stop) ranges covering ``range(count)``, sizes within one."""
    size, extra = divmod(count, jobs)
    bounds = []
    start = 0
    for index in range(jobs):
        stop = start + size + (1 if index < extra else 0)
        if stop > start:
            bounds.append((start, stop))
        start = stop
    return bounds


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _TASK is not None, "a worker runs only in a process forked by map_in_order"
    work, items = _TASK
    return [work(items[index]) for index in range(*bounds)]
