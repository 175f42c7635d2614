"""Sources: one module per input kind, each turning files into a ``Document`` for the rules.

A source reads; it never judges (no rule is imported here). The pipeline
(``residency_guard.pipeline``) evaluates what a source produced.
"""
