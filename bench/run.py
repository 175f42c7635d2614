"""residency-guard's benchmarks: one command, a table of ratios measured in the same run.

    .venv/bin/python -m bench.run            # the full run (about 15 minutes on 2 cores)
    .venv/bin/python -m bench.run --quick    # a tiny corpus: proves the bench runs, no numbers

Every measurement is a pair (or a triple) of child processes started from the same
interpreter, the product and its baseline, run one after the other, their order alternating
from one repetition to the next; a ratio is the median of the per-repetition ratios, so
that a machine busy with something else slows both sides of each ratio alike. Each child's
peak RSS comes from ``os.wait4``. Corpora come from ``bench.corpus`` (seeded) and are cached
in ``bench/.corpus`` (gitignored).

Rows (see bench/README.md for what each ratio means):
1. ``residency-guard check`` on N stack files / the floor: a child that reads the same files
   and loads each with PyYAML's C loader (``yaml.load``, ``CSafeLoader``) and nothing else;
   also against ``yaml.compose`` alone, the stricter floor (composing is what check needs).
2. ``residency-guard check`` on a ``pulumi preview --json`` / ``json.load`` of the same file
   (and a ``pulumi stack export``); on stacks that import ESC environments and on a folder of
   Kubernetes manifests / ``yaml.load_all`` of every YAML file below the folder.
3. checkov (``scripts/checkov-gate``, our external checks) / ``residency-guard check`` on the
   1,000-stack and 10,000-resource corpora; checkov is slow: ``--checkov-runs`` (default 1).
4. the policy pack in-process (``bench.pack``): resource policies per resource, the core alone
   on the same resources, the stack policies; and under the real engine (``bench.engine``):
   `pulumi preview` of N dynamic resources with no pack, a do-nothing pack and ours.
5. peak RSS of every child; 6. start-up: ``residency-guard --version`` / ``python -c pass``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import corpus

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS_DIR = REPO / "bench" / ".corpus"

FLOOR_YAML_LOAD = """\
import os, sys, yaml
folder = sys.argv[1]
for entry in sorted(os.scandir(folder), key=lambda e: e.name):
    if entry.name.endswith((".yaml", ".yml")):
        with open(entry.path, encoding="utf-8") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)
"""
FLOOR_YAML_COMPOSE = FLOOR_YAML_LOAD.replace("yaml.load(", "yaml.compose(")
# Every YAML file below a folder (stack files and their ESC definitions; manifests, each
# document), read and loaded with the C loader: the floor of a tree of YAML inputs.
FLOOR_YAML_TREE = """\
import os, sys, yaml
for root, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(files):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(root, name), encoding="utf-8") as handle:
                list(yaml.load_all(handle.read(), Loader=yaml.CSafeLoader))
"""
FLOOR_JSON = """\
import json, sys
with open(sys.argv[1], encoding="utf-8") as handle:
    json.load(handle)
"""


@dataclass(frozen=True)
class Sizes:
    stacks: tuple[int, ...]
    previews: tuple[int, ...]
    state: int
    checkov_stacks: int
    checkov_preview: int
    pack: int
    esc_stacks: int
    manifests: int


FULL = Sizes((1_000, 10_000), (10_000, 100_000), 10_000, 1_000, 10_000, 10_000, 1_000, 1_000)
QUICK = Sizes((20, 60), (40, 120), 40, 20, 40, 40, 20, 20)


@dataclass
class Sample:
    wall: float
    cpu: float  # user + system of the child
    rss_mb: float  # the child's peak resident set
    code: int


@dataclass
class Row:
    """One line of the table."""

    what: str
    corpus: str
    product: str
    baseline: str
    ratio: str
    target: str = ""
    verdict: str = ""
    memory: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def run_child(argv: Sequence[str], *, cwd: Path, ok: Sequence[int] = (0,)) -> Sample:
    """Run one child to completion; its wall time, CPU time and peak RSS."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in ok:
            errors.seek(0)
            detail = errors.read().decode("utf-8", "replace")[-2000:]
            raise RuntimeError(f"{' '.join(map(str, argv))} exited {child.returncode}:\n{detail}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode)


def interleaved(
    commands: Sequence[tuple[Sequence[str], Sequence[int]]], runs: int, cwd: Path
) -> list[list[Sample]]:
    """Each command ``runs`` times, one after the other, the order rotating each repetition."""
    samples: list[list[Sample]] = [[] for _ in commands]
    for repetition in range(runs):
        order = list(range(len(commands)))
        shift = repetition % len(order)
        for index in order[shift:] + order[:shift]:
            argv, ok = commands[index]
            samples[index].append(run_child(argv, cwd=cwd, ok=ok))
    return samples


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def ratio(numerator: Sequence[Sample], denominator: Sequence[Sample], cpu: bool = False) -> float:
    """The median of the per-repetition ratios."""
    pairs = zip(numerator, denominator, strict=True)
    if cpu:
        return median([a.cpu / b.cpu for a, b in pairs])
    return median([a.wall / b.wall for a, b in pairs])


def seconds(samples: Sequence[Sample]) -> str:
    return f"{median([s.wall for s in samples]):.2f} s"


def peak(samples: Sequence[Sample]) -> float:
    return max(s.rss_mb for s in samples)


def mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sizes = QUICK if args.quick else FULL
        self.runs = args.runs or (1 if args.quick else 5)
        self.slow_runs = args.slow_runs or (1 if args.quick else 3)
        self.corpus_dir: Path = args.corpus_dir
        self.python = sys.executable
        self.product = [str(Path(sys.executable).parent / "residency-guard")]
        if not Path(self.product[0]).exists():
            self.product = [sys.executable, "-m", "residency_guard.cli"]
        self.rows: list[Row] = []
        self.loads: list[float] = []

    # --- helpers -------------------------------------------------------------------------

    def note_load(self) -> None:
        self.loads.append(os.getloadavg()[0])

    def corpus(self, kind: str, count: int) -> Path:
        started = time.perf_counter()
        target = corpus.ensure(self.corpus_dir, kind, count, self.args.seed)
        took = time.perf_counter() - started
        if took > 1:
            log(f"generated {kind} corpus of {count:,} in {took:.0f} s: {target}")
        return target

    def check(self, target: Path, *options: str) -> tuple[Sequence[str], Sequence[int]]:
        # Exit 1 (findings) is expected: the corpora hold violations on purpose.
        return [*self.product, "check", str(target), *options], (0, 1)

    def floor(self, script: str, target: Path) -> tuple[Sequence[str], Sequence[int]]:
        return [self.python, "-c", script, str(target)], (0,)

    # --- the rows ------------------------------------------------------------------------

    def stacks(self) -> None:
        for count in self.sizes.stacks:
            target = self.corpus("stacks", count)
            runs = self.slow_runs if count >= 10_000 else self.runs
            log(f"check on {count:,} stack files, {runs} run(s)")
            self.note_load()
            product, load, compose, alone = interleaved(
                [self.check(target), self.floor(FLOOR_YAML_LOAD, target),
                 self.floor(FLOOR_YAML_COMPOSE, target), self.check(target, "--jobs", "1")],
                runs, target.parent,
            )  # fmt: skip
            size = corpus.size_of(target)
            files = f"{count:,} stack files ({mb(size)})"
            self.rows.append(Row(
                "`check` on stack files / `yaml.load` (C)", files, seconds(product), seconds(load),
                f"{ratio(product, load):.2f}x", "<= 2x", _verdict(ratio(product, load) <= 2),
                f"{peak(product):.0f} / {peak(load):.0f} MB",
                {"kind": "stacks", "count": count, "bytes": size, "product": _raw(product),
                 "floor_load": _raw(load), "floor_compose": _raw(compose),
                 "cpu_ratio": ratio(product, load, cpu=True)},
            ))  # fmt: skip
            self.rows.append(Row(
                "`check --jobs 1` (one process) on stack files / `yaml.load` (C)", files,
                seconds(alone), seconds(load), f"{ratio(alone, load):.2f}x", "(no target)", "",
                f"{peak(alone):.0f} / {peak(load):.0f} MB",
                {"product_jobs_1": _raw(alone), "cpu_ratio": ratio(alone, load, cpu=True)},
            ))  # fmt: skip
            self.rows.append(Row(
                "`check` on stack files / `yaml.compose` (C)", files, seconds(product),
                seconds(compose), f"{ratio(product, compose):.2f}x", "(stricter floor)", "",
                f"{peak(product):.0f} / {peak(compose):.0f} MB",
                {"cpu_ratio": ratio(product, compose, cpu=True)},
            ))  # fmt: skip

    def previews(self) -> None:
        jobs = [("preview", n) for n in self.sizes.previews] + [("state", self.sizes.state)]
        for kind, count in jobs:
            target = self.corpus(kind, count)
            runs = self.slow_runs if count >= 100_000 else self.runs
            log(f"check on a {kind} of {count:,} resources, {runs} run(s)")
            self.note_load()
            product, floor = interleaved(
                [self.check(target), self.floor(FLOOR_JSON, target)], runs, target.parent
            )
            size = target.stat().st_size
            label = "`pulumi preview --json`" if kind == "preview" else "`pulumi stack export`"
            self.rows.append(Row(
                f"`check` on {label} / `json.load`", f"{count:,} resources ({mb(size)})",
                seconds(product), seconds(floor), f"{ratio(product, floor):.2f}x", "<= 3x",
                _verdict(ratio(product, floor) <= 3),
                f"{peak(product):.0f} / {peak(floor):.0f} MB",
                {"kind": kind, "count": count, "bytes": size, "product": _raw(product),
                 "floor": _raw(floor), "cpu_ratio": ratio(product, floor, cpu=True)},
            ))  # fmt: skip

    def trees(self) -> None:
        """Stacks that import ESC environments, and a folder of Kubernetes manifests held to
        regions by ``paths:``: ``check`` on the folder / loading every YAML file below it."""
        jobs = [("esc-stacks", self.sizes.esc_stacks, "ESC-resolved stack files",
                 "`check` on ESC-resolved stacks / `yaml.load` (C) of stacks and environments"),
                ("manifests", self.sizes.manifests, "Kubernetes manifest files (4 documents)",
                 "`check` on a folder of Kubernetes manifests / `yaml.load_all` (C)")]  # fmt: skip
        for kind, count, what, label in jobs:
            target = self.corpus(kind, count)
            log(f"check on {count:,} {what}, {self.runs} run(s)")
            self.note_load()
            product, floor = interleaved(
                [self.check(target), self.floor(FLOOR_YAML_TREE, target)], self.runs,
                target.parent,
            )  # fmt: skip
            size = corpus.tree_size(target)
            self.rows.append(Row(
                label, f"{count:,} {what} ({mb(size)})", seconds(product), seconds(floor),
                f"{ratio(product, floor):.2f}x", "<= 2x", _verdict(ratio(product, floor) <= 2),
                f"{peak(product):.0f} / {peak(floor):.0f} MB",
                {"kind": kind, "count": count, "bytes": size, "product": _raw(product),
                 "floor": _raw(floor), "cpu_ratio": ratio(product, floor, cpu=True)},
            ))  # fmt: skip

    def checkov_command(self, folder: Path) -> list[str]:
        gate = REPO / "scripts" / "checkov-gate"
        if gate.exists():
            return [str(gate), str(folder)]
        checks = str(REPO / "policies" / "checkov")
        return ["checkov", "-d", str(folder), "--framework", "yaml", "json",
                "--external-checks-dir", checks, "--skip-download", "--compact"]  # fmt: skip

    def checkov(self) -> None:
        gate = REPO / "scripts" / "checkov-gate"
        if gate.exists():  # create (or reuse) checkov's own venv outside the timings
            subprocess.run([str(REPO / "scripts" / "install-checkov-env")], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        elif shutil.which("checkov") is None:
            log("no scripts/checkov-gate and no checkov on PATH: checkov rows skipped")
            return
        runs = self.args.checkov_runs
        jobs = [("stacks", self.sizes.checkov_stacks, "stack files"),
                ("preview", self.sizes.checkov_preview, "resources (preview)")]  # fmt: skip
        for kind, count, what in jobs:
            target = self.corpus(kind, count)
            folder = target if target.is_dir() else target.parent
            log(f"checkov on {count:,} {what}, {runs} run(s)")
            self.note_load()
            # checkov exits 1 when a check fails, like our own gate.
            checkov, product = interleaved(
                [(self.checkov_command(folder), (0, 1)), self.check(target)], runs, folder.parent
            )
            self.rows.append(Row(
                "checkov (our checks) / `check`", f"{count:,} {what}", seconds(product),
                seconds(checkov), f"{ratio(checkov, product):.1f}x", ">= 10x",
                _verdict(ratio(checkov, product) >= 10),
                f"{peak(product):.0f} / {peak(checkov):.0f} MB",
                {"kind": f"checkov-{kind}", "count": count, "checkov": _raw(checkov),
                 "product": _raw(product), "cpu_ratio": ratio(checkov, product, cpu=True)},
            ))  # fmt: skip

    def pack(self) -> None:
        target = self.corpus("preview", self.sizes.pack)
        runs = self.slow_runs
        log(f"policy pack in-process on {self.sizes.pack:,} resources, {runs} run(s)")
        self.note_load()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        done = subprocess.run(
            [self.python, "-m", "bench.pack", str(target), "--runs", str(runs)],
            cwd=REPO, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        found = json.loads(done.stdout.strip().splitlines()[-1])
        count = f"{found['resources']:,} resources"
        per, core = found["pack_ms_per_resource"], found["core_ms_per_resource"]
        self.rows.append(Row(
            "policy pack: resource policies, per resource", count,
            f"{per:.3f} ms ({1000 / per:,.0f}/s)", f"core alone {core:.3f} ms",
            f"{per / core:.2f}x", "< 1 ms", _verdict(per < 1),
            f"{found['peak_rss_mb']:.0f} MB", found,
        ))  # fmt: skip
        self.rows.append(Row(
            "policy pack: adapter overhead, per resource", count,
            f"{found['overhead_ms_per_resource']:.3f} ms", "", "", "", "", "",
        ))  # fmt: skip
        self.rows.append(Row(
            "policy pack: stack policies (whole stack)", count,
            f"{found['stack_s']:.2f} s ({found['stack_ms_per_resource']:.3f} ms/resource)",
            "", "", "", "", "",
        ))  # fmt: skip

    def engine_pack(self) -> None:
        """The policy pack under `pulumi preview` (``bench.engine``): ours and a do-nothing
        pack, ms added per resource over no pack, at each size; the default-settings figure;
        the pack's start."""
        from bench import engine

        sizes = (20, 40) if self.args.quick else (300, 1_000)
        runs = self.args.engine_runs or (1 if self.args.quick else 5)
        log(f"policy pack under pulumi preview at {', '.join(map(str, sizes))} resources, "
            f"{runs} rotation(s)")  # fmt: skip
        self.note_load()
        found = engine.measure(self.corpus_dir / "engine", sizes, runs,
                               1 if self.args.quick else 3, self.args.seed)  # fmt: skip
        self.loads += found["loads"]
        for row in found["rows"]:
            ratio = row["ratio"]
            self.rows.append(Row(
                "policy pack under `pulumi preview`: ms added per resource, ours / do-nothing",
                f"{row['resources']:,} dynamic resources",
                f"{row['ours_added_ms_per_resource']:.2f} ms",
                f"{row['do-nothing_added_ms_per_resource']:.2f} ms",
                f"{ratio:.2f}x (CPU {row['cpu_ratio']:.2f}x)", "<= 1.25x", _verdict(ratio <= 1.25),
                "",
                {"kind": "engine", **row},
            ))  # fmt: skip
        default = found.get("default")
        if default:
            self.rows.append(Row(
                "policy pack under `pulumi preview`, default settings: ms added per resource",
                f"{default['resources']:,} dynamic resources",
                f"{default['ours_added_ms_per_resource']:.2f} ms", "", "", "", "", "",
                {"kind": "engine-default", **default},
            ))  # fmt: skip
        start = found["start"]
        extra = start["ours"] - start["do-nothing"]
        self.rows.append(Row(
            "policy pack start (launch to a first `Analyze` answered): ours - do-nothing", "",
            f"{start['ours']:.2f} s", f"{start['do-nothing']:.2f} s", f"+{extra:.2f} s",
            "< 0.3 s", _verdict(extra < 0.3), "", {"kind": "engine-start", **found["starts"]},
        ))  # fmt: skip

    def alias_bomb(self) -> None:
        target = self.corpus("alias-bomb", 0)
        log("an alias bomb (9 levels of 9 aliases: 387M strings expanded)")
        product, compose = interleaved(
            [([*self.product, "check", str(target)], (2,)),
             self.floor(FLOOR_YAML_COMPOSE, target)], self.runs, target.parent,
        )  # fmt: skip
        self.rows.append(Row(
            "alias bomb refused (exit 2) / `yaml.compose` (C)", "1 stack file, 9^9 expansions",
            seconds(product), seconds(compose), f"{ratio(product, compose):.2f}x", "refused",
            _verdict(all(s.code == 2 for s in product)),
            f"{peak(product):.0f} / {peak(compose):.0f} MB",
            {"product": _raw(product), "floor_compose": _raw(compose)},
        ))  # fmt: skip

    def startup(self) -> None:
        runs = max(self.runs, 3) * 2
        log(f"start-up, {runs} runs")
        version, bare = interleaved(
            [([*self.product, "--version"], (0,)), ([self.python, "-c", "pass"], (0,))],
            runs, REPO,
        )  # fmt: skip
        wall = median([s.wall for s in version])
        self.rows.append(Row(
            "start-up: `residency-guard --version` / `python -c pass`", "",
            f"{wall:.3f} s", f"{median([s.wall for s in bare]):.3f} s",
            f"{ratio(version, bare):.2f}x", "< 0.3 s", _verdict(wall < 0.3),
            f"{peak(version):.0f} / {peak(bare):.0f} MB",
            {"version": _raw(version), "python": _raw(bare)},
        ))  # fmt: skip

    # --- the report ----------------------------------------------------------------------

    def machine(self) -> dict[str, Any]:
        model = ""
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        memory = ""
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        return {
            "nproc": len(os.sched_getaffinity(0)),
            "cpu": model,
            "memory": memory,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load": self.loads,
        }

    def table(self) -> str:
        head = ["measurement", "corpus", "residency-guard", "baseline", "ratio", "target", "",
                "peak RSS (rg / baseline)"]  # fmt: skip
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in self.rows:
            cells = [row.what, row.corpus, row.product, row.baseline, row.ratio, row.target,
                     row.verdict, row.memory]  # fmt: skip
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def memory_table(self) -> str:
        """Peak RSS above the interpreter's own, per MB of input: flat means linear."""
        base = next((r.raw for r in self.rows if "version" in r.raw), None)
        floor = max(s["rss_mb"] for s in base["version"]) if base else 0.0
        lines = ["| input | size | check peak RSS | above `--version` | per MB of input |",
                 "|---|---|---|---|---|"]  # fmt: skip
        for row in self.rows:
            raw = row.raw
            if raw.get("kind") not in ("stacks", "preview", "state"):
                continue
            rss = max(s["rss_mb"] for s in raw["product"])
            size = raw["bytes"] / 1e6
            lines.append(
                f"| {raw['kind']} x {raw['count']:,} | {size:.1f} MB | {rss:.0f} MB | "
                f"{rss - floor:.0f} MB | {(rss - floor) / size:.1f} |"
            )
        return "\n".join(lines)

    def report(self) -> str:
        machine = self.machine()
        loads = machine["load"]
        load = f"{min(loads):.1f}-{max(loads):.1f}" if loads else "n/a"
        mode = "quick (tiny corpus, for the smoke test)" if self.args.quick else "full"
        return "\n".join(
            [
                f"residency-guard bench ({mode}; medians of {self.runs} runs, "
                f"{self.slow_runs} for the slow rows, {self.args.checkov_runs} for checkov)",
                f"machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, "
                f"Python {machine['python']}, {machine['platform']}; "
                f"1-min load average during the run: {load}",
                "",
                self.table(),
                "",
                "Memory (linear in input when the last column stays flat):",
                "",
                self.memory_table(),
                "",
            ]
        )


def _raw(samples: Sequence[Sample]) -> list[dict[str, float]]:
    return [{"wall": s.wall, "cpu": s.cpu, "rss_mb": s.rss_mb, "code": s.code} for s in samples]


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def compile_bytecode() -> None:
    """Byte-compile the package first, as ``pip install`` does: an editable checkout run with
    PYTHONDONTWRITEBYTECODE (set on this machine) compiles every module at every start,
    0.1-0.3 s that no installed copy pays and the floors, reading no module of ours, never do."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "residency_guard")],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny corpora, one run each")
    parser.add_argument("--no-checkov", action="store_true", help="skip the checkov rows")
    parser.add_argument("--checkov", action="store_true", help="checkov rows even with --quick")
    parser.add_argument("--runs", type=int, default=0, help="runs per fast row (default 5)")
    parser.add_argument("--slow-runs", type=int, default=0, help="runs per slow row (default 3)")
    parser.add_argument("--checkov-runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every sample here")
    parser.add_argument(
        "--no-engine",
        action="store_true",
        help="skip the rows under the real engine (scripts/install-pulumi-engine)",
    )
    parser.add_argument("--engine", action="store_true", help="the engine rows even with --quick")
    parser.add_argument(
        "--engine-runs", type=int, default=0, help="rotations per engine row (default 5)"
    )
    args = parser.parse_args(argv)
    compile_bytecode()
    bench = Bench(args)
    bench.startup()
    bench.stacks()
    bench.trees()
    bench.previews()
    bench.alias_bomb()
    bench.pack()
    if (args.engine or not args.quick) and not args.no_engine:
        bench.engine_pack()
    if (args.checkov or not args.quick) and not args.no_checkov:
        bench.checkov()
    text = bench.report()
    print(text)
    if args.json:
        data = {"machine": bench.machine(), "rows": [r.__dict__ for r in bench.rows]}
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
