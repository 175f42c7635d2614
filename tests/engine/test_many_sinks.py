"""A program of 400 dotenv sinks previews under the real engine, and so does a dynamic provider
of the program's own after them (tests/fixtures/engine/many-sinks).

With pulumi 3.272's ``pulumi.dynamic.Resource`` each sink left one more wrapper on pickle's
pickler, and the program's own provider, pickled after them, failed the preview with
RecursionError (components/dynamic.py says why; docs/components.md says what users see).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import FAKE_KEY, KEY_CONFIG, PulumiEngine, copy_fixture_program, init_stack, ok

pytestmark = pytest.mark.engine

SINKS = 400
STACK = "many"


def test_four_hundred_sinks_and_a_provider_of_the_programs_own_preview(
    pulumi_engine: PulumiEngine, tmp_path: Path
) -> None:
    project = copy_fixture_program("many-sinks", tmp_path / "many-sinks")
    init_stack(pulumi_engine, project, STACK, {KEY_CONFIG: FAKE_KEY})
    ok(pulumi_engine.run(["config", "set", "sinks", str(SINKS), "--stack", STACK], project),
       "pulumi config set sinks")  # fmt: skip
    preview = ok(
        pulumi_engine.run(["preview", "--json", "--stack", STACK], project), "pulumi preview"
    )
    assert "RecursionError" not in preview.stdout + preview.stderr
    types = [step["newState"]["type"] for step in json.loads(preview.stdout)["steps"]]
    assert types.count("pulumi-python:dynamic/residency-guard:DotenvFile") == SINKS
    assert types.count("pulumi-python:dynamic/many-sinks:Marker") == 1
    assert not list(project.glob("env/.env.*"))  # a preview writes no file
