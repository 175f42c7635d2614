"""Hostile files through the real CLI: one clear line each, exit 2, no traceback, no hang, and
every other file of the same run still judged.

Each case puts one hostile file beside a good stack file (whose RG001 finding proves it was
scanned) and runs ``residency-guard check`` as a subprocess, with a timeout and an address
space limit standing for "bounded time and memory".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.adversarial.strategies import DEEP, billion_laughs

CLI = Path(sys.executable).parent / "residency-guard"
TIMEOUT_S = 120  # generous: a loaded CI machine; a hang or a quadratic blow-up exceeds it
MEMORY_LIMIT = 2 * 1024**3  # address space; an alias bomb read naively needs far more
GOOD = "config:\n  residency-guard:region: eu\n  app:url: https://api.openai.com/v1\n"
HUNDRED_MB = 100 * 1024 * 1024


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def error_lines(self, name: str) -> list[str]:
        return [line for line in self.stderr.splitlines() if name in line]


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_cli(*args: str, cwd: Path) -> Run:
    done = subprocess.run(
        [str(CLI), "check", *args, "--no-color"],
        cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S,
        preexec_fn=_limit_memory if sys.platform == "linux" else None,
        env={**os.environ, "RESIDENCY_GUARD_DEBUG": ""},
    )  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: proj\nruntime: python\n", encoding="utf-8")
    (folder / "Pulumi.good.yaml").write_text(GOOD, encoding="utf-8")
    return folder


def assert_refused_alone(run: Run, name: str, message: str) -> None:
    """Exit 2; one stderr line names the file and says what is wrong; the good file judged."""
    assert "Traceback" not in run.stdout + run.stderr
    assert "internal error" not in run.stderr
    assert run.code == 2, run
    (line,) = run.error_lines(name)
    assert line.startswith("residency-guard: error: ")
    assert message in line, line
    for other in run.stderr.splitlines():
        assert other.startswith("residency-guard: error: "), other
    assert "proj/Pulumi.good.yaml:3:12: RG001" in run.stdout, run.stdout


def sparse(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        handle.truncate(size)  # instant, and no disk used


# -- (name, how to make it, the message its error line carries) ---------------------------------

Maker = Callable[[Path], None]


def _write(text: str) -> Maker:
    return lambda path: path.write_text(text, encoding="utf-8")


def _write_bytes(data: bytes) -> Maker:
    return lambda path: path.write_bytes(data)


def _padded_json(path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        chunk = " " * (1024 * 1024)
        for _ in range(100):
            handle.write(chunk)
        handle.write('{"nothing": "here"}')


def _decode_bomb(path: Path) -> None:
    """181 KB: one anchored scalar holding a 20,000-item JSON array, aliased 300 times; each
    alias decoded the array again (33 s and 1.7 GB before the decode budget)."""
    array = json.dumps([f"h{i}" for i in range(20_000)])
    aliases = "".join(f"  app:k{i}: *b\n" for i in range(300))
    path.write_text(
        f"config:\n  residency-guard:region: eu\n  app:blob: &b '{array}'\n{aliases}",
        encoding="utf-8",
    )


STACK_CASES: list[tuple[str, Maker, str]] = [
    ("Pulumi.bomb.yaml", _write(billion_laughs()), "excessive YAML aliasing"),
    ("Pulumi.deep-seq.yaml", _write(DEEP["flow-sequences"](10_000)), "nested too deeply"),
    ("Pulumi.deep-map.yaml", _write(DEEP["flow-mappings"](10_000)), "nested too deeply"),
    ("Pulumi.deep-block.yaml", _write(DEEP["block-sequences"](10_000)), "nested too deeply"),
    ("Pulumi.huge.yaml", lambda p: sparse(p, HUNDRED_MB), "over the 16 MB limit"),
    ("Pulumi.binary.yaml", _write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 64),
     "binary content"),
    ("Pulumi.latin1.yaml", _write_bytes(b"config:\n  app:name: caf\xe9\n"), "invalid UTF-8"),
    ("Pulumi.list.yaml", _write("- config\n- residency-guard:region: eu\n"), "holds a mapping"),
    ("Pulumi.syntax.yaml", _write("config:\n  app:x: [unclosed\n"), "invalid YAML"),
    ("Pulumi.two-docs.yaml", _write("config: {}\n---\nconfig: {}\n"), "invalid YAML"),
    ("Pulumi.decode-bomb.yaml", _decode_bomb, "excessive YAML aliasing of encoded text"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "message"), STACK_CASES, ids=[c[0] for c in STACK_CASES])
def test_hostile_stack_file_in_a_project_folder(
    project: Path, name: str, make: Maker, message: str
) -> None:
    make(project / name)
    assert_refused_alone(run_cli("proj", cwd=project.parent), name, message)


@pytest.mark.parametrize(("name", "make", "message"), STACK_CASES, ids=[c[0] for c in STACK_CASES])
def test_hostile_stack_file_given_by_name(
    project: Path, name: str, make: Maker, message: str
) -> None:
    make(project / name)
    run = run_cli(f"proj/{name}", "proj/Pulumi.good.yaml", cwd=project.parent)
    assert_refused_alone(run, name, message)


JSON_CASES: list[tuple[str, Maker, str]] = [
    ("truncated.json", _write('{"steps": [{"urn": "urn:pulumi:prod-eu::p::t::n", "newSt'),
     "truncated JSON"),
    ("empty.json", _write(""), "JSON"),
    ("garbage.json", _write("{'single': quotes}"), "invalid JSON"),
    ("huge.json", lambda p: sparse(p, HUNDRED_MB), "binary content"),
    ("padded.json", _padded_json, "not a `pulumi preview --json` output"),
    ("deep.json", _write('{"steps": ' + "[" * 100_000 + "]" * 100_000 + "}"), "nested too deeply"),
    ("list.json", _write('["steps"]'), "not a `pulumi preview --json` output"),
    ("int-resources.json", _write('{"deployment": {"manifest": {}, "resources": 5}}'),
     "`resources` is a number, not a list"),
    ("int-steps.json", _write('{"changeSummary": {}, "steps": 7}'), "`steps` is a number"),
    ("string-step.json", _write('{"steps": ["create"]}'), "steps[0] is a string, not an object"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "message"), JSON_CASES, ids=[c[0] for c in JSON_CASES])
def test_hostile_preview_json(project: Path, name: str, make: Maker, message: str) -> None:
    make(project / name)
    run = run_cli(f"proj/{name}", "proj", cwd=project.parent)
    assert_refused_alone(run, name, message)


def test_hostile_dotenv(project: Path) -> None:
    (project / ".env").write_bytes(b"OPENAI_BASE_URL=\xff\xfe\n")
    assert_refused_alone(run_cli("proj", cwd=project.parent), ".env", "invalid UTF-8")


# -- links, loops and files that cannot be read ---------------------------------------------------


def test_symlink_loops_in_a_scanned_folder(project: Path) -> None:
    (project / "loop").symlink_to(".", target_is_directory=True)  # a folder loop: not followed
    (project / "nested").mkdir()
    (project / "nested" / "up").symlink_to("..", target_is_directory=True)
    (project / "Pulumi.loop.yaml").symlink_to("Pulumi.loop.yaml")  # a file loop: an error
    run = run_cli("proj", cwd=project.parent)
    assert_refused_alone(run, "Pulumi.loop.yaml", "cannot read (Too many levels of symbolic links)")
    assert run.stdout.count("RG001") == 1  # the good file once, not once per loop turn


def test_symlink_loop_given_by_name(project: Path) -> None:
    (project / "Pulumi.loop.yaml").symlink_to("Pulumi.loop.yaml")
    run = run_cli("proj/Pulumi.loop.yaml", "proj/Pulumi.good.yaml", cwd=project.parent)
    assert_refused_alone(run, "Pulumi.loop.yaml", "cannot read (Too many levels of symbolic links)")


def test_dangling_symlink_is_an_error_under_its_own_name(project: Path) -> None:
    (project / "Pulumi.gone.yaml").symlink_to("Pulumi.deleted.yaml")
    run = run_cli("proj", cwd=project.parent)
    assert_refused_alone(run, "proj/Pulumi.gone.yaml", "no such file or folder")


def test_fifo_named_like_a_stack_file_is_refused_without_blocking(project: Path) -> None:
    os.mkfifo(project / "Pulumi.fifo.yaml")  # opening it for reading would wait for a writer
    run = run_cli("proj", cwd=project.parent)
    assert_refused_alone(run, "Pulumi.fifo.yaml", "not a regular file")


def test_folder_named_like_a_stack_file_given_by_name(project: Path) -> None:
    (project / "Pulumi.dir.yaml").mkdir()
    run = run_cli("proj/Pulumi.dir.yaml", "proj/Pulumi.good.yaml", cwd=project.parent)
    assert_refused_alone(run, "Pulumi.dir.yaml", "no Pulumi project")


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_a_file_whose_read_fails_is_an_error(project: Path) -> None:
    """Unreadable even for root: /proc/self/mem is a regular file whose offset 0 is unmapped,
    so read() fails with EIO (chmod 000 stops no read when tests run as root)."""
    (project / "Pulumi.eio.yaml").symlink_to("/proc/self/mem")
    run = run_cli("proj", cwd=project.parent)
    assert_refused_alone(run, "Pulumi.eio.yaml", "cannot read (Input/output error)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file; see the EIO case")
def test_chmod_000_file_is_an_error(project: Path) -> None:  # pragma: no cover - non-root only
    path = project / "Pulumi.locked.yaml"
    path.write_text(GOOD, encoding="utf-8")
    path.chmod(0)
    try:
        run = run_cli("proj", cwd=project.parent)
    finally:
        path.chmod(0o600)
    assert_refused_alone(run, "Pulumi.locked.yaml", "permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a chmod 000 folder")
def test_unreadable_subfolder_is_an_error(project: Path) -> None:  # pragma: no cover - non-root
    locked = project.parent / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        run = run_cli(str(project.parent), cwd=project.parent)
    finally:
        locked.chmod(0o700)
    assert_refused_alone(run, "locked", "cannot read folder")


# -- values built to make a search quadratic ----------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "${" * 500_000,  # each "${" scanned to the end: hours, before the interpolation fix
        "{{" * 500_000,
        "$(" * 500_000,
        "openai " + "a" * 1_000_000,  # a long token searched for "scheme://" at every offset
        "openai " + "a." * 500_000,
    ],
    ids=["dollar-brace", "double-brace", "dollar-paren", "long-token", "long-dotted-token"],
)
def test_values_built_to_make_a_search_quadratic_finish(project: Path, value: str) -> None:
    text = "config:\n  residency-guard:region: eu\n  app:OPENAI_BASE_URL: '" + value + "'\n"
    (project / "Pulumi.slow.yaml").write_text(text, encoding="utf-8")
    run = run_cli("proj", cwd=project.parent)  # the timeout is the assertion on time
    assert "Traceback" not in run.stdout + run.stderr
    assert run.code == 1, run.stderr
    assert "proj/Pulumi.good.yaml:3:12: RG001" in run.stdout


# -- empty inputs -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "\ufeff"])
def test_empty_stack_file_is_a_stack_without_region(project: Path, text: str) -> None:
    """An empty stack file is a valid stack for Pulumi: judged, and without a region (RG008)."""
    (project / "Pulumi.empty.yaml").write_text(text, encoding="utf-8")
    run = run_cli("proj", cwd=project.parent)
    assert "Traceback" not in run.stdout + run.stderr
    assert run.code == 1, run
    assert "proj/Pulumi.empty.yaml:1:1: RG008" in run.stdout
    assert "proj/Pulumi.good.yaml:3:12: RG001" in run.stdout


def test_every_hostile_file_at_once(project: Path) -> None:
    """All of them in one run: each its own error line, the good file still judged."""
    for name, make, _ in STACK_CASES:
        make(project / name)
    (project / "Pulumi.loop.yaml").symlink_to("Pulumi.loop.yaml")
    os.mkfifo(project / "Pulumi.fifo.yaml")
    run = run_cli("proj", cwd=project.parent)
    assert run.code == 2
    assert "Traceback" not in run.stdout + run.stderr
    for name, _, message in STACK_CASES:
        (line,) = run.error_lines(name)
        assert message in line
    assert len(run.stderr.splitlines()) == len(STACK_CASES) + 2
    assert "proj/Pulumi.good.yaml:3:12: RG001" in run.stdout


def test_an_integer_longer_than_python_converts_is_read_not_fatal(project: Path) -> None:
    """A JSON integer over Python's 4,300-digit limit raised an uncaught ValueError: `--format
    json` wrote an empty report and every other file's findings were lost. The number is read
    (as a float) and the rest of the document judged."""
    huge = "9" * 5000
    state = {
        "deployment": {"manifest": {}, "resources": [{
            "urn": "urn:pulumi:prod-eu::proj::aws:lambda/function:Function::fn",
            "type": "aws:lambda/function:Function",
            "inputs": {"environment": {"variables": {
                "OPENAI_BASE_URL": "https://api.openai.com/v1"}}},
        }]},
    }  # fmt: skip
    text = json.dumps(state).replace('"manifest": {}', f'"manifest": {{"n": {huge}}}')
    (project / "huge-int.json").write_text(text, encoding="utf-8")
    (project / "residency-guard.yaml").write_text("stacks:\n  prod-eu: eu\n", encoding="utf-8")
    run = run_cli("proj/huge-int.json", "proj", "--format", "json", cwd=project.parent)
    assert run.code == 1 and "Traceback" not in run.stderr, run
    report = json.loads(run.stdout)
    assert report["errors"] == []
    found = {(Path(f["file"]).name, f["rule"]) for f in report["findings"]}
    assert {("huge-int.json", "RG001"), ("Pulumi.good.yaml", "RG001")} <= found
