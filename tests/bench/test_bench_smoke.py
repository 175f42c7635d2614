"""The benchmark runs end to end on a tiny corpus and prints its table; no timing is asserted
(STYLE.md: speed is measured in bench/, never asserted in the test suite)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench import corpus  # noqa: E402 - bench/ is a folder of the repository, not installed

# Every row the issue asks for, as the table labels it.
ROWS = (
    "start-up: `residency-guard --version` / `python -c pass`",
    "`check` on stack files / `yaml.load` (C)",
    "`check` on stack files / `yaml.compose` (C)",
    "`check` on ESC-resolved stacks / `yaml.load` (C) of stacks and environments",
    "`check` on a folder of Kubernetes manifests / `yaml.load_all` (C)",
    "`check` on `pulumi preview --json` / `json.load`",
    "`check` on `pulumi stack export` / `json.load`",
    "alias bomb refused (exit 2) / `yaml.compose` (C)",
    "policy pack: resource policies, per resource",
    "policy pack: stack policies (whole stack)",
)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, object]]:
    folder = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--no-checkov",
         "--corpus-dir", str(folder / "corpus"), "--json", str(folder / "bench.json")],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, json.loads((folder / "bench.json").read_text(encoding="utf-8"))


def test_quick_bench_prints_every_row(quick_run: tuple[str, dict[str, object]]) -> None:
    table, _ = quick_run
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    for label in ROWS:
        assert any(line.startswith(f"| {label} |") for line in rows), label
    assert not any(line.startswith("| checkov") for line in rows)  # --no-checkov


def test_quick_bench_describes_the_machine_and_memory(
    quick_run: tuple[str, dict[str, object]],
) -> None:
    table, data = quick_run
    assert table.startswith("residency-guard bench (quick")
    assert "machine: " in table and "load average" in table
    assert "| stacks x 20 |" in table and "| preview x 120 |" in table
    machine = data["machine"]
    assert isinstance(machine, dict) and machine["nproc"] >= 1


def test_quick_bench_records_ratios_and_peak_memory(
    quick_run: tuple[str, dict[str, object]],
) -> None:
    _, data = quick_run
    rows = data["rows"]
    assert isinstance(rows, list)
    checks = [r for r in rows if r["raw"].get("kind") in ("stacks", "preview", "state")]
    assert len(checks) == 5
    for row in checks:
        assert row["ratio"].endswith("x")
        assert all(sample["rss_mb"] > 0 for sample in row["raw"]["product"])
        assert all(sample["code"] in (0, 1) for sample in row["raw"]["product"])


def test_corpus_is_deterministic_and_prefix_stable(tmp_path: Path) -> None:
    small = corpus.write_stacks(tmp_path / "a", 5)
    large = corpus.write_stacks(tmp_path / "b", 8)
    for path in small.iterdir():
        assert (large / path.name).read_bytes() == path.read_bytes(), path.name
    first = corpus.write_preview(tmp_path / "p1.json", 30).read_bytes()
    assert corpus.write_preview(tmp_path / "p2.json", 30).read_bytes() == first
    assert json.loads(first)["steps"]  # valid JSON, shaped like a preview
    state = json.loads(corpus.write_state(tmp_path / "s.json", 30).read_text(encoding="utf-8"))
    assert len(state["deployment"]["resources"]) == 30 + 6  # stack, 4 providers, component


@pytest.mark.engine
def test_engine_bench_runs_the_three_previews(tmp_path: Path) -> None:
    """`python -m bench.engine` on tiny programs: no pack, the do-nothing pack and ours, each
    previewed under the real engine (a failed preview fails the bench), and the packs' start."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.engine", "--sizes", "3", "6", "--runs", "1",
         "--default-runs", "1", "--workspace", str(tmp_path / "engine"),
         "--json", str(tmp_path / "engine.json")],
        cwd=REPO, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads((tmp_path / "engine.json").read_text(encoding="utf-8"))
    assert [row["resources"] for row in found["rows"]] == [3, 6]
    assert set(found["rows"][0]["samples"]) == {"none", "do-nothing", "ours"}
    assert found["default"]["settings"] == "default settings"
    assert set(found["start"]) == {"do-nothing", "ours"}
    assert "| 6 | PULUMI_SKIP_CHECKPOINTS=true |" in done.stdout
