"""Where a report comes from: the run's time, the git commit, the policy pack, the inputs' digest.

These are the only parts of the report that read the world beyond its inputs (a clock, git,
an environment variable); each falls back to "n/a" rather than fail the report.
"""

from __future__ import annotations

import datetime
import hashlib
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from residency_guard.errors import ConfigError
from residency_guard.report.model import InputFile

NOT_AVAILABLE = "n/a"
POLICY_FILE = Path("policies") / "PulumiPolicy.yaml"
# Reproducible builds' convention (reproducible-builds.org/specs/source-date-epoch/).
EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"


def run_time(environ: Mapping[str, str], now: datetime.datetime | None = None) -> str:
    """The run's time in UTC, ``SOURCE_DATE_EPOCH`` when set, as ``2026-11-01T12:00:00Z``."""
    epoch = environ.get(EPOCH_VARIABLE, "").strip()
    if epoch:
        if not epoch.isdigit():
            raise ConfigError(
                f"{EPOCH_VARIABLE}={epoch[:20]!r} is not a number of seconds",
                fix=f"set {EPOCH_VARIABLE} to a Unix timestamp, or unset it",
            )
        moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    else:
        moment = now or datetime.datetime.now(tz=datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def git_commit(folder: Path) -> str:
    """``git rev-parse HEAD`` in ``folder``; "n/a" outside git or without git."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True,
            timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return NOT_AVAILABLE
    commit = result.stdout.strip()
    if result.returncode != 0 or not commit or not all(c in "0123456789abcdef" for c in commit):
        return NOT_AVAILABLE
    return commit


def policy_pack_version(folders: Iterable[Path]) -> str:
    """``version`` of the first ``policies/PulumiPolicy.yaml`` under ``folders``; else "n/a"."""
    for folder in folders:
        path = folder / POLICY_FILE
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeError, yaml.YAMLError):
            return NOT_AVAILABLE
        version = data.get("version") if isinstance(data, dict) else None
        return str(version) if version not in (None, "") else NOT_AVAILABLE
    return NOT_AVAILABLE


def digest_inputs(paths: Iterable[str]) -> tuple[str, tuple[InputFile, ...]]:
    """SHA-256 over the inputs in path order, and each input's own digest.

    The digest covers, for each file sorted by path: the path (UTF-8), a NUL, the size in
    decimal, a NUL, the content. Reproduce it with :func:`digest_inputs` on the same paths.
    """
    total = hashlib.sha256()
    files = []
    for path in sorted(set(paths)):
        try:
            content = Path(path).read_bytes()
        except OSError:
            continue  # an input that cannot be read is an error of the scan already
        encoded = path.encode("utf-8", "surrogateescape")
        total.update(encoded + b"\0" + str(len(content)).encode() + b"\0" + content)
        files.append(InputFile(path, hashlib.sha256(content).hexdigest(), len(content)))
    return total.hexdigest(), tuple(files)
