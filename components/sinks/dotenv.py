"""Dotenv sink (the embedded default): the env written to a local file by a dynamic provider.

Works with a local file backend and no cloud account: a Pulumi dynamic provider needs no
plugin download. The file starts with ``# residency-guard:region: <id>``, which the core's
dotenv source (``residency_guard.sources.dotenv``) reads as the file's region, so
``residency-guard check`` judges the file against the region it was written for.

The file is written atomically (a temporary file in the same folder, created 0600, then
``os.replace``), so a reader sees the old file or the new one, never half of one, and the key
is never readable by others, not even for a moment. ``update`` rewrites it, ``delete``
removes it. A relative path is relative to the Pulumi project folder (the working directory
of the program and of the provider).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi.dynamic
from pulumi.runtime import rpc

from components.dynamic import OnceSerialized
from components.openai_residency import OpenAIResidency
from residency_guard.api import LABEL_REGION
from residency_guard.sources.dotenv import GENERATED_MARKER
from residency_guard.sources.dotenv import REGION_COMMENT as CORE_REGION_COMMENT
from residency_guard.writing import write_atomically

TYPE = "residency-guard:sinks:Dotenv"
# The first line; the same text as residency_guard.sources.dotenv.REGION_COMMENT.
REGION_COMMENT = CORE_REGION_COMMENT  # the core reads this line back
FILE_MODE = 0o600
_BARE = re.compile(r"[A-Za-z0-9_./:@+=,-]*")


def render_dotenv(env: Mapping[str, str], labels: Mapping[str, str], source: str = "") -> str:
    """The file's text: the region comment, the other residency labels and a do-not-edit
    note as comments, then ``NAME=value`` lines.

    Values that a shell would split are quoted so that shells and python-dotenv read the same
    text: single quotes, or double quotes around a value with a single quote. A value with a
    line break is refused (one variable, one line), and so is one the two would read apart
    (a backslash inside quotes, or a single quote beside ``"``, ``$`` or a backtick).
    """
    lines = [f"{REGION_COMMENT} {labels[LABEL_REGION]}"]
    lines += [f"# {key}: {value}" for key, value in labels.items() if key != LABEL_REGION]
    where = f" ({source})" if source else ""
    lines.append(f"{GENERATED_MARKER}{where}; `pulumi up` rewrites this file.")
    for name, value in env.items():
        text = str(value)
        if any(c in text for c in "\r\n\0"):
            raise ValueError(f"the value of {name} holds a line break; a dotenv line cannot")
        lines.append(f"{name}={_quoted(name, text)}")
    return "\n".join(lines) + "\n"


def _quoted(name: str, text: str) -> str:
    """``text`` as shells and python-dotenv both read it back (python-dotenv decodes ``\\``
    and ``\\'`` even inside single quotes; shells expand ``$`` and backticks in double ones)."""
    if _BARE.fullmatch(text):
        return text
    if "\\" not in text:
        if "'" not in text:
            return f"'{text}'"
        if not any(c in text for c in '"$`'):
            return f'"{text}"'
    raise ValueError(
        f"the value of {name} would be read differently by shells and python-dotenv; "
        "remove its backslash or its quote"
    )


def write_atomic(path: str | os.PathLike[str], content: str) -> None:
    """Replaces ``path`` with ``content``, mode 0600 from the first byte written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temporary file is in the target's folder, so os.replace stays one rename.
    write_atomically(target, content, mode=FILE_MODE)


def _text(props: Mapping[str, Any], key: str) -> str:
    """A property as text. The engine sends plain values (the dynamic provider declines
    secrets), but a secret wrapper must never reach the file as its repr."""
    return str(rpc.unwrap_rpc_secret(props.get(key)))


def _digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _on_disk(path: str) -> str | None:
    try:
        return _digest(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


class DotenvFileProvider(pulumi.dynamic.ResourceProvider):
    """Create, update and delete of one dotenv file; the resource's id is its path."""

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        path, content = _text(props, "path"), _text(props, "content")
        write_atomic(path, content)
        return pulumi.dynamic.CreateResult(id_=path, outs=self._outs(path, content))

    def diff(
        self, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        old_path, new_path = _text(olds, "path"), _text(news, "path")
        if old_path != new_path:
            # Delete first: two spellings of one file must not end with the file deleted.
            return pulumi.dynamic.DiffResult(
                changes=True, replaces=["path"], delete_before_replace=True
            )
        new_digest = _digest(_text(news, "content"))
        # The file on disk counts: a file edited or removed by hand is rewritten by `up`.
        changed = olds.get("sha256") != new_digest or _on_disk(new_path) != new_digest
        return pulumi.dynamic.DiffResult(changes=changed, replaces=[])

    def update(
        self, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        path, content = _text(news, "path"), _text(news, "content")
        write_atomic(path, content)
        return pulumi.dynamic.UpdateResult(outs=self._outs(path, content))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        Path(_text(props, "path") if props.get("path") else id_).unlink(missing_ok=True)

    @staticmethod
    def _outs(path: str, content: str) -> dict[str, Any]:
        return {"path": path, "content": content, "sha256": _digest(content)}


class DotenvFile(OnceSerialized, module="residency-guard", name="DotenvFile"):
    """A local dotenv file (``pulumi-python:dynamic/residency-guard:DotenvFile``); its provider
    is serialised once per program (``components.dynamic``: many sinks in one program)."""

    path: pulumi.Output[str]
    sha256: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        path: pulumi.Input[str],
        content: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # The content holds the key: secret as an input, and as an output in state.
        secret_opts = pulumi.ResourceOptions(additional_secret_outputs=["content"])
        super().__init__(
            DotenvFileProvider(),
            name,
            {"path": path, "content": pulumi.Output.secret(content), "sha256": None},
            pulumi.ResourceOptions.merge(opts, secret_opts),
        )


@dataclass
class DotenvSinkArgs:
    residency: OpenAIResidency
    path: str = ".env.openai"  # relative to the Pulumi project folder


class DotenvSink(pulumi.ComponentResource):
    """Delivers an OpenAIResidency's env as a local dotenv file (mode 0600)."""

    path: pulumi.Output[str]

    def __init__(
        self, name: str, args: DotenvSinkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {"path": args.path}, opts)
        resolved = args.residency.resolved
        source = f"dotenv sink '{name}'"
        content = args.residency.env.apply(lambda env: render_dotenv(env, resolved.labels, source))
        file = DotenvFile(name, args.path, content, pulumi.ResourceOptions(parent=self))
        self.path = file.path
        self.register_outputs({"path": self.path, "labels": dict(resolved.labels)})
