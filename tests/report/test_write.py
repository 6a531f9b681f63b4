"""The output folder: layout, ARD files, Word tables compared with the ARD and the tables."""

import json

import pandas as pd
import pytest

from oncocohort.analysis import ARD_COLUMNS
from oncocohort.analysis.ard import ard_value
from oncocohort.report.assemble import build_report_tables
from oncocohort.report.figure_steps import build_drawn_report
from oncocohort.report.format import fmt_n_pct
from oncocohort.report.results import render_frame_csv
from oncocohort.report.tables import render_table_csv


def test_layout(written_report):
    out, _ = written_report
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    for required in ("report.html", "report.docx", "results/ard.csv", "results/ard.json",
                     "validation.txt", "datasets/adtte.csv", "datasets/adtte.parquet",
                     "tables/baseline.csv", "tables/safety.csv", "figures/km_os.png",
                     "figures/km_os.svg", "figures/waterfall.png",
                     "figures/swimmer.svg", "figures/forest_os.png"):
        assert required in names
    assert not [n for n in names if n.endswith(".pdf")]  # PDF figures only when asked
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".out.tmp")]
    assert "warning: lesions.csv: 3 lesion rows" in (out / "validation.txt").read_text()


def test_ard_files_are_the_ard(written_report, tmp_path):
    out, results = written_report
    ard = results.analysis.ard
    assert (out / "results" / "ard.csv").read_bytes() == render_frame_csv(ard).encode("utf-8")
    back = pd.read_csv(out / "results" / "ard.csv", keep_default_na=False,
                       na_values={"value": [""], "denominator": [""]},
                       dtype={c: str for c in ARD_COLUMNS if c not in ("value", "denominator")})
    assert tuple(back.columns) == ARD_COLUMNS and len(back) == len(ard)
    assert back["value"].tolist() == pytest.approx(ard["value"].tolist(), nan_ok=True, rel=1e-15)
    records = json.loads((out / "results" / "ard.json").read_text())
    assert len(records) == len(ard) and set(records[0]) == set(ARD_COLUMNS)
    upper = [r for r in records if r["analysis"] == "survival" and r["endpoint"] == "os"
             and r["variable"] == "median" and r["statistic"] == "upper"]
    assert upper[0]["value"] is None  # NaN (not reached) -> null


def test_table_csvs_are_the_tables(written_report):
    out, results = written_report
    for t in build_report_tables(results.analysis, results.options):
        assert (out / "tables" / f"{t.name}.csv").read_text() == render_table_csv(t)


def test_docx_tables_match_the_ard(written_report):
    from docx import Document

    out, results = written_report
    doc = Document(str(out / "report.docx"))
    tables = build_report_tables(results.analysis, results.options)
    assert len(doc.tables) == len(tables)
    ard = results.analysis.ard
    for word, t in zip(doc.tables, tables, strict=True):
        cells = [[c.text for c in row.cells] for row in word.rows]
        cells = cells[t.levels:]  # the spanner rows (Table 2's Univariable / Multivariable)
        assert tuple(c.replace("\u00a0", " ") for c in cells[0]) == t.header
        for got, want in zip(cells[1:], t.rows, strict=True):
            if t.is_heading(want):
                assert got[0] == want[0][3:]
            else:  # indentation is the paragraph's, not leading blanks
                assert tuple(got) == (want[0].strip(), *want[1:])
    # and straight against ARD numbers: Table 3's first row, the ORR cell
    safety = [[c.text for c in r.cells] for r in doc.tables[-1].rows]
    w = {"analysis": "safety", "group_var": "population", "group_level": "TRAE",
         "variable": "Any TRAE", "category": "grade >=3"}
    assert safety[1][3] == fmt_n_pct(ard_value(ard, statistic="n", **w),
                                     ard_value(ard, statistic="pct", **w))
    response = [[c.text for c in r.cells] for r in doc.tables[2].rows]
    orr = [r for r in response if r[0].startswith("Objective")][0]
    w = {"analysis": "response", "variable": "orr"}
    assert orr[1] == fmt_n_pct(ard_value(ard, statistic="n", **w),
                               ard_value(ard, statistic="pct", **w))
    assert len(doc.inline_shapes) == len(list((out / "figures").glob("*.png")))
    paragraphs = [p.text for p in doc.paragraphs]
    assert (out / "results" / "summary.txt").read_text().splitlines()[0] in paragraphs
    assert any(p.startswith("Time was measured from the") for p in paragraphs)  # methods


def test_html_has_every_table_and_figure(written_report):
    out, results = written_report
    page = (out / "report.html").read_text()
    for t in build_report_tables(results.analysis, results.options):
        assert f'id="table-{t.name}"' in page
    for png in (out / "figures").glob("*.png"):
        assert f'id="figure-{png.stem}"' in page
    for pattern in ('src="http', "href=\"http", "url(http", "@import", "<script", "<link"):
        assert pattern not in page  # nothing fetched, nothing run
    assert "<metadata>" not in page
    assert "3 lesion rows without a diameter" in page  # data-quality section
    assert "<p>12 patients were included." in page  # results summary
    summary = (out / "results" / "summary.txt").read_text().splitlines()
    assert all(f"<p>{s}</p>" in page for s in summary if "<" not in s and "&" not in s)


def test_formats_choose_the_report_files(tmp_path, written_report):
    """``outputs.formats: [xlsx]``: the tables in one workbook (a sheet per table, cells as
    the CSV tables print them), no HTML, Word or CSV tables; the same bytes twice."""
    from dataclasses import replace

    from openpyxl import load_workbook

    from oncocohort.write.study import write_outputs

    _, results = written_report
    options = replace(results.options, formats=("xlsx",))
    outs = [write_outputs(tmp_path / name, datasets=results.datasets, analysis=results.analysis,
                          options=options, problems=results.problems) for name in ("a", "b")]
    names = {p.name for p in outs[0].iterdir()}
    assert "tables.xlsx" in names
    assert not names & {"report.html", "report.docx", "tables"}
    assert (outs[0] / "tables.xlsx").read_bytes() == (outs[1] / "tables.xlsx").read_bytes()
    book = load_workbook(outs[0] / "tables.xlsx")
    tables = build_drawn_report(results.analysis, results.options, results.problems).tables
    assert book.sheetnames == [t.name for t in tables]
    for t in tables:
        width = len(t.header)
        sheet = book[t.name]
        rows = [tuple("" if c is None else c for c in row)[:width]
                for row in sheet.iter_rows(values_only=True, max_col=width)]
        blank = ("",) * (width - 1)
        lv = t.levels  # spanner rows between the caption and the column names
        assert rows[0] == (f"{t.label}. {t.title}", *blank) and rows[1 + lv] == t.header
        # labels indented by the cell's indent (two blanks of the table = one level)
        want = [(r[0][3:], *blank) if t.is_heading(r) else (r[0].strip(), *r[1:])
                for r in t.rows]
        assert rows[2 + lv:2 + lv + len(t.rows)] == want
        for r, cells in zip(t.rows, sheet.iter_rows(min_row=3 + lv), strict=False):
            if not t.is_heading(r):
                assert cells[0].alignment.indent == (len(r[0]) - len(r[0].lstrip())) // 2
                assert all(c.alignment.horizontal == "right" for c in cells[1:width])
        assert sheet.cell(row=2, column=1).border.top.style == "medium"
        assert sheet.cell(row=2 + lv, column=width).border.bottom.style == "thin"
        assert sheet.cell(row=2 + lv + len(t.rows), column=1).border.bottom.style == "medium"
        assert sheet.print_title_rows == f"$2:${2 + lv}" and sheet.freeze_panes == f"A{3 + lv}"
        assert [r[0] for r in rows[len(rows) - len(t.footnotes):]] == list(t.footnotes)


def test_figure_formats_choose_the_figure_files(tmp_path, written_report):
    """``outputs.figure_formats: [pdf]`` with the HTML report only: PDF files, and the SVG the
    HTML report inlines rendered but not written."""
    from dataclasses import replace

    from oncocohort.write.study import write_outputs

    _, results = written_report
    options = replace(results.options, formats=("html",), figure_formats=("pdf",))
    out = write_outputs(tmp_path / "o", datasets=results.datasets, analysis=results.analysis,
                        options=options, problems=results.problems)
    files = sorted(p.name for p in (out / "figures").iterdir())
    assert files and all(f.endswith(".pdf") for f in files)
    assert (out / "figures" / "km_os.pdf").read_bytes()[:5] == b"%PDF-"
    assert '<figure class="oc-figure" id="figure-km_os"' in (out / "report.html").read_text()
    assert not (out / "report.docx").exists()
