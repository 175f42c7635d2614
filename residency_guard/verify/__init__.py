"""Moved: the asking is ``residency_guard.live``, the live rules ``residency_guard.rules.live``.

``residency_guard.verify.plan`` and ``.outcomes`` stay importable for callers of the old paths.
"""
