"""OpenAIDotenv: the dotenv sink for programs in other languages (YAML, TypeScript, Go).

The component provider (``components/plugin.py``) publishes it beside ``OpenAIResidency``.
A ``DotenvSink`` takes the Python component object; this one takes the component's ``env`` and
``labels`` outputs, which a program in any language can pass on. The file is the same: a
``DotenvFile`` (dynamic provider) written 0600, its first line naming the labels' region.

The file is written by a Python dynamic provider, which the engine runs in the project's
virtualenv, or for a non-Python program with ``PULUMI_PYTHON_CMD`` (else ``python3``): that
interpreter needs residency-guard installed (docs/components.md).

Like ``openai_residency.py``, this module does not use ``from __future__ import annotations``:
the component provider host reads the annotations of ``__init__`` and of the args class.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from components.openai_residency import ResidencyInputError
from components.sinks.dotenv import DotenvFile, render_dotenv
from residency_guard.api import LABEL_REGION

PUBLISHED_TYPE = "residency-guard:index:OpenAIDotenv"


@dataclass
class OpenAIDotenvArgs:
    """The inputs of an OpenAIDotenv: an OpenAIResidency's outputs and where to write."""

    env: pulumi.Input[dict[str, str]]
    """The variables to write: the OpenAIResidency's ``env`` output (secret)."""

    labels: pulumi.Input[dict[str, str]]
    """The OpenAIResidency's ``labels`` output: the file's first line names their region."""

    path: str | None = None
    """Where to write, relative to the Pulumi project folder (default ``.env.openai``)."""


class OpenAIDotenv(pulumi.ComponentResource):
    """``DotenvSink`` for a YAML, TypeScript or Go program: it takes the component's ``env``
    and ``labels`` outputs, not the Python component object a ``DotenvSink`` takes."""

    path: pulumi.Output[str]
    """The file written (mode 0600)."""

    def __init__(
        self, name: str, args: OpenAIDotenvArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args = _dotenv_args(args)
        path = args.path or ".env.openai"
        super().__init__(PUBLISHED_TYPE, name, {"path": path}, opts)
        source = f"dotenv sink '{name}'"
        content = pulumi.Output.all(args.env, args.labels).apply(
            lambda pair: render_dotenv(pair[0], _region_labels(pair[1]), source)
        )
        file = DotenvFile(name, path, content, pulumi.ResourceOptions(parent=self))
        self.path = file.path
        self.register_outputs({"path": self.path})


def _dotenv_args(args: object) -> OpenAIDotenvArgs:
    """The component provider host passes the inputs as a dict of Python names."""
    if isinstance(args, OpenAIDotenvArgs):
        return args
    if isinstance(args, Mapping) and {"env", "labels"} <= set(args):
        known = {"env", "labels", "path"}
        if set(args) <= known:
            return OpenAIDotenvArgs(**{str(k): v for k, v in args.items()})
    raise ResidencyInputError(
        "Expected OpenAIDotenv inputs env and labels (an OpenAIResidency's outputs) and path"
    )


def _region_labels(labels: Mapping[str, str]) -> Mapping[str, str]:
    if not isinstance(labels, Mapping) or not labels.get(LABEL_REGION):
        raise ResidencyInputError(
            f"Expected labels to hold {LABEL_REGION}: pass the OpenAIResidency's labels output",
            "labels",
        )
    return labels
