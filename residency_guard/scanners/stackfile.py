"""``Pulumi.<stack>.yaml``: the stack's config, every string in it, its declared region."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from residency_guard.catalog.model import Catalog
from residency_guard.configkeys import Spelling, engine_key, spellings
from residency_guard.context import StackContext
from residency_guard.envblocks import (
    KEY_VAR,
    EnvBlock,
    EnvEntry,
    env_blocks,
    yaml_names_key,
    yaml_tree,
)
from residency_guard.errors import InputError
from residency_guard.evaluate import (
    evaluate_env_blocks,
    evaluate_resource,
    evaluate_stack,
    evaluate_values,
    unique,
)
from residency_guard.facets import FacetGate
from residency_guard.findings import Finding
from residency_guard.repoconfig import RepoConfig
from residency_guard.rules import RULES
from residency_guard.scanners.files import MAX_YAML_BYTES, SourceCache
from residency_guard.sources.esc import esc_folder, resolve_stack_environment
from residency_guard.sources.yaml_program import is_yaml_program, main_file, read_yaml_program
from residency_guard.stackregion import (
    REGION_KEY,
    Declaration,
    RegionResolution,
    config_declarations,
    resolve_region,
    stack_declarations,
)
from residency_guard.values import Gate, Value
from residency_guard.yamlfile import (
    Ambiguity,
    YamlDocument,
    is_null,
    load_yaml,
    scalar_text,
    walk_yaml,
)

PLAINTEXT_KEY = "RG007"


@dataclass
class StackScan:
    """What one scan of one stack found; the report builds on it."""

    stack: str
    file: str
    kind: str  # "stack-file", "preview", "state", "dotenv"
    resolution: RegionResolution
    findings: list[Finding] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    project: str = ""


def stack_name_of(path: Path) -> str | None:
    """``Pulumi.prod-eu.yaml`` -> ``prod-eu``; None for any other file name."""
    name = path.name
    for suffix in (".yaml", ".yml"):
        if name.startswith("Pulumi.") and name.endswith(suffix):
            stack = name[len("Pulumi.") : -len(suffix)]
            return stack or None
    return None


def scan_stack_file(
    path: Path, catalog: Catalog, repo: RepoConfig, *, text: str | None = None,
    project_default_region: Declaration | None = None, project_file: Path | None = None,
    sources: SourceCache | None = None,
) -> StackScan:  # fmt: skip
    """Judge one stack file, and the config defaults its project file gives it.

    ``sources`` keeps what a run reads more than once (the project file, the text for
    suppressions); without it every file is read here.
    """
    sources = sources if sources is not None else SourceCache()
    file = str(path)
    stack = stack_name_of(path)
    if stack is None:
        raise InputError(
            "not a stack file name", file=file, fix="stack files are named Pulumi.<stack>.yaml"
        )
    source = sources.text(path, MAX_YAML_BYTES) if text is None else text
    document = load_yaml(source, file)
    root = document.root
    if root is not None and not isinstance(root, yaml.MappingNode) and not is_null(root):
        # ("---" alone, or "~", is an empty stack, as for the engine; `{}` is a mapping)
        raise InputError(
            "a stack file holds a mapping (config:, ...) at the top", file=file, line=1,
            fix="see https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/",
        )  # fmt: skip
    project = sources.document(project_file) if project_file is not None else None
    project_name = scalar_text(project.get("name")) if project is not None else None
    # The ESC environments it imports: their pulumiConfig is stack config below the file's own.
    # (Their folder is looked for, a stat per candidate, only by a stack that imports some.)
    imports_esc = document.get("environment") is not None
    folder = esc_folder(repo, path, project_file) if imports_esc else None
    esc = resolve_stack_environment(document, folder, project_name or "", sources.esc)
    config = document.get("config")
    written = spellings(document, config, project_name)
    declarations = stack_declarations(
        stack, repo, config=config_declarations(written, file), esc=esc.declarations,
        project_default=project_default_region,
    )  # fmt: skip
    resolution = resolve_region(declarations)
    ambiguities = [*document.ambiguities, *respellings(written)]
    ctx = StackContext(
        catalog, stack, file, resolution, repo, ambiguities=ambiguities,
        missing_environments=esc.missing,
    )  # fmt: skip
    # Only the values that may have a facet: the rules read no other, nor does the report.
    gate = FacetGate(catalog)
    values = list(walk_yaml(document, gate=gate))
    findings = evaluate_stack(ctx) + evaluate_values(values, ctx)
    if ctx.residency is not None:  # env maps in config, and the ESC environment's variables
        if document.may_hold(KEY_VAR) and yaml_names_key(config):
            blocks = env_blocks(yaml_tree(document, config), ("config",))
            findings += evaluate_env_blocks(blocks, ctx)
        variables = [
            EnvEntry(v.name, None if v.unknown else v.text, v.path, v.line, v.column, file)
            for file, found in esc.values.items()
            for v in found
            if v.path[:-1] == ("values", "environmentVariables") and not v.decoded
        ]
        if variables:
            findings += evaluate_env_blocks(
                [EnvBlock(("environmentVariables",), tuple(variables))], ctx
            )
    for esc_file, esc_values in esc.values.items():
        # Judged against this stack's region, located in the environment's definition.
        esc_ctx = StackContext(catalog, stack, esc_file, resolution, repo)
        findings += evaluate_values(esc_values, esc_ctx)
    findings += _keys_in_definitions(
        esc.definitions, findings, StackContext(catalog, stack, file, resolution, repo),
        sources.esc,
    )  # fmt: skip
    if project_file is not None and project is not None:
        overridden = set(written) | {engine_key(k, project_name) or k for k in esc.config_keys}
        defaults = project_defaults(project, overridden, gate)
        # Judged against this stack's region, located in the project file.
        project_ctx = StackContext(catalog, stack, str(project_file), resolution, repo)
        findings += evaluate_values(defaults, project_ctx)
        if is_yaml_program(project):
            findings += _program_findings(project, project_file, sources, project_ctx)
    return StackScan(stack, file, "stack-file", resolution, unique(findings), values)


def _keys_in_definitions(
    definitions: dict[str, YamlDocument], found: list[Finding], ctx: StackContext,
    shared: dict[Any, Any],
) -> list[Finding]:  # fmt: skip
    """RG007 for a plaintext key anywhere in an imported ESC definition file, as checkov reads
    the file: under a key no stack sees (`values: {openai: {apiKey: ...}}`) or one an importer
    overrides, it is still a key in a committed file. Where the evaluated values already
    report a key (the same line), that finding stands. ``shared`` keeps each definition's
    gated values for the run: many stacks import one definition."""
    reported = {(f.file, f.line) for f in found if f.rule == PLAINTEXT_KEY}
    gate = FacetGate(ctx.catalog)
    more: list[Finding] = []
    for file, document in definitions.items():
        cached = shared.get(("gated values", id(document)))
        if cached is None or cached[0] is not document:
            cached = shared[("gated values", id(document))] = (
                document, list(walk_yaml(document, gate=gate))
            )  # fmt: skip
        here = StackContext(ctx.catalog, ctx.stack, file, ctx.resolution, ctx.repo)
        keys = evaluate_values(cached[1], here, {PLAINTEXT_KEY: RULES[PLAINTEXT_KEY]})
        more += [f for f in keys if (f.file, f.line) not in reported]
    return more


def _program_findings(
    project: YamlDocument, project_file: Path, sources: SourceCache, ctx: StackContext
) -> list[Finding]:
    """A Pulumi YAML program's resources and variables, judged for this stack's region."""
    main = main_file(project, project_file)
    documents = [project, *([sources.document(main)] if main is not None else [])]
    programs = [read_yaml_program([document]) for document in documents]
    resources = {r.name: r for program in programs for r in program.resources}
    findings: list[Finding] = []
    for program in programs:
        here = dataclasses.replace(ctx, file=program.file, resources=resources)
        findings += evaluate_values(program.values, here)
        for resource in program.resources:
            findings += evaluate_resource(resource, here)
    return findings


def respellings(written: dict[str, list[Spelling]]) -> list[Ambiguity]:
    """One ambiguity per second spelling of a config key: the engine's pick is Go map order."""
    found = []
    for engine, forms in written.items():
        first = forms[0]
        for other in forms[1:]:
            found.append(
                Ambiguity(
                    other.line, other.value.start_mark.column + 1,
                    f"'{other.key}' and '{first.key}' (line {first.line}) are one config key "
                    f"to the Pulumi engine ('{engine}'); which value it reads depends on Go's "
                    "map order", f"keep one '{engine}'",
                )
            )  # fmt: skip
    return found


def project_defaults(
    project: YamlDocument, overridden: set[str], gate: Gate | None = None
) -> list[Value]:
    """The config values a project file (``Pulumi.yaml``) gives every stack that does not set
    them itself (``overridden``: the keys the stack sets, as the engine reads them):
    ``key: value``, ``key: {default: value}`` or ``{value: ...}``.

    A stack inherits them as if its own file said so: an `OPENAI_BASE_URL` default there reaches
    every workload of every stack that does not override it.
    """
    name = scalar_text(project.get("name"))
    values: list[Value] = []
    config = project.get("config")
    if config is None:  # mapping(None) is the root: a project without config: has no defaults
        return values
    for key, node in project.mapping(config).items():
        full = engine_key(key, name) or key
        if full == REGION_KEY or full in overridden:
            continue
        target: yaml.Node | None = node
        if isinstance(node, yaml.MappingNode):
            entries = project.mapping(node)
            target = entries.get("default", entries.get("value"))
            if target is None and not set(entries) <= _SCHEMA_KEYS:
                target = node  # an object value, not a typed declaration
        if target is not None:
            values.extend(walk_yaml(project, target, ("config", key), name=full, gate=gate))
    return values


# The keys of a typed project config declaration without a default: nothing to judge.
_SCHEMA_KEYS = frozenset({"type", "description", "secret", "items"})
