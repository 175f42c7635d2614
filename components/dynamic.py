"""Dynamic resources whose provider is serialised once per program, not once per resource.

pulumi 3.272's ``pulumi.dynamic.Resource`` serialises its provider with dill for every
resource, and every call of ``pulumi.dynamic.dynamic.serialize_provider`` wraps
``pickle._Pickler._batch_setitems`` in one more sorting layer that it never removes. After
about 300 dynamic resources in one program, pickling a dict runs through 300 nested wrappers
and the next dynamic provider that pickles one (any provider defined in the program's
``__main__``, pickled by value) fails with ``RecursionError`` — the whole ``pulumi preview``
fails. A stack with a few hundred dotenv sinks is enough.

``OnceSerialized`` serialises each provider class once per program and restores the pickler
as it found it, so our sinks add no layer however many there are; every resource still
carries the provider in ``__provider``, a secret, exactly as ``pulumi.dynamic.Resource``
sends it (``tests/components/test_dynamic.py`` pins that contract, and
``tests/engine/test_many_sinks.py`` previews 400 sinks and a provider of the program's own
under the real engine). It fits providers without instance state, whose behaviour is their
class (all of ours): the one serialisation then stands for every instance.
"""

from __future__ import annotations

import pickle
from typing import Any

import pulumi
import pulumi.dynamic
from pulumi.dynamic.dynamic import PROVIDER_KEY, serialize_provider

# Serialised providers by class: the serialisation is a pure function of a stateless class.
_SERIALIZED: dict[type[pulumi.dynamic.ResourceProvider], str] = {}


def serialized_once(provider: pulumi.dynamic.ResourceProvider) -> str:
    """``serialize_provider(provider)``, computed once per provider class, leaving ``pickle``'s
    pure-Python pickler as it was (the SDK's call leaves one more wrapper on it)."""
    if vars(provider):
        raise TypeError(
            f"Expected {type(provider).__name__} to hold no instance state: it is serialised "
            "once for all its resources"
        )
    kind = type(provider)
    found = _SERIALIZED.get(kind)
    if found is None:
        patched = ("_batch_setitems", "save_dict")
        before = {name: pickle._Pickler.__dict__[name] for name in patched}
        try:
            found = serialize_provider(provider)
        finally:
            for name, original in before.items():
                setattr(pickle._Pickler, name, original)
        _SERIALIZED[kind] = found
    return found


class OnceSerialized(pulumi.dynamic.Resource):
    """A ``pulumi.dynamic.Resource`` whose provider is serialised once per program."""

    def __init__(
        self,
        provider: pulumi.dynamic.ResourceProvider,
        name: str,
        props: dict[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if PROVIDER_KEY in props:
            raise TypeError(f"Expected the properties of {name} to hold no {PROVIDER_KEY} key")
        # What pulumi.dynamic.Resource.__init__ registers: the provider as a secret (its
        # default, serialize_as_secret_always), under the same type token.
        inputs = {**props, PROVIDER_KEY: pulumi.Output.secret(serialized_once(provider))}
        pulumi.CustomResource.__init__(
            self, f"pulumi-python:{self._resource_type_name}", name, inputs, opts
        )
