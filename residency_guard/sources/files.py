"""Reading input files safely: bounded size, text only, one clear error otherwise."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from residency_guard.errors import InputError
from residency_guard.yamlfile import YamlDocument, load_yaml

# Stack files are small; a 16 MB one is an accident or an attack, not a stack.
MAX_YAML_BYTES = 16 * 1024 * 1024
# `pulumi preview --json` of 100,000 resources is a few hundred MB.
MAX_JSON_BYTES = 1024 * 1024 * 1024
MAX_DOTENV_BYTES = 4 * 1024 * 1024


def read_text(path: Path, limit: int) -> str:
    """The file as UTF-8 text, or an InputError naming it and the fix."""
    return _read_sized(path, limit)[0]


def _read_sized(path: Path, limit: int) -> tuple[str, int]:
    """The file's text and its size in bytes (``read_text``)."""
    name = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError("no such file or folder", file=name, fix="check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", file=name, fix="check the path") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("is a folder, not a file", file=name, fix="check the path")
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device: reading could block forever
        raise InputError("not a regular file", file=name, fix="scan regular files only")
    size = info.st_size
    if size > limit:
        raise _too_large(name, size, limit)
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except PermissionError:
        raise InputError("permission denied", file=name, fix="make it readable") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", file=name) from None
    if b"\x00" in raw[:8192] or b"\x00" in raw:
        raise InputError("binary content, not text", file=name, fix="scan text files only")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            "invalid UTF-8", file=name, line=line, fix="save the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff"), size


def _too_large(name: str, size: int, limit: int) -> InputError:
    return InputError(
        f"file is {size // (1024 * 1024)} MB, over the {limit // (1024 * 1024)} MB limit "
        "for this kind of file",
        file=name, fix="scan the real stack, preview or state file",
    )  # fmt: skip


class SourceCache:
    """Every file one run reads, read once: a project file (discovery reads it, every stack
    inherits its config defaults), each stack, dotenv, settings and ESC definition file (their
    inline suppressions are read after the scan)."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}  # by the file name findings carry
        self._sizes: dict[str, int] = {}  # each file's size: a kind's limit holds on a reread
        self._documents: dict[str, YamlDocument] = {}
        # ESC definitions and evaluated environments, shared by the stacks that import them.
        self.esc: dict[Any, Any] = {}

    def text(self, path: Path, limit: int) -> str:
        """The file's text (``read_text``), read once; a reader with a smaller ``limit`` gets
        the error it would get from a read of its own."""
        name = str(path)
        found = self.texts.get(name)
        if found is None:
            found, self._sizes[name] = _read_sized(path, limit)
            self.texts[name] = found
        elif self._sizes[name] > limit:
            raise _too_large(name, self._sizes[name], limit)
        return found

    def read_of(self, name: str) -> dict[str, tuple[str, int]]:
        """The file as read, by name ({} when it was not): what a worker process sends back."""
        text = self.texts.get(name)
        return {} if text is None else {name: (text, self._sizes[name])}

    def adopt(self, read: Mapping[str, tuple[str, int]]) -> None:
        """Files another process read (``read_of``), as if this cache had read them."""
        for name, (text, size) in read.items():
            self.texts.setdefault(name, text)
            self._sizes.setdefault(name, size)

    def document(self, path: Path) -> YamlDocument:
        """A YAML file, composed once; its InputError every time it is asked for."""
        name = str(path)
        found = self._documents.get(name)
        if found is None:
            found = self._documents[name] = load_yaml(self.text(path, MAX_YAML_BYTES), name)
        return found


def is_readable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.R_OK | os.X_OK)
