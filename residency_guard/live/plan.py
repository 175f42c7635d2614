"""What one verify run checks: the endpoint, the region, the declared models and surfaces.

A plan comes from a stack of a Pulumi project (``--stack``) or from the command line alone
(``--base-url``/``--region``/``--model``). Either way the endpoint must belong to the region
before the key is sent anywhere: the region's own host, a gateway the catalog binds to the
region (both as ``https://host`` on port 443 without userinfo), or a loopback IP literal
(``127.0.0.1``, ``::1``; http allowed) for a local test server or port-forward.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from residency_guard.catalog.model import Catalog, Region
from residency_guard.configkeys import spellings
from residency_guard.errors import ConfigError, InputError
from residency_guard.hosts import EndpointKind, Hazard, classify_endpoint
from residency_guard.modelcheck import surface_for_model
from residency_guard.repoconfig import RepoConfig
from residency_guard.rules.live.base import Subject
from residency_guard.runtime.pin import is_loopback_ip
from residency_guard.scanners.discover import PROJECT_FILES, project_targets
from residency_guard.sources.files import MAX_YAML_BYTES, read_text
from residency_guard.sources.stack_file import stack_name_of
from residency_guard.stackregion import (
    REGION_KEY,
    Declaration,
    RegionSource,
    config_declarations,
    project_declaration,
    resolve_region,
    stack_declarations,
)
from residency_guard.yamlfile import YamlDocument, load_yaml, scalar_text

MODELS_KEY = "residency-guard:models"
SURFACES_KEY = "residency-guard:surfaces"
GATEWAY_KEY = "residency-guard:gatewayHost"
PROJECT_ID_KEY = "residency-guard:projectId"
ORG_ID_KEY = "residency-guard:orgId"
PER_REQUEST_KEY = "residency-guard:perRequestResidency"


@dataclass(frozen=True)
class LiveEndpoint:
    """A base URL that verify may send the key to."""

    base_url: str
    host: str
    region: str
    loopback: bool  # a local server standing in for the region's host

    @property
    def label(self) -> str:
        """``host[:port]/path``: the endpoint as findings without a stack file name it."""
        rest = self.base_url.split("://", 1)[-1].rstrip("/")
        return rest.rsplit("@", 1)[-1]


@dataclass(frozen=True)
class DeclaredModel:
    model: str
    surface: str
    subject: Subject


@dataclass(frozen=True)
class VerifyPlan:
    region: Region
    endpoint: LiveEndpoint
    models: tuple[DeclaredModel, ...]
    surfaces: tuple[str, ...]  # declared surfaces, in order; models' surfaces included
    subject: Subject  # where endpoint-wide findings point (the region key, or the endpoint)
    scanned: str  # the stack file, or the endpoint label
    stack: str = ""
    project: str | None = None  # OpenAI project ID from the stack (else OPENAI_PROJECT_ID)
    organization: str | None = None
    per_request_residency: bool = False


def live_endpoint(base_url: str, region: Region, catalog: Catalog) -> LiveEndpoint:
    """``base_url`` if it belongs to ``region``; ConfigError (nothing sent) otherwise."""
    text = base_url.strip()
    found = classify_endpoint(text, catalog)
    if found.kind is EndpointKind.INVALID:
        raise ConfigError(
            f"the base URL is not a URL ({found.error})", fix=f"use {region.base_url}"
        )
    if Hazard.NO_SCHEME in found.hazards:
        raise ConfigError(f"the base URL {found.host} has no scheme", fix=f"use {region.base_url}")
    if (
        is_loopback_ip(found.host)
        and Hazard.USERINFO not in found.hazards
        and found.scheme in ("http", "https")
    ):
        return LiveEndpoint(text, found.host, region.id, loopback=True)
    allowed = found.kind in (EndpointKind.OPENAI, EndpointKind.GATEWAY)
    if allowed and found.region == region.id and not found.hazards:
        return LiveEndpoint(text, found.host, region.id, loopback=False)
    if allowed and found.region != region.id:
        what = "gateway of region" if found.kind is EndpointKind.GATEWAY else "host of region"
        raise ConfigError(
            f"{found.host} is the {what} {found.region}, not of region {region.id}; "
            "the key is not sent outside the region",
            fix=f"use {region.base_url}",
        )
    if allowed:
        forms = ", ".join(h.value for h in found.hazards)
        raise ConfigError(
            f"the base URL for {found.host} is not in the safe form (https, port 443, no "
            f"userinfo): {forms}",
            fix=f"use {region.base_url}",
        )
    if found.kind is EndpointKind.MISCONFIGURED and found.correction:
        raise ConfigError(
            f"{found.host} is not an OpenAI host", fix=f"did you mean https://{found.correction}/v1"
        )
    raise ConfigError(
        f"{found.host} is neither region {region.id}'s host ({region.host}) nor a gateway "
        "bound to it; the key is not sent there",
        fix=f"use {region.base_url}, bind the gateway in a team catalog (--catalog), or use a "
        "loopback IP such as 127.0.0.1 for a local test server",
    )


def plan_for_endpoint(
    base_url: str, region_id: str, models: Sequence[str], catalog: Catalog
) -> VerifyPlan:
    """A plan from the command line: ``--base-url``, ``--region``, ``--model``..."""
    region = catalog.region(region_id.strip().lower())
    endpoint = live_endpoint(base_url, region, catalog)
    subject = Subject(file=endpoint.label, region=region.id)
    declared = tuple(
        DeclaredModel(m, surface_for_model(catalog, m, None), subject)
        for m in dict.fromkeys(models)
    )
    surfaces = tuple(dict.fromkeys(d.surface for d in declared))
    return VerifyPlan(region, endpoint, declared, surfaces, subject, endpoint.label)


def find_stack_file(project_dir: Path, stack: str) -> tuple[Path, Path]:
    """(project file, stack file) of ``stack`` in the Pulumi project in ``project_dir``."""
    project_file = next(
        (project_dir / n for n in PROJECT_FILES if (project_dir / n).is_file()), None
    )
    if project_file is None:
        raise InputError(
            "no Pulumi project (Pulumi.yaml) in this folder", file=str(project_dir),
            fix="pass the project folder with --project",
        )  # fmt: skip
    targets = [t for t in project_targets(project_file) if t.kind == "stack-file"]
    for target in targets:
        if stack_name_of(target.path) == stack:
            return project_file, target.path
    known = ", ".join(sorted(str(stack_name_of(t.path)) for t in targets)) or "none"
    raise InputError(
        f"no stack file for stack '{stack}'", file=str(project_file),
        fix=f"stacks in this project: {known}",
    )  # fmt: skip


def plan_for_stack(
    project_dir: Path,
    stack: str,
    catalog: Catalog,
    repo: RepoConfig,
    *,
    base_url: str | None = None,
    region_flag: str | None = None,
    extra_models: Sequence[str] = (),
) -> VerifyPlan:
    """A plan from a stack: its region (as ``check`` resolves it), models, surfaces, gateway."""
    project_file, stack_file = find_stack_file(project_dir, stack)
    file = str(stack_file)
    config = StackConfig(load_yaml(read_text(stack_file, MAX_YAML_BYTES), file), file, stack)
    declarations = _declarations(config, project_file, repo)
    region, where = _held_region(declarations, catalog, config, region_flag)
    subject = Subject(
        file=where.file or file, line=where.line, stack=stack, region=region.id,
        path=f"config.{REGION_KEY}" if where.source is RegionSource.STACK_CONFIG else "",
    )  # fmt: skip
    gateway = config.text(GATEWAY_KEY)
    if base_url is None:
        base_url = f"https://{gateway}/v1" if gateway else region.base_url
    endpoint = live_endpoint(base_url, region, catalog)
    models = config.models(region.id)
    extra_subject = Subject(file=endpoint.label, stack=stack, region=region.id)
    for model in dict.fromkeys(extra_models):
        if all(d.model != model for d in models):
            surface = surface_for_model(catalog, model, None)
            models.append(DeclaredModel(model, surface, extra_subject))
    surfaces = [*config.texts(SURFACES_KEY), *(d.surface for d in models)]
    return VerifyPlan(
        region=region,
        endpoint=endpoint,
        models=tuple(models),
        surfaces=tuple(dict.fromkeys(surfaces)),
        subject=subject,
        scanned=file,
        stack=stack,
        project=config.text(PROJECT_ID_KEY) or None,
        organization=config.text(ORG_ID_KEY) or None,
        per_request_residency=config.text(PER_REQUEST_KEY).lower() == "true",
    )


def _declarations(config: StackConfig, project_file: Path, repo: RepoConfig) -> list[Declaration]:
    """The stack's region declarations as ``check`` gathers them: the stack file's (each
    spelling of the key the engine reads in this project), the project's default and the repo
    mapping's."""
    project = load_yaml(read_text(project_file, MAX_YAML_BYTES), str(project_file))
    document = config.document
    written = spellings(document, document.get("config"), scalar_text(project.get("name")))
    return stack_declarations(
        config.stack, repo, config=config_declarations(written, config.file),
        project_default=project_declaration(project, project_file),
    )  # fmt: skip


def _held_region(
    declarations: list[Declaration], catalog: Catalog, config: StackConfig,
    region_flag: str | None,
) -> tuple[Region, Declaration]:  # fmt: skip
    """The region the stack is held to and the declaration that wins; ConfigError when it
    declares none, or when ``--region`` names another."""
    resolution = resolve_region(declarations)
    if resolution.region is None:
        raise ConfigError(
            f"stack '{config.stack}' declares no region", file=config.file, fix=f"set {REGION_KEY}"
        )
    region = catalog.region(resolution.region)
    if region_flag and region_flag.strip().lower() != region.id:
        raise ConfigError(
            f"--region {region_flag} disagrees with stack '{config.stack}', declared {region.id}",
            file=config.file,
            fix="drop --region or verify the stack of that region",
        )
    return region, resolution.declarations[0]


@dataclass(frozen=True)
class StackConfig:
    """The ``config`` of a stack file, read for what verify needs of it."""

    document: YamlDocument
    file: str
    stack: str

    @property
    def _entries(self) -> dict[str, yaml.Node]:
        config = self.document.get("config")
        return self.document.mapping(config) if config is not None else {}

    def text(self, key: str) -> str:
        """A setting's text, stripped; "" when it is not set."""
        return (scalar_text(self._entries.get(key)) or "").strip()

    def texts(self, key: str) -> list[str]:
        """A setting that is a list of texts (or one text)."""
        node = self._entries.get(key)
        if isinstance(node, yaml.SequenceNode):
            return [t.strip() for t in (scalar_text(item) for item in node.value) if t]
        text = scalar_text(node)
        return [text.strip()] if text else []

    def models(self, region: str) -> list[DeclaredModel]:
        """``residency-guard:models`` ({surface: [model, ...]}), each model with its line."""
        document = self.document
        found: list[DeclaredModel] = []
        declared = self._entries.get(MODELS_KEY)
        if declared is None:  # mapping(None) is the root: its keys (encryptionsalt) are no models
            return found
        for surface, entry in document.mapping(declared).items():
            items = entry.value if isinstance(entry, yaml.SequenceNode) else [entry]
            for index, item in enumerate(items):
                model = scalar_text(item)
                if not model or not model.strip():
                    continue
                path = f"config.{MODELS_KEY}.{surface}"
                if isinstance(entry, yaml.SequenceNode):
                    path += f"[{index}]"
                subject = Subject(
                    file=self.file,
                    line=item.start_mark.line + 1,
                    column=item.start_mark.column + 1,
                    path=path,
                    stack=self.stack,
                    region=region,
                )
                found.append(DeclaredModel(model.strip(), surface, subject))
        return found
