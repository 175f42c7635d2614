"""`check --jobs`: a large run judged in forked workers says exactly what one process says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from residency_guard import workers
from residency_guard.workers import PARALLEL_FLOOR, map_in_order

PARENT = os.getpid()


def _square_or_die(item: int) -> tuple[int, int]:
    if item == 7 and os.getpid() != PARENT:
        os._exit(3)  # a worker killed mid-run (out of memory, a signal)
    return item, item * item


def _where(item: int) -> int:
    return os.getpid()


def test_items_come_back_in_order_from_forked_workers() -> None:
    items = list(range(PARALLEL_FLOOR + 5))
    assert map_in_order(lambda i: i * 3, items, 4) == [i * 3 for i in items]
    assert PARENT not in set(map_in_order(_where, items, 2))  # really judged elsewhere


def test_a_small_run_stays_in_this_process() -> None:
    assert set(map_in_order(_where, list(range(PARALLEL_FLOOR - 1)), 4)) == {PARENT}


def test_a_worker_that_dies_leaves_its_chunk_to_this_process() -> None:
    """No hang and no lost file: the chunk of the dead worker is judged here."""
    items = list(range(PARALLEL_FLOOR))
    assert map_in_order(_square_or_die, items, 2) == [(i, i * i) for i in items]


@pytest.mark.parametrize(("count", "jobs"), [(200, 2), (201, 2), (203, 8), (5, 8), (0, 3)])
def test_chunks_cover_every_item_once(count: int, jobs: int) -> None:
    bounds = workers._chunks(count, jobs)
    covered = [i for start, stop in bounds for i in range(start, stop)]
    assert covered == list(range(count))
    sizes = {stop - start for start, stop in bounds}
    assert max(sizes, default=0) - min(sizes, default=0) <= 1


def test_jobs_is_a_number_or_auto() -> None:
    assert workers.parse_jobs("3") == 3
    assert 1 <= workers.parse_jobs("auto") <= workers.MAX_JOBS
    for bad in ("0", "-1", "many"):
        with pytest.raises(ValueError):
            workers.parse_jobs(bad)


def _project(root: Path) -> Path:
    """A project of more stack files than the floor: clean, failing, suppressed and broken."""
    (root / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    for number in range(PARALLEL_FLOOR + 20):
        region = ("eu", "us", "jp")[number % 3]
        host = "api.openai.com" if number % 7 == 0 else f"{region}.api.openai.com"
        text = (
            "config:\n"
            f"  residency-guard:region: {region}\n"
            f"  shop:OPENAI_BASE_URL: https://{host}/v1\n"
            "  shop:chatModel: gpt-4o-2024-11-20\n"
        )
        if number % 49 == 0:  # a suppression the worker's read of the file must carry back
            text = text.replace(
                "/v1\n",
                '/v1  # residency-guard: ignore RG001 reason="migrating" until=2099-01-01\n',
                1,
            )
        if number == 101:
            text = "config: [unclosed\n"
        (root / f"Pulumi.s{number:03d}.yaml").write_text(text, encoding="utf-8")
    return root


def _check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "residency_guard.cli", "check", str(root), *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_check_with_jobs_says_what_one_process_says(tmp_path: Path) -> None:
    root = _project(tmp_path)
    alone = _check(root, "--jobs", "1", "--format", "json")
    for jobs in ("2", "3"):
        shared = _check(root, "--jobs", jobs, "--format", "json")
        assert (shared.returncode, shared.stdout, shared.stderr) == (
            alone.returncode, alone.stdout, alone.stderr
        )  # fmt: skip
    assert alone.returncode == 2  # the broken file is an error, and the rest was judged
    assert "Pulumi.s101.yaml" in alone.stderr and "RG001" in alone.stdout
    # files 0, 49, ..., 196 send to the global host and suppress it inline: 5 suppressed
    assert json.loads(alone.stdout)["summary"]["suppressed"] == 5


def test_a_bad_jobs_value_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = _check(tmp_path, "--jobs", "0")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--jobs" in result.stderr
