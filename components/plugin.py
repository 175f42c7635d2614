"""The component provider that lets other Pulumi languages use OpenAIResidency.

``pulumi package add ./components`` runs ``components/__main__.py``, which serves
:func:`build_provider` over gRPC. The schema comes from the SDK's experimental component host
(``pulumi.provider.experimental``), which reads the annotations of ``OpenAIResidencyArgs`` and
of the component's outputs; two things are added here that it cannot do:

- ``secret: true`` on the ``apiKey`` input and the ``env`` output. The analyzer has no way to
  mark a property secret (pulumi 3.272), and a generated SDK only wraps an input in
  ``pulumi.secret`` and asks for ``additionalSecretOutputs`` when the schema says so: without
  it, a TypeScript or YAML caller that passes a plain string would store the key in plain
  text among the component's inputs in state.
- a refusal by the rule core reaches the engine as an invalid-input error carrying the core's
  message and fix. The stock host wraps any exception of the constructor into an error that
  appends a Python traceback.

Published: ``OpenAIResidency`` and ``OpenAIDotenv`` (the dotenv sink taking the component's
``env`` and ``labels`` outputs). The other sinks (``residency-guard:sinks:*``) take a Python
component object as input, and the host supports the ``index`` module only.
"""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from components.openai_dotenv import OpenAIDotenv
from components.openai_residency import OpenAIResidency, ResidencyInputError

PACKAGE = "residency-guard"  # the token prefix of stackregion.COMPONENT_TYPE
SECRET_INPUTS = ("apiKey",)
SECRET_OUTPUTS = ("env",)
SINK_SECRET_INPUTS = ("env",)  # OpenAIDotenv: the env it writes holds the key


def package_version() -> str:
    try:
        return metadata.version("residency-guard")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def mark_secrets(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with ``secret: true`` on the key input and the env output."""
    resource = schema["resources"][f"{PACKAGE}:index:{OpenAIResidency.__name__}"]
    for name in SECRET_INPUTS:
        resource["inputProperties"][name]["secret"] = True
    for name in SECRET_OUTPUTS:
        resource["properties"][name]["secret"] = True
    sink = schema["resources"][f"{PACKAGE}:index:{OpenAIDotenv.__name__}"]
    for name in SINK_SECRET_INPUTS:
        sink["inputProperties"][name]["secret"] = True
    return schema


class ResidencyComponentProvider(ComponentProvider):
    """The SDK's component provider, with secret flags and clean refusals."""

    def __init__(self, version: str | None = None) -> None:
        super().__init__(
            [OpenAIResidency, OpenAIDotenv], PACKAGE, version=version or package_version()
        )
        self.schema = json.dumps(mark_secrets(json.loads(self.schema or "{}")))

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: pulumi.Inputs,
        options: pulumi.ResourceOptions | None = None,
    ) -> ConstructResult:
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as error:
            inner = error.inner
            if isinstance(inner, ResidencyInputError):
                # With errors given: the SDK (3.272) fails to send an InputPropertiesError
                # that has none (its gRPC status then lacks trailing metadata).
                errors: list[InputPropertyErrorDetails] = [
                    {"property_path": path, "reason": reason}
                    for path, reason in inner.property_errors()
                ]
                raise InputPropertiesError(str(inner), errors) from None
            raise


def build_provider() -> ResidencyComponentProvider:
    return ResidencyComponentProvider()


def schema() -> dict[str, Any]:
    """The schema ``pulumi package add ./components`` would receive (GetSchema)."""
    result: dict[str, Any] = json.loads(build_provider().schema or "{}")
    return result
