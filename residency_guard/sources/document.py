"""What a source hands the pipeline: values by file, resources, region declarations."""

from __future__ import annotations

from dataclasses import dataclass, field

from residency_guard.context import Resource
from residency_guard.envblocks import EnvBlock
from residency_guard.stackregion import Declaration
from residency_guard.values import Value


@dataclass(frozen=True)
class MissingEnvironment:
    """An ESC environment a stack imports that the scanned input does not hold."""

    name: str
    expected: str  # the file it was looked for in ("" when no ESC folder exists)
    file: str  # where the import is written
    line: int = 0


@dataclass
class Document:
    """One input as the rules see it.

    ``subject`` is what the region is about: a stack name, or a path held to a region by
    ``paths:``. ``values`` are located in ``file``; ``elsewhere`` holds values that live in
    other files (an ESC environment a stack imports), by file name.
    """

    subject: str
    file: str
    kind: str
    values: list[Value] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    elsewhere: dict[str, list[Value]] = field(default_factory=dict)
    missing_environments: list[MissingEnvironment] = field(default_factory=list)
    # The variables each process receives together (a container's env, a compose service's).
    env_blocks: list[EnvBlock] = field(default_factory=list)
