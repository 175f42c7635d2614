"""What an error of the openai client means for the region, as a live rule and a message.

Error bodies are OpenAI's (``{"error": {"message", "type", "param", "code"}}``); their
messages can echo part of the key ("Incorrect API key provided: sk-proj-****...abcd"), so every
text that leaves here goes through :func:`scrub`.
"""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from residency_guard.catalog.model import Catalog, Region
from residency_guard.redact import redact, redact_key
from residency_guard.rules.live.base import VerifyRule
from residency_guard.rules.live.registry import (
    ENDPOINT_TIMEOUT,
    ENDPOINT_UNREACHABLE,
    KEY_NOT_AUTHORIZED,
    KEY_REFUSED_FOR_HOST,
    MODEL_NOT_SERVED,
    RATE_LIMITED,
    RESIDENCY_KEY_ON_GLOBAL_HOST,
    SERVER_ERROR,
    UNEXPECTED_RESPONSE,
)
from residency_guard.runtime.pin import ResidencyViolation

if TYPE_CHECKING:
    import openai

# A key OpenAI masked itself ("sk-proj-********************abcd", "sk-abc1***wxyz"): the
# core's redact() only knows whole keys, and the visible parts are still parts of the key.
_MASKED_KEY = re.compile(r"sk-[A-Za-z0-9_\-]*\*[A-Za-z0-9_\-*]*")
_KEY_PREFIX = re.compile(r"^sk-(?:proj-|svcacct-|admin-)?")
# The shortest run of a key's characters that counts as a leak of it.
_LEAK_WINDOW = 8
_NAMED_HOST = re.compile(r"make your request to (?:https?://)?([a-z0-9.-]+[a-z0-9])", re.IGNORECASE)
_QUOTE_LIMIT = 200


def scrub(text: str, secret: str = "") -> str:
    """``text`` with the key, any key-shaped string and any masked or partial key removed."""
    if secret:
        text = text.replace(secret, redact_key(secret))
        body = _KEY_PREFIX.sub("", secret)
        if len(body) >= _LEAK_WINDOW:
            for start in range(len(body) - _LEAK_WINDOW + 1):
                window = body[start : start + _LEAK_WINDOW]
                if window in text:
                    text = text.replace(window, "*" * _LEAK_WINDOW)
    text = redact(text)
    return _MASKED_KEY.sub(lambda m: "sk-...***", text)


def said(text: str, secret: str) -> str:
    """A message of OpenAI's as a finding quotes it: scrubbed, one line, not too long."""
    flat = " ".join(scrub(text, secret).split())
    return flat if len(flat) <= _QUOTE_LIMIT else flat[: _QUOTE_LIMIT - 3] + "..."


class NotOpenAIAnswer(Exception):
    """A 2xx answer that is not OpenAI's JSON (a web page behind a base URL without /v1)."""

    def __init__(self, status: int, content_type: str) -> None:
        super().__init__(f"{status} {content_type}")
        self.status = status
        self.content_type = content_type or "no content type"


@dataclass(frozen=True)
class CallContext:
    """What was asked, of whom, and how the client was set up to ask."""

    action: str  # "models.list", "probe of chat with 'gpt-4.1-2025-04-14'"
    host: str  # the endpoint as findings name it
    region: Region
    catalog: Catalog
    secret: str
    max_retries: int
    timeout: float
    per_request_residency: bool = False
    model: str | None = None


@dataclass(frozen=True)
class Failure:
    rule: VerifyRule
    message: str
    fix: str


def explain(exc: BaseException, ctx: CallContext) -> Failure | None:
    """The live rule an error of one call falls under; None for an error that is no answer."""
    import openai

    if isinstance(exc, NotOpenAIAnswer):
        return Failure(
            UNEXPECTED_RESPONSE,
            f"{ctx.host} answered {ctx.action} with {exc.status} {exc.content_type}, not "
            "OpenAI's JSON",
            "check that the base URL ends in /v1 and reaches the API, not a web page",
        )
    if isinstance(exc, ResidencyViolation):
        return Failure(
            UNEXPECTED_RESPONSE,
            f"{ctx.host} redirected {ctx.action} out of region {ctx.region.id}: {exc.message}",
            f"fix the endpoint or gateway so that it answers itself; use {ctx.region.base_url}",
        )
    if isinstance(exc, openai.APITimeoutError):
        return Failure(
            ENDPOINT_TIMEOUT,
            f"{ctx.host} did not answer {ctx.action} within {ctx.timeout:g} s ({_attempts(ctx)})",
            "raise --timeout, or check that egress to the region's host is allowed",
        )
    if isinstance(exc, openai.APIConnectionError):
        return _unreachable(exc, ctx)
    if isinstance(exc, openai.APIStatusError):
        return _status(exc, ctx)
    if isinstance(exc, openai.OpenAIError):  # a body the client could not read, ...
        return Failure(
            UNEXPECTED_RESPONSE,
            f"{ctx.host} answered {ctx.action} with something that is not OpenAI's API: "
            f"{said(str(exc), ctx.secret)}",
            "check that the base URL ends in /v1 and reaches the API",
        )
    return None


def _attempts(ctx: CallContext) -> str:
    return "no retries" if ctx.max_retries == 0 else f"after {ctx.max_retries} retries"


def _error_fields(exc: openai.APIStatusError) -> tuple[str, str]:
    """(code, message) of OpenAI's error body; the type stands in for a missing code."""
    if not isinstance(exc.body, Mapping):
        content_type = exc.response.headers.get("content-type") or "no content type"
        return "", f"a {content_type} answer, not OpenAI's JSON error"
    code = exc.code or (exc.type or "")
    message = exc.body.get("message")
    return str(code), message if isinstance(message, str) else str(exc.message)


def _status(exc: openai.APIStatusError, ctx: CallContext) -> Failure:
    status = exc.status_code
    code, message = _error_fields(exc)
    quoted = said(message, ctx.secret)
    tag = f"{status} {code}".strip()
    if code == "incorrect_hostname" or "incorrect regional host" in message.lower():
        return _wrong_host(ctx, quoted, message)
    if status in (401, 403):
        fix = (
            "use a current key of the region's project; check OPENAI_PROJECT_ID/OPENAI_ORG_ID"
            if status == 401
            else "give the key the scopes it needs (model.read, model.request) in the region's "
            "project"
        )
        return Failure(KEY_NOT_AUTHORIZED, f"{ctx.host} refused the key: {tag} ({quoted})", fix)
    if (
        status == 404
        and ctx.model is not None
        and (code == "model_not_found" or "model" in message)
    ):
        return Failure(
            MODEL_NOT_SERVED,
            f"{ctx.host} does not serve model '{ctx.model}': {ctx.action} answered {tag} "
            f"({quoted})",
            _served_hint(ctx),
        )
    if status == 429:
        fix = (
            "add credit or raise the project's budget; waiting does not clear insufficient_quota"
            if code == "insufficient_quota"
            else "retry later or raise --max-retries; check the project's rate limits"
        )
        return Failure(
            RATE_LIMITED,
            f"{ctx.host} answered {ctx.action} with {tag} {_attempts(ctx)} ({quoted})",
            fix,
        )
    if status >= 500:
        return Failure(
            SERVER_ERROR,
            f"{ctx.host} answered {ctx.action} with {tag} {_attempts(ctx)} ({quoted})",
            "retry later; check OpenAI's status page, or the gateway's health",
        )
    return Failure(
        UNEXPECTED_RESPONSE,
        f"{ctx.host} answered {ctx.action} with {tag} ({quoted})",
        "check that the base URL ends in /v1" if status == 404 else "see OpenAI's message",
    )


def _wrong_host(ctx: CallContext, quoted: str, message: str) -> Failure:
    """``incorrect_hostname``: the key's project and the host disagree about the region."""
    match = _NAMED_HOST.search(message)
    named = match.group(1).lower() if match else None
    owner = ctx.catalog.region_by_host(named) if named else None
    if not ctx.region.residency:
        where = f" of region {owner.id}" if owner is not None and owner.residency else ""
        fix = (
            f"declare region {owner.id} and send to {owner.base_url}"
            if owner is not None and owner.residency
            else "send to the regional host of the key's project and declare its region"
        )
        return Failure(
            RESIDENCY_KEY_ON_GLOBAL_HOST,
            f"{ctx.host} ({ctx.region.id}, no residency) refused the key: incorrect_hostname; "
            f"the key belongs to a data-residency project{where} ({quoted})",
            fix,
        )
    if owner is not None and owner.residency and owner.id != ctx.region.id:
        why = f"the key belongs to a project of region {owner.id}"
    elif ctx.per_request_residency:
        why = "the key's global project does not have per-request data residency enabled"
    else:
        why = "a key of a global project sent to a regional host without per-request residency"
    return Failure(
        KEY_REFUSED_FOR_HOST,
        f"{ctx.host} (region {ctx.region.id}) refused the key: incorrect_hostname; {why} "
        f"({quoted})",
        f"use a key of a project created in region {ctx.region.id}, or of a global project with "
        "per-request data residency enabled",
    )


def _served_hint(ctx: CallContext) -> str:
    return (
        f"pin a model region {ctx.region.id} serves "
        f"(`residency-guard catalog --region {ctx.region.id}`, `catalog diff`)"
    )


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _unreachable(exc: BaseException, ctx: CallContext) -> Failure:
    causes = list(_causes(exc))
    detail = said(str(causes[-1]), ctx.secret) if causes else ""
    if any(isinstance(c, socket.gaierror) for c in causes):
        host = ctx.host.split("/", 1)[0].rsplit(":", 1)[0]
        message = f"cannot resolve {host} (DNS): {detail}"
        fix = "check the host name (the UK host is gb.api.openai.com) and the DNS where this runs"
    elif any(isinstance(c, ConnectionRefusedError) for c in causes):
        message = f"{ctx.host} refused the connection ({detail})"
        fix = "check the port and that the endpoint or gateway is up"
    elif any(isinstance(c, ssl.SSLError) for c in causes):
        message = f"TLS with {ctx.host} failed ({detail})"
        fix = "check the certificate chain and any TLS-intercepting proxy"
    else:
        message = f"cannot connect to {ctx.host} ({detail})"
        fix = "check the network path to the endpoint"
    return Failure(ENDPOINT_UNREACHABLE, f"{message} ({ctx.action}, {_attempts(ctx)})", fix)
