"""Every file of the real-world corpus gets the verdict its manifest says (tests/realworld/)."""

from __future__ import annotations

import pytest

from tests.realworld.corpus import HERE, Case, load_cases, run_case

CASES = load_cases()
# The corpus's own files, not checked ones (its tests and helpers are *.py).
_NOT_CHECKED = {"manifest.yaml", "README.md", "residency-guard.yaml"}


def _param(case: Case) -> object:
    marks = []
    if case.pending:
        # The file kind is read once i16b's input kinds land: then this passes, and strict
        # xfail fails the suite until the `pending:` mark comes off the manifest.
        marks.append(pytest.mark.xfail(strict=True, reason=f"input kind pending on {case.pending}"))
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_corpus_file_gets_its_expected_verdict(case: Case) -> None:
    outcome = run_case(case)
    if case.error:
        assert outcome.exit_code == 2, outcome
    else:
        assert outcome.exit_code != 2, outcome.errors
    got = {file: frozenset(outcome.found.get(file, set())) for file in case.expect}
    assert got == case.expect
    assert set(outcome.found) <= set(case.expect), "findings on files the manifest does not list"


def test_manifest_lists_every_corpus_file() -> None:
    listed = {file for case in CASES for file in case.expect}
    files = {
        str(path.relative_to(HERE))
        for path in HERE.rglob("*")
        if path.is_file()
        and path.name not in _NOT_CHECKED
        and path.suffix != ".py"
        and "__pycache__" not in path.parts
    }
    assert files - listed == set()
    assert listed - files == set()
