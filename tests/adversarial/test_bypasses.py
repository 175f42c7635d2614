"""One regression test per bypass found (and fixed), named for it.

Each stack below promises EU residency and sends (or may send) OpenAI traffic elsewhere; before
the fix named in SECURITY.md each of them passed the gate without a finding.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from residency_guard.catalog import shipped_catalog
from residency_guard.hosts import EndpointKind, Hazard, classify_endpoint
from residency_guard.repoconfig import RepoConfig, Unresolved
from residency_guard.scan import scan_paths
from residency_guard.scanners.pulumi_json import scan_pulumi_json
from tests.adversarial.oracle import openai_target
from tests.checkov_env.conftest import checkov_bin  # noqa: F401 (a fixture, for checkov_records)
from tests.core.helpers import rules_of, scan_yaml

CATALOG = shipped_catalog()


def eu(body: str, repo: RepoConfig | None = None) -> list[str]:
    """The rules an EU stack file with ``body`` under ``config:`` breaks."""
    return rules_of(scan_yaml("config:\n  residency-guard:region: eu\n" + body, repo=repo))


def leaves_eu(value: str) -> bool:
    target = openai_target(value)
    return target is not None and target.host != "eu.api.openai.com"


# -- the parser disagreements the gate is built around (measured; kept as regressions) ---------


def test_backslash_userinfo_reaches_the_global_host() -> None:
    url = "https://eu.api.openai.com\\@api.openai.com/v1"  # urllib3, rfc3986: eu; httpx2: global
    assert leaves_eu(url)
    assert eu(f"  app:OPENAI_BASE_URL: '{url}'\n") == ["RG001", "RG010"]
    assert eu(f"  app:anything: '{url}'\n") == ["RG001", "RG010"]


def test_full_width_dots_are_mapped_to_the_global_host() -> None:
    url = "https://api\u3002openai\u3002com/v1"
    assert openai_target(url).host == "api.openai.com"  # type: ignore[union-attr]
    assert eu(f"  app:OPENAI_BASE_URL: '{url}'\n") == ["RG001", "RG010"]


def test_percent_encoded_host_is_not_decoded_by_the_client() -> None:
    url = "https://%65u.api.openai.com/v1"  # rfc3986 decodes it to eu; httpx2 does not
    endpoint = classify_endpoint(url, CATALOG)
    assert (endpoint.host, endpoint.kind) == ("%65u.api.openai.com", EndpointKind.LOOKALIKE)
    assert eu(f"  app:OPENAI_BASE_URL: '{url}'\n") == ["RG002", "RG010"]


# -- bypasses found by the property tests and by review, each fixed ----------------------------


def test_userinfo_naming_openai_in_front_of_a_foreign_host() -> None:
    """`https://eu.api.openai.com@evil.io` under a key that names nothing: the host was 'other'
    and dropped, though the value names OpenAI and the client sends it to evil.io."""
    url = "https://eu.api.openai.com@evil.io/v1"
    assert leaves_eu(url)
    assert eu(f"  app:setting: '{url}'\n") == ["RG002", "RG010"]


ESCAPED_USERINFO = "https://eu.api.%6Fpenai.com@evil.io/v1"


@pytest.mark.parametrize("url", [ESCAPED_USERINFO, "https://eu.api.%256Fpenai.com@evil.io/v1",
                                 "https://eu.api.open%61i.com@evil.io/v1"])  # fmt: skip
def test_percent_escaped_userinfo_naming_openai_in_front_of_a_foreign_host(
    url: str, tmp_path: Path
) -> None:
    """`https://eu.api.%6Fpenai.com@evil.io` under a key that names nothing: the free-text
    reading looked for OpenAI's name in the raw text, found none and dropped the value, while
    the client sends to evil.io (found by the nightly hypothesis profile)."""
    from policies.residency_pack import PackState
    from tests.policies.helpers import resource_args, run_resource_policies

    assert leaves_eu(url)
    assert eu(f"  app:setting7: '{url}'\n") == ["RG002", "RG010"]
    state = PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="")
    args = resource_args("kubernetes:core/v1:ConfigMap", {"data": {"setting7": url}})
    assert run_resource_policies(state, args)["openai-endpoint-region"].rules == [
        "RG002", "RG010",
    ]  # fmt: skip


@pytest.mark.parametrize("separator", ['"', " ", "\u3000", ",", "|"])
def test_separator_inside_the_userinfo_hid_the_real_host(separator: str) -> None:
    """Free text is split into tokens; `https://eu.api.openai.com"@evil.io` split into a clean
    EU URL and '@evil.io', while a workload handed the whole value connects to evil.io."""
    url = f"https://eu.api.openai.com{separator}@evil.io/v1"
    assert leaves_eu(url)
    assert "RG002" in eu(f"  app:setting: {json.dumps(url)}\n")


@pytest.mark.parametrize("glyph", ["\u03c1", "\u0440"])  # Greek rho, Cyrillic er, for "p"
def test_homoglyph_outside_the_confusables_table(glyph: str) -> None:
    """Only names that mention OpenAI are read under free keys; a look-alike letter missing
    from the confusables table (Greek rho) made `eu.api.o\u03c1enai.com` mention nothing."""
    url = f"https://eu.api.o{glyph}enai.com/v1"
    assert leaves_eu(url)
    assert eu(f"  app:setting: '{url}'\n") == ["RG002", "RG010"]


def test_punycode_label_beside_a_non_ascii_character() -> None:
    """An IDNA label (`xn--...`) counted as a mention of OpenAI only in all-ASCII text: one
    full-width digit in the port made `https://api.xn--penai-iye.com:\uff18443` mention nothing."""
    url = "https://api.xn--penai-iye.com:\uff18443/v1"
    assert leaves_eu(url)
    assert "RG002" in eu(f"  app:setting: '{url}'\n")


def test_interpolation_in_the_path_hid_a_known_host() -> None:
    """`https://api.openai.com/v1/${PATH}` was 'unresolved' as a whole: `unresolved: allow`
    silenced it and `warn` downgraded it, though its host is known: the global one."""
    value = "'https://api.openai.com/v1/${PATH}'"
    assert "RG001" in eu(
        f"  app:OPENAI_BASE_URL: {value}\n", RepoConfig(unresolved=Unresolved.ALLOW)
    )
    assert "RG001" in eu(f"  app:OPENAI_BASE_URL: {value}\n")


@pytest.mark.parametrize("odd", ["\u00a0", "\u3000", "\u2028", "\u200b"])
def test_base64_value_with_an_unprintable_character_was_never_decoded(odd: str) -> None:
    """Decoded base64 had to be `isprintable()`; one no-break space kept the URL unread."""
    url = f"https://api.openai.com/v1{odd}"
    assert leaves_eu(url)
    encoded = base64.b64encode(url.encode()).decode()
    assert "RG001" in eu(f"  app:secretData:\n    API: {encoded}\n")


def test_structured_openai_config_base_url() -> None:
    """`app:openai: {baseUrl: ...}` (read with `config.requireObject("openai")`): the leaf name
    alone said nothing, so a foreign host there was never an endpoint."""
    assert eu("  app:openai:\n    baseUrl: https://llm-proxy.example/v1\n") == ["RG002"]
    blob = json.dumps({"openai": {"base_url": "https://llm-proxy.example/v1"}})
    assert eu(f"  app:llm: '{blob}'\n") == ["RG002"]
    assert eu("  app:openai:\n    baseUrl: https://eu.api.openai.com/v1\n") == []


def test_azure_endpoint_whose_account_nobody_declares() -> None:
    """An Azure OpenAI host's region is its account's location; a stack file alone declares no
    account, and the endpoint passed silently. Now unresolved, like an interpolation."""
    assert eu("  app:OPENAI_BASE_URL: https://acme.openai.azure.com/openai/v1\n") == ["RG011"]


@pytest.mark.parametrize(
    ("url", "hazard"),
    [
        ("ws://eu.api.openai.com/v1/realtime", Hazard.HTTP),  # Realtime in plain text
        ("ftp://eu.api.openai.com/v1", Hazard.OTHER_SCHEME),
        ("gopher://eu.api.openai.com/v1", Hazard.OTHER_SCHEME),
    ],
)
def test_scheme_other_than_https_or_wss(url: str, hazard: Hazard) -> None:
    assert hazard in classify_endpoint(url, CATALOG).hazards
    assert eu(f"  app:OPENAI_BASE_URL: {url}\n") == ["RG010"]
    assert eu("  app:OPENAI_BASE_URL: wss://eu.api.openai.com/v1/realtime\n") == []


@pytest.mark.parametrize("url", ["https:/api.openai.com/v1", "https:api.openai.com/v1"])
def test_scheme_with_one_slash_was_read_as_host_https(url: str) -> None:
    """httpx2 reads no host here, WHATWG clients (openai-node) read api.openai.com; the gate read
    the host "https" and, under a free key, dropped it as unrelated."""
    endpoint = classify_endpoint(url, CATALOG)
    assert endpoint.kind is EndpointKind.INVALID
    assert eu(f"  app:setting: {url}\n") == ["RG010"]


@pytest.mark.parametrize("value", ["", "~", "null"])
def test_empty_endpoint_setting_means_the_global_host(value: str) -> None:
    """`OPENAI_BASE_URL:` with no value was no value at all: no finding, and the client's
    default host is the global one."""
    assert eu(f"  app:OPENAI_BASE_URL: {value}\n") == ["RG001"]


def test_symlinked_stack_file_is_judged_under_its_own_name(tmp_path: Path) -> None:
    """`Pulumi.prod-eu.yaml -> Pulumi.dev.yaml`: targets were de-duplicated by resolved path, so
    the EU stack was never judged; only the dev stack (mapped to global) was."""
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (tmp_path / "residency-guard.yaml").write_text(
        "stacks:\n  'prod-eu*': eu\n  'dev*': global\n", encoding="utf-8"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  app:OPENAI_BASE_URL: https://api.openai.com/v1\n", encoding="utf-8"
    )
    (tmp_path / "Pulumi.prod-eu.yaml").symlink_to("Pulumi.dev.yaml")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        run = scan_paths([Path(".")])
    finally:
        os.chdir(cwd)
    assert not run.errors
    assert sorted(scan.stack for scan in run.scans) == ["dev", "prod-eu"]
    assert [(f.stack, f.rule) for f in run.findings] == [("prod-eu", "RG001")]


def test_explicit_provider_inputs_are_scanned(tmp_path: Path) -> None:
    """Preview and state resources of type `pulumi:providers:*` were skipped as carrying no
    configuration of the user's; an explicit provider's `baseUrl` is exactly that."""
    preview = {
        "config": {"residency-guard:region": "eu"},
        "steps": [{
            "op": "create",
            "urn": "urn:pulumi:prod-eu::shop::pulumi:providers:openai::explicit",
            "newState": {
                "type": "pulumi:providers:openai",
                "inputs": {"baseUrl": "https://api.openai.com/v1", "version": "1.0.0"},
            },
        }],
    }  # fmt: skip
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(preview), encoding="utf-8")
    assert rules_of(scan_pulumi_json(path, CATALOG, RepoConfig()).findings) == ["RG001"]


def test_project_config_defaults_are_judged_for_every_stack(tmp_path: Path) -> None:
    """`Pulumi.yaml` may give config defaults to every stack (`config: {key: {default: ...}}`);
    only its region was read, so a global default base URL reached the EU stack unseen."""
    (tmp_path / "Pulumi.yaml").write_text(
        "name: shop\nruntime: python\nconfig:\n"
        "  OPENAI_BASE_URL:\n    default: https://api.openai.com/v1\n",
        encoding="utf-8",
    )
    (tmp_path / "Pulumi.prod-eu.yaml").write_text(
        "config:\n  residency-guard:region: eu\n", encoding="utf-8"
    )
    (tmp_path / "Pulumi.fixed-eu.yaml").write_text(
        "config:\n  residency-guard:region: eu\n"
        "  shop:OPENAI_BASE_URL: https://eu.api.openai.com/v1\n",
        encoding="utf-8",
    )
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        by_folder = scan_paths([Path(".")])
        by_file = scan_paths([Path("Pulumi.prod-eu.yaml")])
    finally:
        os.chdir(cwd)
    for run in (by_folder, by_file):
        assert [(f.file, f.line, f.stack, f.rule) for f in run.findings] == [
            ("Pulumi.yaml", 5, "prod-eu", "RG001")
        ]


def test_name_equals_url_without_spaces_was_read_as_one_host() -> None:
    """A `NAME=URL` line (a script or dotenv text under a free key) with nothing around it was
    classified whole, as a host named `openai_base_url=https`, and passed; found by the facets
    gate's property tests."""
    line = "OPENAI_BASE_URL=https://api.openai.com/v1"
    assert eu(f"  app:startupScript: '{line}'\n") == ["RG001"]
    assert eu(f"  app:startupScript: 'export {line}'\n") == ["RG001"]  # as it already was
    assert eu("  app:startupScript: 'OPENAI_BASE_URL=https://eu.api.openai.com/v1'\n") == []


def test_legacy_base_line_is_not_a_look_alike_host() -> None:
    """The other side of the same reading: `OPENAI_API_BASE=gw.internal` is RG006 alone, not
    also a host `openai_api_base=gw.internal` that "looks like OpenAI" (RG002)."""
    assert eu("  app:startupScript: 'OPENAI_API_BASE=gw.internal'\n") == ["RG006"]


# -- the classifier reads the host the client connects to ---------------------------------------


def test_idn_host_is_the_ascii_host_the_client_connects_to() -> None:
    """The classifier judged httpx2's Unicode display host (`url.host`), not the punycode host
    the transport connects to (`url.raw_host`)."""
    url = "https://\u0435u.api.openai.com/v1"  # Cyrillic small ie for "e"
    endpoint = classify_endpoint(url, CATALOG)
    assert endpoint.host == openai_target(url).host == "xn--u-itb.api.openai.com"  # type: ignore[union-attr]
    assert Hazard.NON_ASCII in endpoint.hazards


# -- issue 15 (i15b): the pack's places, the engine's reading of config keys, state outputs -----


def test_pack_finding_is_not_dropped_by_an_unknown_with_the_same_dotted_path() -> None:
    """``{"cfg.url": unknown}`` and ``{"cfg": {"url": ...}}`` share the dotted path ``cfg.url``;
    the pack dropped the real finding as if it were located at the unknown value."""
    from policies.residency_pack import PackState
    from tests.policies.helpers import (
        GLOBAL_URL,
        UNKNOWN,
        all_rules,
        resource_args,
        run_resource_policies,
    )

    props = {"cfg.OPENAI_BASE_URL": UNKNOWN, "cfg": {"OPENAI_BASE_URL": GLOBAL_URL}}
    args = resource_args("pulumi-python:dynamic:Resource", props)
    assert "RG001" in all_rules(run_resource_policies(PackState(), args))


def scan_project(folder: Path, project: str, stacks: dict[str, str]) -> list[tuple[str, str]]:
    """(file name, rule) of every finding of `check <folder>` on a project named ``project``
    with the given ``Pulumi.<stack>.yaml`` texts."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(project, encoding="utf-8")
    for stack, text in stacks.items():
        (folder / f"Pulumi.{stack}.yaml").write_text(text, encoding="utf-8")
    config = folder.parent / "residency-guard.yaml"
    config.write_text("stacks: {}\n", encoding="utf-8")
    run = scan_paths([folder], config=config)
    assert run.errors == []
    return sorted({(Path(f.file).name, f.rule) for f in run.findings})


# Class 3: `!!merge name:` is the plain key `name` to yaml.v3; PyYAML (and the gate) merged it,
# so a project default looked overridden while the engine used it.
MERGE_TAGGED_OVERRIDE = (
    "name: shop\nruntime: python\nconfig:\n  OPENAI_BASE_URL:\n"
    "    default: https://api.openai.com/v1\n",
    "config:\n  residency-guard:region: eu\n"
    "  !!merge overrides: {shop:OPENAI_BASE_URL: 'https://eu.api.openai.com/v1'}\n",
)


def test_merge_tag_on_a_plain_key_is_no_merge(tmp_path: Path) -> None:
    project, stack = MERGE_TAGGED_OVERRIDE
    assert scan_project(tmp_path, project, {"prod-eu": stack}) == [
        ("Pulumi.prod-eu.yaml", "RG015"),
        ("Pulumi.yaml", "RG001"),  # the default the engine really uses
    ]


# Class 4: one config key, several spellings; measured with `pulumi config get` (engine
# v3.274.0): each of these files reads as `eu` in some runs and `global` in others.
REGION_RESPELLINGS = {
    "bare key in the project's namespace": "  region: global\n  residency-guard:region: eu\n",
    "legacy <ns>:config:<key>": "  residency-guard:config:region: global\n"
    "  residency-guard:region: eu\n",
    "both, agreeing": "  residency-guard:config:region: eu\n  residency-guard:region: eu\n",
}


@pytest.mark.parametrize("body", REGION_RESPELLINGS.values(), ids=list(REGION_RESPELLINGS))
def test_a_second_spelling_of_the_region_key_is_never_a_silent_pick(
    tmp_path: Path, body: str
) -> None:
    project = "name: residency-guard\nruntime: python\n"
    found = scan_project(tmp_path, project, {"prod-eu": "config:\n" + body})
    expected = {("Pulumi.prod-eu.yaml", "RG015")}
    if "global" in body:
        expected.add(("Pulumi.prod-eu.yaml", "RG009"))
    assert set(found) == expected


def test_a_merge_tagged_region_is_no_region_to_the_engine(tmp_path: Path) -> None:
    """`!!merge r: {residency-guard:region: eu}` is the key `residency-guard:r` to the engine:
    the stack declares no region (RG008), where the gate read `eu`."""
    stack = "config:\n  !!merge r: {residency-guard:region: eu}\n"
    found = scan_project(tmp_path, "name: shop\nruntime: python\n", {"prod-x": stack})
    assert found == [("Pulumi.prod-x.yaml", "RG008"), ("Pulumi.prod-x.yaml", "RG015")]


def test_a_bare_region_key_in_another_project_is_that_project_s_key(tmp_path: Path) -> None:
    """No false alarm: in a project named `shop`, `region` is `shop:region`."""
    stack = "config:\n  region: us-east-1\n  residency-guard:region: eu\n"
    assert scan_project(tmp_path, "name: shop\nruntime: python\n", {"prod-eu": stack}) == []


# -- issue 15, class 1: NAME=URL in free text, and entries named by their variable -------------
# The name that precedes a value decides what the value is, wherever it is written: its host is
# judged like an OPENAI_BASE_URL key's, so a Bedrock endpoint or a proxy is no longer "unrelated".

BEDROCK_URL = "https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1"
US_PROXY = "https://llm-proxy.us.example/v1"
SEPARATOR_TRICK = 'https://eu.api.openai.com"@evil.io/v1'
# Each form hands the workload everything after `NAME=` (Compose, Docker, systemd, Dockerfile).
FREE_TEXT_FORMS = {
    "compose-list-item": "  app:environment:\n    - {line}\n",
    "docker-envs-flow": "  app:envs: [{quoted_line}]\n",
    "dockerfile-env-space": "  app:dockerfile: |\n    FROM python:3.12\n    ENV {name} {value}\n",
    "dockerfile-env-equals": "  app:dockerfile: |\n    FROM python:3.12\n    ENV {line}\n",
    "systemd-environment": "  app:unit: |\n    [Service]\n    Environment={line}\n",
    "systemd-environment-quoted": '  app:unit: |\n    [Service]\n    Environment="{line}"\n',
}


def free_text(form: str, value: str, name: str = "OPENAI_BASE_URL") -> str:
    line = f"{name}={value}"
    return FREE_TEXT_FORMS[form].format(
        line=line, quoted_line=json.dumps(line), name=name, value=value
    )


@pytest.mark.parametrize("form", sorted(FREE_TEXT_FORMS))
@pytest.mark.parametrize("value", [BEDROCK_URL, US_PROXY])
def test_name_equals_url_in_free_text_is_judged_by_its_name(form: str, value: str) -> None:
    """`OPENAI_BASE_URL=<url>` inside a string was judged only if the URL mentioned OpenAI:
    a Bedrock endpoint or a US proxy there passed, though the client sends to it."""
    assert leaves_eu(value)
    assert eu(free_text(form, value)) == ["RG002"]
    assert eu(free_text(form, "https://eu.api.openai.com/v1")) == []


def test_separator_in_the_userinfo_of_a_list_item() -> None:
    """A Compose list item's value is everything after `=`, `"` included: the client reaches
    evil.io, while the text split at the quote showed a clean EU URL."""
    assert leaves_eu(SEPARATOR_TRICK)
    assert eu("  app:environment:\n    - 'OPENAI_BASE_URL=" + SEPARATOR_TRICK + "'\n") == [
        "RG002", "RG010",
    ]  # fmt: skip


def _shell_value(script: str) -> str:
    """What a POSIX shell exports as OPENAI_BASE_URL after running ``script`` (the oracle)."""
    import subprocess

    out = subprocess.run(
        ["sh", "-c", f'{script}\nprintf %s "$OPENAI_BASE_URL"'],
        capture_output=True, text=True, check=True, env={"PATH": os.environ["PATH"]},
    )  # fmt: skip
    return out.stdout


@pytest.mark.parametrize(
    "script",
    [
        f"export OPENAI_BASE_URL={BEDROCK_URL}",
        f"export OPENAI_BASE_URL='{US_PROXY}' && true",
        'OPENAI_BASE_URL="https://eu.api.openai.com"@evil.io/v1; export OPENAI_BASE_URL',
    ],
)
def test_export_in_a_shell_script_is_judged_by_its_name(script: str) -> None:
    value = _shell_value(script)
    assert leaves_eu(value)
    assert eu(f"  app:startupScript: {json.dumps(script)}\n") in (["RG002"], ["RG002", "RG010"])


def test_interpolated_name_equals_url_in_free_text_is_unresolved() -> None:
    """`OPENAI_BASE_URL=${PROXY}/v1` in a list item: as under the key itself, RG011."""
    assert eu("  app:environment:\n    - OPENAI_BASE_URL=${PROXY}/v1\n") == ["RG011"]
    assert eu("  app:OPENAI_BASE_URL: ${PROXY}/v1\n") == ["RG011"]


ENTRY_SHAPES = {
    # CloudFormation / ECS JSON capitalise the keys of an environment entry.
    "cloudformation-json": lambda v: "  app:taskDefinition: " + json.dumps(json.dumps(
        {"ContainerDefinitions": [{"Environment": [{"Name": "OPENAI_BASE_URL", "Value": v}]}]}
    )) + "\n",
    "cloudformation-yaml": lambda v: (
        "  app:container:\n    Environment:\n      - Name: OPENAI_BASE_URL\n"
        f"        Value: {v}\n"
    ),
    # A Key Vault secret named after the variable holds its value in properties.value.
    "key-vault-secret": lambda v: (
        "  app:secret:\n    secretName: OPENAI-BASE-URL\n    properties:\n"
        f"      value: {v}\n"
    ),
    "ssm-parameter": lambda v: (
        f"  app:parameter:\n    name: /app/OPENAI_BASE_URL\n    type: String\n    value: {v}\n"
    ),
}  # fmt: skip


@pytest.mark.parametrize("shape", sorted(ENTRY_SHAPES))
def test_an_entry_named_after_the_variable_is_judged_by_that_name(shape: str) -> None:
    """`{"Name": "OPENAI_BASE_URL", "Value": ...}` and a secret whose *name* is the variable:
    only lower-case `{name, value}` entries were read as one setting."""
    assert eu(ENTRY_SHAPES[shape](BEDROCK_URL)) == ["RG002"]
    assert eu(ENTRY_SHAPES[shape]("https://eu.api.openai.com/v1")) == []


def _preview(resources: list[tuple[str, str, dict[str, object]]]) -> dict[str, object]:
    return {
        "config": {"residency-guard:region": "eu"},
        "steps": [
            {
                "op": "create",
                "urn": f"urn:pulumi:prod-eu::shop::{kind}::{name}",
                "newState": {"type": kind, "inputs": inputs},
            }
            for kind, name, inputs in resources
        ],
    }


# Resources whose inputs write the variable's name before its value, as providers take them.
NAMED_VALUE_RESOURCES: list[tuple[str, str, dict[str, object]]] = [
    ("docker:index/container:Container", "api", {"envs": [f"OPENAI_BASE_URL={BEDROCK_URL}"]}),
    ("azure-native:keyvault:Secret", "base-url",
     {"secretName": "OPENAI-BASE-URL", "properties": {"value": US_PROXY}}),
    ("aws:ssm/parameter:Parameter", "base-url",
     {"name": "/app/OPENAI_BASE_URL", "type": "String", "value": BEDROCK_URL}),
    ("aws:ecs/taskDefinition:TaskDefinition", "task", {"containerDefinitions": json.dumps(
        [{"name": "api", "environment": [{"Name": "OPENAI_BASE_URL", "Value": US_PROXY}]}])}),
]  # fmt: skip


def test_named_values_in_a_preview_are_endpoints(tmp_path: Path) -> None:
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(_preview(NAMED_VALUE_RESOURCES), indent=1), encoding="utf-8")
    findings = scan_pulumi_json(path, CATALOG, RepoConfig()).findings
    assert [(f.rule, f.path) for f in findings] == [
        ("RG002", "api.envs[0]"),
        ("RG002", "base-url.properties.value"),
        ("RG002", "base-url.value"),
        ("RG002", "task.containerDefinitions[0].environment[0].Value"),
    ]


@pytest.mark.parametrize(("kind", "name", "inputs"), NAMED_VALUE_RESOURCES)
def test_named_values_are_endpoints_in_the_pack(
    kind: str, name: str, inputs: dict[str, object], tmp_path: Path
) -> None:
    from policies.residency_pack import PackState
    from tests.policies.helpers import all_rules, resource_args, run_resource_policies

    state = PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="")
    outcomes = run_resource_policies(state, resource_args(kind, inputs, name=name))
    assert all_rules(outcomes) == ["RG002"]
    assert outcomes["openai-endpoint-region"].rules == ["RG002"]


# -- the same inputs through checkov (its own environment, scripts/checkov-gate) ---------------

CHECKOV_TREE: dict[str, str] = {
    "shop/Pulumi.yaml": "name: shop\nruntime: python\n",
    # class 1: a Compose list item and a Dockerfile, each naming a Bedrock endpoint
    "shop/Pulumi.prod-eu-named.yaml": (
        "config:\n  residency-guard:region: eu\n"
        + free_text("compose-list-item", BEDROCK_URL)
        + free_text("dockerfile-env-space", US_PROXY).replace("app:dockerfile", "app:image")
    ),
    "named-preview.json": json.dumps(_preview(NAMED_VALUE_RESOURCES), indent=1),
    # class 6: the module client sent to Bedrock beside an EU base URL
    "shop/Pulumi.prod-eu-bedrock.yaml": (
        "config:\n  residency-guard:region: eu\n"
        "  app:OPENAI_BASE_URL: https://eu.api.openai.com/v1\n"
        "  app:OPENAI_API_TYPE: amazon-bedrock\n  app:AWS_REGION: us-east-1\n"
    ),
    "shop/Pulumi.prod-eu-bedrock-list.yaml": (
        "config:\n  residency-guard:region: eu\n  app:environment:\n"
        "    - OPENAI_BASE_URL=https://eu.api.openai.com/v1\n"
        "    - OPENAI_API_TYPE=amazon-bedrock\n"
    ),
    # OpenAI's name percent-escaped in the userinfo, under a key that names nothing
    "shop/Pulumi.prod-eu-escaped.yaml": (
        f"config:\n  residency-guard:region: eu\n  app:setting7: '{ESCAPED_USERINFO}'\n"
    ),
}
# Which checks fail on which file; every other check passes there.
CHECKOV_FAILED: dict[str, set[str]] = {
    "shop/Pulumi.prod-eu-named.yaml": {"RG002"},
    "named-preview.json": {"RG002"},
    "shop/Pulumi.prod-eu-bedrock.yaml": {"RG020"},
    "shop/Pulumi.prod-eu-bedrock-list.yaml": {"RG020"},
    "shop/Pulumi.prod-eu-escaped.yaml": {"RG002", "RG010"},
}


@pytest.fixture(scope="module")
def checkov_records(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], str]:
    """``scripts/checkov-gate`` once over CHECKOV_TREE: (file, rule) -> checkov's status."""
    request.getfixturevalue("checkov_bin")  # builds (or reuses) checkov's environment
    import subprocess

    from tests.checkov.conftest import GATE, parse_records
    from tests.checkov_env.conftest import CHECKOV_ENV, RUN_TIMEOUT_S, _clean_env

    tree = tmp_path_factory.mktemp("bypasses") / "repo"
    (tree / ".git").mkdir(parents=True)
    for name, text in CHECKOV_TREE.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [str(GATE), str(tree), "-o", "json"], capture_output=True, text=True,
        timeout=RUN_TIMEOUT_S, cwd=tree, env=_clean_env(CHECKOV_ENV),
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    return {(r.file, r.rule): r.status for r in parse_records(json.loads(proc.stdout))}


@pytest.mark.checkov
@pytest.mark.parametrize("file", sorted(CHECKOV_FAILED))
def test_checkov_fails_the_bypasses_of_issue_15(
    checkov_records: dict[tuple[str, str], str], file: str
) -> None:
    failed = {rule for (name, rule), status in checkov_records.items()
              if name == file and status == "FAILED"}  # fmt: skip
    assert failed == CHECKOV_FAILED[file]


# -- issue 15, class 10: one "is this an endpoint?" for every front end --------------------------
# The CLI's rules classified by value (name or an OpenAI-named key above it); the report and
# the pack's predicates by the key name alone, so `app:openai: {baseUrl: ...}` was RG002 in the
# CLI, missing from the report's endpoint table, and, unknown at preview, given no note.

INTERNAL_URL = "https://llm.internal.example/v1"
# Where an endpoint setting's value may stand in a resource's inputs (or a stack's config),
# and whether it is one. Each is asked of the CLI, the report and the pack.
ENDPOINT_PLACES: list[tuple[str, dict[str, object], bool]] = [
    ("env var name", {"OPENAI_BASE_URL": "@"}, True),
    ("camel-case name", {"openaiBaseUrl": "@"}, True),
    ("nested under an OpenAI key", {"openai": {"baseUrl": "@"}}, True),
    ("nested deeper", {"settings": {"openai": {"api": {"url": "@"}}}}, True),
    ("k8s env entry", {"env": [{"name": "OPENAI_BASE_URL", "value": "@"}]}, True),
    ("CloudFormation entry", {"Environment": [{"Name": "OPENAI_BASE_URL", "Value": "@"}]}, True),
    ("a url under another key", {"telemetry": {"url": "@"}}, False),
    ("a logo under an OpenAI key", {"openai": {"logoUrl": "@"}}, False),
]


def _placed(shape: object, value: str) -> object:
    if shape == "@":
        return value
    if isinstance(shape, dict):
        return {k: _placed(v, value) for k, v in shape.items()}
    if isinstance(shape, list):
        return [_placed(v, value) for v in shape]
    return shape


def _cli_and_report(tmp_path: Path, inputs: object) -> tuple[list[str], list[str]]:
    """The CLI's rules and the report's endpoint hosts for an EU stack file whose config holds
    ``inputs`` (each top-level key as an `app:` key; the report lists a stack file's values)."""
    from residency_guard.report.model import ReportInputs, build_report

    assert isinstance(inputs, dict)
    config = {"residency-guard:region": "eu", **{f"app:{k}": v for k, v in inputs.items()}}
    path = tmp_path / "Pulumi.prod-eu.yaml"
    path.write_text(json.dumps({"config": config}), encoding="utf-8")  # JSON is YAML
    run = scan_paths([path])
    assert not run.errors
    report = build_report(run, ReportInputs("test", "2026-01-15T00:00:00Z", "n/a", "n/a", "0" * 64))
    hosts = [e["host"] for stack in report["stacks"] for e in stack["endpoints"]]
    return rules_of(run.findings), hosts


@pytest.mark.parametrize(("where", "shape", "is_endpoint"), ENDPOINT_PLACES)
def test_one_endpoint_classification_for_cli_report_and_pack(
    where: str, shape: object, is_endpoint: bool, tmp_path: Path
) -> None:
    from policies.residency_pack import PackState
    from tests.policies.helpers import UNKNOWN, resource_args, run_resource_policies

    rules, hosts = _cli_and_report(tmp_path, _placed(shape, INTERNAL_URL))
    assert (rules == ["RG002"]) is is_endpoint, (where, rules)
    assert ("llm.internal.example" in hosts) is is_endpoint, (where, hosts)
    pack = run_resource_policies(
        PackState(), resource_args("pulumi-python:dynamic:Resource", _placed(shape, INTERNAL_URL))
    )
    assert (pack["openai-endpoint-region"].rules == ["RG002"]) is is_endpoint, where
    unknown = run_resource_policies(
        PackState(), resource_args("pulumi-python:dynamic:Resource", _placed(shape, UNKNOWN))
    )
    note = unknown["openai-endpoint-region"].pending or ""
    assert ("unknown during preview" in note) is is_endpoint, (where, note)


def test_structured_endpoint_is_in_the_report_and_pending_in_the_pack(tmp_path: Path) -> None:
    """The reproduction of class 10, as the issue gives it."""
    from policies.residency_pack import PackState
    from tests.policies.helpers import UNKNOWN, resource_args, run_resource_policies

    rules, hosts = _cli_and_report(tmp_path, {"openai": {"baseUrl": INTERNAL_URL}})
    assert rules == ["RG002"] and "llm.internal.example" in hosts
    args = resource_args("pulumi-python:dynamic:Resource", {"openai": {"baseUrl": UNKNOWN}})
    note = run_resource_policies(PackState(), args)["openai-endpoint-region"].pending
    assert note is not None and "openai.baseUrl" in note


# Class 9: a duplicate key in a YAML file of ours (settings, suppressions, team catalogs, ESC
# definitions) was last-wins: `"prod-eu*": eu` then `"prod-eu*": us` held EU stacks to US and
# a US host passed. Now an input error (exit 2) naming both lines, in every front end.
OWN_FILE_DUPLICATES = {
    "stacks mapping": ('stacks:\n  "prod-eu*": eu\n  "prod-eu*": us\n', "lines 2 and 3"),
    "a suppression's field": (
        "suppressions:\n  - rule: RG002\n    reason: proxy\n    rule: RG001\n",
        "lines 2 and 4",
    ),
    "top level": ("unresolved: deny\nstacks: {}\nunresolved: allow\n", "lines 1 and 3"),
}


def _us_host_in_prod_eu(folder: Path, settings: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "residency-guard.yaml").write_text(settings, encoding="utf-8")
    (folder / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (folder / "Pulumi.prod-eu.yaml").write_text(
        "config:\n  shop:OPENAI_BASE_URL: https://us.api.openai.com/v1\n", encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize(
    ("settings", "lines"), OWN_FILE_DUPLICATES.values(), ids=list(OWN_FILE_DUPLICATES)
)
def test_duplicate_key_in_residency_guard_yaml_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: str, lines: str
) -> None:
    from residency_guard.cli import main

    folder = _us_host_in_prod_eu(tmp_path / "repo", settings)
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"residency-guard: error: {folder}/residency-guard.yaml:")
    assert f"duplicate key ({lines};" in err and "\n" not in err


def test_duplicate_key_in_residency_guard_yaml_stops_the_pack(tmp_path: Path) -> None:
    from policies.residency_pack import PackState
    from residency_guard.errors import ConfigError
    from tests.policies.helpers import GLOBAL_URL, resource_args, run_resource_policies

    settings, lines = OWN_FILE_DUPLICATES["stacks mapping"]
    (tmp_path / "residency-guard.yaml").write_text(settings, encoding="utf-8")
    pack_dir = tmp_path / "policies"
    pack_dir.mkdir()
    args = resource_args("pulumi-python:dynamic:Resource", {"OPENAI_BASE_URL": GLOBAL_URL})
    with pytest.raises(ConfigError, match=rf"duplicate key \({lines};"):
        run_resource_policies(PackState(pack_dir=pack_dir), args)


def test_duplicate_key_in_a_team_catalog_or_esc_definition_names_both_lines(
    tmp_path: Path,
) -> None:
    from residency_guard.catalog import load_catalog
    from residency_guard.errors import CatalogError, ResidencyGuardError

    overlay = tmp_path / "team-catalog.yaml"
    overlay.write_text(
        "gateways:\n  - host: gw.example\n    region: eu\n    region: us\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError, match=r"duplicate key \(lines 3 and 4;"):
        load_catalog([overlay])
    esc = tmp_path / "esc" / "shop"
    esc.mkdir(parents=True)
    (esc / "prod.yaml").write_text(
        "values:\n  environmentVariables:\n    OPENAI_BASE_URL: https://eu.api.openai.com/v1\n"
        "    OPENAI_BASE_URL: https://api.openai.com/v1\n",
        encoding="utf-8",
    )
    (tmp_path / "residency-guard.yaml").write_text("esc: esc\n", encoding="utf-8")
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.prod-eu.yaml").write_text(
        "environment: [shop/prod]\nconfig:\n  residency-guard:region: eu\n", encoding="utf-8"
    )
    run = scan_paths([tmp_path / "Pulumi.prod-eu.yaml"], config=tmp_path / "residency-guard.yaml")
    assert [str(e) for e in run.errors] == [
        f"{esc}/prod.yaml:4: values.environmentVariables.OPENAI_BASE_URL: duplicate key "
        "(lines 3 and 4; YAML readers keep the last silently); keep one"
    ]
    assert isinstance(run.errors[0], ResidencyGuardError)


# -- issue 15, class 2: dotenv files read as python-dotenv reads them ---------------------------

UNICODE_BREAKS = ["\u2028", "\u2029", "\u0085"]


@pytest.mark.parametrize("brk", UNICODE_BREAKS)
def test_unicode_line_break_inside_a_dotenv_value(brk: str, tmp_path: Path) -> None:
    """The scanner split lines with str.splitlines(): `OPENAI_BASE_URL=https://eu.api.openai.com`
    looked clean and `@evil.io/v1` was another line, while python-dotenv (and Compose) read one
    value, and the client connects to evil.io."""
    from dotenv import dotenv_values

    from residency_guard.scanners.dotenv import scan_dotenv

    text = (
        f"# residency-guard:region: eu\nOPENAI_BASE_URL=https://eu.api.openai.com{brk}@evil.io/v1\n"
    )
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    loaded = dotenv_values(path)["OPENAI_BASE_URL"]  # what a Python workload starts with
    assert loaded is not None and openai_target(loaded).host == "evil.io"  # type: ignore[union-attr]
    findings = scan_dotenv(path, CATALOG, RepoConfig()).findings
    assert [(f.rule, f.line) for f in findings] == [("RG002", 2), ("RG010", 2)]


def test_dotenv_line_numbers_are_python_dotenvs(tmp_path: Path) -> None:
    """A U+2028 is no line break to python-dotenv: the finding below it is on line 3, not 4."""
    from residency_guard.scanners.dotenv import scan_dotenv

    path = tmp_path / ".env"
    path.write_text(
        "# residency-guard:region: eu\nNOTE='a\u2028b'\n\nOPENAI_BASE_URL=https://api.openai.com/v1\n",
        encoding="utf-8",
    )
    findings = scan_dotenv(path, CATALOG, RepoConfig()).findings
    assert [(f.rule, f.line, f.column) for f in findings] == [("RG001", 4, 17)]


@pytest.mark.parametrize("brk", UNICODE_BREAKS)
def test_unicode_line_break_in_dotenv_text_in_the_pack(brk: str) -> None:
    """Dotenv text in a resource's inputs (a file the resource writes) is read the same way."""
    from policies.residency_pack import PackState
    from tests.policies.helpers import all_rules, resource_args, run_resource_policies

    content = f"LOG_LEVEL=info\nOPENAI_BASE_URL=https://eu.api.openai.com{brk}@evil.io/v1\n"
    args = resource_args("local:index/file:File", {"filename": ".env", "content": content})
    assert all_rules(run_resource_policies(PackState(), args)) == ["RG002", "RG010"]


# Class 5: a state export merged inputs over outputs shallowly, so an input key hid the whole
# output subtree: a Lambda whose live outputs say api.openai.com passed because its inputs said
# EU. Each is judged (an output finding says `outputs` in its path), and in the pack a stack
# policy blocks on outputs and stack exports that no resource policy saw.
EU_URL = "https://eu.api.openai.com/v1"
GLOBAL_URL = "https://api.openai.com/v1"


def _lambda_state(inputs_url: str, outputs_url: str) -> dict[str, object]:
    urn = "urn:pulumi:prod-eu::shop::aws:lambda/function:Function::fn"
    env = {"variables": {"OPENAI_BASE_URL": inputs_url}}
    live = {"variables": {"OPENAI_BASE_URL": outputs_url}}
    return {"version": 3, "deployment": {"manifest": {}, "resources": [
        {"urn": urn, "type": "aws:lambda/function:Function",
         "inputs": {"runtime": "python3.12", "environment": env},
         "outputs": {"runtime": "python3.12", "environment": live, "arn": "arn:aws:lambda:x"}},
    ]}}  # fmt: skip


def test_state_outputs_hidden_by_an_input_key_are_judged(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(_lambda_state(EU_URL, GLOBAL_URL)), encoding="utf-8")
    scan = scan_pulumi_json(path, CATALOG, RepoConfig(stacks=(("prod-eu", "eu", 1),)))
    assert [(f.rule, f.path) for f in scan.findings] == [
        ("RG001", "fn.outputs.environment.variables.OPENAI_BASE_URL")
    ]
    path.write_text(json.dumps(_lambda_state(GLOBAL_URL, EU_URL)), encoding="utf-8")
    scan = scan_pulumi_json(path, CATALOG, RepoConfig(stacks=(("prod-eu", "eu", 1),)))
    assert [(f.rule, f.path) for f in scan.findings] == [
        ("RG001", "fn.environment.variables.OPENAI_BASE_URL")
    ]


def test_pack_blocks_on_outputs_no_resource_policy_saw() -> None:
    from policies.residency_pack import PackState
    from tests.policies.helpers import (
        policies,
        policy_resource,
        resource_args,
        run,
        run_resource_policies,
        stack_args,
    )
    from tests.policies.shapes import lambda_function

    state = PackState()
    _, inputs = lambda_function({"OPENAI_BASE_URL": EU_URL})
    rtype, outputs = lambda_function({"OPENAI_BASE_URL": GLOBAL_URL})
    assert all(not o.violations for o in run_resource_policies(state, resource_args(
        rtype, inputs, name="fn")).values())  # fmt: skip
    live = stack_args([policy_resource(rtype, outputs, name="fn")])
    outcome = run(policies(state)["openai-deployed-outputs"], live)
    assert outcome.rules == ["RG001"]
    assert "(at fn.environment.variables.OPENAI_BASE_URL)" in outcome.text
    # What a resource policy already reported from the inputs is not repeated.
    same = PackState()
    run_resource_policies(same, resource_args(rtype, outputs, name="fn"))
    assert run(policies(same)["openai-deployed-outputs"], live).violations == []


def test_another_provider_only_in_outputs_blocks_in_cli_and_pack(tmp_path: Path) -> None:
    """RG020 in a resource's outputs (the inputs had only the EU base URL): the CLI judged the
    state's outputs, the pack's outputs policy did not list RG020 and passed."""
    from policies.residency_pack import PackState
    from tests.policies.helpers import (
        policies,
        policy_resource,
        resource_args,
        run,
        run_resource_policies,
        stack_args,
    )
    from tests.policies.shapes import lambda_function

    bedrock = {"OPENAI_BASE_URL": EU_URL, "OPENAI_API_TYPE": "amazon-bedrock",
               "AWS_REGION": "us-east-1"}  # fmt: skip
    rtype, inputs = lambda_function({"OPENAI_BASE_URL": EU_URL})
    _, outputs = lambda_function(bedrock)
    urn = "urn:pulumi:prod-eu::shop::aws:lambda/function:Function::fn"
    state = {"version": 3, "deployment": {"manifest": {}, "resources": [
        {"urn": urn, "type": rtype, "inputs": inputs, "outputs": outputs}]}}  # fmt: skip
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state), encoding="utf-8")
    scan = scan_pulumi_json(path, CATALOG, RepoConfig(stacks=(("prod-eu", "eu", 1),)))
    assert [(f.rule, f.path) for f in scan.findings] == [
        ("RG020", "fn.outputs.environment.variables.OPENAI_API_TYPE")
    ]
    pack = PackState()
    assert all(not o.violations for o in run_resource_policies(pack, resource_args(
        rtype, inputs, name="fn")).values())  # fmt: skip
    live = stack_args([policy_resource(rtype, outputs, name="fn")])
    assert run(policies(pack)["openai-deployed-outputs"], live).rules == ["RG020"]


def test_pack_judges_the_stack_exports() -> None:
    """`pulumi:pulumi:Stack` outputs (the program's exports) were skipped by every policy."""
    from policies.residency_pack import PackState
    from tests.policies.helpers import policies, policy_resource, run, stack_args

    stack = policy_resource("pulumi:pulumi:Stack", {"openai": {"baseUrl": GLOBAL_URL}},
                            name="shop-prod-eu")  # fmt: skip
    outcome = run(policies(PackState())["openai-deployed-outputs"], stack_args([stack]))
    assert outcome.rules == ["RG001"]


# Classes 7 and 8: an Azure OpenAI host is `<customSubDomainName>.openai.azure.com`; only that
# name links it to a declared account (whose location RG012 judges). An account without a
# location takes its resource group's (azure-native); unresolved, it fails closed (RG011).
AZURE_ACCOUNT = "azure-native:cognitiveservices:Account"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"


def _azure_preview(tmp_path: Path, *resources: tuple[str, str, dict[str, object]]) -> list[str]:
    steps = [
        {"op": "create", "urn": f"urn:pulumi:prod-eu::shop::{rtype}::{name}",
         "newState": {"type": rtype, "urn": f"urn:pulumi:prod-eu::shop::{rtype}::{name}",
                      "inputs": inputs}}
        for rtype, name, inputs in resources
    ]  # fmt: skip
    path = tmp_path / "preview.json"
    path.write_text(json.dumps({"steps": steps, "config": {"residency-guard:region": "eu"}}))
    return sorted(
        f"{f.rule} {f.path}" for f in scan_pulumi_json(path, CATALOG, RepoConfig()).findings
    )


def _account(location: str | None = "swedencentral", subdomain: str = "contoso-eu",
             group: str = "rg-shop") -> dict[str, object]:  # fmt: skip
    props: dict[str, object] = {
        "kind": "OpenAI", "sku": {"name": "S0"}, "resourceGroupName": group,
        "accountName": "contoso-eu-acct", "properties": {"customSubDomainName": subdomain},
    }  # fmt: skip
    if location is not None:
        props["location"] = location
    return props


def _worker(url: str) -> tuple[str, str, dict[str, object]]:
    return ("aws:lambda/function:Function", "worker",
            {"environment": {"variables": {"OPENAI_BASE_URL": url}}})  # fmt: skip


def test_azure_host_is_matched_by_the_custom_subdomain_only(tmp_path: Path) -> None:
    """`evil.openai.azure.com` matched the EU account whose Pulumi name is `evil` (its host is
    contoso-eu.openai.azure.com): the traffic went to another account, judged as the EU one."""
    evil = _worker("https://evil.openai.azure.com/openai/v1")
    assert _azure_preview(tmp_path, (AZURE_ACCOUNT, "evil", _account()), evil) == [
        "RG011 worker.environment.variables.OPENAI_BASE_URL"
    ]
    own = _worker("https://contoso-eu.openai.azure.com/openai/v1")
    assert _azure_preview(tmp_path, (AZURE_ACCOUNT, "evil", _account()), own) == []


def test_pack_resource_policy_leaves_no_azure_host_unresolved() -> None:
    from policies.residency_pack import PackState
    from tests.policies.helpers import all_rules, resource_args, run_resource_policies

    rtype, _, props = _worker("https://evil.openai.azure.com/openai/v1")
    assert all_rules(run_resource_policies(PackState(), resource_args(rtype, props))) == ["RG011"]


def test_azure_account_without_location_takes_its_resource_group_s(tmp_path: Path) -> None:
    """RG012 skipped an empty location; azure-native puts the account in its group's."""
    account = (AZURE_ACCOUNT, "oai", _account(location=None))
    us_group = (RESOURCE_GROUP, "rg", {"resourceGroupName": "rg-shop", "location": "eastus"})
    eu_group = (RESOURCE_GROUP, "rg", {"resourceGroupName": "rg-shop", "location": "westeurope"})
    assert _azure_preview(tmp_path, account, us_group) == ["RG012 oai.location"]
    assert _azure_preview(tmp_path, account, eu_group) == []
    assert _azure_preview(tmp_path, account) == ["RG011 oai.location"]


def test_pack_judges_an_account_without_location_with_its_resource_group() -> None:
    from policies.residency_pack import PackState
    from tests.policies.helpers import policies, policy_resource, run, stack_args

    account = policy_resource(AZURE_ACCOUNT, _account(location=None), name="oai")
    us_group = policy_resource(RESOURCE_GROUP, {"name": "rg-shop", "location": "eastus"},
                               name="rg")  # fmt: skip
    linked = policies(PackState())["azure-openai-linked"]
    assert run(linked, stack_args([account, us_group])).rules == ["RG012"]
    assert run(linked, stack_args([account])).rules == ["RG011"]


# -- issue 15, class 6: SDK variables that pick another provider or host -----------------------
# openai 3.57's module client reads OPENAI_API_TYPE first; the oracle is that client, built in
# a fresh interpreter from exactly these variables, with a transport that records its request.

_MODULE_CLIENT = """
import json, httpx2, openai
urls = []
class Recorder(httpx2.BaseTransport):
    def handle_request(self, request):
        urls.append(str(request.url))
        return httpx2.Response(200, json={"object": "list", "data": []}, request=request)
openai.http_client = httpx2.Client(transport=Recorder())
openai.max_retries = 0
openai.models.list()
print(json.dumps(urls))
"""


def module_client_host(env: dict[str, str]) -> str:
    """The host `openai.models.list()` (the module client) sends to under ``env``."""
    import subprocess
    import sys

    import httpx2

    out = subprocess.run(
        [sys.executable, "-c", _MODULE_CLIENT], capture_output=True, text=True, check=True,
        env={"PATH": os.environ["PATH"], **env}, timeout=120,
    )  # fmt: skip
    return httpx2.URL(json.loads(out.stdout)[-1]).host


EU_ENV = {"OPENAI_API_KEY": "sk-not-a-key", "OPENAI_BASE_URL": "https://eu.api.openai.com/v1"}
OTHER_PROVIDERS: list[tuple[str, dict[str, str], str]] = [
    ("bedrock-by-region", {"OPENAI_API_TYPE": "amazon-bedrock", "AWS_REGION": "us-east-1",
                           "AWS_BEARER_TOKEN_BEDROCK": "not-a-token"},
     "bedrock-mantle.us-east-1.api.aws"),
    ("bedrock-base-url", {"OPENAI_API_TYPE": "amazon-bedrock",
                          "AWS_BEDROCK_BASE_URL": "https://bedrock-mantle.us-west-2.api.aws/v1",
                          "AWS_BEARER_TOKEN_BEDROCK": "not-a-token"},
     "bedrock-mantle.us-west-2.api.aws"),
]  # fmt: skip


def _config(env: dict[str, str]) -> str:
    secrets = ("OPENAI_API_KEY", "AWS_BEARER_TOKEN_BEDROCK", "AZURE_OPENAI_API_KEY")
    return "".join(
        f"  app:{k}:\n    secure: v1:abc\n" if k in secrets else f"  app:{k}: {json.dumps(v)}\n"
        for k, v in env.items()
    )


@pytest.mark.parametrize(("case", "env", "host"), OTHER_PROVIDERS)
def test_another_provider_selected_by_sdk_variables(
    case: str, env: dict[str, str], host: str
) -> None:
    """`OPENAI_API_TYPE=amazon-bedrock` beside an EU OPENAI_BASE_URL: the module client sends
    to Bedrock and ignores the base URL; the gate saw only the EU base URL."""
    assert module_client_host(EU_ENV) == "eu.api.openai.com"
    assert module_client_host({**EU_ENV, **env}) == host
    assert eu(_config({**EU_ENV, **env})) == ["RG020"]
    assert eu(_config(EU_ENV)) == []


def test_a_bedrock_host_bound_in_a_team_catalog_passes(tmp_path: Path) -> None:
    """Another provider's region is outside an OpenAI residency region unless a team catalog
    binds it: a Bedrock host bound to EU as a gateway passes."""
    from residency_guard.catalog.loader import load_catalog
    from residency_guard.scanners.stackfile import scan_stack_file

    env = {**EU_ENV, "OPENAI_API_TYPE": "amazon-bedrock", "AWS_REGION": "eu-central-1"}
    assert module_client_host({**env, "AWS_BEARER_TOKEN_BEDROCK": "x"}) == (
        "bedrock-mantle.eu-central-1.api.aws"
    )
    team = tmp_path / "team.yaml"
    team.write_text(
        "gateways:\n  - host: bedrock-mantle.eu-central-1.api.aws\n    region: eu\n",
        encoding="utf-8",
    )
    text = "config:\n  residency-guard:region: eu\n" + _config(env)
    path = Path("stacks/Pulumi.prod-eu.yaml")
    for catalog, expected in ((CATALOG, ["RG020"]), (load_catalog([team]), [])):
        scan = scan_stack_file(path, catalog, RepoConfig(), text=text)
        assert rules_of(scan.findings) == expected


def test_azure_selected_without_an_endpoint_the_gate_sees() -> None:
    """An Azure credential (no OPENAI_API_KEY) or OPENAI_API_TYPE=azure makes the module client
    an Azure client for an AZURE_OPENAI_ENDPOINT set elsewhere; OPENAI_BASE_URL is ignored."""
    runtime = {"AZURE_OPENAI_ENDPOINT": "https://acme.openai.azure.com",
               "OPENAI_API_VERSION": "2024-10-21", "AZURE_OPENAI_API_KEY": "not-a-key"}  # fmt: skip
    base = {"OPENAI_BASE_URL": "https://eu.api.openai.com/v1"}
    assert module_client_host({**base, **runtime}) == "acme.openai.azure.com"
    assert eu(_config({**base, "AZURE_OPENAI_API_KEY": "x"})) == ["RG020"]
    assert eu(_config({**base, "OPENAI_API_TYPE": "azure"})) == ["RG020"]
    # with the endpoint in the stack, the Azure rules judge it (no account declared: RG011)
    assert eu(_config({**base, **runtime})) == ["RG011"]
    assert eu(_config({**EU_ENV, "OPENAI_API_TYPE": "openai"})) == []


AZURE_SELECTED_BESIDE_AN_ENDPOINT: list[tuple[str, str, dict[str, object]]] = [
    ("kubernetes:apps/v1:Deployment", "aoai", {"spec": {"template": {"spec": {"containers": [
        {"name": "aoai", "env": [
            {"name": "OPENAI_API_TYPE", "value": "azure"},
            {"name": "AOAI_ENDPOINT", "value": "https://acme.openai.azure.com/"},
        ]}]}}}}),
]  # fmt: skip


def test_azure_selected_beside_an_azure_endpoint_of_its_own(tmp_path: Path) -> None:
    """A chart's values name the Azure endpoint under a key of their own (`azureOpenAI.endpoint`,
    which the template hands the container as AZURE_OPENAI_ENDPOINT) next to
    `OPENAI_API_TYPE=azure`: the Azure rules judge that endpoint where it is written (RG011
    here), and no second finding says the endpoint is unseen. With no endpoint anywhere the
    Azure client refuses to start (the real client below), so RG020 keeps failing closed on
    an endpoint set where the gate cannot see it."""
    import subprocess

    from policies.residency_pack import PackState
    from tests.policies.helpers import resource_args, run_resource_policies

    azure = {"OPENAI_API_TYPE": "azure", "AZURE_OPENAI_API_KEY": "not-a-key",
             "OPENAI_API_VERSION": "2024-10-21"}  # fmt: skip
    with pytest.raises(subprocess.CalledProcessError, match="returned non-zero"):
        module_client_host(azure)  # "Must provide ... the AZURE_OPENAI_ENDPOINT variable"
    endpoint = {"aoaiEndpoint": "https://acme.openai.azure.com/"}
    assert eu(_config({"OPENAI_API_TYPE": "azure", **endpoint})) == ["RG011"]
    assert eu(_config({"OPENAI_API_TYPE": "azure"})) == ["RG020"]
    # a non-Azure host in the file is no Azure endpoint: RG020 still says the endpoint is unseen
    assert eu(_config({"OPENAI_API_TYPE": "azure", "docs": "https://learn.microsoft.com/"})) == [
        "RG020"
    ]
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(_preview(AZURE_SELECTED_BESIDE_AN_ENDPOINT)), encoding="utf-8")
    assert rules_of(scan_pulumi_json(path, CATALOG, RepoConfig()).findings) == ["RG011"]
    kind, name, inputs = AZURE_SELECTED_BESIDE_AN_ENDPOINT[0]
    outcomes = run_resource_policies(PackState(), resource_args(kind, inputs, name=name))
    assert outcomes["openai-endpoint-region"].rules == ["RG011"]


def _proxy_sees(env: dict[str, str]) -> list[str]:
    """The request lines a loopback proxy gets from an `openai.OpenAI()` client under ``env``."""
    import subprocess
    import sys

    script = (
        "import json, os, socket, threading\n"
        "srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(5)\n"
        "seen = []\n"
        "def serve():\n"
        "    while True:\n"
        "        c, _ = srv.accept(); seen.append(c.recv(4096).split(b'\\r\\n')[0].decode())\n"
        "        c.close()\n"
        "threading.Thread(target=serve, daemon=True).start()\n"
        "os.environ['HTTPS_PROXY'] = 'http://127.0.0.1:%d' % srv.getsockname()[1]\n"
        "import openai\n"
        "client = openai.OpenAI(max_retries=0, timeout=5)\n"
        "try:\n    client.models.list()\nexcept Exception:\n    pass\n"
        "print(json.dumps(seen))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True,
        env={"PATH": os.environ["PATH"], **env}, timeout=120,
    )  # fmt: skip
    return list(json.loads(out.stdout))


def test_a_proxy_the_openai_host_is_not_exempted_from() -> None:
    """httpx2 trusts the environment: HTTPS_PROXY sends every request to the proxy first,
    unless NO_PROXY names the host."""
    assert _proxy_sees(EU_ENV) == ["CONNECT eu.api.openai.com:443 HTTP/1.1"]
    assert _proxy_sees({**EU_ENV, "NO_PROXY": ".openai.com"}) == []
    proxy = {"HTTPS_PROXY": "http://proxy.us.example:3128"}
    assert eu(_config({**EU_ENV, **proxy})) == ["RG020"]
    assert eu(_config({**EU_ENV, **proxy, "NO_PROXY": ".openai.com"})) == []
    assert eu(_config({**EU_ENV, **proxy, "no_proxy": "eu.api.openai.com,localhost"})) == []
    # a proxy in a stack that configures no OpenAI client is none of the gate's business
    assert eu(_config(proxy)) == []


SDK_RESOURCES: list[tuple[str, str, dict[str, object]]] = [
    ("kubernetes:apps/v1:Deployment", "worker", {"spec": {"template": {"spec": {"containers": [
        {"name": "worker", "env": [
            {"name": "OPENAI_BASE_URL", "value": "https://eu.api.openai.com/v1"},
            {"name": "OPENAI_API_TYPE", "value": "amazon-bedrock"},
            {"name": "AWS_REGION", "value": "us-east-1"},
        ]}]}}}}),
]  # fmt: skip


def test_another_provider_in_a_preview_and_in_the_pack(tmp_path: Path) -> None:
    from policies.residency_pack import PackState
    from tests.policies.helpers import resource_args, run_resource_policies

    path = tmp_path / "preview.json"
    path.write_text(json.dumps(_preview(SDK_RESOURCES), indent=1), encoding="utf-8")
    assert rules_of(scan_pulumi_json(path, CATALOG, RepoConfig()).findings) == ["RG020"]
    kind, name, inputs = SDK_RESOURCES[0]
    outcomes = run_resource_policies(PackState(), resource_args(kind, inputs, name=name))
    assert outcomes["openai-endpoint-region"].rules == ["RG020"]


# -- issue 15 (i15b) through real checkov: one run of the documented gate over every case above --


def _checkov_tree(root: Path) -> Path:
    """The cases of classes 3, 4, 5, 7, 8 and 9 and the hostile JSON, as files on disk."""
    tree = root / "repo"
    (tree / ".git").mkdir(parents=True)
    files = {
        "residency-guard.yaml": "stacks:\n  prod-eu: eu\n",
        "merge/Pulumi.yaml": MERGE_TAGGED_OVERRIDE[0],
        "merge/Pulumi.prod-eu.yaml": MERGE_TAGGED_OVERRIDE[1],
        "spelling/Pulumi.yaml": "name: residency-guard\nruntime: python\n",
        "spelling/Pulumi.prod-eu.yaml": "config:\n"
        + REGION_RESPELLINGS["bare key in the project's namespace"],
        "outputs/state.json": json.dumps(_lambda_state(EU_URL, GLOBAL_URL)),
        "huge-int/state.json": json.dumps(_lambda_state(GLOBAL_URL, GLOBAL_URL)).replace(
            '"manifest": {}', '"manifest": {"n": ' + "9" * 5000 + "}"
        ),
        "not-a-list/state.json": '{"deployment": {"manifest": {}, "resources": 5}}',
        "dup/.git/HEAD": "",
        "dup/residency-guard.yaml": OWN_FILE_DUPLICATES["stacks mapping"][0],
        "dup/Pulumi.yaml": "name: shop\nruntime: python\n",
        "dup/Pulumi.prod-eu.yaml": "config:\n  shop:OPENAI_BASE_URL: https://us.api.openai.com/v1\n",
    }
    for name, text in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text, encoding="utf-8")
    for folder, resources in {
        "azure-host": [(AZURE_ACCOUNT, "evil", _account()),
                       _worker("https://evil.openai.azure.com/openai/v1")],
        "azure-group": [(AZURE_ACCOUNT, "oai", _account(location=None)),
                        (RESOURCE_GROUP, "rg", {"resourceGroupName": "rg-shop",
                                                "location": "eastus"})],
    }.items():  # fmt: skip
        (tree / folder).mkdir()
        _azure_preview(tree / folder, *resources)
    return tree


@pytest.fixture(scope="module")
def checkov_failures(
    checkov_bin: Path,  # noqa: F811 - the fixture imported above
    tmp_path_factory: pytest.TempPathFactory,
) -> set[str]:
    """``<folder> <rule>`` of every FAILED check of `scripts/checkov-gate TREE -o json`."""
    import subprocess

    from tests.checkov.conftest import GATE, parse_records
    from tests.checkov_env.conftest import CHECKOV_ENV, RUN_TIMEOUT_S, _clean_env

    tree = _checkov_tree(tmp_path_factory.mktemp("checkov-i15b"))
    proc = subprocess.run(
        [str(GATE), str(tree), "-o", "json"], capture_output=True, text=True,
        timeout=RUN_TIMEOUT_S, env=_clean_env(CHECKOV_ENV), stdin=subprocess.DEVNULL,
        cwd=tree, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr[-3000:]
    records = parse_records(json.loads(proc.stdout))
    return {f"{r.file.split('/')[0]} {r.rule}" for r in records if r.status == "FAILED"}


@pytest.mark.parametrize(
    "expected",
    [
        "merge RG001",  # class 3: the project default the engine uses
        "merge RG015",
        "spelling RG009",  # class 4
        "spelling RG015",
        "outputs RG001",  # class 5
        "azure-host RG011",  # class 7
        "azure-group RG012",  # class 8
        "dup RG001",  # class 9: the settings cannot be read, so every check fails closed
        "dup RG008",
        "huge-int RG001",  # read, not fatal
        "not-a-list RG001",  # an input error fails every check
    ],
)
def test_checkov_gives_the_same_verdicts(checkov_failures: set[str], expected: str) -> None:
    assert expected in checkov_failures, sorted(checkov_failures)


def test_a_bare_region_default_in_the_project_file_is_the_region(tmp_path: Path) -> None:
    """Class 4 in `Pulumi.yaml`: `config: {region: {default: us}}` in the project
    `residency-guard` is `residency-guard:region` to the engine (`pulumi config get` says
    `us`); the gate read no region and judged the stack as undeclared (RG008)."""
    project = "name: residency-guard\nruntime: python\nconfig:\n  region:\n    default: us\n"
    stack = "config:\n  app:OPENAI_BASE_URL: https://eu.api.openai.com/v1\n"
    assert scan_project(tmp_path, project, {"dev": stack}) == [("Pulumi.dev.yaml", "RG001")]


BEDROCK_LIST = [
    "OPENAI_BASE_URL=https://eu.api.openai.com/v1",
    "OPENAI_API_TYPE=amazon-bedrock",
    "AWS_REGION=us-east-1",
]


def test_another_provider_selected_in_free_text() -> None:
    """`OPENAI_API_TYPE=amazon-bedrock` written as a Compose list item or in a script: the
    name before the value decides what it is (class 1), for the SDK's variables too."""
    env = dict(item.split("=", 1) for item in BEDROCK_LIST)  # as Compose hands them over
    assert module_client_host({**env, "AWS_BEARER_TOKEN_BEDROCK": "x"}) == (
        "bedrock-mantle.us-east-1.api.aws"
    )
    listed = "".join(f"    - {item}\n" for item in BEDROCK_LIST)
    assert eu(f"  app:environment:\n{listed}") == ["RG020"]
    assert eu(f"  app:startupScript: {json.dumps('export ' + ' '.join(BEDROCK_LIST))}\n") == [
        "RG020"
    ]
    assert eu("  app:environment:\n    - OPENAI_API_TYPE=openai\n") == []


def test_another_provider_selected_in_free_text_in_the_pack() -> None:
    from policies.residency_pack import PackState
    from tests.policies.helpers import resource_args, run_resource_policies

    args = resource_args("docker:index/container:Container", {"envs": BEDROCK_LIST})
    assert run_resource_policies(PackState(), args)["openai-endpoint-region"].rules == ["RG020"]


def test_a_unicode_line_break_does_not_move_a_dotenv_suppression(tmp_path: Path) -> None:
    """Suppression comments were found in lines split by str.splitlines(): after a U+2028, an
    inline comment of line 1 became a comment "on its own line" covering line 2, where
    python-dotenv puts the next binding, and silenced its finding."""
    ignore = '# residency-guard: ignore RG001 reason="ticket" until=2099-01-01'
    text = (
        "# residency-guard:region: eu\n"
        f"LOG_LEVEL=info\u2028{ignore}\n"
        "OPENAI_BASE_URL=https://api.openai.com/v1\n"
    )
    (tmp_path / ".env").write_text(text, encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        run = scan_paths([Path(".env")])
    finally:
        os.chdir(cwd)
    assert [(f.rule, f.line, f.suppressed) for f in run.findings] == [("RG001", 3, False)]
