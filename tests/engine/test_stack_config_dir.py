"""Where the real engine finds a project's stack files, against where the gate looks."""

from __future__ import annotations

from pathlib import Path

from residency_guard.errors import InputError
from residency_guard.scanners.discover import project_targets

from .conftest import PulumiEngine, init_stack

STACK_TEXT = "config:\n  residency-guard:region: eu\n"


def _project(folder: Path, extra: str) -> Path:
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text(f"name: legacy\nruntime: yaml\n{extra}", encoding="utf-8")
    (folder / "environments").mkdir()
    (folder / "environments" / "Pulumi.s.yaml").write_text(STACK_TEXT, encoding="utf-8")
    return folder


def test_legacy_config_string_is_the_stack_folder_for_engine_and_gate(
    pulumi_engine: PulumiEngine, tmp_path: Path
) -> None:
    folder = _project(tmp_path / "p", "config: environments\n")
    init_stack(pulumi_engine, folder, "s")
    got = pulumi_engine.run(["config", "get", "residency-guard:region", "--stack", "s"], folder)
    assert (got.returncode, got.stdout.strip()) == (0, "eu")
    # `stack init` wrote the stack's encryption salt there too, and no stack file beside it.
    assert "encryptionsalt:" in (folder / "environments" / "Pulumi.s.yaml").read_text()
    assert not (folder / "Pulumi.s.yaml").exists()
    targets = project_targets(folder / "Pulumi.yaml")
    assert [t.path.resolve() for t in targets] == [folder / "environments" / "Pulumi.s.yaml"]


def test_both_spellings_are_refused_by_engine_and_gate(
    pulumi_engine: PulumiEngine, tmp_path: Path
) -> None:
    folder = _project(tmp_path / "p", "config: environments\nstackConfigDir: environments\n")
    got = pulumi_engine.run(["stack", "ls"], folder)
    assert got.returncode != 0
    assert "Should not use both config and stackConfigDir" in got.stderr
    try:
        project_targets(folder / "Pulumi.yaml")
    except InputError as error:
        assert "Should not use both config and stackConfigDir" in error.one_line()
    else:
        raise AssertionError("the gate read a project file the engine refuses")
