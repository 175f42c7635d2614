"""``Pulumi.<stack>.yaml``: the stack's config, every string in it, its declared region, and
what it draws from other files (ESC environments, its project file's defaults and program)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from residency_guard.configkeys import Spelling, engine_key, spellings
from residency_guard.envblocks import (
    KEY_VAR,
    EnvBlock,
    EnvEntry,
    env_blocks,
    yaml_names_key,
    yaml_tree,
)
from residency_guard.errors import InputError
from residency_guard.repoconfig import RepoConfig
from residency_guard.sources.document import Document, Part, Subject
from residency_guard.sources.esc import esc_folder, resolve_stack_environment
from residency_guard.sources.files import MAX_YAML_BYTES, SourceCache
from residency_guard.sources.yaml_program import is_yaml_program, main_file, read_yaml_program
from residency_guard.stackregion import (
    REGION_KEY,
    Declaration,
    config_declarations,
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


def stack_name_of(path: Path) -> str | None:
    """``Pulumi.prod-eu.yaml`` -> ``prod-eu``; None for any other file name."""
    name = path.name
    for suffix in (".yaml", ".yml"):
        if name.startswith("Pulumi.") and name.endswith(suffix):
            stack = name[len("Pulumi.") : -len(suffix)]
            return stack or None
    return None


def read_stack_file(
    path: Path, gate: Gate, repo: RepoConfig, *, text: str | None = None,
    project_default_region: Declaration | None = None, project_file: Path | None = None,
    sources: SourceCache | None = None,
) -> Document:  # fmt: skip
    """One stack file, the ESC environments it imports and the config defaults (and YAML
    program) its project file gives it.

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
    esc = resolve_stack_environment(
        document, folder, project_name or "", sources.esc, sources.text
    )
    config = document.get("config")
    written = spellings(document, config, project_name)
    declarations = stack_declarations(
        stack, repo, config=config_declarations(written, file), esc=esc.declarations,
        project_default=project_default_region,
    )  # fmt: skip
    read = Document(
        Subject(stack), file, "stack-file", list(walk_yaml(document, gate=gate)),
        declarations=declarations, missing_environments=esc.missing,
        ambiguities=[*document.ambiguities, *respellings(written)],
    )  # fmt: skip
    # Env maps in config, and the ESC environment's variables (judged where residency holds).
    if document.may_hold(KEY_VAR) and yaml_names_key(config):
        read.env_blocks = env_blocks(yaml_tree(document, config), ("config",))
    variables = [
        EnvEntry(v.name, None if v.unknown else v.text, v.path, v.line, v.column, file)
        for file, found in esc.values.items()
        for v in found
        if v.path[:-1] == ("values", "environmentVariables") and not v.decoded
    ]
    if variables:
        read.env_blocks.append(EnvBlock(("environmentVariables",), tuple(variables)))
    # Judged against this stack's region, located in the environment's definition.
    read.parts = [Part(esc_file, esc_values) for esc_file, esc_values in esc.values.items()]
    read.key_files = _definition_values(esc.definitions, gate, sources.esc)
    if project_file is not None and project is not None:
        overridden = set(written) | {engine_key(k, project_name) or k for k in esc.config_keys}
        # Judged against this stack's region, located in the project file.
        defaults = project_defaults(project, overridden, gate)
        read.parts.append(Part(str(project_file), defaults))
        if is_yaml_program(project):
            read.parts += _program_parts(project, project_file, sources)
    return read


def _definition_values(
    definitions: dict[str, YamlDocument], gate: Gate, shared: dict[Any, Any]
) -> dict[str, list[Value]]:
    """The gated values of each imported ESC definition, walked once per run: many stacks
    import one definition (``shared`` keeps them)."""
    found: dict[str, list[Value]] = {}
    for file, document in definitions.items():
        cached = shared.get(("gated values", id(document)))
        if cached is None or cached[0] is not document:
            cached = shared[("gated values", id(document))] = (
                document, list(walk_yaml(document, gate=gate))
            )  # fmt: skip
        found[file] = cached[1]
    return found


def _program_parts(project: YamlDocument, project_file: Path, sources: SourceCache) -> list[Part]:
    """A Pulumi YAML program's resources and variables, file by file; an Azure link may name
    a resource of either file."""
    main = main_file(project, project_file)
    documents = [project, *([sources.document(main)] if main is not None else [])]
    programs = [read_yaml_program([document]) for document in documents]
    resources = {r.name: r for program in programs for r in program.resources}
    return [Part(p.file, p.values, p.resources, resources) for p in programs]


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
