"""The parity matrix: every fixture file of the suite that more than one gate reads, through
the CLI, checkov (real, from its own environment) and the policy pack (the analyzer servicer
it serves, fed each resource as the engine sends it; the engine itself cannot replay a file,
and tests/engine/test_parity.py holds it to the CLI on a program it runs).

Which files: stack files (`Pulumi.<stack>.yaml`) and project files (`Pulumi.yaml`), read by
the CLI and checkov; `pulumi preview --json` and `pulumi stack export` files, read by all three.
The fixture folders are copied as the suites use them (each its own repository,
`pulumi-project.yaml` / `Pulumi.yaml.in` in place as `Pulumi.yaml`, the canary key written),
and the pack suite's resource shapes (tests/policies/shapes.py) are written as one-resource
previews of an EU stack, each with one variable that breaks a rule, or a clean one.

Equal means: the same rule IDs per file for the CLI and checkov (failed, and skipped by a
suppression), and the same rules, as many times, on each resource of a preview or state file
for the CLI and the pack. A difference listed in residency_guard/parity.py (rendered in docs/rules.md) is the only
exception, and each test says which one it applies.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import proto

from policies.residency_pack import PACK_ENFORCEMENT, PACK_NAME, PackState, all_policies
from policies.residency_pack.servicer import OncePerResource
from residency_guard.checkov_support import CHECKOV_RULES
from residency_guard.findings import Finding, Severity
from residency_guard.parity import BY_NAME
from residency_guard.scan import ScanRun, scan_paths
from residency_guard.scanners.discover import PROJECT_FILES
from residency_guard.scanners.pulumi_json import json_kind
from residency_guard.scanners.stackfile import stack_name_of
from tests.policies.helpers import EU_URL, FAKE_KEY, GLOBAL_URL
from tests.policies.shapes import ENV_SHAPES

from .conftest import CANARY, PLACEHOLDER, REPO, CheckovRun, Record, _gate, parse_records

pytestmark = pytest.mark.checkov

# Each folder is a repository of its own, as the suite that owns it copies it.
GROUPS = {
    "checkov": REPO / "tests" / "fixtures" / "checkov",
    "parity": REPO / "tests" / "fixtures" / "parity",
    "report": REPO / "tests" / "fixtures" / "report" / "project",
    "engine": REPO / "tests" / "fixtures" / "engine",
    "realworld": REPO / "tests" / "realworld",
}
RENAMED = {"pulumi-project.yaml": "Pulumi.yaml", "Pulumi.yaml.in": "Pulumi.yaml"}
TODAY = datetime.date.today()
SUMMARY = "openai-configuration-summary"
_VIOLATION = re.compile(
    r"^\[(?P<rule>RG\d{3})\].*?(?: \(at (?P<path>[^)]*)\))?(?:\. Fix: |$)", re.MULTILINE
)
_CHECKOV_SKIP = re.compile(r"checkov:skip=CKV_RG_(\d+)")


def _matrix_files() -> list[str]:
    """Every file more than one gate reads, as "<group>/<path>" of the prepared tree."""
    found = []
    for group, source in GROUPS.items():
        for path in sorted(source.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            name = RENAMED.get(path.name, path.name)
            rel = path.relative_to(source).with_name(name).as_posix()
            if (
                stack_name_of(Path(name)) is not None
                or name in PROJECT_FILES
                or (path.suffix == ".json" and _pulumi_kind(path) is not None)
            ):
                found.append(f"{group}/{rel}")
    return found


def _pulumi_kind(path: Path) -> str | None:
    try:
        return json_kind(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, UnicodeError):
        return None


# The pack suite's resource shapes (tests/policies/shapes.py), each as a one-resource preview
# of an EU stack: one variable that breaks a rule, or a clean one.
SHAPE_ENVS = {  # one variable each: some shapes hold exactly one (a GitHub variable)
    "global-host": {"OPENAI_BASE_URL": GLOBAL_URL},
    "plaintext-key": {"OPENAI_API_KEY": FAKE_KEY},
    "legacy-base": {"OPENAI_API_BASE": EU_URL},
    "model-alias": {"OPENAI_MODEL": "gpt-4o"},
    "clean": {"OPENAI_BASE_URL": EU_URL},
}
SHAPE_FILES = [f"shapes/{shape}-{variant}.json" for shape in ENV_SHAPES for variant in SHAPE_ENVS]

MATRIX = _matrix_files() + SHAPE_FILES
JSON_FILES = [f for f in MATRIX if f.endswith(".json")]


def _shape_preview(shape: str, variant: str) -> dict[str, Any]:
    resource_type, props = ENV_SHAPES[shape](SHAPE_ENVS[variant])
    urn = f"urn:pulumi:prod-eu::shop::{resource_type}::app"
    state = {"urn": urn, "type": resource_type, "inputs": props}
    return {
        "config": {"residency-guard:region": "eu"},
        "steps": [{"op": "create", "urn": urn, "newState": state}],
    }


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("matrix") / "tree"
    for group, source in GROUPS.items():
        target = root / group
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (target / ".git").mkdir()  # where config and project lookups stop
        for old, new in RENAMED.items():
            for path in sorted(target.rglob(old)):
                path.rename(path.with_name(new))
        for path in sorted(target.rglob("*")):
            if path.is_file() and path.suffix in (".yaml", ".yml", ".json", ".env"):
                text = path.read_text(encoding="utf-8")
                if PLACEHOLDER in text:
                    path.write_text(text.replace(PLACEHOLDER, CANARY), encoding="utf-8")
    shapes = root / "shapes"
    shapes.mkdir()
    (shapes / ".git").mkdir()
    for file in SHAPE_FILES:
        shape, variant = next(
            (sh, v) for sh in ENV_SHAPES for v in SHAPE_ENVS if file == f"shapes/{sh}-{v}.json"
        )
        text = json.dumps(_shape_preview(shape, variant), indent=2)
        (root / file).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def checkov_run(
    checkov_bin: Path, tree: Path, tmp_path_factory: pytest.TempPathFactory
) -> CheckovRun:
    return _gate(tree, tmp_path_factory.mktemp("matrix-out"), "json")


@pytest.fixture(scope="module")
def checkov_records(checkov_run: CheckovRun) -> dict[str, list[Record]]:
    assert checkov_run.returncode in (0, 1), checkov_run.describe()
    by_file: dict[str, list[Record]] = {}
    for record in parse_records(json.loads(checkov_run.stdout)):
        by_file.setdefault(record.file, []).append(record)
    return by_file


# --- the CLI -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CliVerdict:
    refused: bool  # the CLI cannot judge the file (exit 2)
    findings: tuple[Finding, ...]  # located in the file
    settings: tuple[Finding, ...] = ()  # RG016 about the residency-guard.yaml it read

    def failing(self) -> set[str]:
        return {f.rule for f in self.findings if not f.suppressed}

    def suppressed(self) -> set[str]:
        return {f.rule for f in self.findings if f.suppressed}

    def errors(self) -> Counter[Verdict]:
        return Counter(verdict(f.rule, f.path) for f in self.findings
                       if not f.suppressed and f.severity is Severity.ERROR)  # fmt: skip


Verdict = tuple[str, str]


def verdict(rule: str, path: str) -> Verdict:
    """(rule, resource). Not the exact place: both gates report a value repeated in one
    resource once (`unique`: same rule, same message), and which of its places is kept depends
    on key order, which the engine's Struct does not have; the count per resource is held."""
    return rule, path.split(".", 1)[0]


def cli(tree: Path, file: str) -> CliVerdict:
    path = tree / file
    run: ScanRun = scan_paths([path], today=TODAY)

    def here(name: str | None) -> bool:
        return name is not None and Path(name).resolve() == path.resolve()

    refused = any(here(e.file) for e in run.errors)
    located = tuple(f for f in run.findings if here(f.file))
    return CliVerdict(refused, located, tuple(run.suppressions.findings))


# --- checkov against the CLI ---------------------------------------------------------------


def _checkov_skips(path: Path) -> set[str]:
    """Rules a `# checkov:skip=CKV_RG_n` comment in the file skips (checkov-skip-comments)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return {f"RG{int(n):03d}" for n in _CHECKOV_SKIP.findall(text)}


@pytest.mark.parametrize("file", MATRIX)
def test_checkov_fails_and_skips_what_the_cli_reports(
    tree: Path, checkov_records: dict[str, list[Record]], file: str
) -> None:
    verdict = cli(tree, file)
    records = checkov_records.get(file, [])
    if verdict.refused:
        if not records:  # checkov could not parse it and ran nothing
            assert BY_NAME["checkov-unparsable"].gate == "checkov"
            return
        # checkov parsed it; the core refuses it: every check fails closed, like the CLI
        assert {r.status for r in records} == {"FAILED"}, records
        assert all((r.config or {}).get("error") for r in records), records
        return
    assert records, f"checkov ran no check on {file}"
    skipped_by_checkov = _checkov_skips(tree / file)  # checkov-skip-comments
    failed = {r.rule for r in records if r.status == "FAILED"}
    skipped = {r.rule for r in records if r.status == "SKIPPED"}
    cli_failing = verdict.failing() & set(CHECKOV_RULES)  # checkov-no-rg016
    assert failed == cli_failing - skipped_by_checkov, file
    assert skipped == verdict.suppressed() | (cli_failing & skipped_by_checkov), file


# --- the pack against the CLI ----------------------------------------------------------------


SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")


def _wire(value: Any) -> Any:
    """A state export's value as the engine sends it: a secret it stores encrypted goes over
    the wire decrypted; the plaintext is not in the file, so it is sent empty, which is how
    the CLI reads a ciphertext-only secret too."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG[0]) == SECRET_SIG[1] and "ciphertext" in value:
            return {SECRET_SIG[0]: SECRET_SIG[1], "value": ""}
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def _struct(data: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(_wire(data))
    return out


def _resources(data: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(type, urn, inputs, outputs) of each resource of a preview or a state export."""
    if json_kind(data) == "preview":
        for step in data.get("steps", []):
            state = step.get("newState")
            if state:
                yield state["type"], state["urn"], state.get("inputs") or {}, {}
    else:
        for resource in data["deployment"].get("resources") or []:
            yield (resource["type"], resource["urn"], resource.get("inputs") or {},
                   resource.get("outputs") or {})  # fmt: skip


def pack(path: Path) -> Counter[Verdict]:
    """(rule, resource) of every violation the pack's servicer reports on the file's resources:
    each resource's inputs through Analyze, the stack's resources through AnalyzeStack."""
    data = json.loads(path.read_text(encoding="utf-8"))
    config = {k: str(v) for k, v in (data.get("config") or {}).items()}
    state = PackState(pack_dir=path.parent, stack_config=config, stack_fallback="")
    servicer = OncePerResource(PACK_NAME, "0.1.0", all_policies(state), PACK_ENFORCEMENT)
    resources = list(_resources(data))  # providers and the stack too: the engine sends them
    diagnostics = []
    for resource_type, urn, inputs, _ in resources:
        name = urn.rsplit("::", 1)[-1]
        request = proto.AnalyzeRequest(
            type=resource_type, properties=_struct(inputs), urn=urn, name=name
        )
        diagnostics += servicer.Analyze(request, None).diagnostics
    stack = [
        proto.AnalyzerResource(
            type=resource_type, properties=_struct(outputs or inputs), urn=urn,
            name=urn.rsplit("::", 1)[-1],
        )
        for resource_type, urn, inputs, outputs in resources
    ]  # fmt: skip
    diagnostics += servicer.AnalyzeStack(
        proto.AnalyzeStackRequest(resources=stack), None
    ).diagnostics
    found: Counter[Verdict] = Counter()
    for diagnostic in diagnostics:
        if diagnostic.policyName == SUMMARY:  # warnings-in-summary
            continue
        # The engine prints the policy's description, then the violation's line.
        match = _VIOLATION.search(diagnostic.message)
        if match is None:  # a note about values unknown at preview (unknown-at-preview)
            assert "unknown during preview" in diagnostic.message, diagnostic.message
            continue
        found[verdict(match["rule"], match["path"] or "")] += 1
    return found


def test_the_matrix_holds_previews_and_state_exports() -> None:
    files = [f for f in JSON_FILES if f not in SHAPE_FILES]
    kinds = {_pulumi_kind(GROUPS[f.split("/")[0]] / f.split("/", 1)[1]) for f in files}
    assert kinds == {"preview", "state"}
    assert len(MATRIX) > len(JSON_FILES) > 3


@pytest.mark.parametrize("file", JSON_FILES)
def test_the_pack_reports_what_the_cli_reports_on_each_resource(tree: Path, file: str) -> None:
    path = tree / file
    cli_verdict = cli(tree, file)
    assert not cli_verdict.refused, file
    expected = cli_verdict.errors()
    # An invalid suppression in the settings: the CLI's run-level RG016, the pack's
    # residency-suppressions policy.
    expected.update(verdict(f.rule, f.path) for f in cli_verdict.settings)
    assert pack(path) == expected, file
