"""The analysis in the app: progress, problems at their cells, the report and its downloads,
and the downloaded study.yaml giving the same files byte for byte with `oncocohort run`."""

from __future__ import annotations

import io
import shutil
import time
import zipfile
from pathlib import Path

import openpyxl
import yaml

from oncocohort.app.runner import RESULTS, start_run
from oncocohort.cli import main
from oncocohort.propose import propose_workbook
from oncocohort.propose.read import read_sheet
from oncocohort.study.demo import demo_spec_path

WORKBOOKS = Path(__file__).parents[1] / "fixtures" / "workbooks"


def _open(page, base, token, lang=None):
    page.goto(f"{base}/?token={token}" + (f"&lang={lang}" if lang else ""))


def _upload(page, path):
    page.set_input_files("#workbook", str(path))
    page.click("#upload-button")
    page.wait_for_load_state("load")


def _wait_until(page, part, timeout=300):
    deadline = time.monotonic() + timeout
    while part not in page.url and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert part in page.url, page.url


def _demo_session(store):
    """A session holding the demo study (its CSV files and spec), as a finished upload
    would: the run machinery is the same whatever the spec."""
    session = store.new()
    demo = demo_spec_path().parent
    for f in demo.glob("*.csv"):
        shutil.copy(f, session.folder)
    path = session.folder / "patients.csv"
    read = read_sheet(path)
    session.state.update(path=path, proposal=propose_workbook(path), grid=read.grid,
                         cells=[])
    session.state["run"] = start_run(session.folder, demo_spec_path().read_text("utf-8"))
    return session


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_report_in_the_page_and_byte_identical_rerun(live_app, page, shots, tmp_path):
    base, token, store, _ = live_app
    session = _demo_session(store)
    _open(page, base, token)
    page.goto(f"{base}/s/{session.id}/progress")
    assert page.locator("#progress").count() == 1 or "/report" in page.url
    shots(page, "11-progress")
    _wait_until(page, "/report")
    frame = page.frame_locator("#report-frame")
    frame.locator("body").wait_for()
    page.wait_for_timeout(500)
    shots(page, "12-report")
    downloads = {}
    for link in ("dl-report-html", "dl-report-docx", "dl-tables", "dl-ard", "dl-ard-json",
                 "dl-spec"):
        with page.expect_download() as info:
            page.click(f"#{link}")
        target = tmp_path / "downloads" / info.value.suggested_filename
        info.value.save_as(target)
        downloads[info.value.suggested_filename] = target
    assert set(downloads) == {"report.html", "report.docx", "tables.zip", "ard.csv",
                              "ard.json", "study.yaml"}
    assert zipfile.ZipFile(io.BytesIO(downloads["tables.zip"].read_bytes())).namelist()
    app_out = session.folder / RESULTS
    assert downloads["report.docx"].read_bytes() == (app_out / "report.docx").read_bytes()
    # the downloaded spec next to the same data, run from the command line
    again = tmp_path / "again"
    again.mkdir()
    for f in demo_spec_path().parent.glob("*.csv"):
        shutil.copy(f, again)
    shutil.copy(downloads["study.yaml"], again / "study.yaml")
    assert main(["run", str(again / "study.yaml"), "--out", str(again / "out")]) == 0
    assert _files(again / "out") == _files(app_out)


def _broken_clear(tmp_path: Path) -> Path:
    """The clear workbook with an impossible date in row 5 of 'Last follow-up'."""
    book = openpyxl.load_workbook(WORKBOOKS / "clear.xlsx")
    sheet = book.active
    column = [c.value for c in sheet[1]].index("Last follow-up") + 1
    sheet.cell(row=5, column=column).value = "2023-13-45"
    path = tmp_path / "clear-broken.xlsx"
    book.save(path)
    return path


def test_data_problem_shown_at_its_cell(live_app, page, shots, tmp_path):
    base, token, _, _ = live_app
    _open(page, base, token)
    _upload(page, _broken_clear(tmp_path))
    with page.expect_navigation():
        page.click("#run")
    _wait_until(page, "/problems")
    problems = page.locator("#data-problems")
    first = problems.locator(".data-problem").first
    assert "row 5" in first.inner_text() and "Last follow-up" in first.inner_text()
    bad = first.locator("td.bad")
    assert bad.count() == 1 and bad.inner_text() == "2023-13-45"
    assert "Name" not in first.locator("table.cells").inner_text()  # identifiers never shown
    assert "Traceback" not in page.content()
    shots(page, "13-problem-at-cell")


def test_unmapped_code_stops_the_run_with_its_question(live_app, page, shots, tmp_path):
    base, token, _, _ = live_app
    _open(page, base, token, lang="zh")
    _upload(page, WORKBOOKS / "messy_zh.csv")
    with page.expect_navigation():
        page.click("#run")
    _wait_until(page, "/problems")
    text = page.locator("#data-problems").inner_text()
    assert "'TODO'" in text and "sex" in text
    shots(page, "14-unmapped-code-zh")


def test_a_fault_of_the_app_is_an_apology(live_app, page, shots, monkeypatch, tmp_path):
    import oncocohort.app.runner as runner

    def boom(loaded):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(runner, "run_study", boom)
    base, token, store, _ = live_app
    session = _demo_session(store)
    _open(page, base, token)
    page.goto(f"{base}/s/{session.id}/progress")
    _wait_until(page, "/problems")
    assert page.locator("#run-failed").is_visible()
    assert "secret internals" not in page.content() and "Traceback" not in page.content()
    shots(page, "18-run-failed")


def test_uploaded_workbook_to_downloaded_docx_and_the_same_files_from_the_cli(
        live_app, page, shots, tmp_path):
    """The whole journey on the clear workbook: upload, mapping as proposed, a journal style
    chosen in the form, run, report, the Word file downloaded; the downloaded study.yaml next
    to the same workbook gives the same files with `oncocohort run`."""
    base, token, store, _ = live_app
    _open(page, base, token)
    _upload(page, WORKBOOKS / "clear.xlsx")
    assert "/s/" in page.url
    page.select_option("#journal-style", "lancet")
    shots(page, "13-journal-style")
    with page.expect_navigation():
        page.click("#save-analysis")
    assert "journal_style: lancet" in page.locator("#spec").text_content()
    with page.expect_navigation():
        page.click("#run")
    _wait_until(page, "/report")
    page.frame_locator("#report-frame").locator("body").wait_for()
    shots(page, "14-report-from-workbook")
    downloads = {}
    for link in ("dl-report-docx", "dl-spec"):
        with page.expect_download() as info:
            page.click(f"#{link}")
        target = tmp_path / "downloads" / info.value.suggested_filename
        info.value.save_as(target)
        downloads[info.value.suggested_filename] = target
    docx = zipfile.ZipFile(io.BytesIO(downloads["report.docx"].read_bytes()))
    body = docx.read("word/document.xml").decode("utf-8")
    assert "Overall survival" in body and "·" in body  # the Lancet's mid-dot decimals
    session = store.get(page.url.split("/s/")[1].split("/")[0])
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(WORKBOOKS / "clear.xlsx", again / "clear.xlsx")
    shutil.copy(downloads["study.yaml"], again / "study.yaml")
    assert main(["run", str(again / "study.yaml"), "--out", str(again / "out")]) == 0
    assert _files(again / "out") == _files(session.folder / RESULTS)
    assert page.errors == []


def test_reference_levels_and_labels_reach_the_spec_and_table_2(live_app, page, shots):
    """A reference level chosen, a value relabelled in a code table and a Table 1 row
    relabelled: all in ``variables:`` of the spec, and in the report's subgroup table."""
    base, token, _, _ = live_app
    _open(page, base, token)
    _upload(page, WORKBOOKS / "clear.xlsx")
    sex = page.locator('tr[data-header="Sex"] form.values-form')
    assert sex.locator('input[name="value-0"]').input_value() == "Male"
    sex.locator('input[name="value-1"]').fill("Women")
    with page.expect_navigation():
        sex.locator("button").click()
    form = page.locator("#analysis-form")
    stage = form.locator('select[name="reference-stage"]')
    assert stage.locator("option").all_inner_texts()[1:] == ["III", "IV"]
    assert form.locator('select[name="reference-sex"] option').all_inner_texts()[1:] == [
        "Male", "Women"]
    stage.select_option("IV")
    form.locator('select[name="reference-sex"]').select_option("F")
    form.locator('input[name="label-age"]').fill("Age at treatment start (years)")
    shots(page, "15-analysis-form", "#analysis")
    with page.expect_navigation():
        page.click("#save-analysis")
    spec = yaml.safe_load(page.locator("#spec").text_content())
    assert spec["variables"]["stage"] == {"label": "Stage", "reference": "IV"}
    assert spec["variables"]["sex"] == {"values": {"M": "Male", "F": "Women"},
                                        "reference": "F"}
    assert spec["variables"]["age"] == {"label": "Age at treatment start (years)"}
    assert page.locator('select[name="reference-stage"]').input_value() == "IV"
    with page.expect_navigation():
        page.click("#run")
    _wait_until(page, "/report")
    report = page.frame_locator("#report-frame")
    table = report.locator("#table-subgroups_os")
    table.wait_for()
    rows = {}
    for row in table.locator("tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        rows.setdefault(cells[0], cells)  # the first block a level appears in
    assert rows["IV"][5] == "1 (reference)"
    assert rows["III"][5] != "1 (reference)" and "(" in rows["III"][5]
    assert rows["Women"][5] == "1 (reference)" and rows["Male"][5] != "1 (reference)"
    assert "Age at treatment start (years)" in report.locator("#table-baseline").inner_text()
