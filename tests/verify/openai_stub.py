"""An OpenAI-compatible HTTP server on loopback for the live tests, with a request log.

It serves ``/v1/models``, ``/v1/chat/completions``, ``/v1/embeddings`` and ``/v1/responses``
with the shapes the openai client parses, and answers with OpenAI's real error bodies when a
test scripts it to (``stub.script("/v1/models", Reply.error(...))``). Scripted replies are
used once each, in order; after them the server answers normally again, so "429, 429, then
success" tests the client's retries.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Error bodies as OpenAI sends them: {"error": {"message", "type", "param", "code"}}.
INCORRECT_HOSTNAME = (
    "Attempted to access resource with incorrect regional hostname. "
    "Please make your request to {host}"
)
INVALID_KEY = (
    "Incorrect API key provided: {masked}. You can find your API key at "
    "https://platform.openai.com/account/api-keys."
)
NO_PERMISSION = (
    "You have insufficient permissions for this operation. Missing scopes: api.model.read. "
    "Check that you have the correct role in your organization (Reader, Writer, Owner) and "
    "project (Member, Owner), and if you're using a restricted API key, that it has the "
    "necessary scopes."
)
MODEL_NOT_FOUND = "The model `{model}` does not exist or you do not have access to it."
RATE_LIMITED = (
    "Rate limit reached for gpt-4.1-2025-04-14 in organization org-stub on requests per min "
    "(RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit "
    "https://platform.openai.com/account/rate-limits to learn more."
)
SERVER_ERROR = "The server had an error while processing your request. Sorry about that!"

# Tells the client to wait 1 ms between retries instead of its 0.5 s+ backoff.
FAST_RETRY = {"retry-after-ms": "1"}
SLOW_REPLY_LIMIT = 3.0  # seconds a "slow" reply may hold a server thread, at most


def error_body(message: str, type_: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # JSON data; None: the path's normal answer
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a slow endpoint)

    @classmethod
    def error(
        cls, status: int, message: str, type_: str, code: str | None, **headers: str
    ) -> Reply:
        return cls(status, error_body(message, type_, code), dict(headers))

    @classmethod
    def incorrect_hostname(cls, host: str) -> Reply:
        return cls.error(401, INCORRECT_HOSTNAME.format(host=host), "invalid_request_error",
                         "incorrect_hostname")  # fmt: skip

    @classmethod
    def invalid_key(cls, masked: str) -> Reply:
        return cls.error(401, INVALID_KEY.format(masked=masked), "invalid_request_error",
                         "invalid_api_key")  # fmt: skip

    @classmethod
    def forbidden(cls) -> Reply:
        return cls.error(403, NO_PERMISSION, "invalid_request_error", None)

    @classmethod
    def model_not_found(cls, model: str) -> Reply:
        return cls.error(404, MODEL_NOT_FOUND.format(model=model), "invalid_request_error",
                         "model_not_found")  # fmt: skip

    @classmethod
    def rate_limited(cls) -> Reply:
        return cls(429, error_body(RATE_LIMITED, "requests", "rate_limit_exceeded"), FAST_RETRY)

    @classmethod
    def server_error(cls, status: int = 500) -> Reply:
        return cls(status, error_body(SERVER_ERROR, "server_error", None), FAST_RETRY)

    @classmethod
    def redirect(cls, location: str, status: int = 307) -> Reply:
        return cls(status, {}, {"location": location})

    @classmethod
    def html(cls, status: int = 200) -> Reply:
        """What a base URL without /v1 (or a captive portal) answers: a web page."""
        return cls(status, b"<!DOCTYPE html><html><body>Welcome</body></html>")

    @classmethod
    def slow(cls, seconds: float) -> Reply:
        return cls(delay=min(seconds, SLOW_REPLY_LIMIT))


@dataclass(frozen=True)
class Logged:
    method: str
    path: str
    headers: Mapping[str, str]
    body: Any


class OpenAIStub:
    """The server; ``base_url`` is ``http://<host>:<port>/v1``."""

    def __init__(self, models: list[str], host: str = "127.0.0.1") -> None:
        self.models = list(models)
        self.log: list[Logged] = []
        self._scripts: dict[str, deque[Reply]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> OpenAIStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._scripts.setdefault(path, deque()).extend(replies)

    def paths(self) -> list[str]:
        return [entry.path for entry in self.log]

    # --- the handler's side ----------------------------------------------------------

    def record(self, entry: Logged) -> Reply | None:
        with self._lock:
            self.log.append(entry)
            queue = self._scripts.get(entry.path)
            return queue.popleft() if queue else None

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def normal(self, path: str, body: Any) -> tuple[int, Any]:
        model = body.get("model", "") if isinstance(body, dict) else ""
        if path == "/v1/models":
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "system"}
                    for m in self.models]  # fmt: skip
            return 200, {"object": "list", "data": data}
        if path in ("/v1/chat/completions", "/v1/embeddings", "/v1/responses"):
            if model not in self.models:
                return 404, error_body(MODEL_NOT_FOUND.format(model=model),
                                       "invalid_request_error", "model_not_found")  # fmt: skip
            return 200, _answer(path, model)
        return 404, error_body(f"Invalid URL (GET {path})", "invalid_request_error", None)


def _answer(path: str, model: str) -> dict[str, Any]:
    if path == "/v1/chat/completions":
        return {
            "id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "finish_reason": "length", "logprobs": None,
                         "message": {"role": "assistant", "content": "p", "refusal": None}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }  # fmt: skip
    if path == "/v1/embeddings":
        return {
            "object": "list", "model": model,
            "data": [{"object": "embedding", "index": 0, "embedding": [0.0, 0.5]}],
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
        }  # fmt: skip
    return {
        "id": "resp_stub", "object": "response", "created_at": 0, "status": "completed",
        "model": model, "output": [], "parallel_tool_calls": True, "tool_choice": "auto",
        "tools": [], "store": False,
    }  # fmt: skip


def _handler_for(stub: OpenAIStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            path = self.path.split("?", 1)[0]
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = stub.record(Logged(self.command, path, headers, body))
            extra: Mapping[str, str] = {}
            if reply is not None and reply.delay:
                stub.wait(reply.delay)
                reply = None
            if reply is None:
                status, data = stub.normal(path, body)
            else:
                status, data, extra = reply.status, reply.body, reply.headers
            raw_body = isinstance(data, bytes)
            payload = data if isinstance(data, bytes) else json.dumps(data).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "text/html" if raw_body else "application/json")
                self.send_header("content-length", str(len(payload)))
                self.send_header("x-request-id", f"req_stub_{len(stub.log)}")
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up (a timeout test): nothing to answer
                pass

    return Handler


def serve(models: list[str], host: str = "127.0.0.1") -> Iterator[OpenAIStub]:
    """A started stub for a fixture; stopped after the test."""
    stub = OpenAIStub(models, host).start()
    try:
        yield stub
    finally:
        stub.stop()
