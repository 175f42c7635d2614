"""Moved to ``residency_guard.live.outcomes``; this name stays for callers of the old path."""

from residency_guard.live.outcomes import CallContext, Failure, explain, said, scrub

__all__ = ["CallContext", "Failure", "explain", "said", "scrub"]
