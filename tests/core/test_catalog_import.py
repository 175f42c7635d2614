"""`residency-guard catalog import`: our own small page in the Data controls page's two table
shapes (tests/fixtures/catalog/page.md, no OpenAI text) -> the catalog -> `catalog --region`.

The expected catalog facts below are read off the fixture page by eye, not from the code.
"""

from __future__ import annotations

import os
import pathlib
import shutil

import pytest
import yaml

from residency_guard.catalog import schema, shipped_catalog
from residency_guard.catalog.loader import catalog_from_dir, shipped_data_dir
from residency_guard.catalog.openai_page import importer
from residency_guard.catalog.openai_page.importer import render
from residency_guard.cli import main
from residency_guard.errors import CatalogError

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "catalog"
PAGE = FIXTURES / "page.md"
SOURCE = "https://example.test/page.md"


@pytest.fixture
def out(tmp_path: pathlib.Path) -> pathlib.Path:
    folder = tmp_path / "catalog"
    folder.mkdir()
    shutil.copyfile(FIXTURES / "handkept.yaml", folder / "handkept.yaml")
    return folder


def run_import(
    page: pathlib.Path, out: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = main(["catalog", "import", str(page), "--out", str(out), "--source", SOURCE,
                 "--as-of", "2026-01-02"])  # fmt: skip
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_writes_a_catalog_that_loads_with_the_pages_facts(
    out: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = run_import(PAGE, out, capsys)
    assert code == 0
    assert stdout.splitlines()[2] == (
        "new row named: row '/v1/tutor/sessions' -> surface 'tutor_sessions'; "
        "name it under rows in handkept.yaml"
    )
    catalog = catalog_from_dir(out)
    assert (catalog.source, catalog.as_of, catalog.version) == (SOURCE, "2026-01-02", "2026.1.2")
    us, eu, gb, ae = (catalog.region(r) for r in ("us", "eu", "gb", "ae"))
    assert [us.processing.value, gb.processing.value, ae.processing.value] == [
        "in-region", "not-in-region", "partial",
    ]  # fmt: skip
    assert (us.mam_or_zdr_required, eu.mam_or_zdr_required, gb.mam_or_zdr_required) == (
        False, True, True,
    )  # fmt: skip
    assert us.preconditions == ()
    assert eu.preconditions == ("mam-or-zdr", "image-approval", "retention-controls")
    assert gb.preconditions == ("mam-or-zdr", "image-approval", "processing-outside")
    assert ae.preconditions == ("mam-or-zdr", "image-approval", "processing-partial")
    # Two rows, one surface; a row with two paths; tools without a path.
    assert catalog.surfaces["images"].paths == ("/v1/images/edits", "/v1/images/generations")
    assert catalog.surfaces["voice"].paths == ("/v1/speak", "/v1/listen")
    assert catalog.surfaces["tool_alpha"].paths == ()
    assert catalog.surfaces["files"].takes_model is False
    assert "input_kinds" not in catalog.surfaces  # the hand-kept rows drop it
    assert "lessons" in catalog.surfaces and not us.covers("lessons")  # hand-kept, in no table
    # Storage, processing, models.
    assert (gb.coverage["chat"].stored, gb.coverage["chat"].processed) == (True, False)
    assert (us.coverage["files"].stored, us.coverage["files"].processed) == (True, False)
    assert us.covers("tutor_sessions") and not gb.covers("tutor_sessions")
    assert gb.models["chat"] == {"demo-chat-2026-01-01", "demo-chat-mini", "demo-big"}
    assert ae.processed_models == {"chat": {"demo-chat-2026-01-01"},
                                   "embeddings": {"demo-embed-large"}}  # fmt: skip
    assert eu.limits == {"chat": {"demo-big": "Standard processing only"}}
    assert us.sdk_data_residency == "us" and gb.sdk_data_residency is None  # hand-kept
    assert catalog.aliases["demo-chat"].snapshot == "demo-chat-2026-01-01"
    # Hand-kept files the out folder lacked come from the shipped catalog, unchanged.
    for name in ("hosts.yaml", "azure.yaml"):
        assert (out / name).read_bytes() == (shipped_data_dir() / name).read_bytes()


GB_TEXT = """\
residency-guard catalog 2026.1.2 (tables as of 2026-01-02: https://example.test/page.md)

gb: United Kingdom
  host: gb.api.openai.com  (base URL https://gb.api.openai.com/v1)
  residency: yes; stores at rest: yes; processing: not-in-region
  surfaces:
    chat                   stored only
    embeddings             stored only
    files                  stored only
    images                 stored only
    tool_alpha             stored only
    voice                  stored only
  not covered: lessons, tutor_sessions
  models for chat: demo-big, demo-chat-2026-01-01, demo-chat-mini
  models for embeddings: demo-embed-large, demo-embed-small
  models for images: demo-image-1
  models for voice: demo-voice-1
  MAM or ZDR required: yes
  precondition: the organization must be approved for abuse-monitoring controls (Modified \
Abuse Monitoring or Zero Data Retention) before a project can use this region
  precondition: image support here needs approval for enhanced Zero Data Retention or \
enhanced Modified Abuse Monitoring
  precondition: storage only: requests are processed, and may be stored for a while, \
outside the region
  as of 2026-01-02: https://example.test/page.md
"""


def test_round_trip_import_then_catalog_region(
    out: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(PAGE, out, capsys)[0] == 0
    assert main(["catalog", "--data", str(out), "--region", "gb"]) == 0
    assert capsys.readouterr().out == GB_TEXT


def test_ae_text_says_what_is_processed_in_region(
    out: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_import(PAGE, out, capsys)
    main(["catalog", "--data", str(out), "--region", "ae"])
    text = capsys.readouterr().out
    assert "  models for chat: demo-big, demo-chat-2026-01-01, demo-chat-mini\n" \
           "    processed in region: demo-chat-2026-01-01\n" in text  # fmt: skip


def test_a_second_import_of_the_same_page_changes_nothing(
    out: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_import(PAGE, out, capsys)
    first = {name: (out / name).read_bytes() for name in schema.SHIPPED}
    code, stdout, _ = run_import(PAGE, out, capsys)
    assert code == 0
    assert stdout.splitlines()[-1] == "no change to regions, surfaces or models"
    assert {name: (out / name).read_bytes() for name in schema.SHIPPED} == first


def test_the_diff_names_what_the_page_added_and_removed(
    out: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_import(PAGE, out, capsys)
    newer = tmp_path / "newer.md"
    lines = PAGE.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("| Europe (EEA + Switzerland) |"):  # EU drops the tutor sessions
            lines[index] = line.replace("`/v1/tutor/sessions`<br />", "")
        elif line.startswith("| `/v1/tutor/sessions` |"):
            lines[index] = line.replace("United States, Europe (EEA + Switzerland)", "United States")
        elif line.startswith("| `/v1/chat/completions` |"):
            lines[index] = line.replace("`demo-chat-2026-01-01`, `demo-chat-mini`, `demo-big`",
                                        "`demo-chat-2026-01-01`, `demo-big`, `demo-chat-2026-06-01`")
    text = "".join(lines)
    newer.write_text(text, encoding="utf-8")
    code, stdout, stderr = run_import(newer, out, capsys)
    assert (code, stderr) == (0, "")
    changes = stdout.splitlines()[3:]
    assert "eu tutor_sessions: stored and processed -> not covered" in changes
    assert "eu tutor_sessions models: - demo-tutor-1" in changes
    assert "us tutor_sessions models: - demo-tutor-1" not in changes
    for region in ("us", "eu", "gb", "ae"):
        assert f"{region} chat models: + demo-chat-2026-06-01; - demo-chat-mini" in changes


# --- shapes that must fail: one line naming the page, the line and the row; nothing written


def _broken(tmp_path: pathlib.Path, old: str, new: str) -> pathlib.Path:
    text = PAGE.read_text(encoding="utf-8")
    assert old in text
    page = tmp_path / "broken.md"
    page.write_text(text.replace(old, new, 1), encoding="utf-8")
    return page


def _line_of(text: str) -> int:
    return next(n for n, line in enumerate(PAGE.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "| Region | Domain prefix | Regional storage | Regional processing | MAM or ZDR "
            "required |",
            "| Region | Domain prefix | Regional storage | MAM or ZDR required |",
            "region table: missing column 'Regional processing'",
            id="missing column",
        ),
        pytest.param(
            "| United Kingdom\\* | `gb.api.openai.com` | Yes | No |",
            "| United Kingdom\\* | `gb.api.openai.com` | Yes No |",
            "region table row 'United Kingdom': 7 cells, expected 8 (a merged or split cell)",
            id="merged cell",
        ),
        pytest.param(
            "| `/v1/files` | Files | All listed regions | None |",
            "| `/v1/files` | | All listed regions | None |",
            "endpoint table row '/v1/files': empty cell under 'Service' (a merged cell)",
            id="empty cell",
        ),
        pytest.param(
            "| Canada\\* | `ca.api.openai.com` | Yes | No |",
            "| Canada\\* | `ca.api.openai.com` | Yes | Partly |",
            "region table row 'Canada': 'Regional processing' is 'Partly', expected Yes or No",
            id="not yes or no",
        ),
        pytest.param(
            "| `/v1/tutor/sessions` | Tutor | United States, Europe (EEA + Switzerland) |",
            "| `/v1/tutor/sessions` | Tutor | United States, Mars |",
            "endpoint table row '/v1/tutor/sessions': names the region 'Mars', which the "
            "region table does not have",
            id="unknown region",
        ),
        pytest.param(
            "| `/v1/files` | Files | All listed regions | None |",
            "| `/v1/files` | Files | All listed regions | United States |",
            "region table row 'United States': says stored, not processed for '/v1/files', "
            "which the endpoint table says otherwise",
            id="tables disagree",
        ),
        pytest.param(
            "\\*\\* Requires one of the retention controls.",
            "\\*\\* Something else entirely.",
            "region table row 'Europe (EEA + Switzerland)': points at a footnote the import "
            "does not know",
            id="unknown footnote",
        ),
        pytest.param(
            "| Endpoint or feature | Service |", "| Endpoint | Service |",
            "no endpoint table found", id="no endpoint table",
        ),
    ],
)
def test_a_changed_table_shape_fails_in_one_line_and_writes_nothing(
    out: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
    old: str, new: str, message: str,
) -> None:  # fmt: skip
    run_import(PAGE, out, capsys)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    page = _broken(tmp_path, old, new)
    code, stdout, stderr = run_import(page, out, capsys)
    assert (code, stdout) == (2, "")
    assert stderr.count("\n") == 1 and stderr.startswith(f"residency-guard: error: {page}")
    assert message in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_an_error_names_the_line_of_the_row(
    out: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _broken(tmp_path, "| Canada\\* | `ca.api.openai.com` | Yes | No |",
                   "| Canada\\* | `ca.api.openai.com` | Yes | Partly |")  # fmt: skip
    _, _, stderr = run_import(page, out, capsys)
    assert stderr.startswith(f"residency-guard: error: {page}:{_line_of('| Canada')}: ")


def test_a_page_that_cannot_be_read_is_one_line(
    out: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, stderr = run_import(tmp_path / "missing.md", out, capsys)
    assert code == 2 and stderr.startswith("residency-guard: error: ") and "cannot read" in stderr


# --- hand-kept facts ----------------------------------------------------------------------


def test_hand_kept_files_are_never_rewritten(
    out: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hosts = (shipped_data_dir() / "hosts.yaml").read_text() + "# a team's comment\n"
    (out / "hosts.yaml").write_text(hosts)
    kept = (out / "handkept.yaml").read_bytes()
    assert run_import(PAGE, out, capsys)[0] == 0
    assert (out / "hosts.yaml").read_text() == hosts
    assert (out / "handkept.yaml").read_bytes() == kept


def test_a_hand_kept_fact_cannot_override_the_page(
    out: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_import(PAGE, out, capsys)
    kept = out / "handkept.yaml"
    kept.write_text(kept.read_text().replace(
        "  eu: {sdk_data_residency: eu}\n",
        "  eu: {sdk_data_residency: eu}\n  gb: {processing: in-region}\n",
    ))  # fmt: skip
    with pytest.raises(CatalogError, match=r"gives gb\.processing; a hand-kept fact cannot override"):
        catalog_from_dir(out)


@pytest.mark.parametrize("name", schema.PAGE_FILES)
def test_shipped_page_derived_files_are_exactly_what_the_import_writes(name: str) -> None:
    # Nobody edits them by hand: each is the import's rendering of its own data.
    text = (shipped_data_dir() / name).read_text(encoding="utf-8")
    catalog = shipped_catalog()
    assert render(yaml.safe_load(text), catalog.source, catalog.as_of) == text


def test_refresh_workflow_downloads_the_markdown_page_and_imports_it() -> None:
    workflow = pathlib.Path(__file__).resolve().parents[2] / ".github" / "workflows"
    data = yaml.safe_load((workflow / "catalog-refresh.yml").read_text(encoding="utf-8"))
    job = data["jobs"]["refresh"]
    assert job["env"]["PAGE_URL"] == "https://developers.openai.com/api/docs/guides/your-data.md"
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert "residency-guard catalog import" in script and "gh pr create" in script
    assert data[True]["schedule"]  # PyYAML reads the key `on` as True


def test_a_failed_write_puts_the_old_files_back(
    out: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(PAGE, out, capsys)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    newer = out.parent / "newer.md"
    newer.write_text(PAGE.read_text().replace("`demo-tutor-1`", "`demo-tutor-2`"))
    real_replace = os.replace

    def replace(source: object, target: object) -> None:
        if str(target).endswith("regions.yaml"):  # the last page file: two already moved
            raise OSError(28, "No space left on device")
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(importer.os, "replace", replace)
    code, _, stderr = run_import(newer, out, capsys)
    assert code == 2 and "cannot write the catalog" in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
