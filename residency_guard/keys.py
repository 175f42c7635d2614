"""What a value's name says about it: an endpoint, a model, a list of API surfaces."""

from __future__ import annotations

import functools
import re

from residency_guard.sdkvars import sdk_variable
from residency_guard.texts import is_interpolation
from residency_guard.values import Value, decoded_forms

# The env var current SDKs ignore (openai>=1 reads OPENAI_BASE_URL only; openai-python #624, #745).
LEGACY_BASE_VAR = "OPENAI_API_BASE"
BASE_URL_VAR = "OPENAI_BASE_URL"

_ENDPOINT_WORDS = ("url", "host", "endpoint", "base", "uri")
# Names that carry a surface list or a per-surface model map in our own config namespace.
SURFACES_KEY = "surfaces"
_MODEL_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{1,127}$")
# Keys about a model rather than naming one (``modelFormat``, ``model.version``...).
_MODEL_ATTRIBUTES = ("format", "version", "provider", "source", "type", "kind", "path", "dir")
_NOT_MODELS = frozenset({"true", "false", "yes", "no", "null", "none", "default", "auto"})

# Words in a key that name a surface (a model under "embeddingModel" is an embeddings model).
SURFACE_HINTS: tuple[tuple[str, str], ...] = (
    ("embedding", "embeddings"),
    ("finetun", "fine_tuning"),
    ("fine_tun", "fine_tuning"),
    ("fine-tun", "fine_tuning"),
    ("batch", "batches"),
    ("transcri", "audio"),
    ("speech", "audio"),
    ("tts", "audio"),
    ("whisper", "audio"),
    ("audio", "audio"),
    ("image", "images"),
    ("moderation", "moderations"),
    ("realtime", "realtime"),
    ("response", "responses"),
    ("assistant", "assistants"),
    ("chat", "chat"),
)


# Names repeat across values (every container's LOG_LEVEL, every stack's config keys) and several
# rules ask about the same one: the two pure functions below are memoized, bounded.
@functools.lru_cache(maxsize=4096)
def bare_name(name: str) -> str:
    """``app:openaiBaseUrl`` -> ``openaibaseurl``: namespace, case and separators dropped."""
    return name.rsplit(":", 1)[-1].lower().replace("_", "").replace("-", "")


@functools.lru_cache(maxsize=4096)
def is_endpoint_name(name: str) -> bool:
    """Whether a value under this name is an OpenAI endpoint, whatever host it holds."""
    if name.upper() in (BASE_URL_VAR, LEGACY_BASE_VAR):
        return True
    bare = bare_name(name)
    if name.startswith("residency-guard:") and bare in ("baseurl", "gatewayhost", "gateway"):
        return True
    return "openai" in bare and any(word in bare for word in _ENDPOINT_WORDS)


# A structured setting under an OpenAI-named key (`app:openai: {baseUrl: ...}`, a JSON blob's
# `{"openai": {"base_url": ...}}`): leaf names that hold a base URL. Exact names, so that
# `openai.logoUrl` stays a picture; bare host names (`host`) are no base URL a client takes.
_NESTED_ENDPOINT_NAMES = frozenset(
    {"url", "uri", "endpoint", "base", "baseurl", "baseuri", "apibase", "apiurl", "apiendpoint",
     "websocketbaseurl"}
)  # fmt: skip


def is_endpoint_value(value: Value) -> bool:
    """Whether a value is an OpenAI endpoint setting, by its own name or by the keys above it."""
    by_name = _endpoint_by_name(value.name)
    if by_name is not None:
        return by_name
    return any(isinstance(part, str) and "openai" in bare_name(part) for part in value.path)


@functools.lru_cache(maxsize=4096)
def _endpoint_by_name(name: str) -> bool | None:
    """True or False when the name decides; None for a leaf name (``url``, ``baseUrl``) that
    is an endpoint under an OpenAI-named key only."""
    if is_endpoint_name(name):
        return True
    if bare_name(name).replace(".", "") not in _NESTED_ENDPOINT_NAMES:
        return False
    return None


def unset_when_empty(name: str) -> bool:
    """Whether an empty value under this endpoint name leaves it unconfigured rather than
    sending to the client's default host: an Azure endpoint (``AZURE_OPENAI_ENDPOINT``), which
    the openai client never falls back from to api.openai.com. OPENAI_BASE_URL empty does."""
    return "azure" in bare_name(name)


def is_legacy_base(value: Value) -> bool:
    """Whether a value is OPENAI_API_BASE, by its name or as ``OPENAI_API_BASE=`` in its text."""
    if value.name.upper() == LEGACY_BASE_VAR:
        return True
    return sets_legacy_base(value.text)


def sets_legacy_base(text: str) -> bool:
    return f"{LEGACY_BASE_VAR}=" in text


def is_interpolated(text: str) -> bool:
    """``${OPENAI_HOST}``, ``$(cmd)``, ``{{ var }}``: a value only known where it runs."""
    return is_interpolation(text)


def names_model(value: Value) -> bool:
    """Whether this value is a model id, by the name it stands under.

    ``OPENAI_MODEL: x``, ``chatModel: x``, ``models: [x]`` and ``models: {chat: [x]}`` name
    models; ``model: {format: OpenAI, version: "2024-11-20"}`` (an Azure deployment) does not.
    """
    text = _model_token(value.text)
    if text is None or _other_providers_model(text):
        return False
    named = _name_says_model(value.name)
    if named is None:
        named = bool(value.path) and _path_says_model(value.path[-3:])
    if not named or _names_other_provider(value.name):
        return False
    # The keys above it, not the first step: a resource's name (`api-deployment`) is no setting.
    if _path_names_other_provider(value.path):
        return False
    # A base64 value (a Kubernetes Secret's data) is judged by its decoded form.
    return not (not value.decoded and _decodes_as_base64(text))


@functools.lru_cache(maxsize=16384)
def _path_names_other_provider(path: tuple[str | int, ...]) -> bool:
    """Whether a key above a value (not the first step) puts it under another provider."""
    return any(isinstance(p, str) and _key_names_other_provider(p) for p in path[1:])


# names_model's pure parts, memoized: three rules ask it about every value, and texts and names
# repeat (every container's LOG_LEVEL: info).
@functools.lru_cache(maxsize=4096)
def _model_token(text: str) -> str | None:
    """The stripped text when it is shaped like a model id, else None."""
    text = text.strip()
    if not text or text.lower() in _NOT_MODELS or not _MODEL_TOKEN.match(text) or text.isdigit():
        return None
    return text


# Names that put a model under another provider or under Azure's deployment rules (RG012,
# RG013 judge Azure accounts and deployments; OpenAI's snapshot lists do not apply there).
_OTHER_PROVIDER_WORDS = (
    "azure", "deployment", "ollama", "llama", "anthropic", "claude", "gemini", "vertex",
    "bedrock", "huggingface", "cohere", "mistral", "groq", "deepseek", "lmstudio", "vllm",
    "gguf",
)  # fmt: skip
# Model families no OpenAI endpoint serves (Ollama's library, Hugging Face repos, other APIs).
_OTHER_FAMILIES = (
    "llama", "codellama", "tinyllama", "mistral", "mixtral", "codestral", "qwen", "gemma",
    "phi", "nomic-embed", "mxbai-embed", "all-minilm", "bge-", "snowflake-arctic", "deepseek",
    "starcoder", "granite", "command-r", "claude", "gemini", "falcon", "vicuna", "orca",
    "llava", "smollm", "olmo", "yi-", "zephyr", "openchat", "neural-chat", "dolphin",
)  # fmt: skip
# Local model files (llama.cpp, GPT4All, transformers exports).
_MODEL_FILE_SUFFIXES = (".gguf", ".ggml", ".bin", ".safetensors", ".onnx", ".pt")


@functools.lru_cache(maxsize=4096)
def _other_providers_model(text: str) -> bool:
    """Whether a model id is another provider's: a family OpenAI does not serve, an Ollama
    tag (``llama3.1:8b``; OpenAI ids have no ':' but fine-tuned ``ft:`` ones), a model file."""
    lowered = text.lower()
    if ":" in lowered and not lowered.startswith("ft:"):
        return True
    return lowered.startswith(_OTHER_FAMILIES) or lowered.endswith(_MODEL_FILE_SUFFIXES)


@functools.lru_cache(maxsize=16384)
def _names_other_provider(name: str) -> bool:
    lowered = name.rsplit(":", 1)[-1].lower()
    return any(word in lowered for word in _OTHER_PROVIDER_WORDS)


# A key above a model that puts it under another provider: a provider's name, or a list of
# Azure deployments (`deployments: [{model: gpt-4o, sku: ...}]`, Bicep's and Terraform's shape).
_OTHER_PROVIDER_KEYS = (
    "azure", "ollama", "anthropic", "claude", "gemini", "vertex", "bedrock", "huggingface",
    "cohere", "groq", "lmstudio", "vllm",
)  # fmt: skip


@functools.lru_cache(maxsize=16384)
def _key_names_other_provider(key: str) -> bool:
    lowered = key.rsplit(":", 1)[-1].lower()
    return lowered.endswith("deployments") or any(w in lowered for w in _OTHER_PROVIDER_KEYS)


@functools.lru_cache(maxsize=4096)
def _name_says_model(name: str) -> bool | None:
    """True/False when the name decides (it mentions a model), None when the path must."""
    lowered = name.lower()
    if "model" in lowered:
        return not lowered.endswith(_MODEL_ATTRIBUTES)
    return None


@functools.lru_cache(maxsize=4096)
def _path_says_model(tail: tuple[str | int, ...]) -> bool:
    """Whether the last three steps of a path hold a model: a list item under a models key,
    or an entry of a per-surface models mapping."""
    above = [p.lower() for p in tail[-3:-1] if isinstance(p, str)]
    return (isinstance(tail[-1], int) and any("model" in p for p in above[-1:])) or any(
        p.endswith("models") for p in above
    )


@functools.lru_cache(maxsize=4096)
def _decodes_as_base64(text: str) -> bool:
    return any(kind == "base64" for kind, _ in decoded_forms(text))


# The gate asks these two about every key and name of a preview: memoized like the name
# functions above, with room for a large preview's distinct keys.
@functools.lru_cache(maxsize=16384)
@functools.lru_cache(maxsize=16384)
def name_may_matter(name: str) -> bool:
    """Whether a value's name alone may make it an endpoint setting, a model or
    OPENAI_API_BASE or a surface list (the facets gate, residency_guard.facets): a superset
    of what is_endpoint_value, names_model, is_legacy_base and lists_surfaces read of the name
    and of a string's own key."""
    return bool(
        _endpoint_by_name(name)
        or _name_says_model(name)
        or name.upper() == LEGACY_BASE_VAR
        or bare_name(name) == SURFACES_KEY  # `surfaces: chat`, a list of one
        or sdk_variable(name) is not None  # OPENAI_API_TYPE, AWS_REGION, HTTPS_PROXY...
    )


@functools.lru_cache(maxsize=16384)
def key_may_matter(key: str) -> bool:
    """Whether a key on a value's path may make it an endpoint setting, a model or a surface
    list item: a superset of what is_endpoint_value, names_model and lists_surfaces read of
    the path (an OpenAI-named key above, a models or surfaces key)."""
    bare = bare_name(key)
    return "openai" in bare or "model" in key.lower() or bare == SURFACES_KEY


def surface_hint(value: Value) -> str | None:
    """The surface a model is for, when its name or path says so (the nearest part that does)."""
    for part in reversed(value.path):
        if isinstance(part, str):
            hint = _part_hint(part)
            if hint is not None:
                return hint
    return _part_hint(value.name)


@functools.lru_cache(maxsize=16384)
def _part_hint(part: str) -> str | None:
    # Three rules ask about every model's path: its keys repeat, resource names do not.
    lowered = part.lower()
    for word, surface in SURFACE_HINTS:
        if word in lowered:
            return surface
    return None


def lists_surfaces(value: Value) -> bool:
    """Whether a value is an item of a surface list (``residency-guard:surfaces``)."""
    for part in value.path[-2:]:  # a loop, not any(...): asked about every value
        if isinstance(part, str) and bare_name(part) == SURFACES_KEY:
            return True
    return False
