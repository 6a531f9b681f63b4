"""The mapping screen shows an SPSS/Stata file's variable labels beside the short variable
names they explain (``startdt`` -> "Treatment start date"), as ``init`` uses them."""

from __future__ import annotations

import datetime as dt
import io

import httpx
import pandas as pd
import pytest

from oncocohort.app.mapping import mapping_rows
from oncocohort.propose.engine import propose_sheet, split_sheet
from oncocohort.propose.read import read_sheet

pyreadstat = pytest.importorskip("pyreadstat")

LABELS = {"pid": "Patient ID", "startdt": "Treatment start date", "lastfu": "Last follow-up",
          "agey": "Age at start", "grp": "grp"}  # a label equal to its name is not shown


def _sav(path):
    d = dt.date
    frame = pd.DataFrame({"pid": [f"S{i}" for i in range(1, 7)],
                          "startdt": [d(2022, m, 3) for m in range(1, 7)],
                          "lastfu": [d(2023, m, 10) for m in range(1, 7)],
                          "agey": [61, 55, 70, 48, 66, 59], "grp": ["a", "b"] * 3})
    pyreadstat.write_sav(frame, str(path), column_labels=LABELS)
    return path


def test_rows_carry_the_variable_labels(tmp_path):
    read = read_sheet(_sav(tmp_path / "cohort.sav"))
    sheet = propose_sheet(read.grid, file="cohort.sav", labels=read.labels)
    rows = mapping_rows(sheet, split_sheet(read.grid)[2], "en")
    shown = {r.header: r.label for r in rows}
    assert shown == {"pid": "Patient ID", "startdt": "Treatment start date",
                     "lastfu": "Last follow-up", "agey": "Age at start", "grp": None}


def test_the_mapping_page_shows_them(live_app, tmp_path):
    base, token, _, _ = live_app
    client = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    client.get(f"/?token={token}")
    data = _sav(tmp_path / "cohort.sav").read_bytes()
    page = client.post("/upload", files={"workbook": ("cohort.sav", io.BytesIO(data))})
    assert page.status_code == 200
    assert '>startdt<div class="varlabel">Treatment start date</div>' in page.text
    assert '>grp<div class="varlabel">' not in page.text
