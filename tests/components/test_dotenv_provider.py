"""The dotenv sink's dynamic provider, called as the engine calls it, on a real folder."""

from __future__ import annotations

import base64
import io
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dill  # type: ignore[import-untyped]
import pytest
from dotenv import dotenv_values
from pulumi.dynamic.dynamic import serialize_provider

from components.sinks import dotenv
from components.sinks.dotenv import DotenvFileProvider, render_dotenv, write_atomic
from residency_guard.catalog import shipped_catalog
from residency_guard.repoconfig import RepoConfig
from residency_guard.scanners.dotenv import GENERATED_MARKER, parse_dotenv, scan_dotenv
from tests.components.conftest import FAKE_KEY, SECRET_SIG, SECRET_SIG_KEY

LABELS = {"residency-guard/region": "eu", "residency-guard/host": "eu.api.openai.com"}
ENV = {"OPENAI_BASE_URL": "https://eu.api.openai.com/v1", "OPENAI_API_KEY": FAKE_KEY}
CONTENT = render_dotenv(ENV, LABELS)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """A umask of 0: the file must be 0600 all the same."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_create_writes_the_file_0600_with_the_region_first(
    tmp_path: Path, permissive_umask: None
) -> None:
    path = tmp_path / ".env.prod-eu"
    result = DotenvFileProvider().create({"path": str(path), "content": CONTENT})
    assert result.id == str(path)
    assert path.read_text(encoding="utf-8") == CONTENT
    assert mode(path) == 0o600
    assert CONTENT.splitlines()[0] == "# residency-guard:region: eu"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env.prod-eu"], "no temp file left"
    assert result.outs is not None and result.outs["path"] == str(path)


def test_the_temporary_file_is_0600_before_the_key_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, permissive_umask: None
) -> None:
    seen: list[tuple[str, int, str]] = []
    replace = os.replace

    def spy(source: Any, target: Any) -> None:
        seen.append((str(source), mode(Path(source)), str(target)))
        replace(source, target)

    monkeypatch.setattr(dotenv.os, "replace", spy)
    target = tmp_path / "out" / ".env.dev-us"  # the folder is created
    write_atomic(target, CONTENT)
    [(source, source_mode, replaced)] = seen
    assert Path(source).parent == target.parent, "same folder: os.replace is one rename"
    assert source_mode == 0o600
    assert replaced == str(target)


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / ".env"
    write_atomic(path, "OLD=1\n")

    def broken(source: Any, target: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(dotenv.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, CONTENT)
    assert path.read_text(encoding="utf-8") == "OLD=1\n"
    assert [p.name for p in tmp_path.iterdir()] == [".env"]


def test_update_rewrites_the_file(tmp_path: Path) -> None:
    provider = DotenvFileProvider()
    path = str(tmp_path / ".env.prod-eu")
    created = provider.create({"path": path, "content": CONTENT})
    assert created.outs is not None
    new_content = render_dotenv({**ENV, "OPENAI_PROJECT_ID": "proj_2"}, LABELS)
    news = {"path": path, "content": new_content}
    diff = provider.diff(path, created.outs, news)
    assert diff.changes and not diff.replaces
    updated = provider.update(path, created.outs, news)
    assert Path(path).read_text(encoding="utf-8") == new_content
    assert mode(Path(path)) == 0o600
    assert updated.outs is not None
    assert not provider.diff(path, updated.outs, news).changes
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env.prod-eu"]


def test_a_file_changed_by_hand_is_a_change(tmp_path: Path) -> None:
    provider = DotenvFileProvider()
    path = tmp_path / ".env"
    outs = provider.create({"path": str(path), "content": CONTENT}).outs
    assert outs is not None
    path.write_text("OPENAI_BASE_URL=https://api.openai.com/v1\n", encoding="utf-8")
    assert provider.diff(str(path), outs, {"path": str(path), "content": CONTENT}).changes
    path.unlink()
    assert provider.diff(str(path), outs, {"path": str(path), "content": CONTENT}).changes


def test_a_new_path_replaces_the_file_deleting_first(tmp_path: Path) -> None:
    provider = DotenvFileProvider()
    old = str(tmp_path / ".env.a")
    outs = provider.create({"path": old, "content": CONTENT}).outs
    assert outs is not None
    diff = provider.diff(old, outs, {"path": str(tmp_path / ".env.b"), "content": CONTENT})
    assert diff.replaces == ["path"] and diff.delete_before_replace


def test_delete_removes_the_file_and_tolerates_its_absence(tmp_path: Path) -> None:
    provider = DotenvFileProvider()
    path = tmp_path / ".env.prod-eu"
    outs = provider.create({"path": str(path), "content": CONTENT}).outs
    assert outs is not None
    provider.delete(str(path), outs)
    assert not path.exists()
    provider.delete(str(path), outs)  # already gone: still a success
    assert list(tmp_path.iterdir()) == []


def test_a_secret_wrapper_is_unwrapped_never_written_as_is(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    wrapped = {SECRET_SIG_KEY: SECRET_SIG, "value": CONTENT}
    DotenvFileProvider().create({"path": str(path), "content": wrapped})
    assert path.read_text(encoding="utf-8") == CONTENT


def test_the_provider_survives_pulumis_serialization(tmp_path: Path) -> None:
    # Pulumi ships the provider to its provider process as base64 dill (the __provider input).
    shipped = serialize_provider(DotenvFileProvider())
    provider = dill.loads(base64.b64decode(shipped))
    path = tmp_path / ".env"
    provider.create({"path": str(path), "content": CONTENT})
    assert path.read_text(encoding="utf-8") == CONTENT


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("https://eu.api.openai.com/v1", "X=https://eu.api.openai.com/v1"),
        ("two words", "X='two words'"),
        ("it's", 'X="it\'s"'),
        ("a \u2028 b", "X='a \u2028 b'"),
    ],
)
def test_values_are_quoted_as_shells_and_python_dotenv_read_them(value: str, line: str) -> None:
    content = render_dotenv({"X": value}, LABELS)
    assert content.split("\n")[-2] == line  # (splitlines would split at U+2028)
    values, _ = parse_dotenv(content)
    assert values[-1].text == value
    assert dotenv_values(stream=io.StringIO(content))["X"] == value
    shell = subprocess.run(
        ["sh", "-c", f'{line}\nprintf %s "$X"'], capture_output=True, text=True, check=True
    )
    assert shell.stdout == value


@pytest.mark.parametrize("value", ["a\\b", "it's $HOME", 'it\'s "x"'])
def test_a_value_shells_and_python_dotenv_read_apart_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="read differently by shells and python-dotenv"):
        render_dotenv({"X": value}, LABELS)


def test_a_line_break_in_a_value_is_refused() -> None:
    with pytest.raises(ValueError, match="OPENAI_ORG_ID holds a line break"):
        render_dotenv({"OPENAI_ORG_ID": "org\nOPENAI_BASE_URL=https://api.openai.com"}, LABELS)


# -- the sink's file is a key store only while its owner alone may read or write it -------------

# Every mode with no group or other bit is the owner's alone; one bit for anyone else is enough
# for the key in it to be a plaintext key (read it) or a redirect (write another base URL).
PRIVATE_MODES = [0o600, 0o400, 0o700, 0o200]
SHARED_MODES = [0o640, 0o604, 0o644, 0o660, 0o606, 0o620, 0o602, 0o610, 0o601, 0o666, 0o777]


def plaintext_key_findings(tmp_path: Path, file_mode: int, content: str = CONTENT) -> list[str]:
    """The sink writes its file for real, the file is given ``file_mode``, ``check`` reads it."""
    path = tmp_path / ".env.prod-eu"
    DotenvFileProvider().create({"path": str(path), "content": content})
    path.chmod(file_mode)
    try:
        scan = scan_dotenv(path, shipped_catalog(), RepoConfig())
    finally:
        path.chmod(0o600)
    return [f.rule for f in scan.findings if f.rule == "RG007"]


@pytest.mark.parametrize("file_mode", PRIVATE_MODES, ids=oct)
def test_the_sinks_owner_only_file_holds_its_key_unreported(tmp_path: Path, file_mode: int) -> None:
    assert plaintext_key_findings(tmp_path, file_mode) == []


@pytest.mark.parametrize("file_mode", SHARED_MODES, ids=oct)
def test_the_sinks_file_open_to_group_or_others_is_a_plaintext_key(
    tmp_path: Path, file_mode: int
) -> None:
    assert plaintext_key_findings(tmp_path, file_mode) == ["RG007"]


def test_an_owner_only_file_the_sink_did_not_write_is_a_plaintext_key(tmp_path: Path) -> None:
    hand_written = "\n".join(line for line in CONTENT.splitlines() if GENERATED_MARKER not in line)
    assert plaintext_key_findings(tmp_path, 0o600, hand_written + "\n") == ["RG007"]
