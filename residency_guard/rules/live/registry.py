"""The live rules (RG100-RG109), listed here once; kept apart from the file rules' registry."""

from __future__ import annotations

from collections.abc import Mapping

from residency_guard.rules.base import build_registry
from residency_guard.rules.live.base import VerifyRule
from residency_guard.rules.live.endpoint_timeout import EndpointTimeout
from residency_guard.rules.live.endpoint_unreachable import EndpointUnreachable
from residency_guard.rules.live.key_not_authorized import KeyNotAuthorized
from residency_guard.rules.live.key_refused_for_host import KeyRefusedForRegionalHost
from residency_guard.rules.live.model_not_served import ModelNotServed
from residency_guard.rules.live.model_served import ModelServed
from residency_guard.rules.live.rate_limited import RateLimited
from residency_guard.rules.live.residency_key_on_global_host import ResidencyKeyOnGlobalHost
from residency_guard.rules.live.server_error import ServerError
from residency_guard.rules.live.unexpected_response import UnexpectedResponse

_RULE_CLASSES: tuple[type[VerifyRule], ...] = (
    ModelServed,
    KeyRefusedForRegionalHost,
    ResidencyKeyOnGlobalHost,
    ModelNotServed,
    KeyNotAuthorized,
    RateLimited,
    ServerError,
    EndpointTimeout,
    EndpointUnreachable,
    UnexpectedResponse,
)


VERIFY_RULES: Mapping[str, VerifyRule] = build_registry(_RULE_CLASSES)

MODEL_SERVED = VERIFY_RULES["RG100"]
KEY_REFUSED_FOR_HOST = VERIFY_RULES["RG101"]
RESIDENCY_KEY_ON_GLOBAL_HOST = VERIFY_RULES["RG102"]
MODEL_NOT_SERVED = VERIFY_RULES["RG103"]
KEY_NOT_AUTHORIZED = VERIFY_RULES["RG104"]
RATE_LIMITED = VERIFY_RULES["RG105"]
SERVER_ERROR = VERIFY_RULES["RG106"]
ENDPOINT_TIMEOUT = VERIFY_RULES["RG107"]
ENDPOINT_UNREACHABLE = VERIFY_RULES["RG108"]
UNEXPECTED_RESPONSE = VERIFY_RULES["RG109"]


def get_verify_rule(rule_id: str) -> VerifyRule | None:
    return VERIFY_RULES.get(rule_id.upper())


__all__ = ["VERIFY_RULES", "get_verify_rule"]
