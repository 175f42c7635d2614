"""No leak: a canary key planted in every kind of input never comes out of the CLI.

The canary is built at run time and obviously fake; it is shaped like a project key so that
the redactor must recognise it. "Never comes out" means no 12-character piece of its body in
any output format, nor in an error line, nor its base64 form.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from residency_guard.redact import looks_like_key

CANARY = "sk-proj-" + "CANARY" * 8
BODY_PIECE = "CANARY" * 2  # a redacted key keeps 4 characters ("sk-...NARY"), never 12
B64 = base64.b64encode(CANARY.encode()).decode()
CLI = Path(sys.executable).parent / "residency-guard"
FORMATS = ("text", "json", "sarif", "junit")


def test_the_canary_is_a_key_to_the_redactor() -> None:
    assert looks_like_key(CANARY)


STACK = f"""\
# a comment that holds {CANARY}
config:
  residency-guard:region: eu
  app:apiKey: {CANARY}
  {CANARY}: a value under a key named like a key
  app:{CANARY}: https://api.openai.com/v1
  app:nested: '{{"auth": {{"key": "{CANARY}"}}}}'
  app:encoded: {B64}
  app:OPENAI_BASE_URL: https://{CANARY}@api.openai.com/v1
  app:other: https://{CANARY}:x@eu.api.openai.com\\@api.openai.com/v1
  app:query: https://api.openai.com/v1?key={CANARY}
  app:chatModel: {CANARY}
  residency-guard:surfaces: [{CANARY}]
  app:env:
    - name: OPENAI_API_KEY
      value: {CANARY}
  app:dup: 1
  app:dup: {CANARY}
  app:host: https://{CANARY}.openai.com\u3000/v1
"""

PREVIEW = {
    "config": {"residency-guard:region": "eu", "app:apiKey": CANARY},
    "steps": [
        {
            "op": "create",
            "urn": "urn:pulumi:prod-eu::proj::aws:ecs/taskDefinition:TaskDefinition::api",
            "newState": {
                "type": "aws:ecs/taskDefinition:TaskDefinition",
                "inputs": {
                    "containerDefinitions": json.dumps(
                        [{"environment": [
                            {"name": "OPENAI_API_KEY", "value": CANARY},
                            {"name": "OPENAI_BASE_URL", "value": f"https://{CANARY}@api.openai.com/v1"},
                        ]}]
                    ),
                    "secretData": {"OPENAI_API_KEY": B64},
                },
            },
        }
    ],
}  # fmt: skip

STATE = {
    "version": 3,
    "deployment": {
        "manifest": {},
        "resources": [
            {
                "urn": "urn:pulumi:prod-eu::proj::kubernetes:core/v1:Secret::s",
                "type": "kubernetes:core/v1:Secret",
                "inputs": {"stringData": {"OPENAI_API_KEY": CANARY}},
                "outputs": {"data": {"OPENAI_API_KEY": B64, "url": f"https://{CANARY}@x.openai.com"}},
            }
        ],
    },
}  # fmt: skip

DOTENV = f"""\
# residency-guard:region: eu
OPENAI_API_KEY={CANARY}
OPENAI_BASE_URL=https://{CANARY}@api.openai.com/v1
export OTHER='{CANARY}'
"""

# Files the CLI refuses, with the canary near the problem it quotes.
BROKEN = {
    "Pulumi.unclosed.yaml": f"config:\n  app:key: {CANARY}\n  app:x: [unclosed {CANARY}\n",
    "Pulumi.alias.yaml": f"config:\n  app:x: *{CANARY}\n",
    "Pulumi.tag.yaml": f"config:\n  app:x: !{CANARY}!tag value\n",
    "Pulumi.tab.yaml": f"config:\n\t{CANARY}: x\n",
    "Pulumi.anchor.yaml": f"config:\n  app:a: &{CANARY} [*{CANARY}]\n",
    "Pulumi.colon.yaml": f"config:\n  app:x: {CANARY}: {CANARY}\n",
    f"Pulumi.{CANARY}.yaml": "\x00binary",
    "bad.json": f'{{"config": {{"app:key": "{CANARY}"',
}


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: proj\nruntime: python\n", encoding="utf-8")
    (folder / "Pulumi.prod-eu.yaml").write_text(STACK, encoding="utf-8")
    (folder / "Pulumi.region.yaml").write_text(
        f"config:\n  residency-guard:region: {CANARY}\n", encoding="utf-8"
    )
    (folder / ".env").write_text(DOTENV, encoding="utf-8")
    (folder / "preview.json").write_text(json.dumps(PREVIEW), encoding="utf-8")
    (folder / "state.json").write_text(json.dumps(STATE), encoding="utf-8")
    for name, text in BROKEN.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run_cli(folder: Path, fmt: str, *extra: str) -> subprocess.CompletedProcess[str]:
    files = sorted(p.name for p in folder.iterdir() if p.name != "Pulumi.yaml")
    return subprocess.run(
        [str(CLI), "check", *files, "--format", fmt, "--no-color", *extra],
        cwd=folder, capture_output=True, text=True, timeout=120,
        env={**os.environ, "RESIDENCY_GUARD_DEBUG": ""},
    )  # fmt: skip


def assert_no_canary(text: str) -> None:
    assert BODY_PIECE.lower() not in text.lower()  # region ids are lower-cased, for one
    assert B64 not in text
    assert B64[8:24] not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_format_holds_the_canary(inputs: Path, fmt: str) -> None:
    done = run_cli(inputs, fmt)
    assert done.returncode == 2, done.stderr  # the broken files are errors
    assert "Traceback" not in done.stdout + done.stderr
    assert_no_canary(done.stdout)
    assert_no_canary(done.stderr)
    # The inputs were really judged: the key was found (and shown redacted) everywhere.
    assert "RG007" in done.stdout
    assert "sk-...NARY" in done.stdout


def test_no_error_line_holds_the_canary(inputs: Path) -> None:
    done = run_cli(inputs, "text")
    errors = done.stderr.splitlines()
    assert len(errors) == len(BROKEN)
    for line in errors:
        assert line.startswith("residency-guard: error: ")
        assert_no_canary(line)


def test_a_report_file_holds_no_canary(inputs: Path, tmp_path: Path) -> None:
    for fmt in FORMATS:
        report = tmp_path / f"report.{fmt}"
        run_cli(inputs, fmt, "--output", str(report))
        assert_no_canary(report.read_text(encoding="utf-8"))


def test_findings_and_errors_of_the_core_hold_no_canary(inputs: Path) -> None:
    """The core itself, before any reporter: every field of every finding and every error, as
    the policy pack and the checkov checks receive them."""
    from residency_guard.scan import scan_paths

    cwd = Path.cwd()
    os.chdir(inputs)
    try:
        run = scan_paths(sorted(p for p in Path(".").iterdir() if p.name != "Pulumi.yaml"))
    finally:
        os.chdir(cwd)
    assert run.findings and run.errors
    for finding in run.findings:
        for value in finding.to_dict().values():
            assert_no_canary(str(value))
    for error in run.errors:
        assert_no_canary(error.one_line())
