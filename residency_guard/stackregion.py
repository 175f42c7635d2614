"""Where a stack's region comes from, and what happens when two sources disagree."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from residency_guard.configkeys import Spelling, spellings
from residency_guard.repoconfig import FILE_NAME, RepoConfig
from residency_guard.yamlfile import YamlDocument, scalar_text

# The config key every front end reads (``residency-guard`` is the shared config namespace).
REGION_KEY = "residency-guard:region"
# The type token of the OpenAIResidency component; its `region` output is a declaration.
COMPONENT_TYPE = "residency-guard:index:OpenAIResidency"
# The stack tag the policy pack reads.
REGION_TAG = "residency-guard:region"


class RegionSource(str, Enum):
    """A place a region can be declared, in order of precedence (first wins, any clash is RG009)."""

    COMMAND_LINE = "command line"  # `check --region R FILE...`
    POLICY_CONFIG = "policy-pack config"
    STACK_TAG = "stack tag"
    STACK_CONFIG = "stack config"
    ESC = "esc"  # an ESC environment's pulumiConfig: stack config below the stack file's
    REPO_MAPPING = "residency-guard.yaml"
    COMPONENT = "component"


PRECEDENCE = tuple(RegionSource)


@dataclass(frozen=True)
class Declaration:
    """One source's claim about a stack's region."""

    region: str
    source: RegionSource
    where: str  # "stacks/Pulumi.prod-eu.yaml:3", "stacks: prod-eu-* in residency-guard.yaml"
    line: int = 0
    file: str = ""


@dataclass(frozen=True)
class RegionResolution:
    """The region a stack is held to, where it came from, and every claim made about it."""

    region: str | None
    source: RegionSource | None
    declarations: tuple[Declaration, ...]

    @property
    def conflicting(self) -> bool:
        return len({d.region for d in self.declarations}) > 1

    @property
    def declared(self) -> bool:
        return bool(self.declarations)


def resolve_region(declarations: list[Declaration]) -> RegionResolution:
    """The highest-precedence declaration wins; every other region claimed is kept for RG009."""
    normalized = [
        Declaration(d.region.strip().lower(), d.source, d.where, d.line, d.file)
        for d in declarations
        if d.region and d.region.strip()
    ]
    ordered = sorted(normalized, key=lambda d: PRECEDENCE.index(d.source))
    if not ordered:
        return RegionResolution(None, None, ())
    return RegionResolution(ordered[0].region, ordered[0].source, tuple(ordered))


def stack_name_from_urn(urn: str) -> str:
    """``urn:pulumi:<stack>::<project>::<type>::<name>`` -> ``<stack>``."""
    if urn.startswith("urn:pulumi:"):
        return urn[len("urn:pulumi:") :].split("::", 1)[0]
    return ""


# --- The declarations: every front end gathers a stack's claims with these ---------------
#
# A claim's ``where`` is what RG009 and the outputs show, so each source keeps its wording.

UNDECLARED = RegionResolution(None, None, ())  # a file judged without a region (RG007 only)


def stack_declarations(
    stack: str, repo: RepoConfig, *, engine: Iterable[Declaration] = (),
    config: Iterable[Declaration] = (), esc: Iterable[Declaration] = (),
    project_default: Declaration | None = None, components: Iterable[Declaration] = (),
) -> list[Declaration]:  # fmt: skip
    """Every claim about ``stack``'s region, as each front end finds it: what the engine tells
    a policy pack (``engine``), the stack's config, its ESC environments, the project's default
    (only when neither the config nor an environment sets the key: it is a default), the
    ``stacks:`` mapping of ``repo`` and ``OpenAIResidency`` components. Each source keeps its
    order; ``resolve_region`` ranks the sources."""
    claims = [*engine, *config, *esc]
    if project_default is not None and not any(
        d.source in (RegionSource.STACK_CONFIG, RegionSource.ESC) for d in claims
    ):
        claims.append(project_default)
    return [*claims, *mapping_declarations(repo, stack), *components]


def config_declarations(written: Mapping[str, Sequence[Spelling]], file: str) -> list[Declaration]:
    """A stack file's claims: each way its ``config:`` spells the region key (``written``, from
    ``configkeys.spellings``). The engine reads them as one key and lets Go's map order pick,
    so a second one that disagrees is RG009."""
    declarations = []
    for spelling in written.get(REGION_KEY, []):
        text = scalar_text(spelling.value)
        if text is not None:
            line = spelling.line
            declarations.append(
                Declaration(text, RegionSource.STACK_CONFIG, f"{file}:{line}", line, file)
            )
    return declarations


def project_declaration(document: YamlDocument, project_file: Path | str) -> Declaration | None:
    """The default region a project file gives its stacks: the first spelling of the region
    key in its ``config:`` (a bare ``region`` in the project ``residency-guard``,
    ``residency-guard:config:region``), as a value or as ``{default: R}``/``{value: R}``."""
    project = scalar_text(document.get("name"))
    written = spellings(document, document.get("config"), project).get(REGION_KEY, [])
    node = written[0].value if written else None
    text = scalar_text(node)
    if text is None and node is not None:
        mapping = document.mapping(node)
        text = scalar_text(mapping.get("default")) or scalar_text(mapping.get("value"))
    if text is None or node is None:
        return None
    line = node.start_mark.line + 1
    return Declaration(
        text, RegionSource.STACK_CONFIG, f"{project_file}:{line}", line, str(project_file)
    )


def mapping_declarations(repo: RepoConfig, stack: str) -> list[Declaration]:
    """What the ``stacks:`` globs of ``repo`` claim about ``stack``'s region, first match first.

    A glob matches the whole name (``prod-*`` is no prefix of ``xprod-1``). The first
    matching glob gives the region; a later match that names another region is kept as a
    claim of its own, so the stack is a conflict (RG009), never a silent choice between
    two globs that overlap.
    """
    file = str(repo.path) if repo.path else FILE_NAME
    claims: list[Declaration] = []
    for pattern, region, line in repo.stacks:
        if not fnmatch.fnmatchcase(stack, pattern):
            continue
        if any(_same_region(region, claim.region) for claim in claims):
            continue
        where = f"stacks: '{pattern}' in {file}"
        claims.append(Declaration(region, RegionSource.REPO_MAPPING, where, line, file))
    return claims


def held_declarations(
    path: Path, repo: RepoConfig | None, *, region: str | None = None, named_stack: str = ""
) -> tuple[Declaration, ...]:
    """The regions a file that is no stack is held to: ``region`` (``--region``), else the
    first ``paths:`` glob of ``repo`` that matches it, else what the ``stacks:`` mapping claims
    for the stack its name names (``named_stack``: a dotenv file ``.env.prod-eu``): every
    claim, as for the stack file, so that two globs of different regions are a conflict
    (RG009) for the stack's dotenv file too."""
    if region is not None:
        return (Declaration(region, RegionSource.COMMAND_LINE, "--region", 0, ""),)
    if repo is None:
        return ()
    config = str(repo.path) if repo.path else FILE_NAME
    match = repo.region_for_path(path)
    if match is not None:
        glob, mapped, line = match
        return (Declaration(mapped, RegionSource.REPO_MAPPING, f"paths: '{glob}' in {config}",
                            line, config),)  # fmt: skip
    return tuple(mapping_declarations(repo, named_stack)) if named_stack else ()


def engine_declarations(
    policy_region: str | None, stack_tags: Mapping[str, str], stack_config: Mapping[str, str]
) -> list[Declaration]:
    """What the engine tells a policy pack about the stack's region: the pack's own config
    (``--policy-pack-config``), the stack tag, and the stack config the engine sends."""
    found = [
        (policy_region, RegionSource.POLICY_CONFIG, "--policy-pack-config"),
        (stack_tags.get(REGION_TAG), RegionSource.STACK_TAG, f"stack tag {REGION_TAG}"),
        (stack_config.get(REGION_KEY), RegionSource.STACK_CONFIG, f"stack config {REGION_KEY}"),
    ]
    return [Declaration(region, source, where) for region, source, where in found if region]


def component_region(resource_type: str, props: Mapping[str, Any]) -> str | None:
    """The region an ``OpenAIResidency`` component declares (its ``region`` output), read
    through a secret's wrapper (the region is no secret); None for any other resource."""
    if resource_type != COMPONENT_TYPE:
        return None
    region = props.get("region")
    if isinstance(region, Mapping):
        region = region.get("value")
    return region if isinstance(region, str) and region.strip() else None


def component_declaration(region: str, where: str, file: str = "") -> Declaration:
    """A component's claim: ``where`` names it as its front end shows it."""
    return Declaration(region, RegionSource.COMPONENT, where, 0, file)


def _same_region(one: str, other: str) -> bool:
    return one.strip().lower() == other.strip().lower()
