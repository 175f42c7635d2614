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
