"""A file discovery found, and how its source reads it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from residency_guard.stackregion import Declaration


@dataclass(frozen=True)
class Target:
    """A file to scan and how."""

    path: Path
    kind: str  # "stack-file", "pulumi-json", "dotenv", "config-file"
    project_region: Declaration | None = None
    project_file: Path | None = None  # whose config defaults the stack inherits
    # The regions a path is held to (`paths:`, `--region`, the `stacks:` claims on the stack a
    # dotenv file's name names): none, one, or a conflict.
    held: tuple[Declaration, ...] = ()
