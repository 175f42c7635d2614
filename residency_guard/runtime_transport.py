"""Moved to ``residency_guard.runtime.transport``; this name stays for callers of the old path."""

from residency_guard.runtime.transport import (
    SDK_LIMITS,
    AsyncGuardedTransport,
    GuardedTransport,
    guarded_transport,
)

__all__ = ["SDK_LIMITS", "AsyncGuardedTransport", "GuardedTransport", "guarded_transport"]
