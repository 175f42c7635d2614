"""Mutation testing with mutmut, shard by shard (run through ``scripts/mutation``).

A shard is a group of modules and the fast tests that judge them. mutmut maps every test to
the functions it calls and runs, per mutant, only the shard's tests that call the mutated
function; a shard's own selection keeps that set small (a rule's mutant is judged by the rule
tests, not by the whole suite, which calls every rule). Each shard runs in its own copy of the
repository under ``build/mutation/<shard>`` so that shards never share mutmut's caches, and
writes ``summary.json`` (per-module counts) and ``survivors.md`` (the diff of every surviving
mutant) there. ``tests/MUTATION.md`` holds the scores and the classified survivors.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "mutation"
# What the tests read beside the code (fixtures, example stacks, the pack's folder, docs).
SKIP_COPY = {".git", ".venv", "build", "mutants", ".hypothesis", ".mypy_cache", ".ruff_cache"}


@dataclass(frozen=True)
class Shard:
    """Modules mutated together and the fast tests that judge them."""

    mutate: tuple[str, ...]
    tests: tuple[str, ...]


def _deselect(path: str, *tests: str) -> tuple[str, ...]:
    """pytest arguments leaving ``tests`` of ``path`` out of a shard's selection."""
    return tuple(arg for test in tests for arg in ("--deselect", f"{path}::{test}"))


SHARDS: dict[str, Shard] = {
    "rules": Shard(
        # (rules/* holds the live rules, rules/live/, since issue 19: test_verify_cli judges them)
        ("residency_guard/rules/*", "residency_guard/azure.py"),  # the Azure rules' helpers
        ("tests/core/test_rules.py", "tests/verify/test_verify_cli.py",
         "tests/core/test_rule_messages.py",
         "tests/core/test_azure_rules.py", "tests/components/test_dotenv_provider.py",
         "tests/core/test_repoconfig.py", "tests/core/test_suppressions.py",
         "tests/core/test_ruledocs.py", "tests/core/test_reporters.py",
         "tests/core/test_pulumi_json.py", "tests/core/test_region_precondition.py",
         "tests/core/test_catalog_facts.py", "tests/core/test_facets.py",
         "tests/core/test_other_provider.py", "tests/core/test_esc_plaintext_keys.py",
         "tests/policies/test_resource_policies.py", "tests/policies/test_stack_policies.py",
         "tests/adversarial/test_yaml_semantics.py", "tests/adversarial/test_bypasses.py",
         "tests/adversarial/test_fail_safe.py"),
    ),
    "hosts": Shard(
        ("residency_guard/hosts.py", "residency_guard/texts.py", "residency_guard/keys.py",
         "residency_guard/endpoints.py", "residency_guard/facets.py"),
        ("tests/core/test_hosts.py", "tests/core/test_keys.py", "tests/core/test_rules.py",
         "tests/core/test_surface_paths.py", "tests/adversarial/test_bypasses.py",
         "tests/adversarial/test_fail_safe.py", "tests/adversarial/test_host_properties.py",
         "tests/core/test_endpoint_assignments.py"),
    ),
    "catalog": Shard(
        ("residency_guard/catalog/model.py", "residency_guard/catalog/loader.py",
         "residency_guard/catalog/parse.py", "residency_guard/catalog/compose.py",
         "residency_guard/catalog/overlay.py", "residency_guard/catalog/index.py",
         "residency_guard/catalog/schema.py", "residency_guard/modelcheck.py"),
        ("tests/core/test_catalog.py", "tests/core/test_catalog_compiled.py",
         "tests/core/test_rules.py", "tests/core/test_surface_paths.py",
         "tests/core/test_catalog_facts.py", "tests/core/test_catalog_errors.py",
         "tests/core/test_model_verdicts.py"),
        # (the shipped catalog is built once per process, before mutmut forks a mutant's run:
        # the loader's and compose's mutants are judged by the tests that build a catalog
        # anew, test_catalog_errors' folder copies and test_catalog_compiled)
    ),
    "region": Shard(
        ("residency_guard/stackregion.py", "residency_guard/repoconfig.py",
         "residency_guard/context.py"),
        ("tests/core/test_repoconfig.py", "tests/core/test_rules.py",
         "tests/core/test_suppressions.py", "tests/policies/test_region.py",
         "tests/core/test_region_sources.py"),  # paths:, exclude:, the project's default...
    ),
    "pack": Shard(
        ("policies/residency_pack/*",),
        # (test_analyzer_protocol serves the pack from the project's .venv, which the shard's
        # copy has not; test_pack_files checks that .venv path; two of test_servicer_contract's
        # tests read the servicer's source, which mutmut rewrites, and one serves the pack)
        ("tests/policies/test_resource_policies.py", "tests/policies/test_stack_policies.py",
         "tests/policies/test_region.py", "tests/policies/test_suppress.py",
         "tests/policies/test_remediate.py", "tests/policies/test_servicer.py",
         "tests/policies/test_walks.py", "tests/policies/test_parity.py",
         "tests/policies/test_esc_parity.py", "tests/policies/test_settings_overlay.py",
         "tests/policies/test_policy_tables.py", "tests/policies/test_levels.py",
         "tests/policies/test_pack_docs.py", "tests/policies/test_config.py",
         "tests/policies/test_key_without_base_url.py", "tests/policies/test_region_parity.py",
         "tests/policies/test_yaml_program_parity.py", "tests/policies/test_servicer_contract.py",
         "tests/policies/test_pack_state.py",
         *_deselect("tests/policies/test_servicer_contract.py",
                    "test_every_inherited_method_the_servicer_uses_is_in_the_contract",
                    "test_every_private_attribute_the_servicer_reads_is_in_the_contract",
                    "test_the_served_pack_refuses_another_pulumi_policy_in_one_line")),
    ),
}  # fmt: skip

# mutmut's exit-code statuses, grouped for the score.
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
SURVIVED = {"survived"}
UNTESTED = {"no tests"}
NOT_CHECKED = "not checked"  # no result: not run yet


def copy_repository(work: Path, keep: str | None = None) -> None:
    """A fresh copy of the working tree (tracked and new files, not ignored ones); ``keep``
    names a folder of the old copy to keep (mutmut's ``mutants``)."""
    for old in work.iterdir() if work.exists() else ():
        if old.name == keep:
            continue
        shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if name.split("/", 1)[0] in SKIP_COPY or not source.is_file():
            continue
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def write_shard_config(work: Path, shard: Shard) -> None:
    """The repository's ``[tool.mutmut]`` with this shard's modules and tests."""
    pyproject = work / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    base = dict(tomllib.loads(text).get("tool", {}).get("mutmut", {}))
    base["only_mutate"] = list(shard.mutate)
    # mutmut runs the tests in mutants/, which holds only the sources and tests/: the rest of
    # the tree (docs/rules.md, stacks/, the pack's folder...) is copied beside them.
    sources = {Path(p).parts[0] for p in base.get("source_paths", [])} | {"tests"}
    # (not mutmut's own mutants/, kept by --survivors and --resume: it would nest a copy of
    # itself whose stale .meta files collect() then counts)
    base["also_copy"] = sorted(
        p.name for p in work.iterdir() if p.name not in sources and p.name not in SKIP_COPY
    )
    base["pytest_add_cli_args_test_selection"] = list(shard.tests)
    lines = ["[tool.mutmut]"]
    for key, value in base.items():
        lines.append(f"{key} = {json.dumps(value)}")  # JSON scalars and arrays are TOML too
    section = re.compile(r"^\[tool\.mutmut\]\n(?:(?!\[).*\n?)*", re.MULTILINE)
    text = section.sub("", text).rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    pyproject.write_text(text, encoding="utf-8")


def module_of(mutant: str) -> str:
    """``residency_guard.hosts.x_classify__mutmut_3`` -> ``residency_guard.hosts``."""
    return re.split(r"\.x_|\.x\u01c1", mutant.partition("__mutmut_")[0], maxsplit=1)[0]


def collect(work: Path) -> dict[str, dict[str, tuple[str, str]]]:
    """Every mutant's status and source file, by module, from mutmut's ``.meta`` files."""
    from mutmut.stats import status_by_exit_code

    found: dict[str, dict[str, tuple[str, str]]] = {}
    mutants = work / "mutants"
    for meta in sorted(mutants.rglob("*.py.meta")):
        source = meta.relative_to(mutants).as_posix().removesuffix(".meta")
        data = json.loads(meta.read_text(encoding="utf-8"))
        for mutant, code in data.get("exit_code_by_key", {}).items():
            found.setdefault(module_of(mutant), {})[mutant] = (status_by_exit_code[code], source)
    return found


def killed_before(work: Path) -> dict[Path, dict[str, tuple[int, str | None]]]:
    """Every killed mutant's exit code and its function's hash, by ``.meta`` file."""
    from mutmut.stats import status_by_exit_code

    kept: dict[Path, dict[str, tuple[int, str | None]]] = {}
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        hashes = data.get("hash_by_function_name", {})
        kept[meta] = {
            key: (code, hashes.get(function_of(key)))
            for key, code in data.get("exit_code_by_key", {}).items()
            if code is not None and status_by_exit_code[code] in KILLED
        }  # fmt: skip
    return kept


def restore_killed(work: Path, kept: dict[Path, dict[str, tuple[int, str | None]]]) -> None:
    """Put back the results a survivors' run lost: mutmut starts over when the test selection
    changes (a test file added to a shard), and runs only the named survivors. A mutant killed
    before, whose function is unchanged and that this run left without a result, is still
    killed: the tests that killed it are still in the selection."""
    for meta, killed in kept.items():
        if not meta.is_file():
            continue
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes = data.get("exit_code_by_key", {})
        hashes = data.get("hash_by_function_name", {})
        for key, (code, digest) in killed.items():
            if key in codes and codes[key] is None and hashes.get(function_of(key)) == digest:
                codes[key] = code
        meta.write_text(json.dumps(data), encoding="utf-8")


def function_of(mutant: str) -> str:
    """``pkg.mod.xǁCǁm__mutmut_3`` -> ``xǁCǁm``, the key of mutmut's function hashes."""
    return mutant.rsplit(".", 1)[-1].rsplit("__mutmut_", 1)[0]


def summarize(
    statuses: dict[str, dict[str, tuple[str, str]]],
) -> dict[str, dict[str, int | float | None]]:
    rows: dict[str, dict[str, int | float | None]] = {}
    for module, mutants in sorted(statuses.items()):
        counted = [status for status, _source in mutants.values()]
        killed = sum(s in KILLED for s in counted)
        survived = sum(s in SURVIVED for s in counted)
        untested = sum(s in UNTESTED for s in counted)
        judged = killed + survived + untested
        rows[module] = {
            "mutants": len(counted), "killed": killed, "survived": survived,
            "no_tests": untested, "other": len(counted) - judged,
            "score": round(100 * killed / judged, 1) if judged else None,  # None: not run
        }  # fmt: skip
    return rows


def write_survivors(work: Path, statuses: dict[str, dict[str, tuple[str, str]]]) -> int:
    """``survivors.md``: the diff of every mutant no test killed (survived or untested)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    out = [f"# Surviving mutants of shard {work.name}\n"]
    count = 0
    here = Path.cwd()
    os.chdir(work)  # mutmut reads its mutants/ folder relative to the working directory
    try:
        for _module, mutants in sorted(statuses.items()):
            for mutant, (status, source) in sorted(mutants.items()):
                if status not in SURVIVED | UNTESTED:
                    continue
                count += 1
                diff = get_diff_for_mutant(mutant, path=source)
                changed = [line for line in diff.splitlines()[2:] if line[:1] in "+-"]
                out.append(f"## {mutant} ({status})\n\n```diff\n" + "\n".join(changed) + "\n```\n")
    finally:
        os.chdir(here)
    (work / "survivors.md").write_text("\n".join(out), encoding="utf-8")
    return count


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.setdefault("HYPOTHESIS_PROFILE", "ci")  # fixed examples: the same mutants die each run
    # Tests that run real checkov (some carry no `checkov` marker) take seconds per mutant and
    # read the checks from the project's own checkov venv, not from the shard's mutants.
    # The facets gate's generated-corpus comparison runs every rule over hundreds of stacks
    # (seconds per surviving mutant of any rule); the gate's own per-rule test stays.
    skip = "not checkov and not generated_corpus"
    env["PYTEST_ADDOPTS"] = (env.get("PYTEST_ADDOPTS", "") + f" -k '{skip}'").strip()
    return env


def run_mutmut(work: Path, name: str, command: list[str], *, append: bool) -> None:
    """``mutmut run`` in the shard's copy, its output in ``mutmut.log``; exits on failure."""
    log = work / "mutmut.log"
    with log.open("a" if append else "w", encoding="utf-8") as handle:
        result = subprocess.run(
            command, cwd=work, stdout=handle, stderr=subprocess.STDOUT, env=_env()
        )
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(
            f"mutation: shard {name}: mutmut exited {result.returncode}; {log}:\n{tail}"
        )


def run_shard(
    name: str,
    children: int,
    python: str,
    *,
    report_only: bool,
    survivors_only: bool,
    resume: bool = False,
    only: tuple[str, ...] = (),
) -> dict[str, dict[str, int | float | None]]:
    work = BUILD / name
    seconds = None
    kept: dict[Path, dict[str, tuple[int, str | None]]] = {}
    if not report_only:
        base = [python, "-m", "mutmut", "run", "--max-children", str(children)]
        command = list(base)
        if survivors_only and (work / "mutants").is_dir():
            # The last run's survivors again, against today's tree: mutmut maps new tests of
            # the selected files, mutates changed functions anew and keeps every other result
            # (a changed test selection, though, makes it start over).
            again = sorted(
                mutant for mutants in collect(work).values()
                for mutant, (status, _source) in mutants.items()
                if status in SURVIVED | UNTESTED
                and (not only or any(fnmatch.fnmatchcase(mutant, glob) for glob in only))
            )  # fmt: skip
            if not again:  # mutmut, given no names, would run the whole shard again
                raise SystemExit(f"mutation: shard {name}: no survivors to run again")
            command += again
            kept = killed_before(work)
            copy_repository(work, keep="mutants")
        elif resume and (work / "mutants").is_dir():
            # Only the mutants without a result: code added or changed since the last run.
            copy_repository(work, keep="mutants")
        else:
            copy_repository(work)
        if only and not survivors_only:
            command += list(only)  # mutmut runs the named mutants again, whatever their result
        write_shard_config(work, SHARDS[name])
        started = time.monotonic()
        run_mutmut(work, name, command, append=survivors_only or resume)
        if survivors_only:
            restore_killed(work, kept)
            # Left without a result: the mutants of functions changed since the last run (new
            # names to mutmut), and after a changed test selection every survivor the names
            # above did not cover. Run them too, or the score would quietly leave them out.
            pending = sorted(
                mutant for mutants in collect(work).values()
                for mutant, (status, _source) in mutants.items()
                if status == NOT_CHECKED
                and (not only or any(fnmatch.fnmatchcase(mutant, glob) for glob in only))
            )  # fmt: skip
            if pending:
                run_mutmut(work, name, base + pending, append=True)
        seconds = round(time.monotonic() - started)
    statuses = collect(work)
    rows = summarize(statuses)
    survivors = write_survivors(work, statuses)
    summary = {"shard": name, "seconds": seconds, "children": children, "modules": rows}
    (work / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"shard {name}: {seconds} s, {survivors} survivors ({work / 'survivors.md'})")
    return rows


def print_table(rows: dict[str, dict[str, int | float | None]]) -> None:
    print(f"{'module':55} {'mutants':>7} {'killed':>6} {'surv':>5} {'untested':>8} {'score':>6}")
    for module, row in rows.items():
        print(
            f"{module:55} {row['mutants']:>7} {row['killed']:>6} {row['survived']:>5} "
            f"{row['no_tests']:>8} "
            + (f"{row['score']:>5}%" if row["score"] is not None else "   not run")
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutation", description=__doc__.splitlines()[0])
    parser.add_argument("shards", nargs="*", metavar="SHARD", help=f"of: {', '.join(SHARDS)}")
    parser.add_argument("--list", action="store_true", help="print the shards and exit")
    parser.add_argument(
        "--report-only", action="store_true",
        help="summarize the shards' last run (build/mutation/<shard>) without running mutmut",
    )  # fmt: skip
    parser.add_argument(
        "--survivors", action="store_true",
        help="run only the last run's surviving and untested mutants again, with today's tests",
    )  # fmt: skip
    parser.add_argument(
        "--resume", action="store_true",
        help="run only the mutants without a result (new or changed code since the last run)",
    )  # fmt: skip
    parser.add_argument(
        "--children", type=int, default=int(os.environ.get("RG_MUTATION_CHILDREN", "0")) or None,
        help="parallel mutants (default: the CPU count)",
    )  # fmt: skip
    parser.add_argument(
        "--mutants", action="append", default=[], metavar="GLOB",
        help="run only the mutants whose name matches (repeatable), e.g. "
        "'residency_guard.rules.other_provider.*'; the shard's other results are kept",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.list:
        for name, shard in SHARDS.items():
            print(f"{name}: {' '.join(shard.mutate)}\n    tests: {' '.join(shard.tests)}")
        return 0
    unknown = [s for s in args.shards if s not in SHARDS]
    if unknown:
        parser.error(f"unknown shard {', '.join(unknown)}; see --list")
    rows: dict[str, dict[str, int | float | None]] = {}
    for name in args.shards or list(SHARDS):
        children = args.children or os.cpu_count() or 2
        rows.update(run_shard(
            name, children, sys.executable, report_only=args.report_only,
            survivors_only=args.survivors, resume=args.resume, only=tuple(args.mutants),
        ))  # fmt: skip
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
