"""What each precondition id of the region tables means, in our words, and what it touches.

The ids come from the tables' columns and footnotes (``catalog import`` reads them); the
catalog command, the report and rule RG019 say them with these texts.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

PRECONDITIONS: Mapping[str, str] = MappingProxyType({
    "mam-or-zdr": "the organization must be approved for abuse-monitoring controls (Modified "
                  "Abuse Monitoring or Zero Data Retention) before a project can use this region",
    "retention-controls": "the project needs Zero Data Retention, Modified Abuse Monitoring, "
                          "Private Retention with PSP or Safety Retention",
    "image-approval": "image support here needs approval for enhanced Zero Data Retention or "
                      "enhanced Modified Abuse Monitoring",
    "processing-outside": "storage only: requests are processed, and may be stored for a "
                          "while, outside the region",
    "processing-partial": "only the listed snapshots are processed in the region; other "
                          "models are stored here and processed outside",
})  # fmt: skip

# The surfaces a precondition is about; None: every surface of a stack in the region.
IMAGE_SURFACES = frozenset({"images"})


def text(precondition: str) -> str:
    """The words for a precondition id (an unknown id is said as itself)."""
    return PRECONDITIONS.get(precondition, precondition)
