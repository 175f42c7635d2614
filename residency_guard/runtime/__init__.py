"""Keep an application's OpenAI traffic in its region at run time (``guarded_client``,
``RegionRouter``): the client in ``client``, the host pin in ``pin``, the guarded HTTP layer
in ``transport``. openai is imported when a client is built, never on import.
"""

from residency_guard.runtime.client import (
    AsyncGuardedTransport,
    GuardedTransport,
    RegionNotServed,
    RegionPin,
    RegionRouter,
    ResidencyViolation,
    ResidencyWarning,
    guarded_client,
    pinned_region,
)

__all__ = [
    "AsyncGuardedTransport",
    "GuardedTransport",
    "RegionNotServed",
    "RegionPin",
    "RegionRouter",
    "ResidencyViolation",
    "ResidencyWarning",
    "guarded_client",
    "pinned_region",
]
