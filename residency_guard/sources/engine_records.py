"""What the Pulumi engine writes itself: file-backend checkpoints and ``--event-log`` files.

The file backend keeps a stack's state in ``.pulumi/stacks/<project>/<stack>.json`` as
``{"version": 3, "checkpoint": {"stack", "config", "latest": <deployment>}}``, gzipped
(``.json.gz``) when ``PULUMI_DIY_BACKEND_GZIP`` is set (pkg/backend/diy). ``pulumi up
--event-log FILE`` writes one engine event per line (sdk apitype ``EngineEvent``): the
prelude's config, then each resource's step (``resourcePreEvent``) and outputs
(``resOutputsEvent``). Both are read into the shapes the preview/state reader judges: a
checkpoint as a state export, an event log as a preview (its config, a step per resource).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from residency_guard.errors import InputError
from residency_guard.sources.files import MAX_JSON_BYTES, read_text
from residency_guard.values import loads_json

GZIP_SUFFIX = ".gz"
ZSTD_SUFFIX = ".zst"
EVENT_LOG_SUFFIXES = (".jsonl", ".ndjson")
# A preview of 100,000 resources is a few hundred MB; so is its state, uncompressed.
MAX_RECORD_BYTES = 1024 * 1024 * 1024


def is_engine_record(path: Path) -> bool:
    """A compressed checkpoint or an event log, by its name (a plain ``.json`` is read as any)."""
    name = path.name.lower()
    return name.endswith((".json.gz", ".json.zst", *EVENT_LOG_SUFFIXES))


def read_record_text(path: Path, read: Callable[[Path, int], str] | None = None) -> str:
    """The file's text, decompressed when the file backend gzipped it; ``read`` reads a plain
    file (the run's reader), ``read_text`` by default."""

    name = path.name.lower()
    if name.endswith(ZSTD_SUFFIX):
        raise InputError(
            "zstd-compressed checkpoint: residency-guard reads .json and .json.gz", file=str(path),
            fix=f"decompress it (zstd -d {path.name}) and scan the .json",
        )  # fmt: skip
    if not name.endswith(GZIP_SUFFIX):
        return (read or read_text)(path, MAX_JSON_BYTES)
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read(MAX_RECORD_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"not a readable gzip file ({exc.__class__.__name__})", file=str(path),
            fix="scan the checkpoint the file backend wrote",
        ) from None  # fmt: skip
    if len(raw) > MAX_RECORD_BYTES:
        raise InputError("decompressed checkpoint over 1024 MB", file=str(path))
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("invalid UTF-8", file=str(path), line=line) from None


def is_event_log(text: str) -> bool:
    """Whether ``text`` is JSON lines of engine events (its first line says so)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        event = loads_json(first)
    except ValueError:
        return False
    return isinstance(event, Mapping) and "sequence" in event and "timestamp" in event


def event_log_as_preview(text: str, file: str) -> dict[str, Any]:
    """An event log as ``pulumi preview --json`` would say it: config and a step per URN."""
    config: dict[str, Any] = {}
    states: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = loads_json(line)
        except ValueError as exc:
            raise InputError(
                f"invalid JSON line in an event log: {exc}", file=file, line=number,
                fix="scan the file `pulumi up --event-log` wrote, whole",
            ) from None  # fmt: skip
        if not isinstance(event, Mapping):
            continue
        prelude = event.get("preludeEvent")
        if isinstance(prelude, Mapping) and isinstance(prelude.get("config"), Mapping):
            config.update(prelude["config"])
        for kind in ("resourcePreEvent", "resOutputsEvent"):
            metadata = (event.get(kind) or {}).get("metadata") if isinstance(
                event.get(kind), Mapping) else None  # fmt: skip
            if not isinstance(metadata, Mapping):
                continue
            new = metadata.get("new")
            state = new if isinstance(new, Mapping) else metadata.get("old")
            urn = str(metadata.get("urn") or "")
            if isinstance(state, Mapping) and urn:
                known = states.setdefault(urn, {"urn": urn, "type": metadata.get("type", "")})
                # Outputs arrive after the step: the later event adds them, inputs stay.
                for key in ("type", "inputs", "outputs"):
                    if state.get(key) is not None:
                        known[key] = state[key]
    steps = [{"urn": urn, "newState": state} for urn, state in states.items()]
    return {"config": config, "steps": steps}


def checkpoint_as_state(data: Any) -> Any:
    """A file-backend checkpoint as the state export it holds; anything else unchanged."""
    if not isinstance(data, Mapping):
        return data
    checkpoint = data.get("checkpoint")
    if isinstance(checkpoint, Mapping) and "version" in data:
        latest = checkpoint.get("latest")
        return {"version": data.get("version"), "deployment": latest if isinstance(
            latest, Mapping) else {"resources": []}}  # fmt: skip
    return data
