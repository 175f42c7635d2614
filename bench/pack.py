"""The policy pack's cost, in-process: its resource policies and stack policies over a preview.

Run by ``bench.run`` in a child process of its own (so that its peak RSS is its own) and
prints one JSON object. The policies are called the way pulumi-policy's servicer calls them
(``policy.validate(args, report_violation)``), as the pack's tests do; no engine, no gRPC.

- resource policies: the pack's six resource policies on every resource's inputs, one fresh
  ``PackState`` per run (its memo makes the six share one core traversal per resource);
- core alone: ``api.check_resource`` on the same resources with the same context, the floor
  the pack adds its adapter cost to;
- stack policies: the pack's three stack policies on the whole stack (every resource's
  outputs, or its inputs where the preview has no outputs yet).

    python -m bench.pack PREVIEW.json [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SKIPPED = ("pulumi:providers:", "pulumi:pulumi:Stack")
REGION = "eu"


def _opts() -> Any:
    from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions

    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def load_resources(path: Path) -> list[tuple[str, str, str, dict[str, Any], dict[str, Any]]]:
    """(type, name, urn, inputs, outputs) of every resource a policy sees in the preview."""
    data = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for step in data["steps"]:
        state = step.get("newState") or {}
        rtype = state.get("type", "")
        if rtype.startswith(_SKIPPED):
            continue
        urn = state["urn"]
        inputs = state.get("inputs") or {}
        found.append((rtype, urn.rsplit("::", 1)[-1], urn, inputs, state.get("outputs") or inputs))
    return found


def _timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def measure(path: Path, runs: int) -> dict[str, Any]:
    from pulumi_policy import (
        PolicyResource,
        ResourceValidationArgs,
        ResourceValidationPolicy,
        StackValidationArgs,
        StackValidationPolicy,
    )
    from pulumi_policy.proxy import UnknownValueError

    from policies.residency_pack import PackState, all_policies
    from residency_guard import api
    from residency_guard.stackregion import REGION_TAG

    resources = load_resources(path)
    tags = {REGION_TAG: REGION}
    opts = _opts()
    resource_args = [
        ResourceValidationArgs(rtype, inputs, urn, name, opts, None, {}, tags)
        for rtype, name, urn, inputs, _ in resources
    ]
    stack_args = StackValidationArgs(
        [PolicyResource(rtype, outputs, urn, name, opts, None, None, [], {})
         for rtype, name, urn, _, outputs in resources],
        {}, tags,
    )  # fmt: skip
    violations = 0

    def report(message: str, urn: str | None = None) -> None:
        nonlocal violations
        violations += 1

    def new_state() -> PackState:
        # No PULUMI_CONFIG, no PULUMI_STACK: the region comes from the stack tag, as in tests.
        return PackState(pack_dir=path.parent, stack_config={}, stack_fallback="")

    def run_resource_policies(state: PackState) -> None:
        policies = [p for p in all_policies(state) if isinstance(p, ResourceValidationPolicy)]
        for args in resource_args:
            for policy in policies:
                with contextlib.suppress(UnknownValueError):  # "checked at `pulumi up`"
                    policy.validate(args, report)

    def run_stack_policies(state: PackState) -> None:
        for policy in all_policies(state):
            if isinstance(policy, StackValidationPolicy):
                with contextlib.suppress(UnknownValueError):
                    policy.validate(stack_args, report)

    def run_core(state: PackState) -> None:
        # The context the pack judges in, built once, then the core alone on every resource.
        from policies.residency_pack.config import PackSettings

        settings = PackSettings.from_config({})
        declarations = state.declarations("", settings, tags)
        ctx = state.context("", declarations, settings)
        for rtype, name, urn, inputs, _ in resources:
            api.check_resource(rtype, name, inputs, ctx, urn=urn)

    from policies.residency_pack.config import PackSettings

    settings = PackSettings.from_config({})

    def fresh() -> PackState:
        state = new_state()
        state.repo_and_catalog(settings)  # settings and catalog load outside the timings
        return state

    run_resource_policies(fresh())  # warm: imports, the catalog's files in the page cache
    pack: list[float] = []
    core: list[float] = []
    stack: list[float] = []
    for index in range(runs):
        # Alternate which goes first, so that neither always runs on a warmer cache.
        pair = [(pack, run_resource_policies), (core, run_core)]
        for samples, function in pair if index % 2 == 0 else reversed(pair):
            state = fresh()
            samples.append(_timed(lambda f=function, s=state: f(s)))  # type: ignore[misc]
        state = fresh()
        run_resource_policies(state)  # as the engine runs them: resource policies first
        violations = 0
        stack.append(_timed(lambda s=state: run_stack_policies(s)))  # type: ignore[misc]
    count = len(resources)
    per = 1000 / count
    return {
        "resources": count,
        "runs": runs,
        "pack_s": statistics.median(pack),
        "core_s": statistics.median(core),
        "stack_s": statistics.median(stack),
        "pack_ms_per_resource": statistics.median(pack) * per,
        "core_ms_per_resource": statistics.median(core) * per,
        "overhead_ms_per_resource": statistics.median(
            p - c for p, c in zip(pack, core, strict=True)
        )
        * per,
        "stack_ms_per_resource": statistics.median(stack) * per,
        "stack_violations": violations,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pack")
    parser.add_argument("preview", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    repo = Path(__file__).resolve().parents[1]
    if str(repo) not in sys.path:
        sys.path.append(str(repo))  # `policies` is a folder of the repository, not installed
    print(json.dumps(measure(args.preview, args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
