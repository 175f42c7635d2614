"""Pulumi components: a stack's region-bound OpenAI configuration and the sinks that deliver it.

``OpenAIResidency`` checks the declaration with the rule core and exposes ``env``; each module
of ``components.sinks`` delivers that env to one target and imports its provider SDK lazily.
"""

from components.openai_residency import (
    OpenAIResidency,
    OpenAIResidencyArgs,
    ResidencyInputError,
    ResidencyRefused,
    ResolvedResidency,
)

__all__ = [
    "OpenAIResidency",
    "OpenAIResidencyArgs",
    "ResidencyInputError",
    "ResidencyRefused",
    "ResolvedResidency",
]
