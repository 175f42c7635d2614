"""Each input kind's source, by the kind discovery gives a file: one line per kind."""

from __future__ import annotations

import json
from collections.abc import Callable

from residency_guard.repoconfig import RepoConfig
from residency_guard.sources.config_files import read_config_file
from residency_guard.sources.document import Document
from residency_guard.sources.dotenv import read_dotenv
from residency_guard.sources.engine_records import (
    checkpoint_as_state,
    event_log_as_preview,
    is_event_log,
    read_record_text,
)
from residency_guard.sources.files import (
    MAX_DOTENV_BYTES,
    MAX_JSON_BYTES,
    MAX_YAML_BYTES,
    SourceCache,
)
from residency_guard.sources.pulumi_json import json_kind, parse_json, read_pulumi_json
from residency_guard.sources.stack_file import read_stack_file
from residency_guard.sources.target import Target
from residency_guard.values import Gate, loads_json

# A target read into the document the pipeline judges; ``files`` is the run's one read of
# each file (suppressions read the same texts); ``gate`` is the run's facets gate, passed in
# (a source never asks the classification layer itself).
Source = Callable[[Target, Gate, RepoConfig, SourceCache], Document]


def stack_file(target: Target, gate: Gate, repo: RepoConfig, files: SourceCache) -> Document:
    return read_stack_file(
        target.path, gate, repo, project_default_region=target.project_region,
        project_file=target.project_file, sources=files,
    )  # fmt: skip


def engine_json(target: Target, gate: Gate, repo: RepoConfig, files: SourceCache) -> Document:
    """A preview, a state export, a file-backend checkpoint (``.json``, ``.json.gz``) or an
    ``--event-log`` file; a JSON file held to a region that is none of them is a config file."""
    text = read_record_text(target.path, files.text)
    try:
        data = loads_json(text)
    except json.JSONDecodeError:
        if is_event_log(text):
            data = event_log_as_preview(text, str(target.path))
        else:
            data = parse_json(target.path, text)  # raises its InputError, naming the line
    except RecursionError:
        data = parse_json(target.path, text)
    data = checkpoint_as_state(data)
    if target.held and json_kind(data) is None:
        return config_file(target, gate, repo, files)
    return read_pulumi_json(target.path, repo, data=data, text=text)


def dotenv(target: Target, gate: Gate, repo: RepoConfig, files: SourceCache) -> Document:
    return read_dotenv(target.path, target.held, files.text(target.path, MAX_DOTENV_BYTES))


def config_file(target: Target, gate: Gate, repo: RepoConfig, files: SourceCache) -> Document:
    limit = MAX_JSON_BYTES if target.path.suffix == ".json" else MAX_YAML_BYTES
    text = files.text(target.path, limit)
    return read_config_file(target.path, text, target.held, gate)


SOURCES: dict[str, Source] = {
    "stack-file": stack_file,
    "pulumi-json": engine_json,
    "dotenv": dotenv,
    "config-file": config_file,
}
