"""The rule set: one module per rule, listed here once (no registration by import side effect)."""

from __future__ import annotations

from collections.abc import Mapping

from residency_guard.rules.azure_account_region import AzureAccountOutsideRegion
from residency_guard.rules.azure_deployment_scope import AzureDeploymentScope
from residency_guard.rules.banned_model import BannedModel
from residency_guard.rules.base import Rule, build_registry
from residency_guard.rules.endpoint_outside_region import EndpointOutsideRegion
from residency_guard.rules.esc_environment_not_found import EscEnvironmentNotFound
from residency_guard.rules.invalid_suppression import InvalidSuppression
from residency_guard.rules.key_without_base_url import KeyWithoutBaseUrl
from residency_guard.rules.legacy_api_base import LegacyApiBase
from residency_guard.rules.model_alias import ModelAlias
from residency_guard.rules.model_not_eligible import ModelNotEligible
from residency_guard.rules.no_region import NoRegionDeclared
from residency_guard.rules.other_provider import OtherProviderSelected
from residency_guard.rules.plaintext_key import PlaintextApiKey
from residency_guard.rules.region_conflict import RegionConflict
from residency_guard.rules.region_precondition import RegionPrecondition
from residency_guard.rules.surface_not_covered import SurfaceNotCovered
from residency_guard.rules.unknown_host import UnknownOpenAIHost
from residency_guard.rules.unknown_region import UnknownRegion
from residency_guard.rules.unresolved_endpoint import UnresolvedEndpoint
from residency_guard.rules.unsafe_endpoint_form import UnsafeEndpointForm
from residency_guard.rules.yaml_ambiguity import YamlAmbiguity

_RULE_CLASSES: tuple[type[Rule], ...] = (
    EndpointOutsideRegion,
    UnknownOpenAIHost,
    ModelNotEligible,
    ModelAlias,
    SurfaceNotCovered,
    LegacyApiBase,
    PlaintextApiKey,
    NoRegionDeclared,
    RegionConflict,
    UnsafeEndpointForm,
    UnresolvedEndpoint,
    AzureAccountOutsideRegion,
    AzureDeploymentScope,
    BannedModel,
    YamlAmbiguity,
    InvalidSuppression,
    UnknownRegion,
    KeyWithoutBaseUrl,
    OtherProviderSelected,
    EscEnvironmentNotFound,
    RegionPrecondition,
)


RULES: Mapping[str, Rule] = build_registry(_RULE_CLASSES)


def get_rule(rule_id: str) -> Rule | None:
    """A rule by ID: the static rules, then the live rules of `verify` (RG1xx)."""
    rule = RULES.get(rule_id.upper())
    if rule is None:
        from residency_guard.rules.live.registry import get_verify_rule  # no import cycle at load

        rule = get_verify_rule(rule_id)
    return rule


def all_rules() -> list[Rule]:
    """Every rule, static and live, by ID."""
    from residency_guard.rules.live.registry import VERIFY_RULES

    return [*RULES.values(), *VERIFY_RULES.values()]


__all__ = ["RULES", "Rule", "all_rules", "get_rule"]
