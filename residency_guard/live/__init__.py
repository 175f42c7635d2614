"""``residency-guard verify``: what the live endpoint of a region really serves.

The deploy-time rules prove what a stack declares; these modules ask the endpoint itself,
with the official openai client (``verify``, ``plan``, ``outcomes``, ``diff``), and turn each
answer into a finding of a live rule (RG100-RG109, ``residency_guard.rules.live``). openai is
imported when a check runs, never on import.
"""
