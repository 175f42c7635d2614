"""The pack's config schema and its parsed, immutable form.

Pulumi keeps policy config per policy (``{"<policy>": {"enforcementLevel": ..., "<key>": ...}}``;
``all`` carries an enforcement level only), so every policy of the pack declares the same
schema below and reads its own copy. The engine fills the defaults from the schema; the SDK's
servicer does not, so :meth:`PackSettings.from_config` applies them again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyConfigSchema

from residency_guard.catalog import shipped_catalog
from residency_guard.errors import ConfigError
from residency_guard.repoconfig import Unresolved

REGION = "region"
ALLOWED_HOSTS = "allowedHosts"
ALLOW_MODELS = "allowModels"
DENY_MODELS = "denyModels"
UNRESOLVED = "unresolved"
REPO_CONFIG = "repoConfig"
REMEDIATE_HOSTS = "remediateHosts"

_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}, "default": []}


def config_schema() -> PolicyConfigSchema:
    """The schema every policy of the pack declares (the engine validates config against it)."""
    return PolicyConfigSchema(
        properties={
            REGION: {
                "type": "string",
                "enum": sorted(shipped_catalog().regions),
                "description": "The stack's OpenAI region, one of the catalog's region ids; it "
                "outranks every other declaration.",
            },
            ALLOWED_HOSTS: {
                **_STRINGS,
                "description": "Extra hosts treated as gateways of the stack's region.",
            },
            ALLOW_MODELS: {
                **_STRINGS,
                "description": "Only these models (narrows the region's list, never widens it).",
            },
            DENY_MODELS: {
                **_STRINGS,
                "description": "Models denied whatever the region allows (RG014).",
            },
            UNRESOLVED: {
                "type": "string",
                "enum": [Unresolved.DENY.value, Unresolved.WARN.value],
                "description": "An endpoint that cannot be read statically (`${VAR}`): deny (a "
                "violation) or warn (a line in the advisory summary). Default: "
                "residency-guard.yaml's `unresolved`, else deny.",
            },
            REPO_CONFIG: {
                "type": "string",
                "description": "Path of the residency-guard.yaml to read (stack mapping, team "
                "catalogs, suppressions), relative to the pack's folder. Default: the one in "
                "the pack's folder, else the nearest one above it.",
            },
            REMEDIATE_HOSTS: {
                "type": "boolean",
                "default": False,
                "description": "With enforcementLevel remediate: rewrite a global or other "
                "region's OpenAI host to the stack region's host.",
            },
        }
    )


@dataclass(frozen=True)
class PackSettings:
    """One policy's config, checked; the defaults are the fail-closed ones."""

    region: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    allow_models: tuple[str, ...] = ()
    deny_models: tuple[str, ...] = ()
    unresolved: Unresolved | None = None  # None: residency-guard.yaml decides (deny by default)
    repo_config: str | None = None
    remediate_hosts: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> PackSettings:
        """Settings from ``args.get_config()``; "Expected X to be Y" for a malformed value."""
        config = config or {}
        unresolved = _text(config, UNRESOLVED)
        if unresolved is not None and unresolved not in (Unresolved.DENY, Unresolved.WARN):
            raise ConfigError(f"Expected {UNRESOLVED} to be 'deny' or 'warn', got {unresolved!r}")
        remediate = config.get(REMEDIATE_HOSTS, False)
        if not isinstance(remediate, bool):
            raise ConfigError(f"Expected {REMEDIATE_HOSTS} to be a boolean")
        region = _text(config, REGION)
        return cls(
            region=region.strip().lower() if region and region.strip() else None,
            allowed_hosts=tuple(
                h.strip().lower().rstrip(".") for h in _texts(config, ALLOWED_HOSTS)
            ),
            allow_models=_texts(config, ALLOW_MODELS),
            deny_models=_texts(config, DENY_MODELS),
            unresolved=Unresolved(unresolved) if unresolved else None,
            repo_config=_text(config, REPO_CONFIG),
            remediate_hosts=remediate,
        )


def _text(config: Mapping[str, Any], key: str) -> str | None:
    value = config.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"Expected {key} to be a string")
    return value


def _texts(config: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = config.get(key)
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigError(f"Expected {key} to be a list of strings")
    if not all(isinstance(item, str) for item in value):
        raise ConfigError(f"Expected {key} to be a list of strings")
    return tuple(item.strip() for item in value if item.strip())
