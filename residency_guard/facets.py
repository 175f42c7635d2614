"""What a value is about, asked once per value: the gate in front of the value rules.

A stack file holds dozens of strings and a preview millions; almost none of them name an
endpoint, a model, a surface list or a key. Each value rule declares the facets it reads
(``Rule.reads``) and runs only on values that have one of them, so an ordinary value costs
one look instead of a call to every rule. ``tests/core/test_facets.py`` holds every rule to
its declaration: a rule never finds anything on a value without the facets it reads.
"""

from __future__ import annotations

import enum
import functools
import re
from typing import TYPE_CHECKING

from residency_guard.endpoints import assigns_endpoint, sdk_assignments
from residency_guard.hosts import find_endpoints, may_hold_endpoint
from residency_guard.keys import (
    is_endpoint_value,
    is_legacy_base,
    key_may_matter,
    lists_surfaces,
    name_may_matter,
    names_model,
    sets_legacy_base,
)
from residency_guard.memo import LIMIT
from residency_guard.redact import KEY_PREFIX
from residency_guard.sdkvars import sdk_variable
from residency_guard.texts import IDNA_PREFIX, MENTION_NAMES, PERCENT_ESCAPE
from residency_guard.values import BASE64_TEXT, JSON_OPENERS, Value, decodes

if TYPE_CHECKING:
    from residency_guard.catalog.model import Catalog
    from residency_guard.context import StackContext


class Facet(enum.IntFlag):
    """One thing a value can be about."""

    NONE = 0
    ENDPOINT = enum.auto()  # holds an endpoint that concerns OpenAI traffic (ctx.endpoints)
    # stands under an endpoint setting's name (or assigns one, NAME=value), whatever it holds
    ENDPOINT_NAME = enum.auto()
    MODEL = enum.auto()  # names a model
    SURFACES = enum.auto()  # is an item of a surface list
    LEGACY_BASE = enum.auto()  # is or sets OPENAI_API_BASE
    KEY_TEXT = enum.auto()  # a non-secret text with "sk-" in it
    SDK_VARIABLE = enum.auto()  # sets an SDK variable that may pick another provider or host
    ALL = ENDPOINT | ENDPOINT_NAME | MODEL | SURFACES | LEGACY_BASE | KEY_TEXT | SDK_VARIABLE


# Plain ints for the per-value work: IntFlag's operators are Python calls.
_ENDPOINT = int(Facet.ENDPOINT)
_ENDPOINT_NAME = int(Facet.ENDPOINT_NAME)
_MODEL = int(Facet.MODEL)
_SURFACES = int(Facet.SURFACES)
_LEGACY_BASE = int(Facet.LEGACY_BASE)
_KEY_TEXT = int(Facet.KEY_TEXT)
_SDK_VARIABLE = int(Facet.SDK_VARIABLE)


def facets_of(value: Value, ctx: StackContext) -> int:
    """Every facet ``value`` has in ``ctx``, as the int of a ``Facet``; 0 for none."""
    found = 0
    if ctx.endpoints(value):
        found |= _ENDPOINT
    if is_endpoint_value(value) or assigns_endpoint(value.text):
        found |= _ENDPOINT_NAME
    if not value.unknown and names_model(value):
        found |= _MODEL
    if lists_surfaces(value):
        found |= _SURFACES
    if is_legacy_base(value):
        found |= _LEGACY_BASE
    if not value.secret and KEY_PREFIX in value.text:
        found |= _KEY_TEXT
    if (value.name and sdk_variable(value.name) is not None) or sdk_assignments(value.text):
        found |= _SDK_VARIABLE
    return found


class FacetGate:
    """The gate in front of the values themselves (``walk_data(gate=...)``): a cheap test of
    a string, before it becomes a Value, that keeps every string with a facet (and some
    without). A string is kept below a key that may make its values endpoint settings,
    models or surfaces (sticky: all the way down), under a name that may, or when its text
    may hold an endpoint or a key (``sk-``; a text setting OPENAI_API_BASE mentions OpenAI)
    or decode to more text. A preview's strings are mostly none of these.
    """

    def __init__(self, catalog: Catalog) -> None:
        index = catalog.index  # the test reads the catalog's gateways: one memo per catalog
        if index.text_test is None:
            # functools' LRU cache: a hit is one call in C, and the gate asks for every string
            index.text_test = functools.lru_cache(maxsize=LIMIT)(
                functools.partial(_text_may_matter, catalog)
            )
        self._text_test = index.text_test

    # The walk calls this for each key: the memoized function itself, no method around it.
    hot_key = staticmethod(key_may_matter)

    def keep(self, text: str, name: str) -> bool:
        return self._text_test(text) or name_may_matter(name)


def _text_may_matter(catalog: Catalog, text: str) -> bool:
    if not catalog.gateways and _CLUES.search(text) is None:
        return False  # one pass in C for the common case: an id, a label, a number
    return (
        KEY_PREFIX in text
        or sets_legacy_base(text)
        or decodes(text)
        # may_hold_endpoint first: find_endpoints would memoize every id and ARN too
        or (may_hold_endpoint(text, catalog) and bool(find_endpoints(text, catalog)))
        or assigns_endpoint(text)
        or bool(sdk_assignments(text))
    )


# Every text _text_may_matter keeps (with no team gateways) has one of these clues: a key's
# prefix, OpenAI's names, an IDNA label or a percent escape (texts.mentions_openai;
# OPENAI_API_BASE= too), a character outside ASCII (a look-alike may spell a name), or a
# JSON or base64 shape (values.decoded_forms). Built from those modules' own lists, so that
# a clue added there is a clue here; tests/core/test_facets.py holds the gate to that.
_CLUES = re.compile(
    "|".join([
        re.escape(KEY_PREFIX),
        *map(re.escape, MENTION_NAMES),
        re.escape(IDNA_PREFIX),
        PERCENT_ESCAPE.pattern,
        r"[^\x00-\x7f]",
        rf"^\s*[{re.escape(JSON_OPENERS)}]",
        rf"^\s*{BASE64_TEXT}\s*$",
    ]),
    re.IGNORECASE,
)  # fmt: skip
