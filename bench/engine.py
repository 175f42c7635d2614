"""The policy pack's cost under the real engine: `pulumi preview` with no pack, a do-nothing pack
and ours, on a generated program of N dynamic resources.

The program (``bench/engine_program``) registers N ``pulumi-python:dynamic/bench:Workload``
resources, each a workload's name, image, labels and env map (``bench.corpus``'s app env for an
EU stack: OpenAI base URL and models among ordinary settings, the API key, a secret, beside
the base URL in half of them; no violation). The baseline pack (``bench/noop_pack``) has one
resource policy and one stack policy that do nothing: what any Python pack costs (the analyzer
process, gRPC, pulumi-policy's servicer). Ours is a copy of ``policies/``, virtualenv pinned.

For each N, the three previews run one after the other, their order rotating at each
repetition; "added" is a pack's wall time minus the no-pack preview's of the same repetition,
per resource, the median over repetitions. The pack's start is the intercept of the line
through the medians at the two sizes. ``PULUMI_SKIP_CHECKPOINTS=true`` in the main rows, so
that the engine's own snapshotting does not hide the packs' cost; one more pair (no pack, ours)
runs with the default settings at the smallest N, what a user feels.

    python -m bench.engine [--sizes 300 1000] [--runs 5] [--default-runs 3] [--json FILE]

Needs the engine (``scripts/install-pulumi-engine``, offline, cached); ``bench.run`` runs this
as its engine rows.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import corpus

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
STACK = "bench-eu"
PACKS = ("none", "do-nothing", "ours")
PROGRAM_VERSION = 2  # in the program's folder name: a new generator makes new programs
_VIRTUALENV = re.compile(r"^(\s*virtualenv:[ \t]*)\S.*$", re.MULTILINE)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float  # user + system of pulumi and every process it waited for


def workloads(count: int, seed: int) -> list[dict[str, Any]]:
    """The program's resources: realistic env maps of an EU stack, no violation, no unknown."""
    found = []
    for index in range(count):
        rng = random.Random(f"{seed}/engine/{index}")
        name = f"{corpus.SERVICES[index % len(corpus.SERVICES)]}-{index:05d}"
        env = corpus._app_env(rng, corpus.PREVIEW_REGION, None)
        env["DATABASE_URL"] = f"postgres://app@db-{rng.randint(1, 9)}:5432/app"
        # A key only beside the base URL: a key without one is a violation (RG018).
        if rng.random() < 0.5 and "OPENAI_BASE_URL" in env:
            env["OPENAI_API_KEY"] = corpus.FAKE_KEY
        found.append(
            {
                "name": name,
                "image": f"ghcr.io/acme/{name}:{rng.randint(1, 9)}.{rng.randint(0, 40)}",
                "replicas": rng.randint(1, 6),
                "labels": {"app": name, "team": "platform", "tier": rng.choice(["web", "worker"])},
                "env": env,
            }
        )
    return found


def engine_bin() -> Path:
    """The engine's bin dir (built once and cached by scripts/install-pulumi-engine)."""
    done = subprocess.run(
        [str(REPO / "scripts" / "install-pulumi-engine")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip().splitlines()[-1])


def _pinned(path: Path) -> None:
    """The pack's ``virtualenv:`` pointed at this interpreter's venv, by absolute path."""
    text, count = _VIRTUALENV.subn(lambda m: m.group(1) + sys.prefix, path.read_text("utf-8"))
    if count != 1:
        raise RuntimeError(f"expected one `virtualenv:` line in {path}, found {count}")
    path.write_text(text, encoding="utf-8")


class Workspace:
    """Programs, packs, state and PULUMI_HOME under one folder, all offline."""

    def __init__(self, root: Path, bin_dir: Path) -> None:
        self.root = root
        self.bin_dir = bin_dir
        root.mkdir(parents=True, exist_ok=True)
        self.packs = {"none": None, "do-nothing": self._noop_pack(), "ours": self._our_pack()}

    def env(self, extra: Mapping[str, str] = {}) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        env.update(
            PATH=f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            PULUMI_HOME=str(self.root / "home"),
            PULUMI_BACKEND_URL=(self.root / "state").as_uri(),
            PULUMI_CONFIG_PASSPHRASE="bench",
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
            # This checkout's residency_guard, components and policies, not another install's.
            PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        )
        env.update(extra)
        return env

    def _noop_pack(self) -> Path:
        pack = self.root / "noop-pack"
        shutil.rmtree(pack, ignore_errors=True)
        pack.mkdir()
        shutil.copy2(HERE / "noop_pack" / "__main__.py", pack / "__main__.py")
        (pack / "PulumiPolicy.yaml").write_text(
            f"description: Does nothing.\nversion: 0.1.0\nruntime:\n  name: python\n"
            f"  options:\n    virtualenv: {sys.prefix}\n",
            encoding="utf-8",
        )
        return pack

    def _our_pack(self) -> Path:
        # The pack reads the nearest residency-guard.yaml above its folder: the corpus's.
        parent = self.root / "our-pack"
        shutil.rmtree(parent, ignore_errors=True)
        parent.mkdir()
        (parent / "residency-guard.yaml").write_text(corpus.REPO_CONFIG, encoding="utf-8")
        pack = parent / "policies"
        shutil.copytree(
            REPO / "policies",
            pack,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "checkov"),
        )
        _pinned(pack / "PulumiPolicy.yaml")
        return pack

    def program(self, count: int, seed: int) -> Path:
        """The program of ``count`` resources with its stack initialised (made once)."""
        project = self.root / f"program-{count}-s{seed}-v{PROGRAM_VERSION}"
        if (project / ".ready").is_file():
            return project
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir()
        shutil.copy2(HERE / "engine_program" / "__main__.py", project / "__main__.py")
        (project / "resources.json").write_text(json.dumps(workloads(count, seed)), "utf-8")
        (project / "Pulumi.yaml").write_text(
            f"name: bench-{count}\nruntime:\n  name: python\n  options:\n"
            f"    toolchain: pip\n    virtualenv: {sys.prefix}\n",
            encoding="utf-8",
        )
        (self.root / "state").mkdir(exist_ok=True)
        for args in (
            ["stack", "select", "--create", STACK],
            ["config", "set", "residency-guard:region", corpus.PREVIEW_REGION],
        ):
            subprocess.run(
                [str(self.bin_dir / "pulumi"), *args, "--non-interactive"],
                cwd=project,
                env=self.env(),
                check=True,
                capture_output=True,
            )
        (project / ".ready").write_text("")
        return project

    def preview(self, project: Path, pack: str, extra: Mapping[str, str]) -> Run:
        argv = [
            str(self.bin_dir / "pulumi"),
            "preview",
            "--stack",
            STACK,
            "--non-interactive",
            "--diff=false",
        ]
        where = self.packs[pack]
        if where is not None:
            argv += ["--policy-pack", str(where)]
        with tempfile.TemporaryFile() as out:
            start = time.perf_counter()
            child = subprocess.Popen(
                argv, cwd=project, env=self.env(extra), stdout=out, stderr=subprocess.STDOUT
            )
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                out.seek(0)
                tail = out.read().decode("utf-8", "replace")[-3000:]
                raise RuntimeError(f"pulumi preview ({pack}) failed in {project}:\n{tail}")
        return Run(wall, usage.ru_utime + usage.ru_stime)


def rotated(
    workspace: Workspace, project: Path, packs: Sequence[str], runs: int, extra: Mapping[str, str]
) -> dict[str, list[Run]]:
    samples: dict[str, list[Run]] = {pack: [] for pack in packs}
    for repetition in range(runs):
        shift = repetition % len(packs)
        for pack in [*packs[shift:], *packs[:shift]]:
            samples[pack].append(workspace.preview(project, pack, extra))
            log(f"  {project.name} {pack}: {samples[pack][-1].wall:.2f} s")
    return samples


def added(samples: Mapping[str, list[Run]], pack: str, cpu: bool = False) -> float:
    """Median over repetitions of the pack's time minus the no-pack preview's, in seconds."""

    def measure(run: Run) -> float:
        return run.cpu if cpu else run.wall

    pairs = zip(samples[pack], samples["none"], strict=True)
    return statistics.median(measure(a) - measure(b) for a, b in pairs)


def start_times(workspace: Workspace, runs: int) -> dict[str, list[float]]:
    """Seconds from starting a pack as the engine does (``python -m pulumi.policy``) to its
    answer to a first ``Analyze`` (imports, the gRPC server, settings and catalog loaded), for
    the do-nothing pack and ours, in rotation."""
    import grpc
    from google.protobuf import empty_pb2, struct_pb2
    from pulumi.runtime import proto
    from pulumi.runtime.proto import analyzer_pb2_grpc

    spec = workloads(1, 0)[0]
    props = struct_pb2.Struct()
    props.update({k: spec[k] for k in ("name", "image", "replicas", "labels", "env")})
    request = proto.AnalyzeRequest(
        type="pulumi-python:dynamic/bench:Workload",
        properties=props,
        name=spec["name"],
        urn=f"urn:pulumi:{STACK}::bench::pulumi-python:dynamic/bench:Workload::{spec['name']}",
    )
    env = workspace.env(
        {
            "PULUMI_CONFIG": json.dumps({"residency-guard:region": corpus.PREVIEW_REGION}),
            "PULUMI_STACK": STACK,
            "PULUMI_PROJECT": "bench",
            "PULUMI_DRY_RUN": "true",
        }
    )
    found: dict[str, list[float]] = {"do-nothing": [], "ours": []}
    for repetition in range(runs):
        for pack in ("do-nothing", "ours") if repetition % 2 == 0 else ("ours", "do-nothing"):
            folder = workspace.packs[pack]
            assert folder is not None
            start = time.perf_counter()
            child = subprocess.Popen(
                [sys.executable, "-m", "pulumi.policy", "127.0.0.1:1", "."],
                cwd=folder,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
            )
            try:
                assert child.stdout is not None
                port = int(child.stdout.readline())
                with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                    stub = analyzer_pb2_grpc.AnalyzerStub(channel)
                    stub.GetAnalyzerInfo(empty_pb2.Empty())
                    stub.ConfigureStack(
                        proto.AnalyzerStackConfigureRequest(stack=STACK, project="bench")
                    )
                    stub.Analyze(request)
                found[pack].append(time.perf_counter() - start)
            finally:
                child.terminate()
                child.wait(timeout=30)
    return found


def compile_bytecode(*folders: Path) -> None:
    """Byte-compile what the packs and the program import from source, as ``pip install``
    does: with PYTHONDONTWRITEBYTECODE (set on this machine) every start would compile them
    again, a cost no installed copy pays (``bench.run.compile_bytecode``)."""
    for folder in folders:
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(folder)],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def measure(
    root: Path, sizes: Sequence[int], runs: int, default_runs: int, seed: int
) -> dict[str, Any]:
    workspace = Workspace(root, engine_bin())
    compile_bytecode(
        REPO / "residency_guard",
        REPO / "components",
        *(pack for pack in workspace.packs.values() if pack is not None),
    )
    skip = {"PULUMI_SKIP_CHECKPOINTS": "true"}
    rows: list[dict[str, Any]] = []
    loads = []
    for count in sizes:
        project = workspace.program(count, seed)
        workspace.preview(project, "ours", skip)  # warm: page cache, byte-compiled modules
        loads.append(os.getloadavg()[0])
        log(f"engine: {count:,} resources, {runs} rotation(s) of {', '.join(PACKS)}")
        samples = rotated(workspace, project, PACKS, runs, skip)
        rows.append(_row(count, samples, "PULUMI_SKIP_CHECKPOINTS=true"))
        log(f"engine: {count:,} resources: do-nothing adds "
            f"{rows[-1]['do-nothing_added_ms_per_resource']:.2f} ms/resource, ours "
            f"{rows[-1]['ours_added_ms_per_resource']:.2f} ({rows[-1]['ratio']:.2f}x wall, "
            f"{rows[-1]['cpu_ratio']:.2f}x CPU)")  # fmt: skip
    starts = start_times(workspace, max(runs, 5))
    start = {pack: statistics.median(times) for pack, times in starts.items()}
    default: dict[str, Any] | None = None
    if default_runs:
        # The smallest size: with its checkpoints the engine's own time grows with the square
        # of the resources (1,000 took 209 s with no pack here), which no pack changes.
        count = min(sizes)
        project = workspace.program(count, seed)
        loads.append(os.getloadavg()[0])
        log(f"engine: {count:,} resources with default settings, {default_runs} rotation(s)")
        samples = rotated(workspace, project, ("none", "ours"), default_runs, {})
        default = _row(count, samples, "default settings")
    fit = _fit(rows)
    return {
        "rows": rows,
        "default": default,
        "fit": fit,
        "start": start,
        "starts": starts,
        "loads": loads,
    }


def _row(count: int, samples: Mapping[str, list[Run]], settings: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "resources": count,
        "settings": settings,
        "samples": {p: [r.__dict__ for r in s] for p, s in samples.items()},
    }
    for pack in samples:
        row[f"{pack}_s"] = statistics.median(r.wall for r in samples[pack])
        if pack != "none":
            row[f"{pack}_added_ms_per_resource"] = added(samples, pack) * 1000 / count
            row[f"{pack}_added_cpu_ms_per_resource"] = added(samples, pack, cpu=True) * 1000 / count
    if "do-nothing" in samples:
        row["ratio"] = row["ours_added_ms_per_resource"] / row["do-nothing_added_ms_per_resource"]
        row["cpu_ratio"] = (
            row["ours_added_cpu_ms_per_resource"] / row["do-nothing_added_cpu_ms_per_resource"]
        )
    return row


def _fit(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Per-resource slope and start (intercept) of each pack's added time, from two sizes."""
    if len(rows) < 2:
        return {}
    small, large = rows[0], rows[-1]
    fit = {}
    for pack in ("do-nothing", "ours"):
        a = small[f"{pack}_added_ms_per_resource"] * small["resources"] / 1000
        b = large[f"{pack}_added_ms_per_resource"] * large["resources"] / 1000
        slope = (b - a) / (large["resources"] - small["resources"])
        fit[f"{pack}_ms_per_resource"] = slope * 1000
        fit[f"{pack}_start_s"] = a - slope * small["resources"]
    fit["ratio"] = fit["ours_ms_per_resource"] / fit["do-nothing_ms_per_resource"]
    return fit


def table(found: Mapping[str, Any]) -> str:
    lines = [
        "| resources | settings | no pack | do-nothing pack | ours | do-nothing adds | ours adds "
        "| ours / do-nothing (wall) | (CPU) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in found["rows"]:
        lines.append(
            f"| {row['resources']:,} | {row['settings']} | {row['none_s']:.2f} s "
            f"| {row['do-nothing_s']:.2f} s | {row['ours_s']:.2f} s "
            f"| {row['do-nothing_added_ms_per_resource']:.2f} ms/resource "
            f"| {row['ours_added_ms_per_resource']:.2f} ms/resource "
            f"| {row['ratio']:.2f}x | {row['cpu_ratio']:.2f}x |"
        )
    default = found.get("default")
    if default:
        lines.append(
            f"| {default['resources']:,} | {default['settings']} | {default['none_s']:.2f} s | "
            f"| {default['ours_s']:.2f} s | | {default['ours_added_ms_per_resource']:.2f} "
            "ms/resource | | |"
        )
    fit = found.get("fit")
    if fit:
        lines.append("")
        lines.append(
            f"Slope between the sizes: do-nothing {fit['do-nothing_ms_per_resource']:.2f} "
            f"ms/resource, ours {fit['ours_ms_per_resource']:.2f} ms/resource "
            f"({fit['ratio']:.2f}x); start (intercept): do-nothing "
            f"{fit['do-nothing_start_s']:.2f} s, ours {fit['ours_start_s']:.2f} s."
        )
    start = found.get("start")
    if start:
        lines.append("")
        lines.append(
            f"Start (launch to the answer of a first Analyze): do-nothing "
            f"{start['do-nothing']:.2f} s, ours {start['ours']:.2f} s "
            f"(+{start['ours'] - start['do-nothing']:.2f} s)."
        )
    return "\n".join(lines)


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--default-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--workspace", type=Path, default=REPO / "bench" / ".corpus" / "engine")
    parser.add_argument("--json", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    found = measure(args.workspace, args.sizes, args.runs, args.default_runs, args.seed)
    print(table(found))
    if args.json:
        args.json.write_text(json.dumps(found, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
