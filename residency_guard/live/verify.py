"""Asking the live endpoint, with the official openai client, and judging its answers.

The client is configured explicitly (``base_url``, ``api_key``, ``max_retries``, ``timeout``)
and sends through the runtime guard pinned to the endpoint's host, so a redirect cannot carry
the key out of the region. openai retries 408/409/429/5xx, timeouts and connection errors
``max_retries`` times with exponential backoff (honouring ``Retry-After``); what still fails
after that is a finding.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from residency_guard.catalog.model import Catalog
from residency_guard.errors import ConfigError
from residency_guard.findings import Finding
from residency_guard.live.outcomes import CallContext, Failure, NotOpenAIAnswer, explain, scrub
from residency_guard.live.plan import DeclaredModel, LiveEndpoint, VerifyPlan
from residency_guard.rules.live.base import Subject
from residency_guard.rules.live.registry import MODEL_NOT_SERVED, MODEL_SERVED
from residency_guard.runtime.pin import RegionPin
from residency_guard.runtime.transport import GuardedTransport

if TYPE_CHECKING:
    from openai import OpenAI
    from openai._legacy_response import LegacyAPIResponse

# The surfaces a probe can exercise with one minimal request, in the order they are probed.
PROBED_SURFACES = ("chat", "responses", "embeddings")
PROBE_INPUT = "ping"
# The Responses API refuses max_output_tokens below 16.
RESPONSES_MIN_TOKENS = 16
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def read_api_key(env_name: str, environ: Mapping[str, str] = os.environ) -> str:
    """The key in the environment variable ``env_name``; ConfigError (naming only the variable)."""
    if not _ENV_NAME.fullmatch(env_name):
        raise ConfigError(  # never echoed: it may be the key itself, pasted by mistake
            "--api-key-env takes the name of an environment variable, not a value",
            fix="e.g. --api-key-env OPENAI_API_KEY_EU",
        )
    key = environ.get(env_name, "").strip()
    if not key:
        raise ConfigError(
            f"{env_name} is not set",
            fix="export the key of the region's project, or name its variable with --api-key-env",
        )
    return key


@dataclass(frozen=True)
class LiveSettings:
    api_key: str = field(repr=False)  # never in a repr, a log line or a traceback's locals
    max_retries: int = 2
    timeout: float = 30.0


class LiveError(Exception):
    """A call that failed, with the live rule it falls under."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def open_client(endpoint: LiveEndpoint, settings: LiveSettings, plan: VerifyPlan | None) -> OpenAI:
    """An openai client for exactly this endpoint, pinned to its host."""
    import openai

    pin = RegionPin(
        region=endpoint.region,
        hosts=frozenset({endpoint.host}),
        base_url=plan.region.base_url if plan is not None else endpoint.base_url,
        allow_insecure_loopback=endpoint.loopback,
    )
    client = openai.OpenAI(
        api_key=settings.api_key,
        base_url=endpoint.base_url,
        project=plan.project if plan is not None else None,
        organization=plan.organization if plan is not None else None,
        max_retries=settings.max_retries,
        timeout=settings.timeout,
        http_client=openai.DefaultHttpxClient(transport=GuardedTransport(pin)),
    )
    return client


T = TypeVar("T")


def json_answer(raw: LegacyAPIResponse[T]) -> T:
    """The parsed answer, if it is JSON at all: a web page must not pass for OpenAI's API."""
    content_type = raw.headers.get("content-type", "")
    if "json" not in content_type.lower():
        raise NotOpenAIAnswer(raw.status_code, content_type)
    return raw.parse()


class LiveCheck:
    """One run of calls against one endpoint, each failure explained."""

    def __init__(
        self, endpoint: LiveEndpoint, settings: LiveSettings, catalog: Catalog,
        plan: VerifyPlan | None = None,
    ) -> None:  # fmt: skip
        self.endpoint = endpoint
        self.settings = settings
        self.catalog = catalog
        self.plan = plan
        self.client = open_client(endpoint, settings, plan)

    def context(self, action: str, model: str | None = None) -> CallContext:
        return CallContext(
            action=action,
            host=self.endpoint.label,
            region=self.catalog.region(self.endpoint.region),
            catalog=self.catalog,
            secret=self.settings.api_key,
            max_retries=self.settings.max_retries,
            timeout=self.settings.timeout,
            per_request_residency=self.plan.per_request_residency if self.plan else False,
            model=model,
        )

    def call(self, action: str, send: Callable[[], object], model: str | None = None) -> object:
        """``send()``; any failure the live rules know becomes a :class:`LiveError`."""
        try:
            return send()
        except Exception as exc:
            failure = explain(exc, self.context(action, model))
            if failure is None:
                raise
            raise LiveError(failure) from None

    def list_models(self) -> list[str]:
        def send() -> list[str]:
            page = json_answer(self.client.models.with_raw_response.list())
            return [str(model.id) for model in page]

        found = self.call("models.list", send)
        assert isinstance(found, list)
        return found

    def probe(self, surface: str, model: str) -> None:
        """One minimal request on ``surface`` with ``model``; nothing is stored."""
        client = self.client
        senders: dict[str, Callable[[], LegacyAPIResponse[Any]]] = {
            "chat": lambda: client.chat.completions.with_raw_response.create(
                model=model,
                messages=[{"role": "user", "content": PROBE_INPUT}],
                # max_tokens is refused by reasoning models; max_completion_tokens is not.
                max_completion_tokens=1,
                store=False,
            ),
            "responses": lambda: client.responses.with_raw_response.create(
                model=model, input=PROBE_INPUT, max_output_tokens=RESPONSES_MIN_TOKENS, store=False
            ),
            "embeddings": lambda: client.embeddings.with_raw_response.create(
                model=model, input=PROBE_INPUT
            ),
        }
        send = senders[surface]
        self.call(f"probe of {surface} with '{model}'", lambda: json_answer(send()), model)

    def close(self) -> None:
        self.client.close()


def verify(
    plan: VerifyPlan, settings: LiveSettings, catalog: Catalog, *, probe: bool
) -> list[Finding]:
    """Every live finding for ``plan``: the endpoint's answer, each model, each probe."""
    check = LiveCheck(plan.endpoint, settings, catalog, plan)
    try:
        return _verify(check, plan, settings, probe=probe)
    finally:
        check.close()


def _verify(
    check: LiveCheck, plan: VerifyPlan, settings: LiveSettings, *, probe: bool
) -> list[Finding]:
    secret = settings.api_key
    label = plan.endpoint.label
    try:
        served = set(check.list_models())
    except LiveError as error:
        # Without the list nothing is known about any model: unknown is never a pass.
        return [_finding(error.failure, plan.subject, secret)]
    findings: list[Finding] = []
    for declared in plan.models:
        if declared.model in served:
            findings.append(MODEL_SERVED.verdict(
                declared.subject,
                scrub(f"{label} serves model '{declared.model}' ({declared.surface})", secret),
            ))  # fmt: skip
        else:
            findings.append(MODEL_NOT_SERVED.verdict(
                declared.subject,
                scrub(f"{label} does not serve model '{declared.model}' ({declared.surface}): "
                      f"models.list names {len(served)} models, not this one", secret),
                scrub(_alternatives(plan, declared, served), secret),
            ))  # fmt: skip
    if probe:
        findings += _probes(check, plan, secret)
    return sorted(findings, key=Finding.sort_key)


def _probes(check: LiveCheck, plan: VerifyPlan, secret: str) -> list[Finding]:
    findings: list[Finding] = []
    for surface in PROBED_SURFACES:
        if surface not in plan.surfaces:
            continue
        declared = next((d for d in plan.models if d.surface == surface), None)
        if declared is None:
            continue  # a surface without a declared model: nothing to ask for
        try:
            check.probe(surface, declared.model)
        except LiveError as error:
            findings.append(_finding(error.failure, declared.subject, secret))
            continue
        findings.append(MODEL_SERVED.verdict(
            declared.subject,
            scrub(f"{plan.endpoint.label} answered a probe of {surface} with model "
                  f"'{declared.model}'", secret),
        ))  # fmt: skip
    return findings


def _finding(failure: Failure, subject: Subject, secret: str) -> Finding:
    return failure.rule.verdict(subject, scrub(failure.message, secret), scrub(failure.fix, secret))


def _alternatives(plan: VerifyPlan, declared: DeclaredModel, served: set[str]) -> str:
    eligible = plan.region.models.get(declared.surface, frozenset())
    candidates = sorted(served & eligible, reverse=True)[:3]
    if candidates:
        return (
            f"pin a model the endpoint serves for {declared.surface}, e.g. {', '.join(candidates)}"
        )
    return f"pin a model the endpoint serves for {declared.surface} (see `catalog diff`)"
