"""OpenAIResidency: one stack's region-bound OpenAI settings, refused when the region forbids them.

The component runs the rule core once, at construction (``residency_guard.api``), so that
``pulumi preview`` stops with the core's message and fix before anything is created. It
creates no cloud resource itself: the sinks in ``components.sinks`` deliver its ``env``.

This module deliberately does not use ``from __future__ import annotations``: the component
provider host (``components/plugin.py``) derives the published schema from the annotations
of ``OpenAIResidencyArgs`` and of the outputs below, and needs them as real types.
"""

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from residency_guard.api import base_url_for, check_declaration, residency_labels
from residency_guard.catalog import load_catalog
from residency_guard.catalog.model import Catalog
from residency_guard.errors import ResidencyGuardError
from residency_guard.findings import Finding, Severity
from residency_guard.repoconfig import RepoConfig, load_repo_config
from residency_guard.runtime.pin import (
    API_KEY_ENV,
    BASE_URL_ENV,
    ORG_ENV,
    PROJECT_ENV,
    REGION_ENV,
)
from residency_guard.stackregion import COMPONENT_TYPE, Declaration, stack_declarations

__all__ = [
    "OpenAIResidency",
    "OpenAIResidencyArgs",
    "ResidencyInputError",
    "ResidencyRefused",
    "ResolvedResidency",
]


def _one_line(component: str, finding: Finding) -> str:
    return f"{component}: {finding.rule}: {finding.message}; {finding.fix}"


class ResidencyInputError(pulumi.RunError):
    """An input the component cannot judge (wrong shape, unknown at preview, bad catalog file).

    A ``pulumi.RunError``: the Python language host prints its text as one error, without the
    traceback it prints for any other exception. ``property_path`` names the input at fault
    as the published schema spells it (``gatewayHost``, ``models.chat[0]``).
    """

    def __init__(self, message: str, property_path: str = "") -> None:
        super().__init__(message)
        self.property_path = property_path

    def property_errors(self) -> list[tuple[str, str]]:
        """(property path, reason) pairs, for a component provider's invalid-input error."""
        return [(self.property_path, str(self))]


class ResidencyRefused(ResidencyInputError):
    """The rule core found errors in the declaration; one line per finding, message and fix."""

    def __init__(self, component: str, findings: Sequence[Finding], surfaces: int = 0) -> None:
        self.component = component
        self.findings = tuple(findings)
        self._surfaces = surfaces  # how many surfaces the caller listed (the rest come from models)
        super().__init__("\n".join(_one_line(component, f) for f in self.findings))

    def property_errors(self) -> list[tuple[str, str]]:
        return [(self._input_of(f.path), _one_line(self.component, f)) for f in self.findings]

    def _input_of(self, path: str) -> str:
        """The input a finding's key path comes from (the core judges a derived base URL)."""
        if path == "baseUrl":
            return "gatewayHost"
        if path.startswith("surfaces["):
            index = int(path[len("surfaces[") : path.index("]")])
            return path if index < self._surfaces else "models"
        return path or "region"


@dataclass
class OpenAIResidencyArgs:
    """The inputs of an OpenAIResidency component."""

    region: str
    """The stack's OpenAI data-residency region: global, us, eu, gb, ca, jp, in, au, sg, kr, ae."""

    api_key: pulumi.Input[str] | None = None
    """The OpenAI API key of a project in that region; always made a Pulumi secret."""

    project_id: pulumi.Input[str] | None = None
    """The OpenAI project ID (OPENAI_PROJECT_ID)."""

    org_id: pulumi.Input[str] | None = None
    """The OpenAI organization ID (OPENAI_ORG_ID)."""

    models: dict[str, list[str]] | None = None
    """The models the stack may use, by API surface (chat, responses, embeddings, batches...)."""

    surfaces: list[str] | None = None
    """The API surfaces the stack uses (chat, embeddings, files...)."""

    gateway_host: str | None = None
    """A team gateway host (bound to the region in a team catalog) instead of OpenAI's host."""

    per_request_residency: bool | None = None
    """The key belongs to a global project with per-request data residency enabled."""

    catalog_files: list[str] | None = None
    """Team catalog overlays (gateways, narrowed model lists), applied after the shipped one."""

    repo_config: str | None = None
    """A residency-guard.yaml whose stack mapping and catalog files apply to this stack."""


@dataclass(frozen=True)
class ResolvedResidency:
    """What the component settled at construction, as plain values for the sinks."""

    region: str
    host: str
    base_url: str
    labels: Mapping[str, str]
    models: Mapping[str, tuple[str, ...]]
    env_names: tuple[str, ...]
    catalog_as_of: str
    catalog_version: str
    per_request_residency: bool

    def summary(self) -> dict[str, Any]:
        """The audit summary (``residency-guard report`` reads these keys from state)."""
        return {
            "region": self.region,
            "host": self.host,
            "base_url": self.base_url,
            "models": {surface: list(names) for surface, names in self.models.items()},
            "catalog_as_of": self.catalog_as_of,
            "catalog_version": self.catalog_version,
            "per_request_residency": self.per_request_residency,
        }


class OpenAIResidency(pulumi.ComponentResource):
    """Region-bound OpenAI configuration for one stack, checked against the residency catalog."""

    base_url: pulumi.Output[str]
    """The base URL workloads use (the region's host, or the gateway), ending in /v1."""

    env: pulumi.Output[dict[str, str]]
    """The variables workloads read (OPENAI_BASE_URL, OPENAI_API_KEY...); secret as a whole."""

    region: pulumi.Output[str]
    """The region the stack is held to."""

    models: pulumi.Output[dict[str, list[str]]]
    """The models the stack may use, by API surface."""

    labels: pulumi.Output[dict[str, str]]
    """Residency labels for other resources to carry (residency-guard/region: eu, ...)."""

    summary: pulumi.Output[dict[str, Any]]
    """Region, host, base URL, models and the catalog's date and version, for audit."""

    def __init__(
        self,
        name: str,
        args: OpenAIResidencyArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # The component provider host passes the inputs as a dict of Python names.
        args = _as_args(args)
        resolved = _resolve(name, args)
        # Plain inputs only: the policy pack and the preview gate read the region from them.
        props: dict[str, Any] = {
            "region": resolved.region,
            "base_url": resolved.base_url,
            "models": resolved.summary()["models"],
            "surfaces": list(args.surfaces or ()),
            "per_request_residency": resolved.per_request_residency,
        }
        if args.gateway_host:
            props["gateway_host"] = args.gateway_host
        super().__init__(COMPONENT_TYPE, name, props, opts)
        self.resolved = resolved

        values: dict[str, pulumi.Input[str] | None] = {
            BASE_URL_ENV: resolved.base_url,
            API_KEY_ENV: None if args.api_key is None else pulumi.Output.secret(args.api_key),
            PROJECT_ENV: args.project_id,
            ORG_ENV: args.org_id,
            REGION_ENV: resolved.region,
        }
        env = {name: values[name] for name in resolved.env_names}
        # Secret as a whole, whatever the caller passed: the map holds the key.
        self.env = pulumi.Output.secret(pulumi.Output.all(**env))
        self.base_url = pulumi.Output.from_input(resolved.base_url)
        self.region = pulumi.Output.from_input(resolved.region)
        self.models = pulumi.Output.from_input(resolved.summary()["models"])
        self.labels = pulumi.Output.from_input(dict(resolved.labels))
        self.summary = pulumi.Output.from_input(resolved.summary())
        self.register_outputs(
            {
                "base_url": self.base_url,
                "env": self.env,
                "region": self.region,
                "models": self.models,
                "labels": self.labels,
                "summary": self.summary,
            }
        )

    def env_var(self, name: str) -> pulumi.Output[str]:
        """One variable of ``env`` (``OPENAI_BASE_URL``...), secret like the whole map."""
        if name not in self.resolved.env_names:
            held = ", ".join(self.resolved.env_names)
            raise KeyError(f"{name} is not set; this env holds {held}")
        return self.env.apply(lambda env: str(env[name]))

    def env_json(self) -> pulumi.Output[str]:
        """``env`` as one JSON object (a Secrets Manager or Secret Manager payload), secret."""
        return self.env.apply(lambda env: json.dumps(env, sort_keys=True))


def _schema_name(name: str) -> str:
    """``gateway_host`` -> ``gatewayHost``; ``models.chat`` stays as it is."""
    head, dot, rest = name.partition(".")
    first, *others = head.split("_")
    return first + "".join(word.title() for word in others) + dot + rest


def _given(value: object) -> bool:
    """An optional input counts when given; a plain empty string is "not set"."""
    return value is not None and value != ""


def _as_args(args: object) -> OpenAIResidencyArgs:
    if isinstance(args, OpenAIResidencyArgs):
        return args
    if isinstance(args, Mapping):
        known = {f.name for f in dataclasses.fields(OpenAIResidencyArgs)}
        unknown = sorted(set(args) - known)
        if unknown:
            raise ResidencyInputError(
                f"Expected OpenAIResidency inputs among {', '.join(sorted(known))}; "
                f"got {', '.join(unknown)}"
            )
        return OpenAIResidencyArgs(**{str(k): v for k, v in args.items()})
    raise ResidencyInputError(
        f"Expected OpenAIResidency args to be OpenAIResidencyArgs, got {type(args).__name__}"
    )


def _plain(name: str, value: object) -> None:
    """The declaration is judged at construction: an Output is unknown then, so refused."""
    if isinstance(value, pulumi.Output) or hasattr(value, "__await__"):
        raise ResidencyInputError(
            f"Expected OpenAIResidency input {name} to be a plain value known at preview, "
            "got an Output; the region, models, surfaces and gateway are judged before "
            "anything is created",
            _schema_name(name),
        )


def _strings(name: str, value: object) -> list[str]:
    _plain(name, value)
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ResidencyInputError(
            f"Expected {name} to be a list of strings, got {value!r}", _schema_name(name)
        )
    for item in value:
        _plain(name, item)
        if not isinstance(item, str):
            raise ResidencyInputError(
                f"Expected {name} to hold strings, got {item!r}", _schema_name(name)
            )
    return list(value)


def _models(value: object) -> dict[str, list[str]]:
    _plain("models", value)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ResidencyInputError(
            f"Expected models to map an API surface to a list of model ids, got {value!r}",
            "models",
        )
    return {str(surface): _strings(f"models.{surface}", names) for surface, names in value.items()}


def _gateway(value: object) -> str | None:
    _plain("gateway_host", value)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or "/" in value or any(c.isspace() for c in value):
        raise ResidencyInputError(
            f"Expected gateway_host to be a bare host name such as 'llm-gw.internal', got "
            f"{value!r}; the component builds https://<gateway_host>/v1 itself",
            "gatewayHost",
        )
    return value


def _settings(args: OpenAIResidencyArgs) -> tuple[Catalog, RepoConfig, list[Declaration]]:
    """The layered catalog, the repo config and the stack's other claims about its region (the
    ``stacks:`` mapping, as every front end gathers it)."""
    catalog_files = _strings("catalog_files", args.catalog_files)
    _plain("repo_config", args.repo_config)
    try:
        repo = load_repo_config(Path(args.repo_config)) if args.repo_config else RepoConfig()
        catalog = load_catalog([*repo.catalog_files, *(Path(p) for p in catalog_files)])
    except ResidencyGuardError as error:
        where = "repoConfig" if error.file and error.file == args.repo_config else "catalogFiles"
        raise ResidencyInputError(error.one_line(), where) from None
    return catalog, repo, stack_declarations(pulumi.get_stack(), repo)


def _resolve(name: str, args: OpenAIResidencyArgs) -> ResolvedResidency:
    """Runs the rule core over the declaration; raises ResidencyRefused on any error."""
    _plain("region", args.region)
    if not isinstance(args.region, str) or not args.region.strip():
        raise ResidencyInputError(
            f"Expected region to be a region id such as 'eu', got {args.region!r}", "region"
        )
    models = _models(args.models)
    surfaces = _strings("surfaces", args.surfaces)
    gateway = _gateway(args.gateway_host)
    _plain("per_request_residency", args.per_request_residency)
    catalog, repo, mapped = _settings(args)
    # A surface that has models is a surface the stack uses: listing it makes the core judge
    # its name too (a model map keyed "batch" would otherwise pass unchecked).
    used = list(dict.fromkeys([*surfaces, *models]))
    findings = check_declaration(
        args.region,
        models=models,
        surfaces=used,
        gateway_host=gateway,
        stack=pulumi.get_stack(),
        file=f"component '{name}'",
        catalog=catalog,
        repo=repo,
        other_declarations=mapped,
    )
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise ResidencyRefused(name, errors, surfaces=len(surfaces))
    for finding in findings:
        log = pulumi.log.warn if finding.severity is Severity.WARNING else pulumi.log.info
        log(_one_line(name, finding))
    region = catalog.region(args.region.strip().lower())
    labels = residency_labels(region, catalog, gateway)
    env_names = [BASE_URL_ENV]
    env_names += [API_KEY_ENV] if args.api_key is not None else []
    env_names += [PROJECT_ENV] if _given(args.project_id) else []
    env_names += [ORG_ENV] if _given(args.org_id) else []
    env_names.append(REGION_ENV)
    return ResolvedResidency(
        region=region.id,
        host=gateway or region.host,
        base_url=base_url_for(region, gateway),
        labels=labels,
        models={surface: tuple(names) for surface, names in models.items()},
        env_names=tuple(env_names),
        catalog_as_of=catalog.as_of,
        catalog_version=catalog.version,
        per_request_residency=bool(args.per_request_residency),
    )
