"""The one JSON writer and the one atomic writer every output goes through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from residency_guard.writing import json_text, write_atomically

FAKE_KEY = "sk-proj-" + "FAKEFAKEFAKE" * 3 + "wxyz"


def test_json_text_redacts_every_key_in_values_and_names() -> None:
    text = json_text({"apiKey": FAKE_KEY, FAKE_KEY: ["é"]}, ensure_ascii=False)
    assert FAKE_KEY not in text
    assert json.loads(text) == {"apiKey": "sk-...wxyz", "sk-...wxyz": ["é"]}
    assert text.endswith("}\n")


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_atomically(target, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "new \ud800 text\n")  # fails halfway: cannot be UTF-8
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_owner_only_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "out.sarif"
    write_atomically(target, "{}\n", mode=None)
    assert target.stat().st_mode & 0o777 == 0o600
