"""Moved to ``residency_guard.runtime.pin``; this name stays for callers of the old path."""

from residency_guard.runtime.pin import (
    API_KEY_ENV,
    BASE_URL_ENV,
    LEGACY_BASE_ENV,
    ORG_ENV,
    PROJECT_ENV,
    REGION_ENV,
    RegionPin,
    ResidencyViolation,
    ResidencyWarning,
    is_loopback_ip,
    safe_url_text,
)

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "LEGACY_BASE_ENV",
    "ORG_ENV",
    "PROJECT_ENV",
    "REGION_ENV",
    "RegionPin",
    "ResidencyViolation",
    "ResidencyWarning",
    "is_loopback_ip",
    "safe_url_text",
]
