"""Where a stack's region comes from, and what happens when two sources disagree."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

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
