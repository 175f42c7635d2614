"""Moved to ``residency_guard.live.plan``; this name stays for callers of the old path."""

from residency_guard.live.plan import (
    LiveEndpoint,
    VerifyPlan,
    live_endpoint,
    plan_for_endpoint,
    plan_for_stack,
)

__all__ = ["LiveEndpoint", "VerifyPlan", "live_endpoint", "plan_for_endpoint", "plan_for_stack"]
