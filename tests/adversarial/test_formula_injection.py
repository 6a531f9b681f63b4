"""Item 5: no formula injection through the CSV outputs.

A value or label beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return that is
not a number is written with a leading ``'`` (OWASP's advice) in ``results/ard.csv``,
``tables/*.csv``, ``datasets/*.csv`` and ``tables.xlsx``, so a spreadsheet shows it instead
of running it.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from oncocohort.report.results import neutralise_cell, render_frame_csv
from oncocohort.report.tables import DisplayTable, render_table_csv
from oncocohort.report.xlsx import render_tables_xlsx

HYPERLINK = '=HYPERLINK("http://evil.example","x")'
DDE = "+cmd|' /C calc'!A0"
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def _formula_cells(folder):
    """Every CSV cell under ``folder`` a spreadsheet would read as a formula."""
    found = []
    for path in sorted(folder.rglob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                for c in row:
                    head = c.lstrip(" ")
                    if head[:1] in ("=", "+", "-", "@", "\t", "\r") and not NUMBER.match(head):
                        found.append((path.name, c))
    return found


def test_planted_formulas_are_neutralised_in_every_csv(demo, tmp_path):
    rows = demo.rows("patients.csv")
    site = rows[0].index("primary_site")
    for r in rows[1:]:
        if r[site] == "middle":
            r[site] = HYPERLINK
    demo.write_rows("patients.csv", rows)
    rows = demo.rows("adverse_events.csv")
    term = rows[0].index("ae_term")
    for r in rows[1:]:
        if r[term] == "fatigue":
            r[term] = "=1+1"
    demo.write_rows("adverse_events.csv", rows)

    def plant(spec):
        groups = spec["safety"]["groups"]
        groups["@SUM(1+1)"] = groups.pop("Hemorrhage")
        spec["safety"]["synonyms"]["=1+1"] = "Fatigue"
        spec["subgroups"][1]["label"] = DDE

    demo.edit_spec(plant)
    out = tmp_path / "out"
    outcome = demo.run(out)
    assert outcome.code == 0, outcome.output
    assert _formula_cells(out) == []
    written = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
               for p in out.rglob("*.csv")}
    assert any("'  =HYPERLINK(" in t for n, t in written.items() if n.startswith("tables/"))
    assert "'=HYPERLINK(" in written["datasets/patients.csv"]
    assert "'=HYPERLINK(" in written["results/ard.csv"]
    assert any("'@SUM(1+1)" in t for n, t in written.items() if n.startswith("tables/"))
    assert any(f"'{DDE}" in t for n, t in written.items() if n.startswith("tables/"))
    assert any("'=1+1" in t for n, t in written.items() if n.startswith("datasets/"))
    # the report itself shows the value as written (HTML escapes it, no leading ')
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)" in (
        out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("text, expected", [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-A1", "'-A1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-", "'-"), ("-inf", "'-inf"),
    ("-1.5", "-1.5"), ("+3", "+3"), ("-2e-05", "-2e-05"), ("-.5", "-.5"), ("12", "12"),
    ("a=1", "a=1"), ("", ""), ("'=1", "'=1"), ("  =1+1", "'  =1+1"), ("  -1.5", "  -1.5"),
])
def test_neutralise_cell(text, expected):
    assert neutralise_cell(text) == expected


def test_frames_and_display_tables_are_neutralised():
    frame = pd.DataFrame({"=name": ["=1+1", "x", None], "value": [-1.5, float("inf"), 2.0],
                          "group": pd.Categorical(["@a", "b", "b"])})
    assert render_frame_csv(frame) == (
        "'=name,value,group\n'=1+1,-1.5,'@a\nx,,b\n,2.0,b\n")
    table = DisplayTable("t", "T", ("=h", "n"), (("## @grp",), ("+x", "-1.0")), ("=note",))
    assert render_table_csv(table) == "'=h,n\n'@grp\n'+x,-1.0\n'=note\n"
    sheet = load_workbook(io.BytesIO(render_tables_xlsx([table])))["t"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert cells == ["T", "'=h", "n", "'@grp", "'+x", "-1.0", "'=note"]
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
