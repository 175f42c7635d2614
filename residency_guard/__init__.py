"""residency-guard: keeps OpenAI API traffic in the region a stack promises."""

__version__ = "0.1.0"
