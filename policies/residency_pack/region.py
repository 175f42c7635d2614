"""Where the pack finds a stack's region: every declaration, handed to the core to resolve.

Precedence is the core's (``stackregion.PRECEDENCE``), highest first:

1. ``region`` in the policy's config (``--policy-pack-config``);
2. the stack tag ``residency-guard:region`` (``args.stack_tags``);
3. the stack config key ``residency-guard:region``: the engine's language host starts the pack
   with the stack's config in the ``PULUMI_CONFIG`` environment variable, from the engine's
   ``ConfigureStack`` request (what ``pulumi.Config()`` reads in a pack; ``StackValidationArgs``
   has no stack config, its ``get_config()`` is the policy's own config);
4. the ``stacks:`` mapping of ``residency-guard.yaml`` (``repoConfig`` in the policy config,
   else the nearest file above the pack's folder) matched against the stack's name;
5. the ``region`` of an ``OpenAIResidency`` component (``COMPONENT_TYPE``).

The first that is present wins. The claims are gathered as every front end gathers them
(``stackregion.engine_declarations`` for the first three, ``stackregion.stack_declarations``
for all) and passed to ``api.stack_context``, so two that disagree are RG009 and an unknown
id is RG017, reported by the stack policy.
"""

from __future__ import annotations

import os

from residency_guard import stackregion
from residency_guard.stackregion import Declaration, stack_name_from_urn
from residency_guard.values import UNKNOWN_SENTINEL, loads_json


def env_stack_config() -> dict[str, str]:
    """The stack's config as the engine's language host gives it to the pack (``PULUMI_CONFIG``,
    JSON); empty when it is unset or not a JSON object."""
    text = os.environ.get("PULUMI_CONFIG", "")
    if not text:
        return {}
    try:
        data = loads_json(text)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def env_stack_name() -> str:
    return os.environ.get("PULUMI_STACK", "")


def stack_name(urns: list[str], fallback: str) -> str:
    """The stack's name from the first URN that has one, else ``fallback`` (``PULUMI_STACK``)."""
    for urn in urns:
        name = stack_name_from_urn(urn)
        if name:
            return name
    return fallback


def component_declaration(name: str, region: str) -> Declaration | None:
    """The claim of the component ``name``; none while a preview cannot know its region."""
    if region == UNKNOWN_SENTINEL:
        return None
    return stackregion.component_declaration(region, f"component '{name}'")
