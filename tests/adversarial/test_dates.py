"""Item 3: dates a pandas timestamp cannot hold, impossible times of day, bad date layouts.

A placeholder such as ``9999-12-31`` ("ongoing"), ``0001-01-01`` or a mistyped ``1500-06-15``
is a problem at its file, row and column (exit 2), and the date itself is never printed.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from adversarial._study import assert_user_error
from oncocohort.canon.schema import DATE_RANGE
from oncocohort.model.coerce import coerce_dates

PLANTED = [  # (file, subject, column, value)
    ("patients.csv", "ESCC-0001", "death_date", "9999-12-31"),
    ("therapy.csv", "ESCC-0001", "start_date", "0001-01-01"),
    ("lesions.csv", "ESCC-0001", "visit_date", "1500-06-15"),
]


def test_out_of_range_dates_are_located_problems_without_the_value(demo, tmp_path):
    where = []
    for file, subject, column, value in PLANTED:
        row = demo.find_row(file, subject_id=subject)
        demo.set_cell(file, row, column, value)
        where.append(f"{file}, row {row}, column '{column}', subject {subject}")
    for outcome in (demo.validate(), demo.run(tmp_path / "out")):
        assert_user_error(outcome, *where)
        assert "outside the plausible dates" in outcome.output
        for *_, value in PLANTED:
            assert value not in outcome.output
        for part in ("9999", "0001-01", "1500-06"):  # nor a piece of one
            assert part not in outcome.output
    assert not (tmp_path / "out").exists()


def test_an_out_of_range_date_stored_natively_in_parquet(demo):
    rows = demo.rows("patients.csv")
    header, body = rows[0], rows[1:]
    columns = {name: [r[i] or None for r in body] for i, name in enumerate(header)}
    death = [dt.datetime.fromisoformat(v) if v else None for v in columns["death_date"]]
    death[0] = dt.datetime(9999, 12, 31)
    columns["death_date"] = pa.array(death, pa.timestamp("us"))
    pq.write_table(pa.table(columns), demo.folder / "patients.parquet")
    demo.edit_spec(lambda s: s["sources"]["patients"].update(file="patients.parquet"))
    outcome = demo.validate()
    assert_user_error(outcome, "patients.parquet, row 2, column 'death_date'",
                      "outside the plausible dates")
    assert "9999" not in outcome.output


@pytest.mark.parametrize("value", ["2023-05-03T25:61:00", "2023-05-03 24:00", "2023-05-03T12:60",
                                   "2023-05-03 23:59:60"])
def test_an_impossible_time_of_day_is_rejected(demo, value):
    row = demo.find_row("patients.csv", subject_id="ESCC-0001")
    demo.set_cell("patients.csv", row, "death_date", value)
    outcome = demo.validate()
    assert_user_error(outcome, f"patients.csv, row {row}, column 'death_date'",
                      "is not a valid date")
    assert value not in outcome.output


def test_a_time_of_day_that_exists_is_still_accepted():
    c = coerce_dates(["2023-05-03T23:59:59", "2023-05-03 00:00", "2023-05-03T7:05:09.5"])
    assert c.codes == (None, None, None)
    assert [str(v.date()) for v in c.values] == ["2023-05-03"] * 3


def test_the_plausible_date_range_ends_are_inclusive():
    first, last = DATE_RANGE
    before, after = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    c = coerce_dates([d.isoformat() for d in (before, first, last, after)])
    assert c.codes == ("date_out_of_range", None, None, "date_out_of_range")


@pytest.mark.parametrize("fmt, hint", [("%Q-%Y", "%Q"), ("%d/%m", "whole date"),
                                       ("%Y", "whole date"), ("%d/%m/%Y %", "not a date code")])
def test_an_invalid_date_format_is_a_spec_error_at_its_yaml_path(demo, fmt, hint):
    demo.edit_spec(lambda s: s["sources"]["therapy"].update(date_format=fmt))
    outcome = demo.validate()
    assert_user_error(outcome, "sources.therapy.date_format", hint)


def test_a_valid_date_format_still_reads_its_dates(demo):
    rows = demo.rows("therapy.csv")
    i = rows[0].index("start_date")
    j = rows[0].index("end_date")
    for r in rows[1:]:
        for k in (i, j):
            if r[k]:
                y, m, d = r[k].split("-")
                r[k] = f"{d}/{m}/{y}"
    demo.write_rows("therapy.csv", rows)
    demo.edit_spec(lambda s: s["sources"]["therapy"].update(date_format="%d/%m/%Y"))
    outcome = demo.validate()
    assert outcome.code == 0, outcome.output


def test_a_data_cutoff_outside_the_plausible_dates_is_a_spec_error(demo):
    text = demo.spec_path.read_text(encoding="utf-8")
    demo.write_spec_text(text.replace("data_cutoff: 2025-07-05", "data_cutoff: 9999-12-31"))
    assert_user_error(demo.validate(), "study.data_cutoff", "must lie between")


def test_a_date_layout_without_date_format_says_what_to_do_once(demo):
    """Every index date written day first (15/03/2023) and no date_format: one problem per
    cell, each at its row, but what to do (and how many cells share the layout) is said with
    the first cell only, not repeated on every patient's line."""
    rows = demo.rows("patients.csv")
    at = rows[0].index("index_date")
    n = 0
    for r, row in enumerate(rows[1:], start=2):
        value = row[at]
        if value:
            demo.set_cell("patients.csv", r, "index_date",
                          f"{value[8:10]}/{value[5:7]}/{value[:4]}")
            n += 1
    outcome = demo.validate()
    lines = [x for x in outcome.output.splitlines() if "column 'index_date'" in x]
    assert len(lines) == n > 1
    assert "row 2, column 'index_date'" in lines[0]
    assert ("give the source a date_format for other layouts; "
            f"{n} cells of this column are shaped so)") in lines[0]
    assert all(x.rstrip().endswith("is not a valid date (shaped like '99/99/9999')")
               for x in lines[1:])
    assert_user_error(outcome, "patients.csv, row 3, column 'index_date'")
