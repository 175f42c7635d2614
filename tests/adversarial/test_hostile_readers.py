"""Every reader under generated hostile input: an input error of ours, or a verdict; never
another exception (which the CLI turns into "internal error" and the pack into a crash).

The generators build what a careless or hostile file holds: YAML assembled from the tokens
that change its reading (anchors, aliases, merge keys and tags, flow collections, block
scalars, document markers, tabs, odd characters), and JSON-like data with the keys the
preview/state readers and the pack look for, holding values of every type (numbers too long
for ``int()``, the engine's unknown sentinel, secret wrappers, lists where objects belong).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_policy import StackValidationPolicy

from policies.residency_pack import PackState
from residency_guard.catalog import load_catalog, shipped_catalog
from residency_guard.errors import ResidencyGuardError
from residency_guard.findings import Finding, Severity
from residency_guard.repoconfig import RepoConfig, load_repo_config
from residency_guard.report.deployed import deployed_summaries
from residency_guard.scanners.dotenv import parse_dotenv
from residency_guard.scanners.pulumi_json import scan_pulumi_json
from residency_guard.scanners.stackfile import scan_stack_file
from residency_guard.suppressions import apply_suppressions, parse_inline
from residency_guard.values import SECRET_SIG_KEY, SECRET_SIG_VALUE, UNKNOWN_SENTINEL
from tests.policies.helpers import (
    policies,
    policy_resource,
    resource_args,
    run,
    run_resource_policies,
    stack_args,
)

CATALOG = shipped_catalog()
REPO = RepoConfig(stacks=(("prod-eu", "eu", 1),))
# The profile (tests/conftest.py) sets how many examples; these take fixtures and slow inputs.
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # fmt: skip

# -- YAML --------------------------------------------------------------------------------------

_KEYS = ("config", "residency-guard:region", "region", "residency-guard:config:region",
         "app:OPENAI_BASE_URL", "OPENAI_BASE_URL", "<<", "!!merge <<", "!!merge x", '"<<"',
         "? k", "stacks", "suppressions", "gateways", "banned_models", "rule", "reason",
         "until", "value", "name", "secure", "environment", "values", "imports")  # fmt: skip
_SCALARS = ("eu", "us", "global", "https://api.openai.com/v1", "https://eu.api.openai.com/v1",
            "*a", "&a eu", "&a {x: *a}", "&b [1, *b]", "!!binary ZXU=", "!!null", "!!int x",
            "!!str", "!custom v", "~", "''", '"\\u2028"', "[", "]", "{", "}", "[*a, *a]",
            "{a: 1, a: 2}", "|", ">-", "2027-13-01", "9" * 5000, '\'{"a": [1, 2]}\'',
            "eyJhIjogMX0=", "RG001", "\t", "\u00a0", "#", "- x", "%YAML 1.1", "---", "...",
            "${OPENAI_HOST}", "sk-proj-" + "FAKE" * 10)  # fmt: skip


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        indent = "  " * draw(st.integers(0, 3))
        kind = draw(st.integers(0, 3))
        if kind == 0:
            lines.append(f"{indent}{draw(st.sampled_from(_KEYS))}:")
        elif kind == 1:
            key, value = draw(st.sampled_from(_KEYS)), draw(st.sampled_from(_SCALARS))
            lines.append(f"{indent}{key}: {value}")
        elif kind == 2:
            lines.append(f"{indent}- {draw(st.sampled_from(_SCALARS))}")
        else:
            lines.append(indent + draw(st.text(max_size=20)))
    return "\n".join(lines) + draw(st.sampled_from(("\n", "", "\r\n")))


def _reads(call: Any) -> None:
    """``call()`` returns, or raises an input error of ours."""
    try:
        call()
    except ResidencyGuardError as error:
        assert "\n" not in str(error), str(error)


@SETTINGS
@given(text=yaml_texts())
def test_stack_files_are_read_or_refused(text: str) -> None:
    _reads(lambda: scan_stack_file(Path("stacks/Pulumi.prod-eu.yaml"), CATALOG, REPO, text=text))


@SETTINGS
@given(text=yaml_texts())
def test_settings_and_team_catalogs_are_read_or_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    _reads(lambda: load_repo_config(path))
    _reads(lambda: load_catalog([path]))


@SETTINGS
@given(text=yaml_texts())
def test_dotenv_and_inline_suppressions_are_read(text: str) -> None:
    parse_dotenv(text)
    comments = "\n".join(f"# residency-guard: ignore {line}" for line in text.splitlines())
    entries = parse_inline("Pulumi.prod-eu.yaml", comments + "\n" + text)
    finding = Finding("RG001", Severity.ERROR, "Pulumi.prod-eu.yaml", 2, 1, "m", "f")
    apply_suppressions(
        [finding], repo=REPO, sources={"Pulumi.prod-eu.yaml": comments},
        today=datetime.date(2026, 12, 5),
    )  # fmt: skip
    assert all(entry.file == "Pulumi.prod-eu.yaml" for entry in entries)


# -- JSON-like data ------------------------------------------------------------------------------

_JSON_KEYS = ("steps", "resources", "deployment", "manifest", "newState", "new", "oldState",
              "inputs", "outputs", "urn", "type", "config", "changeSummary", "name", "value",
              "env", "OPENAI_BASE_URL", "location", "resourceGroupName", "kind", "sku",
              "properties", "customSubDomainName", "accountName", "plaintext", "ciphertext",
              SECRET_SIG_KEY, "residency-guard:region", "summary", "region", "host")  # fmt: skip
_JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.just(int("9" * 4000)), st.just(float("inf")),
    st.sampled_from((UNKNOWN_SENTINEL, SECRET_SIG_VALUE, "https://api.openai.com/v1",
                     "urn:pulumi:prod-eu::shop::aws:lambda/function:Function::fn", "eu",
                     "azure-native:cognitiveservices:Account", "OpenAI", "pulumi:pulumi:Stack",
                     '{"OPENAI_BASE_URL": "https://api.openai.com/v1"}', "eyJhIjogMX0=")),
    st.text(max_size=10),
)  # fmt: skip
JSON_DATA = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(_JSON_KEYS), st.text(max_size=6)), inner,
                        max_size=5),
    ),
    max_leaves=30,
)  # fmt: skip


@st.composite
def pulumi_documents(draw: st.DrawFn) -> Any:
    """A preview or a state export whose parts may hold anything."""
    resource = st.dictionaries(st.sampled_from(_JSON_KEYS), JSON_DATA, max_size=6)
    entries = st.one_of(st.lists(st.one_of(resource, JSON_DATA), max_size=4), JSON_DATA)
    if draw(st.booleans()):
        return {"steps": draw(entries), "changeSummary": {}, "config": draw(JSON_DATA)}
    return {"version": 3, "deployment": {"manifest": {}, "resources": draw(entries)}}


@SETTINGS
@given(data=st.one_of(pulumi_documents(), JSON_DATA))
def test_previews_and_state_exports_are_read_or_refused(tmp_path: Path, data: Any) -> None:
    import json

    path = tmp_path / "state.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    _reads(lambda: scan_pulumi_json(path, CATALOG, REPO))
    deployed_summaries(path)  # the report: what it cannot read, the scan reported


@SETTINGS
@given(props=st.dictionaries(st.sampled_from(_JSON_KEYS), JSON_DATA, max_size=6),
       rtype=st.sampled_from(("aws:lambda/function:Function", "pulumi:pulumi:Stack",
                              "azure-native:cognitiveservices:Account",
                              "azure-native:cognitiveservices:Deployment",
                              "residency-guard:index:OpenAIResidency",
                              "kubernetes:apps/v1:Deployment", "pulumi:providers:openai")))
def test_the_pack_judges_any_properties(props: dict[str, Any], rtype: str) -> None:
    """The wire form, every resource policy and every stack policy take any properties."""
    state = PackState()
    run_resource_policies(state, resource_args(rtype, props))
    resources = [policy_resource(rtype, props), policy_resource(rtype, props, name="b")]
    for policy in policies(state).values():
        if isinstance(policy, StackValidationPolicy):
            run(policy, stack_args(resources))


@pytest.mark.parametrize("digits", [4_300, 4_301, 100_000])
def test_a_number_too_long_for_int_is_no_crash(tmp_path: Path, digits: int) -> None:
    path = tmp_path / "preview.json"
    path.write_text('{"changeSummary": {}, "steps": [], "n": ' + "7" * digits + "}")
    assert [f.rule for f in scan_pulumi_json(path, CATALOG, REPO).findings] == ["RG008"]


@SETTINGS
@given(text=yaml_texts(), data=pulumi_documents())
def test_the_report_renders_whatever_the_scan_read(tmp_path: Path, text: str, data: Any) -> None:
    """`residency-guard report`'s model and its HTML, JSON and Markdown over a run whose
    files hold generated hostile text: a report, and the unreadable files as errors."""
    import json

    from residency_guard.report import ReportInputs, build_report
    from residency_guard.report.write import render_all
    from residency_guard.scan import scan_paths

    folder = tmp_path / "proj"
    folder.mkdir(exist_ok=True)
    (folder / "Pulumi.yaml").write_text("name: proj\nruntime: python\n", encoding="utf-8")
    (folder / "Pulumi.prod-eu.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "state.json").write_text(json.dumps(data), encoding="utf-8")
    settings_file = tmp_path / "residency-guard.yaml"
    settings_file.write_text("stacks:\n  prod-eu: eu\n", encoding="utf-8")
    run = scan_paths([folder, tmp_path / "state.json"], config=settings_file,
                     today=datetime.date(2026, 12, 5))  # fmt: skip
    deployed = {s.file: deployed_summaries(Path(s.file)) for s in run.scans if s.kind == "state"}
    inputs = ReportInputs("0", "2026-12-05T00:00:00Z", "n/a", "n/a", "0" * 64, deployed=deployed)
    rendered = render_all(build_report(run, inputs))
    assert set(rendered) == {"report.html", "report.json", "report.md"}


_ESC_LINES = ("values:", "  environmentVariables:", "    OPENAI_BASE_URL: ${base}",
              "  base: {fn::fromBase64: aHR0cHM6Ly9hcGkub3BlbmFpLmNvbS92MQ==}",
              "  x: {fn::fromJSON: '{\"a\": [1'}", "  y: {fn::join: [',', [*a]]}",
              "  pulumiConfig: {residency-guard:region: ${base}}", "imports: [proj/env]",
              "imports: [proj/other, 7]", "  z: ${z}", "  fn::secret: x")  # fmt: skip


@SETTINGS
@given(
    definition=st.one_of(
        yaml_texts(),
        st.lists(st.sampled_from(_ESC_LINES), min_size=1, max_size=8).map("\n".join),
    )
)
def test_esc_definitions_are_read_or_refused(tmp_path: Path, definition: str) -> None:
    """An imported ESC environment's definition (i16b's reader) under hostile YAML and
    hostile ESC: self-imports, broken builtins, interpolation loops."""
    esc = tmp_path / "esc" / "proj"
    esc.mkdir(parents=True, exist_ok=True)
    (esc / "env.yaml").write_text(definition, encoding="utf-8")
    repo = RepoConfig(stacks=REPO.stacks, esc=tmp_path / "esc")
    stack = "environment: [proj/env]\nconfig:\n  residency-guard:region: eu\n"
    _reads(lambda: scan_stack_file(tmp_path / "Pulumi.prod-eu.yaml", CATALOG, repo, text=stack))


@pytest.mark.parametrize("value", ["!!int x", "!!float y", "!!timestamp 2027-13-01"])
def test_a_value_its_tag_cannot_build_is_an_input_error(tmp_path: Path, value: str) -> None:
    """Found by the nightly profile of the sweep above: a team catalog with `!!int x`
    escaped as a bare ValueError (the CLI's "internal error")."""
    from residency_guard.errors import CatalogError, ConfigError

    path = tmp_path / "team.yaml"
    path.write_text(f"banned_models:\n  gpt-x: {value}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="invalid value"):
        load_catalog([path])
    path.write_text(f"unresolved: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid value"):
        load_repo_config(path)


HUGE = "9" * 5000


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("config.json", '{"n": ' + HUGE + ', "OPENAI_BASE_URL": "https://api.openai.com/v1"}'),
        ("events.json", '{"sequence": 1, "timestamp": ' + HUGE + "}\n"),
        ("preview.json", '{"changeSummary": {"n": ' + HUGE + '}, "steps": []}'),
    ],
)
def test_every_json_reader_takes_an_integer_too_long_for_int(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str
) -> None:
    """Every JSON input kind the CLI reads (a file held to a region, an event log, a
    preview): a number over Python's 4,300 digits is read, never an internal error."""
    from residency_guard.cli import main

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = main(["check", "--region", "eu", str(path)])
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err, err
    assert code in (0, 1, 2)
