"""Property-based bypass hunting: the gate reads a value the way the openai client sends it.

Oracles (``oracle.py``): ``httpx2.URL(value)``, an ``httpx2.Client(base_url=value)`` and, the
strongest, ``openai.OpenAI(base_url=value)``, each with a transport that records the request
instead of sending it. A value *leaks* when a reading of it sends a request to a resolvable
host other than exactly ``eu.api.openai.com`` over https on port 443 without userinfo.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from residency_guard.catalog import shipped_catalog
from residency_guard.errors import ResidencyGuardError
from residency_guard.hosts import EndpointKind, Hazard, classify_endpoint, find_endpoints
from residency_guard.repoconfig import RepoConfig
from residency_guard.scanners.dotenv import scan_dotenv
from residency_guard.scanners.pulumi_json import scan_pulumi_json
from residency_guard.scanners.stackfile import scan_stack_file
from tests.adversarial.oracle import (
    SAFE_EU_URL,
    Target,
    client_target,
    openai_target,
    url_target,
)
from tests.adversarial.strategies import (
    Generated,
    eu_stack,
    free_placements,
    placements,
    url_texts,
    urls,
    yaml_double,
)

CATALOG = shipped_catalog()
QUOTES = "\"'`"


def readings(value: str) -> list[str]:
    """The strings a workload may hand to its client: as written, trimmed, unquoted."""
    trimmed = value.strip()
    unquoted = trimmed.strip(QUOTES).strip()
    return list(dict.fromkeys((value, trimmed, unquoted)))


def targets(value: str) -> list[Target]:
    """Where the openai client sends a request for each reading (readings that send nothing
    are left out)."""
    found = (openai_target(reading) for reading in readings(value))
    return [target for target in found if target is not None]


def leaks(value: str) -> bool:
    """Whether a reading of ``value`` sends a request to a resolvable host other than EU's."""
    return any(t.resolvable and not t.is_safe_eu for t in targets(value))


def leaks_naming_openai(value: str) -> bool:
    """A leak whose request names OpenAI in its authority (host or userinfo), as httpx2 reads
    it: `https://e/u.api.openai.com` goes to the host "e" and names OpenAI only in its path."""
    return any(t.resolvable and not t.is_safe_eu and t.names_openai for t in targets(value))


def safe(value: str) -> bool:
    """Whether a reading of ``value`` reaches EU safely and none reaches anywhere else."""
    found = targets(value)
    return any(t.is_safe_eu for t in found) and not leaks(value)


# The rules that judge an endpoint: the host's region (RG001), an unknown host (RG002), an unsafe
# form (RG010), a host that cannot be read (RG011). Another rule (a surface, a duplicate key)
# firing beside them is no verdict on where the value sends.
ENDPOINT_RULES = frozenset({"RG001", "RG002", "RG010", "RG011"})
OTHER_REGION_HOSTS = frozenset({"api.openai.com", "us.api.openai.com", "gb.api.openai.com"})


def reaches_another_region(value: str) -> bool:
    """Whether a reading of ``value`` sends a clean request (https, port 443, no userinfo) to an
    OpenAI host of another region than EU (the global host included)."""
    return any(
        t.host in OTHER_REGION_HOSTS and t.scheme == "https" and t.port is None
        and not t.userinfo
        for t in targets(value)
    )  # fmt: skip


# `https://api.openai.com/eu`, a form from third-party guides, is RG002 by design ("did you
# mean eu.api.openai.com?"): the region written into the global host's path, whatever the
# port says (`:443` is the default one: the same request).
_RESIDENCY_IDS = "|".join(r for r in CATALOG.regions if r != "global")
GUIDE_FORM = re.compile(
    rf"api\.openai\.com(?::0*443)?/+(?:{_RESIDENCY_IDS})(?![a-z0-9])", re.IGNORECASE
)


def assert_judged(rules: list[str], value: str, where: str = "") -> None:
    """The finding an unsafe endpoint value must give: an endpoint rule (or an input error),
    and RG001 when a reading of it reaches another region's host plainly."""
    assert rules == ["input-error"] or ENDPOINT_RULES & set(rules), (where, value, rules)
    if reaches_another_region(value) and rules != ["input-error"]:
        meant = {"RG001", "RG002"} if GUIDE_FORM.search(value) else {"RG001"}
        assert meant & set(rules), (where, value, rules)


def scan(text: str, stack: str = "prod-eu") -> list[str]:
    """The rule ids a stack file yields; an input error is a refusal, never a crash."""
    try:
        findings = scan_stack_file(
            Path(f"Pulumi.{stack}.yaml"), CATALOG, RepoConfig(), text=text
        ).findings
    except ResidencyGuardError:
        return ["input-error"]
    return sorted({f.rule for f in findings})


# -- (a) the classifier's host is the host the client connects to ----------------------------


@given(urls())
@example(Generated("https://eu.api.openai.com\\@api.openai.com/v1", True))
@example(Generated("https://api\u3002openai\u3002com/v1", True))
@example(Generated("https://xn--eu-.api.openai.com/v1", True))
def test_classifier_host_is_the_host_httpx2_connects_to(generated: Generated) -> None:
    text = generated.text.strip().strip(QUOTES).strip()
    endpoint = classify_endpoint(generated.text, CATALOG)
    target = url_target(text)
    if target is None or "://" not in text:
        # httpx2 sends nothing (or the classifier names a scheme): never a clean endpoint
        assert endpoint.kind is EndpointKind.INVALID or endpoint.hazards, endpoint
        return
    assert endpoint.host == target.host.rstrip(".").lower()
    assert {"wss": "https", "ws": "http"}.get(endpoint.scheme, endpoint.scheme) == target.scheme
    default = {"https": 443, "wss": 443, "http": 80, "ws": 80}.get(endpoint.scheme)
    assert (None if endpoint.port == default else endpoint.port) == target.port
    assert (Hazard.USERINFO in endpoint.hazards) == bool(target.userinfo)


@given(urls())
def test_httpx2_url_client_and_openai_client_agree(generated: Generated) -> None:
    """The three oracles agree, so that the cheap one (httpx2.URL) stands for the others."""
    text = generated.text
    by_url, by_client = url_target(text), client_target(text)
    by_openai = openai_target(text)
    if by_url is not None and by_url.scheme in ("http", "https"):
        assert by_client is not None and by_openai is not None
        # (percent-escapes may change case when the client rebuilds the URL: %5B, %5b)
        assert by_url.host.lower() == by_client.host.lower() == by_openai.host.lower()
        assert by_url.port == by_client.port == by_openai.port


@given(urls())
def test_an_endpoint_without_hazards_is_exactly_what_the_client_reaches(
    generated: Generated,
) -> None:
    endpoint = classify_endpoint(generated.text, CATALOG)
    if endpoint.kind is EndpointKind.OPENAI and not endpoint.hazards:
        target = openai_target(generated.text.strip().strip(QUOTES).strip())
        assert target is not None
        assert target.host == endpoint.host
        assert target.scheme == "https" and target.port is None and not target.userinfo


# -- (b) an unsafe value is a finding wherever it stands; (c) the safe URL is not -------------


# Values where another rule fires beside RG001 (RG010 for the ideographic full stop that IDNA
# maps to ".", RG005 for the surface): "some finding" holds even if RG001 is lost; "RG001" not.
@given(url_texts())
@example(Generated("https://api\u3002openai.com/v1", True))
@example(Generated("https://us.api.openai.com/v1/assistants", True))
def test_a_value_that_is_not_exactly_the_eu_endpoint_is_a_finding(generated: Generated) -> None:
    value = generated.text
    if safe(value):
        return
    for where, text in placements(value).items():
        assert_judged(scan(text), value, where)


@given(url_texts())
@example(Generated("https://api\u3002openai.com/v1", True))
def test_a_value_naming_openai_that_leaks_is_a_finding_under_any_key(
    generated: Generated,
) -> None:
    value = generated.text
    if not (generated.names_openai and leaks_naming_openai(value)):
        return
    for where, text in free_placements(value).items():
        assert_judged(scan(text), value, where)


@pytest.mark.parametrize("where", sorted(placements(SAFE_EU_URL)))
def test_the_exact_eu_endpoint_is_clean_wherever_it_stands(where: str) -> None:
    assert scan(placements(SAFE_EU_URL)[where]) == []


@given(generated=url_texts())
@example(generated=Generated("https://api\u3002openai.com/v1", True))
def test_a_leaking_value_in_a_dotenv_file_is_a_finding(
    generated: Generated, tmp_path_factory: pytest.TempPathFactory
) -> None:
    value = generated.text
    if "\n" in value or safe(value):
        return
    folder = tmp_path_factory.mktemp("dotenv")
    path = folder / ".env"
    path.write_text(
        f"# residency-guard:region: eu\nOPENAI_BASE_URL={shell_quote(value)}\n", encoding="utf-8"
    )
    try:
        findings = scan_dotenv(path, CATALOG, RepoConfig()).findings
    except ResidencyGuardError:
        return
    assert_judged(sorted({f.rule for f in findings}), value, "dotenv")


@given(generated=url_texts())
@example(generated=Generated("https://api\u3002openai.com/v1", True))
def test_a_value_that_is_not_exactly_the_eu_endpoint_is_a_finding_in_a_preview(
    generated: Generated, tmp_path_factory: pytest.TempPathFactory
) -> None:
    value = generated.text
    if safe(value):
        return
    container = [{"name": "api", "environment": [{"name": "OPENAI_BASE_URL", "value": value}]}]
    preview = {
        "config": {"residency-guard:region": "eu"},
        "steps": [{
            "op": "create",
            "urn": "urn:pulumi:prod-eu::shop::aws:ecs/taskDefinition:TaskDefinition::api",
            "newState": {
                "type": "aws:ecs/taskDefinition:TaskDefinition",
                "inputs": {"containerDefinitions": json.dumps(container)},
            },
        }],
    }  # fmt: skip
    path = tmp_path_factory.mktemp("preview") / "preview.json"
    path.write_text(json.dumps(preview), encoding="utf-8")
    findings = scan_pulumi_json(path, CATALOG, RepoConfig()).findings
    assert_judged(sorted({f.rule for f in findings}), value, "preview")


def shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


# -- (d) no input crashes the scanner ----------------------------------------------------------


@given(st.text(max_size=300))
def test_no_text_crashes_the_stack_scanner(text: str) -> None:
    scan(text)


@given(url_texts(), st.sampled_from(("plain", "double", "block", "flow", "key")))
def test_no_url_crashes_the_stack_scanner(generated: Generated, form: str) -> None:
    value = generated.text
    body = {
        "plain": f"  app:url: {value}\n",
        "double": f"  app:url: {yaml_double(value)}\n",
        "block": "  app:url: |\n" + textwrap.indent(value or "x", "    ") + "\n",
        "flow": f"  app:list: [{value}]\n",
        "key": f"  {value}: x\n",
    }[form]
    scan(eu_stack(body))


@given(url_texts())
def test_find_endpoints_never_raises(generated: Generated) -> None:
    find_endpoints(generated.text, CATALOG)
    find_endpoints(generated.text, CATALOG, endpoint_key=True)
