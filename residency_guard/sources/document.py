"""What a source hands the pipeline: values by file, resources, region declarations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from residency_guard.envblocks import EnvBlock
from residency_guard.stackregion import Declaration
from residency_guard.values import Value
from residency_guard.yamlfile import Ambiguity


@dataclass(frozen=True)
class Resource:
    """A Pulumi resource as any front end sees it: type, name and its properties."""

    type: str
    name: str
    props: Mapping[str, Any]
    urn: str = ""
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Subject:
    """What a region is promised for: a stack, or a file held to a region (``paths:``,
    ``--region``, a dotenv file). ``label`` names it in messages (``EU stack 'prod-eu'``)."""

    label: str


@dataclass(frozen=True)
class MissingEnvironment:
    """An ESC environment a stack imports that the scanned input does not hold."""

    name: str
    expected: str  # the file it was looked for in ("" when no ESC folder exists)
    file: str  # where the import is written
    line: int = 0


@dataclass
class Part:
    """Values and resources a document draws from another file (an ESC environment's
    definition, the project file's defaults, a YAML program's files): judged against the
    document's region, each finding located in ``file``. A part is one scope: the rules read
    its SDK variables together (RG020)."""

    file: str
    values: list[Value] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    # The resources an Azure link written in this part may name (a program's, in all its files).
    linked: Mapping[str, Resource] = field(default_factory=dict)


# Where a resource is written in a file whose values carry no lines (a preview's JSON):
# (line, column), (0, 0) when it cannot be found. Asked only for a resource with findings.
Locator = Callable[[Resource], tuple[int, int]]


@dataclass
class Document:
    """One input as the rules see it.

    ``subject`` is what the region is about. ``values``, ``resources`` and ``env_blocks`` are
    located in ``file``; ``parts`` hold what lives in other files.
    """

    subject: Subject
    file: str
    kind: str
    values: list[Value] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    missing_environments: list[MissingEnvironment] = field(default_factory=list)
    # The variables each process receives together (a container's env, a compose service's).
    env_blocks: list[EnvBlock] = field(default_factory=list)
    # Where the file's YAML says something the engine may read two ways (RG015).
    ambiguities: list[Ambiguity] = field(default_factory=list)
    # Files held to the plaintext-key rule alone (every ESC definition a stack imports: a key in
    # one is a leak whether or not a stack sees it), their values by file.
    key_files: dict[str, list[Value]] = field(default_factory=dict)
    # Resources whose outputs an input of the same key hides: the value rules read those
    # outputs on their own (``<name>.outputs.<key>``).
    hidden_outputs: list[Resource] = field(default_factory=list)
    locate: Locator | None = None
    # False where the stack rules (a region declared, RG017) do not apply: a dotenv file that
    # holds no OpenAI setting promises nothing.
    judge_stack: bool = True
