"""How our outputs are written: JSON text, and files that replace the old one whole."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from residency_guard.redact import redact_data


def json_text(data: Any, *, ensure_ascii: bool = True) -> str:
    """``data`` as JSON, every key-shaped string redacted: indented by two, one trailing newline."""
    return json.dumps(redact_data(data), indent=2, ensure_ascii=ensure_ascii) + "\n"


def write_atomically(path: Path, text: str, *, mode: int | None = 0o644) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``: a reader
    sees the old file or the new one, never a part. The file has ``mode`` from its first byte
    (whatever the umask; None keeps the temporary file's, owner only) and is on disk before the
    rename. Raises ``OSError``, the temporary file removed."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            if mode is not None:
                os.fchmod(stream.fileno(), mode)
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
