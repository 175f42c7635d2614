"""``scrub``: no whole, masked or partial key survives into a finding."""

from __future__ import annotations

import pytest

from residency_guard.verify.outcomes import scrub
from tests.verify.helpers import CANARY_KEY

OTHER_KEY = "sk-svcacct-" + "Zq9" * 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key {CANARY_KEY} refused", "key sk-...NARY refused"),
        # OpenAI's own masking keeps the prefix and the last four characters.
        ("Incorrect API key provided: sk-proj-****************NARY.",
         "Incorrect API key provided: sk-...***."),
        # Older masking showed the first characters of the key too.
        ("Incorrect API key provided: sk-proj-CANARYCA*********NARY.",
         "Incorrect API key provided: sk-...***."),
        # A run of the key without its prefix is still the key.
        (f"token {CANARY_KEY[8:24]} seen", "token **************** seen"),
        # Any other key-shaped string is redacted as the core does.
        (f"and {OTHER_KEY}", "and sk-...9Zq9"),
        ("no key here: sk-learn is a word", "no key here: sk-learn is a word"),
    ],
)  # fmt: skip
def test_scrub(text: str, expected: str) -> None:
    assert scrub(text, CANARY_KEY) == expected
