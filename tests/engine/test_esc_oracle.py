"""sources/esc.py against the ESC evaluator the Pulumi CLI itself runs (the SDK's
go/common/esc/eval at the engine's pin, built from scripts/esc-oracle): the same values for
every definition of tests/fixtures/esc, where the real evaluator knows them, and an unresolved
value (RG011's material) where it does not (fn::open, a ciphertext, a reference into either).

The real engine cannot be asked: it opens ESC environments only through Pulumi Cloud ("backend
... does not support environments" with the file backend), so the evaluator is run alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from residency_guard.sources.esc import Leaf, Tree, _Evaluator

pytestmark = pytest.mark.engine

REPO = Path(__file__).resolve().parents[2]
WRAPPER = REPO / "scripts" / "esc-oracle"
FIXTURES = REPO / "tests" / "fixtures" / "esc"
UNKNOWN = "[unknown]"
ENVIRONMENTS = sorted(
    p.relative_to(FIXTURES).with_suffix("").as_posix() for p in FIXTURES.rglob("*.yaml")
)


@pytest.fixture(scope="session")
def oracle() -> Path:
    """The oracle binary, built once per wrapper content into the cache (Go, module cache)."""
    digest = hashlib.sha256(
        b"".join((WRAPPER / n).read_bytes() for n in ("main.go", "go.mod", "go.sum"))
    ).hexdigest()[:16]
    target = Path.home() / ".cache" / "residency-guard" / "esc-oracle" / digest / "esc-oracle"
    if not target.exists():
        build = Path(tempfile.mkdtemp())
        shutil.copytree(WRAPPER, build / "src")
        env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly -buildvcs=false",
               "GOWORK": "off"}  # fmt: skip
        target.parent.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["go", "build", "-trimpath", "-o", str(target), "."], cwd=build / "src", env=env,
            capture_output=True, text=True, timeout=45 * 60, check=False,
        )  # fmt: skip
        shutil.rmtree(build, ignore_errors=True)
        assert done.returncode == 0, done.stderr[-3000:]
    return target


def ours(name: str) -> Any:
    found = _Evaluator(FIXTURES, [], {}).environment(name, "test", 0)
    return _plain(found)


def _plain(tree: Tree | None) -> Any:
    if isinstance(tree, dict):
        return {key: _plain(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_plain(value) for value in tree]
    assert isinstance(tree, Leaf)
    if tree.unknown or tree.dynamic:
        return UNKNOWN
    return tree.text


def theirs(oracle: Path, name: str) -> Any:
    done = subprocess.run([str(oracle), str(FIXTURES), name], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    return json.loads(done.stdout)["values"]


def agree(mine: Any, real: Any, where: str = "") -> None:
    """Every value the real evaluator knows, ours knows alike (scalars as text); what it does
    not know, ours leaves unresolved: unknown, or a ${...} kept for the rules."""
    if real == UNKNOWN:
        assert mine == UNKNOWN or (isinstance(mine, str) and "${" in mine), where
    elif isinstance(real, dict):
        assert isinstance(mine, dict) and set(mine) == set(real), where
        for key in real:
            agree(mine[key], real[key], f"{where}.{key}")
    elif isinstance(real, list):
        assert isinstance(mine, list) and len(mine) == len(real), where
        for index, item in enumerate(real):
            agree(mine[index], item, f"{where}[{index}]")
    else:
        expected = real if isinstance(real, str) else json.dumps(real)
        assert mine == expected, where


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_our_evaluation_matches_the_sdk_evaluator(oracle: Path, name: str) -> None:
    agree(ours(name), theirs(oracle, name), name)


def test_the_fixtures_cover_imports_references_and_builtins() -> None:
    assert len(ENVIRONMENTS) >= 4
    text = "".join(p.read_text() for p in FIXTURES.rglob("*.yaml"))
    for construct in ("imports:", "merge: false", "${", "$${", "fn::open::", "ciphertext",
                      "fn::join", "fn::toJSON", "fn::toBase64", "fn::fromBase64", "fn::split"):
        assert construct in text, construct
