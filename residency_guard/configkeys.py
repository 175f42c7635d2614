"""Config keys as the Pulumi engine reads them: one key may be written several ways.

The engine (``sdk/go/common/resource/config/key.go``, ``ParseKey``, and the project-stack
loader) gives a bare key the project's name as its namespace and reads the legacy form
``<ns>:config:<name>`` as ``<ns>:<name>``. In a project named ``residency-guard``, ``region``,
``residency-guard:config:region`` and ``residency-guard:region`` are one key, and when a file
holds two of them Go's map order picks the value: measured with ``pulumi config get``, the
same file gives ``eu`` or ``global`` from one run to the next.
"""

from __future__ import annotations

from typing import NamedTuple

import yaml

from residency_guard.yamlfile import YamlDocument


def engine_key(key: str, project: str | None) -> str | None:
    """The key the engine reads ``key`` as; None when it cannot tell (a bare key and no project
    name) or when the engine refuses the key (more colons than its two forms allow)."""
    colons = key.count(":")
    if colons == 0:
        return f"{project}:{key}" if project else None
    if colons == 1:
        return key
    namespace, _, rest = key.partition(":")
    if colons == 2 and rest.startswith("config:"):
        return f"{namespace}:{rest.removeprefix('config:')}"
    return None


class Spelling(NamedTuple):
    """One way a file writes a config key, and the value written there."""

    key: str
    value: yaml.Node

    @property
    def line(self) -> int:
        return self.value.start_mark.line + 1


def spellings(
    document: YamlDocument, config: yaml.Node | None, project: str | None
) -> dict[str, list[Spelling]]:
    """The entries of a ``config:`` mapping by the key the engine reads, in file order; the
    preferred spelling first. A key the engine cannot place (a bare key with no project
    name: a stack file with no ``Pulumi.yaml`` above it) stands for itself."""
    found: dict[str, list[Spelling]] = {}
    if config is None:  # mapping(None) is the root: keys beside `config:` are no config
        return found
    for key, node in document.mapping(config).items():
        # `ns:name`, nearly every key, is read as written: no call for it
        engine = key if key.count(":") == 1 else (engine_key(key, project) or key)
        found.setdefault(engine, []).append(Spelling(key, node))
    for engine, written in found.items():
        if len(written) > 1:  # a key spelt once (nearly all) has no order to settle
            written.sort(key=lambda s: (s.key != engine, s.line))
    return found
