"""The residency-guard CrossGuard pack: thin Pulumi adapters over the rule core.

``__main__.py`` (the pack's entry point) builds the ``PolicyPack`` from ``all_policies()``;
nothing here constructs one, because constructing a ``PolicyPack`` starts its gRPC server
and blocks. Tests import this package freely.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from .resource_policies import FAMILIES, resource_policies
from .stack_policies import stack_policies
from .state import PackState
from .suppress import suppression_policies

PACK_NAME = "residency-guard"
PACK_ENFORCEMENT = EnforcementLevel.MANDATORY


def all_policies(state: PackState | None = None) -> list[Policy]:
    """Every policy of the pack, sharing one ``PackState`` (one per run of the pack)."""
    state = state or PackState()
    return [*resource_policies(state), *stack_policies(state), *suppression_policies(state)]


__all__ = [
    "FAMILIES",
    "PACK_ENFORCEMENT",
    "PACK_NAME",
    "PackState",
    "all_policies",
    "resource_policies",
    "stack_policies",
]
