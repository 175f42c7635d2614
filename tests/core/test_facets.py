"""The facets gate (``residency_guard/facets.py``) is a speed-up that never costs a finding.

Two gates stand in front of the value rules: each rule runs only on values with a facet it
``reads``, and ``walk_data``/``walk_yaml`` drop, before they become values, the strings that
cannot have a facet. A rule whose conditions outgrow its ``reads``, or a gate that drops a
value with a facet, would silently lose findings. These tests hold each rule to its
``reads``, each walk's gate to every value with a facet, and whole scans (the example stacks,
the test fixtures, a generated corpus) to the findings and the report they give with no gate.
"""

from __future__ import annotations

import base64
import datetime
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from residency_guard import evaluate, facets
from residency_guard.catalog import load_catalog, shipped_catalog
from residency_guard.catalog.model import Catalog
from residency_guard.context import Resource, StackContext
from residency_guard.errors import InputError
from residency_guard.facets import Facet, FacetGate, facets_of
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import mentions_openai
from residency_guard.repoconfig import RepoConfig, Unresolved
from residency_guard.report import ReportInputs, build_report
from residency_guard.reporters.base import RunReport
from residency_guard.reporters.json import JsonReporter
from residency_guard.rules import RULES, Rule
from residency_guard.scan import scan_paths
from residency_guard.scanners.discover import classify_file
from residency_guard.stackregion import Declaration, RegionSource, resolve_region
from residency_guard.values import (
    SECRET_SIG_KEY,
    SECRET_SIG_VALUE,
    UNKNOWN_SENTINEL,
    Value,
    decodes,
    walk_data,
)
from residency_guard.yamlfile import load_yaml, walk_yaml
from tests.core.helpers import FAKE_KEY

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402 - bench/ is a folder of the repository, not installed

# --- catalogs and stacks ----------------------------------------------------------------------

TEAM_CATALOG = """\
gateways:
  - host: llm-gw.corp.example
    region: eu
    note: forwards to eu.api.openai.com
  - host: us-gw.corp.example
    region: us
banned_models:
  gpt-4-0613: retired internally
  gpt-4.1-2025-04-14: under review
"""


def team_catalog() -> Catalog:
    """The shipped catalog with two team gateways and two banned models."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "team-catalog.yaml")
        path.write_text(TEAM_CATALOG, encoding="utf-8")
        return load_catalog([path])


SHIPPED = shipped_catalog()
TEAM = team_catalog()
# An Azure OpenAI account in the scanned input: its host is judged by RG012, not RG011.
ACCOUNT = Resource(
    "azure-native:cognitiveservices:Account", "myoai",
    {"kind": "OpenAI", "location": "swedencentral", "properties": {"customSubDomainName": "myoai"}},
)  # fmt: skip


def context(
    region: str | None,
    catalog: Catalog = SHIPPED,
    unresolved: Unresolved = Unresolved.DENY,
    resources: Sequence[Resource] = (),
) -> StackContext:
    file = "stacks/Pulumi.prod.yaml"
    declarations = []
    if region is not None:
        declarations.append(Declaration(region, RegionSource.STACK_CONFIG, f"{file}:2", 2, file))
    return StackContext(
        catalog, "prod", file, resolve_region(declarations), RepoConfig(unresolved=unresolved),
        resources={r.name: r for r in resources},
    )  # fmt: skip


# Residency regions (EU, US, GB, AE with fewer models), the global region without residency,
# a region the catalog does not know, no region at all; shipped and team catalogs.
CONTEXTS = {
    "eu": context("eu"),
    "eu-team-azure": context("eu", TEAM, resources=[ACCOUNT]),
    "us-warn": context("us", unresolved=Unresolved.WARN),
    "us-team-allow": context("us", TEAM, Unresolved.ALLOW),
    "gb": context("gb"),
    "ae-team": context("ae", TEAM),
    "global": context("global"),
    "unknown-region": context("europe"),
    "no-region": context(None),
    "no-region-team": context(None, TEAM),
}
# facets_of reads the catalog only (a gateway host is an endpoint of the team catalog alone).
CATALOG_CONTEXTS = {"shipped": CONTEXTS["eu"], "team": CONTEXTS["eu-team-azure"]}

# Every rule with a check_value of its own. A rule's check_value only ever sees values that have
# a facet it reads (evaluate_values), and none at all without any facet, even with reads=ALL.
VALUE_RULES = [rule for rule in RULES.values() if type(rule).check_value is not Rule.check_value]


def test_the_value_rules_are_the_ones_the_gate_stands_in_front_of() -> None:
    """Guards the tests below against an empty list (they would pass on no rule at all)."""
    assert len(VALUE_RULES) >= 9


# --- names, paths and texts as stacks, previews and states hold them --------------------------

EU = "https://eu.api.openai.com/v1"
GLOBAL = "https://api.openai.com/v1"
NAMES = (
    "OPENAI_BASE_URL", "OPENAI_API_BASE", "openai_api_base", "openai_base_url", "OpenAI_Api_Base",
    "app:openaiBaseUrl", "app:openaiEndpoint", "app:OPENAI_BASE_URL", "residency-guard:baseUrl",
    "residency-guard:gatewayHost", "residency-guard:gateway", "residency-guard:surfaces",
    "residency-guard:models", "residency-guard:region", "chatModel", "app:chatModel",
    "embeddingModel", "OPENAI_MODEL", "model", "models", "modelFormat", "model.version",
    "modelName", "url", "baseUrl", "base_url", "apiBase", "endpoint", "host", "logoUrl",
    "websocketBaseUrl", "LOG_LEVEL", "name", "value", "key", "data", "surfaces", "openai",
    "OPENAI_API_KEY", "apiKey", "DATABASE_URL", "", "x", "OPENAI_API_TYPE", "HTTPS_PROXY",
)  # fmt: skip
KEYS = (
    *NAMES, "config", "env", "spec", "template", "containers", "environment", "variables",
    "containerDefinitions", "siteConfig", "appSettings", "stringData", "secret", "chat",
    "embeddings", "realtime", "app:openai", "openAI", "OpenAi", "azureOpenAI", "settings",
    "sku", "properties", "outputs", "inputs",
)  # fmt: skip
ENDPOINTS = (
    EU, GLOBAL, "https://us.api.openai.com/v1", "us.api.openai.com", "eu.api.openai.com",
    "https://gb.api.openai.com/v1/assistants", "wss://eu.api.openai.com/v1/realtime",
    "https://eu.api.openai.com/v1/audio/transcriptions", "https://api.openai.eu/v1",
    "https://api.eu.openai.com/v1", "https://eu.api.openai.com.attacker.io/v1",
    "https://\u0430pi.openai.com/v1", "https://eu.\u0430pi.openai.com/v1",
    "https://xn--pi-6kc.openai.com/v1", "https://eu.xn--pi-6kc.openai.com/v1",
    "https://EU.API.OPENAI.COM/v1", "https://eu.api.openai.com./v1",
    "https://eu.api.openai.com:8443/v1", "http://eu.api.openai.com/v1",
    "https://user@eu.api.openai.com/v1", "https://eu.api.openai.com\\@api.openai.com/v1",
    "https://myoai.openai.azure.com/", "https://other.openai.azure.com/openai/deployments/x",
    "https://x.cognitiveservices.azure.com", "https://llm-gw.corp.example/v1",
    "llm-gw.corp.example", "https://us-gw.corp.example/v1", "https://llm-proxy.internal/v1",
    "https://${OPENAI_HOST}/v1", "${OPENAI_HOST}", "$(host)", "{{ host }}",
    "https://${REGION}.api.openai.com/v1", "", " ", "https://example.com/v1",
    "redis://cache-1.internal:6379/0", "localhost:8080", "1.2.3.4",
)  # fmt: skip
MODELS = (
    "gpt-4o", "gpt-4o-2024-11-20", "gpt-4.1-2025-04-14", "o4-mini", "o4-mini-2025-04-16",
    "text-embedding-3-small", "text-embedding-3-large", "gpt-4-0613", "whisper-1",
    "gpt-realtime", "gpt-unknown-9", " gpt-4o ", "default", "2024-11-20", "OpenAI", "123",
)  # fmt: skip
SURFACE_TEXTS = (
    "chat", "responses", "assistants", "embeddings", "realtime", "fine-tuning", "fine_tuning",
    "batches", "audio", "images", "moderations", "telepathy", "[chat, assistants]",
    '["chat", "realtime"]', "Chat",
)  # fmt: skip
KEY_TEXTS = (FAKE_KEY, f"Bearer {FAKE_KEY}", "sk-", "task-runner", "risk-free", "sk-ant-xyz")
PLAIN = (
    "info", "debug", "eu-central-1", "3", "443", "true", "null", "v1:AAAAbbbbCCCC",
    "swedencentral", "eastus", "GlobalStandard", UNKNOWN_SENTINEL, "amazon-bedrock",
)  # fmt: skip


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


WRAPPED = (
    *(b64(text) for text in (EU, GLOBAL, FAKE_KEY, "gpt-4o", "chat", f"OPENAI_API_BASE={EU}")),
    json.dumps({"OPENAI_BASE_URL": GLOBAL}),
    json.dumps([{"name": "OPENAI_BASE_URL", "value": GLOBAL}, {"name": "OPENAI_MODEL", "value": "gpt-4o"}]),
    json.dumps({"openai": {"baseUrl": "https://api.openai.eu/v1", "models": {"chat": ["gpt-4o"]}}}),
    json.dumps({"surfaces": ["chat", "realtime"]}),
    json.dumps({"containerDefinitions": [{"environment": [{"name": "OPENAI_API_BASE", "value": EU}]}]}),
    json.dumps({"inner": json.dumps({"OPENAI_BASE_URL": GLOBAL})}),
    json.dumps({"data": {"OPENAI_BASE_URL": b64(GLOBAL)}}),
    json.dumps({"key": FAKE_KEY}),
    b64(json.dumps({"OPENAI_BASE_URL": GLOBAL})),
    json.dumps({SECRET_SIG_KEY: SECRET_SIG_VALUE, "plaintext": json.dumps(GLOBAL)}),
    json.dumps({"v": UNKNOWN_SENTINEL}),
)  # fmt: skip
SENTENCES = (
    f"OPENAI_API_BASE={EU}", "export OPENAI_BASE_URL=https://api.openai.com/v1 && run",
    "see https://api.openai.com/v1/chat/completions for the docs", f"{EU} {GLOBAL}",
    f"{EU},{GLOBAL}", "OPENAI_API_BASE=", "OPENAI_API_BASE=${GATEWAY}",
    "export OPENAI_API_BASE=$(cat /run/base)", f"key={FAKE_KEY}", "model gpt-4o",
)  # fmt: skip
TEXTS = (*ENDPOINTS, *MODELS, *SURFACE_TEXTS, *KEY_TEXTS, *PLAIN, *WRAPPED, *SENTENCES)
# Paths that put a value under a key that says what it is (or only looks as if it did).
# (Never empty: every walk of a scanner starts below "config" or a resource's name.)
PATHS: tuple[tuple[str | int, ...], ...] = (
    ("config",), ("config", "app:openai"), ("config", "app:openai", "baseUrl"),
    ("config", "residency-guard:models", "chat"), ("config", "residency-guard:models", "chat", 0),
    ("config", "residency-guard:surfaces"), ("config", "residency-guard:surfaces", 1),
    ("config", "app:surfaces", "list"), ("models", "embeddings", 0), ("models", "modelFormat"),
    ("openai", "url"), ("openai", "logoUrl"), ("settings", "openai", "models", "chat", 2),
    ("x", "model", "version"), ("svc", "data", "OPENAI_BASE_URL"),
    ("fn", "environment", "variables", "OPENAI_API_BASE"),
    ("deploy", "spec", "template", "spec", "containers", 0, "env", 3, "value"),
    ("app", "siteConfig", "appSettings", 1, "value"), ("svc", "tags", "team"), ("r", 0),
)  # fmt: skip


# --- 1. each rule against its reads -----------------------------------------------------------


def leaks(rule: Rule, value: Value, ctx: StackContext) -> list[Finding]:
    """What ``rule`` finds on ``value`` although the value has none of the facets it reads
    (findings the facets gate would lose); empty when the value has such a facet."""
    if facets_of(value, ctx) & int(rule.reads):
        return []
    return list(rule.check_value(value, ctx))


def grid() -> Iterator[Value]:
    """Every text under every name (in config, as a secret, unknown) and under every path,
    with what a walk decodes from it."""
    for text in TEXTS:
        for name in NAMES:
            for secret in (False, True):
                yield from walk_data(text, ("config", name), name=name, secret=secret)
        for path in PATHS:
            name = next((p for p in reversed(path) if isinstance(p, str)), "")
            yield from walk_data(text, path, name=name)
    for name in NAMES:
        for secret in (False, True):
            yield Value(("config", name), "", name, secret=secret, unknown=True)
    for path in PATHS:
        yield Value(path, "", "", unknown=True)


GRID = list(grid())


@pytest.fixture(scope="module")
def grid_facets() -> dict[str, list[int]]:
    """The facets of each grid value in each stack, worked out once for every rule."""
    return {label: [facets_of(value, ctx) for value in GRID] for label, ctx in CONTEXTS.items()}


@pytest.mark.parametrize("rule", VALUE_RULES, ids=lambda rule: rule.id)
def test_rule_finds_nothing_the_facets_gate_would_hide_from_it(
    rule: Rule, grid_facets: dict[str, list[int]]
) -> None:
    """A finding on a value without the facets the rule reads would never reach the user:
    every rule finds nothing there, on a grid of realistic names, paths and texts, in every
    kind of stack. The rule does find something on the grid, where it reads."""
    reads = int(rule.reads)
    found_where_read = 0
    for label, ctx in CONTEXTS.items():
        for value, found in zip(GRID, grid_facets[label], strict=True):
            if found & reads:
                found_where_read += bool(list(rule.check_value(value, ctx)))
                continue
            assert list(rule.check_value(value, ctx)) == [], (
                f"{rule.id} finds something in the {label} stack on {value!r}, whose facets "
                f"{Facet(found)!r} miss the {rule.reads!r} it reads"
            )
    assert found_where_read, f"the grid never makes {rule.id} find anything: it proves nothing"


def variants(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from((text, text.upper(), f" {text} ", f'"{text}"', f"{text}\n", b64(text)))


texts = st.one_of(
    st.sampled_from(TEXTS),
    st.sampled_from(TEXTS).flatmap(variants),
    st.text(max_size=24),
    st.builds(lambda a, sep, b: a + sep + b, st.sampled_from(TEXTS), st.sampled_from((" ", ",", "=", "\n", "")), st.sampled_from(TEXTS)),
)  # fmt: skip
names = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(NAMES).map(str.upper),
    st.sampled_from(NAMES).map(lambda name: f"app:{name}"),
    st.text(max_size=12),
)
path_steps = st.one_of(st.sampled_from(KEYS), st.integers(0, 3), st.text(max_size=8))
paths = st.lists(path_steps, max_size=5).map(tuple) | st.sampled_from(PATHS)


@st.composite
def values(draw: st.DrawFn) -> Value:
    """A value as any walk may yield one: a name, a path that may end in the name or an index,
    a text, maybe a secret, maybe unknown, maybe decoded."""
    name = draw(names)
    path = draw(paths)
    tail = draw(st.sampled_from(("name", "name", "index", "none" if path else "name")))
    if tail == "name":
        path = (*path, name)
    elif tail == "index":
        path = (*path, draw(st.integers(0, 3)))
    unknown = draw(st.sampled_from((False, False, False, True)))
    text = "" if unknown and draw(st.booleans()) else draw(texts)
    return Value(
        path, text, name, secret=draw(st.booleans()), unknown=unknown,
        decoded=draw(st.sampled_from(("", "", "json", "base64"))),
    )  # fmt: skip


@pytest.mark.parametrize("rule", VALUE_RULES, ids=lambda rule: rule.id)
@given(value=values(), label=st.sampled_from(sorted(CONTEXTS)))
def test_rule_finds_nothing_outside_its_reads_on_any_value(
    rule: Rule, value: Value, label: str
) -> None:
    """The same promise on generated values: names, paths and texts mixed at random."""
    assert leaks(rule, value, CONTEXTS[label]) == []


# --- 2. the gate keeps every value with a facet -----------------------------------------------

ENTRY_NAME_KEYS = ("name", "key", "variableName", "secretName", "settingName")
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=10)).filter(lambda key: key != "<<")
leaves = st.one_of(
    texts, st.integers(-5, 5000), st.booleans(), st.none(), st.just(UNKNOWN_SENTINEL)
)


def secret_of(plaintext: Any, encoded: bool) -> dict[str, Any]:
    """A Pulumi secret as a preview or state holds it once decrypted."""
    inner = json.dumps(plaintext) if encoded else plaintext
    return {SECRET_SIG_KEY: SECRET_SIG_VALUE, "plaintext" if encoded else "value": inner}


CIPHERTEXT = {SECRET_SIG_KEY: SECRET_SIG_VALUE, "ciphertext": "v1:AAAAbbbbCCCCdddd"}


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=4),
        st.builds(
            lambda key, name, value: {key: name, "value": value},
            st.sampled_from(ENTRY_NAME_KEYS), names, children,
        ),  # a {name, value} entry: the value is known by the entry's name
        st.builds(secret_of, children, st.booleans()),
        st.builds(secret_of, texts, st.just(False)),  # plaintext that is no JSON
        st.just(CIPHERTEXT),
        st.builds(json.dumps, children),  # JSON inside a string (ECS container definitions)
        children.map(lambda child: b64(json.dumps(child))),  # base64 (a Kubernetes Secret)
    )  # fmt: skip


structures = st.recursive(leaves, containers, max_leaves=24)
# A resource's properties or a stack's config: a mapping of names to structures.
documents = st.dictionaries(keys | st.sampled_from(NAMES), structures, min_size=1, max_size=8)


def identity(value: Value, lines: bool = False) -> tuple[Any, ...]:
    found = (value.path, value.text, value.name, value.secret, value.unknown, value.decoded)
    return (*found, value.line, value.column) if lines else found


def assert_gate_keeps_every_value_with_a_facet(
    ungated: list[Value], gated: list[Value], ctx: StackContext, lines: bool = False
) -> None:
    with_facets = Counter(identity(v, lines) for v in ungated if facets_of(v, ctx))
    missing = with_facets - Counter(identity(v, lines) for v in gated)
    assert not missing, "the gate dropped values with a facet: " + "; ".join(
        f"{v!r} ({Facet(facets_of(v, ctx))!r})" for v in ungated if identity(v, lines) in missing
    )
    # The gate only leaves values out: it neither invents nor reorders any.
    remaining = iter([identity(v, lines) for v in ungated])
    assert all(kept in remaining for kept in (identity(v, lines) for v in gated))


@given(
    data=documents | structures,
    prefix=st.sampled_from((("config",), ("api-deployment",), ("openai-config",), ("r", "outputs"))),
    catalog=st.sampled_from(sorted(CATALOG_CONTEXTS)),
)  # fmt: skip
def test_gate_keeps_every_value_with_a_facet_in_json(
    data: Any, prefix: tuple[str, ...], catalog: str
) -> None:
    """Preview and state properties: every value with a facet is still there with the gate,
    so no rule and no report misses it."""
    ctx = CATALOG_CONTEXTS[catalog]
    ungated = list(walk_data(data, prefix))
    gated = list(walk_data(data, prefix, gate=FacetGate(ctx.catalog)))
    assert_gate_keeps_every_value_with_a_facet(ungated, gated, ctx)


ASCII = st.text(st.characters(max_codepoint=127), max_size=6)
CLUE_WORDS = (
    "openai", "azure", "xn--", "sk-", "OPENAI_API_BASE=", "{", "[", "aGVsbG8gd29y",
    "\u043epenai", "\u0430zure", "\uff4f\uff50\uff45\uff4e\uff41\uff49",  # look-alikes
)  # fmt: skip
CLUE_TEXTS = st.one_of(
    st.text(),
    st.builds(
        lambda before, word, upper, after: before + (word.upper() if upper else word) + after,
        ASCII, st.sampled_from(CLUE_WORDS), st.booleans(), ASCII,
    ),
    st.binary(min_size=1, max_size=30).map(lambda raw: base64.b64encode(raw).decode()),
    st.text(min_size=6, max_size=30).map(lambda text: base64.b64encode(text.encode()).decode()),
    st.builds(json.dumps, st.lists(st.text(max_size=8), max_size=3)),
)  # fmt: skip


@given(text=CLUE_TEXTS)
def test_a_text_without_a_clue_is_one_the_gate_would_drop_anyway(text: str) -> None:
    """The gate's one-pass clue search only answers early what its full test would answer."""
    if facets._CLUES.search(text) is None:
        assert not (
            "sk-" in text or "OPENAI_API_BASE=" in text or decodes(text) or mentions_openai(text)
        ), text


def placements(text: str) -> dict[str, Any]:
    """``text`` everywhere a stack or a resource may hold it: under every name, in an env
    list, as a secret, below an OpenAI-named key, in a models or surfaces list."""
    return {
        "config": {name: text for name in NAMES},
        "env": [{"name": name, "value": text} for name in NAMES],
        "secrets": [{"name": name, "value": secret_of(text, True)} for name in NAMES],
        "app:openai": {name: text for name in NAMES},
        "settings": {"openai": {"endpoint": text}, "models": {"chat": [text]}},
        "residency-guard:surfaces": [text],
        "app": {"surfaces": text, "chatModels": [text], "modelFormat": text},
    }


@pytest.mark.parametrize("catalog", sorted(CATALOG_CONTEXTS))
def test_gate_keeps_every_value_with_a_facet_on_the_grid(catalog: str) -> None:
    """Every text of the grid, in every placement and under every path of the grid: the
    walk with the gate still yields each value that has a facet."""
    ctx = CATALOG_CONTEXTS[catalog]
    gate = FacetGate(ctx.catalog)
    for text in TEXTS:
        data = placements(text)
        assert_gate_keeps_every_value_with_a_facet(
            list(walk_data(data, ("r",))), list(walk_data(data, ("r",), gate=gate)), ctx
        )
        for path in PATHS:
            for name in (path[-1] if isinstance(path[-1], str) else "", "x", "OPENAI_MODEL"):
                assert_gate_keeps_every_value_with_a_facet(
                    list(walk_data(text, path, name=name)),
                    list(walk_data(text, path, name=name, gate=gate)),
                    ctx,
                )


def yaml_leaves() -> st.SearchStrategy[Any]:
    return leaves | st.builds(
        lambda text: {"secure": text}, st.sampled_from(("v1:AAAAbbbb", "", FAKE_KEY))
    )


def yaml_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    shared = st.builds(lambda key, child: {key: child, f"{key}Copy": child}, keys, children)
    return containers(children) | shared  # one object twice: an anchor and an alias


yaml_structures = st.recursive(yaml_leaves(), yaml_containers, max_leaves=24)


def yaml_document(text: str) -> Any:
    try:
        return load_yaml(text, "Pulumi.generated.yaml")
    except InputError:  # PyYAML wrote what it cannot read back: not the gate's business
        assume(False)


@given(
    config=st.dictionaries(keys | st.sampled_from(NAMES), yaml_structures, max_size=8),
    wrap=st.booleans(),
    allow_unicode=st.booleans(),
    catalog=st.sampled_from(sorted(CATALOG_CONTEXTS)),
)
def test_gate_keeps_every_value_with_a_facet_in_yaml(
    config: dict[str, Any], wrap: bool, allow_unicode: bool, catalog: str
) -> None:
    """Stack files (and project config defaults): every value with a facet is still there
    with the gate, at the same line and column."""
    ctx = CATALOG_CONTEXTS[catalog]
    gate = FacetGate(ctx.catalog)
    data = {"config": config} if wrap else config
    document = yaml_document(yaml.safe_dump(data, allow_unicode=allow_unicode, sort_keys=False))
    ungated, gated = list(walk_yaml(document)), list(walk_yaml(document, gate=gate))
    assert_gate_keeps_every_value_with_a_facet(ungated, gated, ctx, lines=True)
    # A project file's defaults are walked from each config entry, by its full name.
    for key, node in document.mapping(document.get("config") if wrap else None).items():
        start = ("config", key)
        ungated = list(walk_yaml(document, node, start, name=f"shop:{key}"))
        gated = list(walk_yaml(document, node, start, name=f"shop:{key}", gate=gate))
        assert_gate_keeps_every_value_with_a_facet(ungated, gated, ctx, lines=True)


# Stack files written by hand: anchors, merge keys (first source wins), duplicate keys,
# `secure:` values, block scalars, env lists, JSON and base64 in strings, nulls.
HANDWRITTEN = {
    "anchors-and-merges": """\
config:
  residency-guard:region: eu
  app:defaults: &defaults
    baseUrl: https://api.openai.com/v1
    chatModel: gpt-4o
  app:openai:
    <<: *defaults
    url: https://eu.api.openai.com/v1
  app:service:
    <<: [*defaults, {model: o4-mini}]
    name: checkout
  app:models: &models [gpt-4o, gpt-4.1-2025-04-14]
  app:chatModels: *models
""",
    "duplicates-and-secure": f"""\
config:
  residency-guard:region: eu
  app:OPENAI_BASE_URL: https://eu.api.openai.com/v1
  app:OPENAI_BASE_URL: https://api.openai.com/v1
  app:openaiBaseUrl:
    secure: v1:AAAAbbbbCCCC
  app:apiKey:
    secure: v1:DDDDeeee
  app:token: {FAKE_KEY}
  OPENAI_API_BASE:
  app:empty: ~
  app:note: |
    run with OPENAI_API_BASE=https://eu.api.openai.com/v1
    and https://api.openai.com/v1/assistants
  app:script: export OPENAI_API_BASE=${{GATEWAY}}
  app:openai:
    baseUrl: https://llm-proxy.internal/v1
    logoUrl: https://cdn.example.com/logo.png
    chat: gpt-4o
""",
    "env-lists-and-encodings": f"""\
config:
  residency-guard:region: us
  residency-guard:surfaces: [chat, assistants, realtime, telepathy]
  app:containers:
    - name: api
      env:
        - name: OPENAI_BASE_URL
          value: https://api.openai.eu/v1
        - name: OPENAI_MODEL
          value: gpt-4o
        - key: LOG_LEVEL
          value: info
  app:taskDefinition: '{json.dumps([{"environment": [{"name": "OPENAI_API_BASE", "value": EU}]}])}'
  app:secretData:
    OPENAI_BASE_URL: {b64("https://us.api.openai.com/v1")}
    token: {b64(FAKE_KEY)}
  app:gateway: https://llm-gw.corp.example/v1
  app:azure: https://myoai.openai.azure.com/
  residency-guard:models:
    chat: [gpt-4o-2024-11-20]
    embeddings: [text-embedding-3-small]
""",
    "homoglyphs-and-forms": """\
config:
  residency-guard:region: gb
  app:openaiBaseUrl: "https://\\u0430pi.openai.com/v1"
  app:fallback: https://xn--pi-6kc.openai.com/v1
  app:host: ${OPENAI_HOST}
  OPENAI_BASE_URL: https://${OPENAI_HOST}/v1
  app:proxy: http://user@gb.api.openai.com:8443/v1
  app:list:
    - - https://eu.api.openai.com.attacker.io
      - [gpt-4o, {model: gpt-4-0613}]
""",
}


@pytest.mark.parametrize("text", HANDWRITTEN.values(), ids=HANDWRITTEN.keys())
@pytest.mark.parametrize("catalog", sorted(CATALOG_CONTEXTS))
def test_gate_keeps_every_value_with_a_facet_in_handwritten_stacks(text: str, catalog: str) -> None:
    """YAML that the engine and PyYAML read differently keeps its values with a facet too."""
    ctx = CATALOG_CONTEXTS[catalog]
    document = load_yaml(text, "Pulumi.prod.yaml")
    ungated = list(walk_yaml(document))
    gated = list(walk_yaml(document, gate=FacetGate(ctx.catalog)))
    assert_gate_keeps_every_value_with_a_facet(ungated, gated, ctx, lines=True)
    assert len(gated) < len(ungated)  # the gate does drop something here: a real test


# --- 3. whole scans: the same findings and report with no gate --------------------------------

TODAY = datetime.date(2026, 1, 15)
INPUTS = ReportInputs(
    tool_version="test", generated_at="2026-01-15T00:00:00Z", git_commit="n/a",
    policy_pack_version="n/a", inputs_sha256="0" * 64,
)  # fmt: skip


def everything(value: Value, ctx: StackContext) -> int:
    return int(Facet.ALL)


def switch_gate_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every string becomes a value and every value rule runs on every value."""
    monkeypatch.setattr(FacetGate, "hot_key", lambda self, key: True)
    monkeypatch.setattr(FacetGate, "keep", lambda self, text, name: True)
    monkeypatch.setattr(facets, "facets_of", everything)
    monkeypatch.setattr(evaluate, "facets_of", everything)  # imported by name there


class Spy(Rule):
    id = "RG999"
    name = "spy"
    title = "records what it is called on"
    severity = Severity.NOTE
    source_url = "https://example.com"
    reads = Facet.MODEL

    def __init__(self) -> None:
        self.seen: list[Value] = []

    def check_value(self, value: Value, ctx: StackContext) -> Iterable[Finding]:
        self.seen.append(value)
        return ()


def test_switching_the_gate_off_reaches_the_walks_and_the_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Guards the end-to-end tests: without this, "the same with no gate" could compare the
    gate with itself."""
    plain = {"LOG_LEVEL": "info"}
    spy = Spy()
    assert list(walk_data(plain, gate=FacetGate(SHIPPED))) == []
    assert evaluate.evaluate_values(walk_data(plain), CONTEXTS["eu"], {spy.id: spy}) == []
    assert spy.seen == []
    switch_gate_off(monkeypatch)
    assert len(list(walk_data(plain, gate=FacetGate(SHIPPED)))) == 1
    evaluate.evaluate_values(walk_data(plain), CONTEXTS["eu"], {spy.id: spy})
    assert [value.text for value in spy.seen] == ["info"]


def outcome(paths: Sequence[Path], catalogs: Sequence[Path] = ()) -> dict[str, Any]:
    """What a user sees of a scan: the JSON report of `check` and the evidence report's data."""
    run = scan_paths(paths, catalogs=catalogs, today=TODAY)
    report = RunReport(
        findings=run.findings, scanned=run.files, errors=[e.one_line() for e in run.errors],
        tool_version="test", fail_on=Severity.ERROR,
    )  # fmt: skip
    return {
        "check": json.loads(JsonReporter().render(report)),
        "report": build_report(run, INPUTS),
        "values": sum(len(scan.values) for scan in run.scans),
    }


FIXTURES = ROOT / "tests" / "fixtures"


def fixture_cases() -> dict[str, list[Path]]:
    """The example stacks, and the test fixtures' stack files, previews, state exports and
    dotenv files, folder by folder (each with its own residency-guard.yaml); Pulumi projects
    also as projects, so that their config defaults are judged."""
    cases: dict[str, list[Path]] = {"stacks/ (the example project)": [ROOT]}
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and classify_file(path) is not None:
            cases.setdefault(str(path.parent.relative_to(ROOT)), []).append(path)
        elif path.name in ("Pulumi.yaml", "Pulumi.yml"):
            cases[f"{path.parent.relative_to(ROOT)} (project)"] = [path.parent]
    return cases


FIXTURE_CASES = fixture_cases()


def assert_same_with_and_without_gate(
    monkeypatch: pytest.MonkeyPatch, paths: Sequence[Path], catalogs: Sequence[Path] = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    gated = outcome(paths, catalogs)
    switch_gate_off(monkeypatch)
    ungated = outcome(paths, catalogs)
    assert gated["check"] == ungated["check"]
    assert gated["report"] == ungated["report"]
    assert gated["values"] <= ungated["values"]
    return gated, ungated


@pytest.mark.parametrize("paths", FIXTURE_CASES.values(), ids=FIXTURE_CASES.keys())
def test_example_stacks_and_fixtures_give_the_same_findings_and_report_without_the_gate(
    paths: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check --format json` and the evidence report say the same with and without the gate."""
    assert_same_with_and_without_gate(monkeypatch, paths)


# Named otherwise in the repository so that `check` at its root (dotenv files at any depth)
# does not judge it; judged here under its real name.
DOTENV_FIXTURE = FIXTURES / "report" / "project" / "dotenv.prod-eu.in"


def test_the_dotenv_fixture_gives_the_same_findings_without_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env.prod-eu"
    dotenv.write_text(DOTENV_FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    assert classify_file(dotenv) == "dotenv"
    assert_same_with_and_without_gate(monkeypatch, [dotenv])


def test_fixtures_are_found() -> None:
    """Guards the tests above against a fixture folder that moved."""
    kinds = {classify_file(p) for paths in FIXTURE_CASES.values() for p in paths if p.is_file()}
    assert {"stack-file", "pulumi-json"} <= kinds
    assert DOTENV_FIXTURE.is_file()
    assert len(FIXTURE_CASES) >= 8


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bench/corpus.py's project of 60 stacks, a 300-resource preview and state export
    (as generated: an EU stack; and moved to US and AE, where its endpoints and some models
    are findings), the hand-written stacks as a project with config defaults, a team catalog."""
    root = tmp_path_factory.mktemp("corpus")
    corpus.write_stacks(root / "stacks", 60)
    json_dir = root / "json"
    json_dir.mkdir()
    (json_dir / "residency-guard.yaml").write_text(corpus.REPO_CONFIG, encoding="utf-8")
    preview = corpus.write_preview(json_dir / "preview.json", 300)
    state = corpus.write_state(json_dir / "state.json", 300)
    for region in ("us", "ae"):
        for source in (preview, state):
            text = source.read_text(encoding="utf-8")
            text = text.replace(
                '"residency-guard:region": "eu"', f'"residency-guard:region": "{region}"'
            )
            text = text.replace('"region": "eu"', f'"region": "{region}"')
            (json_dir / f"{region}-{source.name}").write_text(text, encoding="utf-8")
    project = root / "handwritten"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: shop\nruntime: python\nconfig:\n"
        "  openaiBaseUrl: https://api.openai.com/v1\n"
        "  chatModel: {type: string, default: gpt-4o}\n"
        "  residency-guard:surfaces: {type: array, default: [chat, assistants]}\n"
        "  logLevel: {default: info}\n"
        f"  settings: {{openai: {{url: https://api.openai.eu/v1}}, token: {FAKE_KEY}}}\n",
        encoding="utf-8",
    )
    for number, text in enumerate(HANDWRITTEN.values()):
        region = text.split("residency-guard:region: ", 1)[1].split("\n", 1)[0]
        (project / f"Pulumi.hand{number}-{region}.yaml").write_text(text, encoding="utf-8")
    (root / "team-catalog.yaml").write_text(TEAM_CATALOG, encoding="utf-8")
    return root


CORPUS_CASES: dict[str, Callable[[Path], tuple[list[Path], list[Path]]]] = {
    "60 stacks": lambda root: ([root / "stacks"], []),
    "60 stacks, team catalog": lambda root: ([root / "stacks"], [root / "team-catalog.yaml"]),
    "preview and state, eu": lambda root: (
        [root / "json" / "preview.json", root / "json" / "state.json"], []
    ),
    "preview and state, moved to us": lambda root: (
        [root / "json" / "us-preview.json", root / "json" / "us-state.json"], []
    ),
    "preview and state, moved to ae": lambda root: (
        [root / "json" / "ae-preview.json", root / "json" / "ae-state.json"], []
    ),
    "hand-written stacks with project defaults": lambda root: ([root / "handwritten"], []),
    "hand-written stacks, team catalog": lambda root: (
        [root / "handwritten"], [root / "team-catalog.yaml"]
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CORPUS_CASES)
def test_generated_corpus_gives_the_same_findings_and_report_without_the_gate(
    case: str, generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, catalogs = CORPUS_CASES[case](generated)
    gated, ungated = assert_same_with_and_without_gate(monkeypatch, paths, catalogs)
    if case != "preview and state, eu":  # as generated, 300 resources break no rule
        assert gated["check"]["findings"], "a corpus with no findings proves little"
    assert not gated["check"]["errors"]
    if case.startswith(("60 stacks", "hand-written")):
        assert gated["values"] < ungated["values"]  # the gate was on, then off
