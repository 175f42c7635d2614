"""The live rules (RG100-RG109): what ``residency-guard verify`` reports about an endpoint's
answers, one module per rule, listed in ``registry``. The asking is in ``residency_guard.live``."""
