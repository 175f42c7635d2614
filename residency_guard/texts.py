"""What a string says before any URL parser or catalog reads it: quotes, interpolations,
backend names and mentions of OpenAI in disguise.

The sources read these (a dotenv file worth reading, a setting that names a provider) and
``hosts`` builds on them; nothing here imports the catalog, so the source layer may.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

QUOTES = "\"'`"
# Values only known where they run: ${VAR}, $(cmd), {{ template }}, and $VAR anywhere, as a
# shell, Compose and a Dockerfile's ENV expand it (`$PROXY/v1`, `https://$HOST/v1`). No
# pattern may run past the opening of another ("${${${..." would make the search quadratic:
# a 1 MB value, hours).
INTERPOLATION = re.compile(r"\$\{[^{}]*\}|\$\([^()]*\)|\{\{[^{}]*\}\}|\$[A-Za-z_][A-Za-z0-9_]*")

# Latin look-alikes seen in homoglyph attacks on host names (Unicode confusables.txt, the
# subset that maps to the letters of "openai", "azure", "api" and "com").
_CONFUSABLES = str.maketrans(
    {
        "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c",
        "\u0456": "i", "\u0131": "i", "\u03bf": "o", "\u03b1": "a", "\u0501": "d",
        "\u0578": "n", "\u057c": "n", "\u0585": "o", "\u0261": "g", "\u1d0f": "o",
    }
)  # fmt: skip


# Words that pick a backend rather than name a host (`OPENAI_HOST=azure`, `openaiChatHost: ollama`
# in RAG templates, `llmProvider: foundry`): a setting named like an endpoint that holds one of
# these selects a provider, and no client connects to a host of that name. Lower case.
PROVIDER_SELECTORS = frozenset(
    {"openai", "azure", "azure_openai", "azureopenai", "azure-openai", "azure_custom", "aoai",
     "ollama", "foundry", "azure_foundry", "azureml", "github", "github_models", "local",
     "localai", "lmstudio", "llamafile", "llamacpp", "vllm", "litellm", "anthropic", "bedrock",
     "vertex", "vertexai", "google", "gemini", "mistral", "groq", "together", "huggingface",
     "cohere", "deepseek", "openrouter", "none", "disabled", "mock", "fake"}
)  # fmt: skip


def selects_provider(text: str) -> bool:
    """Whether a value picks a backend by name (``azure``, ``ollama``...), not a host."""
    return text.strip().strip(QUOTES).strip().lower() in PROVIDER_SELECTORS


def skeleton(text: str) -> str:
    """Lower-cased NFKC text with Latin look-alikes folded, to spot 'openai' in disguise."""
    return unicodedata.normalize("NFKC", text).lower().translate(_CONFUSABLES)


# What makes a text mention OpenAI: its names, and an IDNA label (which may spell anything).
# The facets gate's clues are built from these (facets._CLUES).
MENTION_NAMES = ("openai", "azure")
IDNA_PREFIX = "xn--"
PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_MAX_UNQUOTES = 4  # "%25" escapes "%": each round undoes one level of encoding


def percent_decoded(text: str) -> str:
    """``text`` with its percent escapes undone, to a fixed point (a few rounds at most)."""
    for _ in range(_MAX_UNQUOTES):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def mentions_openai(text: str) -> bool:
    """Whether a string could name an OpenAI or Azure OpenAI endpoint at all; percent-escaped
    too (``eu.api.%6Fpenai.com@evil.io`` names OpenAI to a reader and reaches evil.io)."""
    if PERCENT_ESCAPE.search(text) is not None:
        text = percent_decoded(text)
    lowered = text.lower()
    if IDNA_PREFIX in lowered or any(name in lowered for name in MENTION_NAMES):
        return True  # (an IDNA label may spell anything: checked whatever else the text holds)
    if lowered.isascii():
        return False
    folded = skeleton(text)
    return any(_disguises(folded, word) for word in _NAMES)


_NAMES = MENTION_NAMES
_MAX_STAND_INS = 2


def _disguises(folded: str, word: str) -> bool:
    """``word`` in ``folded``, where up to two non-ASCII characters may stand for its letters.

    No confusables table is complete (Greek rho for "p", Armenian "o"...): a non-ASCII character
    where a letter of the word should be is treated as a look-alike of that letter.
    """
    size = len(word)
    for start in range(len(folded) - size + 1):
        stand_ins = 0
        for offset, letter in enumerate(word):
            char = folded[start + offset]
            if char == letter:
                continue
            if char.isascii():
                break
            stand_ins += 1
        else:
            if stand_ins <= _MAX_STAND_INS:
                return True
    return False


def is_interpolation(text: str) -> bool:
    """``${OPENAI_HOST}``, ``$OPENAI_HOST``, ``$(cmd)``, ``{{ var }}``: a value only known
    where it runs."""
    return bool(INTERPOLATION.search(text))
