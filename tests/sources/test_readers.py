"""Readers: every format comes back as text cells with the row numbers a person sees."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncocohort.canon.distinct import column_cells
from oncocohort.problems import InputError
from oncocohort.sources import readers
from oncocohort.sources.readers import cell_text, read_table


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts; a coded column's (read_table_header's) missing cells as None."""
    cells = {name: column_cells(frame[name]) for name in frame.columns}
    return [dict(zip(cells, row, strict=True)) for row in zip(*cells.values(), strict=True)]


# --- cell rules -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "text"), [
    (None, None), ("", None), ("  NA ", None), (".", None), ("N/A", "N/A"), ("na", "na"),
    (" 007 ", "007"), (12.0, "12"), (-3.0, "-3"), (0.5, "0.5"), (float("nan"), None),
    (np.int64(7), "7"), (True, "true"), (dt.date(2024, 3, 1), "2024-03-01"),
    (dt.datetime(2024, 3, 1), "2024-03-01"),
    (dt.datetime(2024, 3, 1, 8, 30), "2024-03-01T08:30:00"),
    (pd.Timestamp("2024-03-01"), "2024-03-01"), (pd.NaT, None), (pd.NA, None), ("男", "男"),
])
def test_cell_text(value, text) -> None:
    assert cell_text(value) == text


# --- CSV --------------------------------------------------------------------------------

CSV_TEXT = (
    "subject_id,age,death_date,note\n007,61,,N/A\n\n012, 70 ,NA,.\n,,,\n101,55,2024-11-02,x\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_csv_keeps_ids_as_text_and_rows_as_seen(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text(CSV_TEXT, encoding=encoding)
    frame, rows = read_table(path)
    assert list(frame.columns) == ["subject_id", "age", "death_date", "note"]  # no BOM residue
    assert (frame.dtypes == object).all()  # noqa: E721 - elementwise dtype comparison
    assert _records(frame) == [
        {"subject_id": "007", "age": "61", "death_date": None, "note": "N/A"},
        {"subject_id": "012", "age": "70", "death_date": None, "note": None},
        {"subject_id": "101", "age": "55", "death_date": "2024-11-02", "note": "x"},
    ]
    # header row 1; line 3 is blank and line 5 is empty cells: both dropped, rows kept as seen
    assert rows.tolist() == [2, 4, 6]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_with_an_unpadded_title_row_reads_like_a_worksheet(tmp_path: Path,
                                                               encoding: str) -> None:
    # An export's title line without the trailing commas a spreadsheet would add: rows of
    # different lengths (pandas alone: "Expected 1 fields in line 3, saw 4").
    path = tmp_path / "p.csv"
    path.write_text("肺癌随访登记 export of 05/01/2022\n\nID,Start,Status,Note\n"
                    "L001,02/01/2015,2,\"a, b\"\nL002,03/01/2015,1\n", encoding=encoding)
    enc = None if encoding == "utf-8-sig" else encoding
    frame, rows, header, looks = readers.read_table_header(path, encoding=enc, header_row=3)
    assert (header, looks) == (3, 3)
    assert _records(frame) == [
        {"ID": "L001", "Start": "02/01/2015", "Status": "2", "Note": "a, b"},
        {"ID": "L002", "Start": "03/01/2015", "Status": "1", "Note": None},
    ]
    assert rows.tolist() == [4, 5]
    # without header_row the title is read as the header, and the hint names row 3
    frame, rows, header, looks = readers.read_table_header(path, encoding=enc)
    assert (header, looks) == (1, 3) and rows.tolist() == [3, 4, 5]


def test_csv_with_an_unclosed_quote_is_still_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text('title\nID,Note\n1,"open\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(path, label="p.csv")
    (problem,) = info.value.problems
    assert problem.code == "unreadable" and "not a readable CSV table" in problem.message


def test_csv_duplicate_column_names(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,date,date\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(path, label="data/p.csv")
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column, problem.code) == (
        "data/p.csv", 1, "date", "duplicate_column")
    assert "columns 2 and 3" in problem.message


def test_a_duplicate_column_below_a_title_is_named_at_the_header_row(tmp_path: Path) -> None:
    """The header on row 3 (a title and a blank row above it): the problem names row 3, in a
    CSV file as in a worksheet (it said row 1)."""
    path = tmp_path / "p.csv"
    path.write_text("Cohort 2024\n\nid,date,date\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(path, label="p.csv", header_row=3)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.code) == (3, "date", "duplicate_column")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Cohort 2024"])
    sheet.append([])
    sheet.append(["id", "date", "date"])
    sheet.append([1, 2, 3])
    book.save(tmp_path / "p.xlsx")
    with pytest.raises(InputError) as info:
        read_table(tmp_path / "p.xlsx", label="p.xlsx", header_row=3)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.code) == (3, "date", "duplicate_column")


def test_csv_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes("编号,性别\n1,男\n".encode("gb18030"))
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.problems.items[0].code == "encoding"
    frame, _ = read_table(path, encoding="gb18030")
    assert _records(frame) == [{"编号": "1", "性别": "男"}]


def test_csv_empty(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.problems.items[0].code == "empty"


def test_header_only_gives_empty_frame(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("subject_id,age\n", encoding="utf-8")
    frame, rows = read_table(path)
    assert list(frame.columns) == ["subject_id", "age"] and len(frame) == 0 and len(rows) == 0


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_table(tmp_path / "p.json")
    assert info.value.problems.items[0].code == "unknown_format"
    with pytest.raises(InputError) as info:
        read_table(tmp_path / "p.csv", label="data/p.csv")
    assert (info.value.problems.items[0].file, info.value.problems.items[0].code) == (
        "data/p.csv", "file_not_found")


# --- XLSX -------------------------------------------------------------------------------


@pytest.fixture()
def workbook(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Patients"
    first.append(["ID", "Start", "Visit time", "Age", "Ratio", "Smoker", "Code"])
    first.append([12.0, dt.datetime(2024, 1, 10), dt.datetime(2024, 1, 10, 9, 15), 61, 0.5,
                  True, "007"])
    first.append([None, None, None, None, None, None, None])
    first.append([13, dt.date(2024, 2, 1), None, "NA", None, False, " 08 "])
    first.append([None] * 7)  # trailing blank rows are common in hospital sheets
    second = book.create_sheet("AE")
    second.append([None])
    second.append(["Patient ID", "Grade"])  # header on row 2: the first non-empty row
    second.append(["007", 3])
    path = tmp_path / "hospital.xlsx"
    book.save(path)
    return path


def test_xlsx_values_and_rows(workbook: Path) -> None:
    frame, rows = read_table(workbook)  # first sheet by default
    assert _records(frame) == [
        {"ID": "12", "Start": "2024-01-10", "Visit time": "2024-01-10T09:15:00", "Age": "61",
         "Ratio": "0.5", "Smoker": "true", "Code": "007"},
        {"ID": "13", "Start": "2024-02-01", "Visit time": None, "Age": None, "Ratio": None,
         "Smoker": "false", "Code": "08"},
    ]
    assert rows.tolist() == [2, 4]


def test_xlsx_named_sheet_with_header_below_blank_row(workbook: Path) -> None:
    frame, rows = read_table(workbook, sheet="AE")
    assert _records(frame) == [{"Patient ID": "007", "Grade": "3"}]
    assert rows.tolist() == [3]


def test_xlsx_unknown_sheet_lists_the_sheets(workbook: Path) -> None:
    with pytest.raises(InputError) as info:
        read_table(workbook, sheet="Adverse events", label="data/hospital.xlsx")
    (problem,) = info.value.problems
    assert (problem.file, problem.sheet, problem.code) == (
        "data/hospital.xlsx", "Adverse events", "unknown_sheet")
    assert problem.message == "no sheet named 'Adverse events'; the workbook has: 'Patients', 'AE'"


def test_xlsx_damaged(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.problems.items[0].code == "unreadable"


# --- Parquet, SAS, SPSS, Stata ----------------------------------------------------------


def _stat_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "subject_id": ["007", "12", ""],
        "index_date": pd.to_datetime(["2024-01-10", None, "2024-03-15"]),
        "age": [61.0, np.nan, 55.5],
        "sex": [1.0, 2.0, 1.0],
    })


def test_parquet(tmp_path: Path) -> None:
    frame = _stat_frame()
    frame["visit"] = [dt.date(2024, 2, 1), None, dt.date(2024, 4, 1)]
    frame["count"] = pd.array([3, None, 5], dtype="Int64")
    path = tmp_path / "p.parquet"
    frame.to_parquet(path)
    read, rows = read_table(path)
    assert _records(read) == [
        {"subject_id": "007", "index_date": "2024-01-10", "age": "61", "sex": "1",
         "visit": "2024-02-01", "count": "3"},
        {"subject_id": "12", "index_date": None, "age": None, "sex": "2", "visit": None,
         "count": None},
        {"subject_id": None, "index_date": "2024-03-15", "age": "55.5", "sex": "1",
         "visit": "2024-04-01", "count": "5"},
    ]
    assert rows.tolist() == [2, 3, 4]  # record k is row k + 1


@pytest.mark.parametrize(("suffix", "write"), [
    ("sav", pyreadstat.write_sav), ("dta", pyreadstat.write_dta)])
def test_spss_stata_value_labels_and_dates(tmp_path: Path, suffix, write) -> None:
    path = tmp_path / f"p.{suffix}"
    write(_stat_frame(), str(path), variable_value_labels={"sex": {1: "male", 2: "female"}})
    frame, rows = read_table(path)
    assert _records(frame) == [
        {"subject_id": "007", "index_date": "2024-01-10", "age": "61", "sex": "male"},
        {"subject_id": "12", "index_date": None, "age": None, "sex": "female"},
        {"subject_id": None, "index_date": "2024-03-15", "age": "55.5", "sex": "male"},
    ]
    assert rows.tolist() == [2, 3, 4]


def test_sas_transport(tmp_path: Path) -> None:
    path = tmp_path / "p.xpt"
    pyreadstat.write_xport(_stat_frame(), str(path))
    frame, rows = read_table(path)
    assert frame["subject_id"].tolist() == ["007", "12", None]
    assert frame["index_date"].tolist() == ["2024-01-10", None, "2024-03-15"]
    assert frame["sex"].tolist() == ["1", "2", "1"]  # no value labels in a transport file
    assert rows.tolist() == [2, 3, 4]


def test_sas7bdat() -> None:
    # pyreadstat cannot write .sas7bdat: this file is written by fixtures/make_sas7bdat.R
    # (haven::write_sas, ReadStat's writer) and committed.
    path = Path(__file__).parent / "fixtures" / "patients.sas7bdat"
    frame, rows = read_table(path)
    assert _records(frame) == [
        {"USUBJID": "007", "TRTSDT": "2024-01-10", "AGE": "61", "SEX": "M"},
        {"USUBJID": "12", "TRTSDT": None, "AGE": None, "SEX": "F"},
        {"USUBJID": None, "TRTSDT": "2024-03-15", "AGE": "55.5", "SEX": "M"},
    ]
    assert rows.tolist() == [2, 3, 4]


def test_unreadable_binary(tmp_path: Path) -> None:
    for name in ("p.sav", "p.parquet"):
        path = tmp_path / name
        path.write_bytes(b"garbage")
        with pytest.raises(InputError) as info:
            read_table(path)
        assert info.value.problems.items[0].code == "unreadable"


def test_suffixes_cover_the_documented_formats() -> None:
    assert set(readers.SUFFIXES.values()) == {
        "csv", "tsv", "xlsx", "parquet", "sas7bdat", "xport", "sav", "dta"}


def test_tsv(tmp_path: Path) -> None:
    path = tmp_path / "p.tsv"
    path.write_text("subject_id\tnote\n007\ta, b\n", encoding="utf-8")
    frame, rows = read_table(path)
    assert _records(frame) == [{"subject_id": "007", "note": "a, b"}]
    assert rows.tolist() == [2]


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                min_size=1, max_size=12).filter(lambda s: s not in readers.MISSING_TEXT)


@settings(max_examples=40, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=6))
def test_csv_round_trip_keeps_text(values: list[str]) -> None:
    # Whatever the user typed (ids like 007, 1e3, 12.0, Chinese text) comes back unchanged.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["id"], *[[v] for v in values]])
        frame, rows = read_table(path)
    assert frame["id"].tolist() == values
    assert rows.tolist() == list(range(2, len(values) + 2))


def _read_both(path: Path, monkeypatch, **kw) -> tuple:
    """``read_table_header`` through pyarrow (when it takes the file) and through pandas."""
    def outcome():
        try:
            frame, rows, header, looks = readers.read_table_header(path, **kw)
        except InputError as exc:
            return [str(p) for p in exc.problems]
        return _records(frame), rows.tolist(), header, looks

    fast = outcome()
    with monkeypatch.context() as m:
        m.setattr(readers, "_plain_csv", lambda *args: None)
        return fast, outcome()


@pytest.mark.parametrize(("text", "fast"), [
    ("id,x\n1,a\n2, b \n3,NA\n", True),
    ("\ufeffid\tx\n1\ta\n", True),              # a BOM; tab-separated (as .tsv)
    ("id\n1\n\n.\n2", True),                    # a blank line is a blank row
    ("id,x\n\n1,2\n", True),
    ("Title\nid,x\n1,2\n", False),              # rows of different lengths
    ("\nid,x\n1,2\n", False),                   # pandas: a blank first line, an empty file
    ("\ufeff\ufeffid,x\n1,2\n", False),         # pandas drops both BOMs
    ('id,x\n1,"a, b"\n', False), ("id,x\r\n1,2\r\n", False), ("id,x\n1,a\x00b\n", False),
])
def test_plain_csv_read_by_pyarrow_as_by_pandas(tmp_path: Path, monkeypatch, text: str,
                                                fast: bool) -> None:
    path = tmp_path / ("p.tsv" if "\t" in text else "p.csv")
    path.write_bytes(text.encode("utf-8"))
    assert (readers._plain_csv(path, "\t" if "\t" in text else ",") is not None) is fast
    for kw in ({}, {"header_row": 2}):
        got, want = _read_both(path, monkeypatch, **kw)
        assert got == want


_CELLS = st.lists(st.sampled_from([" ", "a", "é", "\ufeff", "1", "NA", ".", "\\", ";", "\u00a0",
                                   "\t", "\v", "\u2028", "id", "\n", ","]),
                  max_size=3).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_CELLS, min_size=1, max_size=3), min_size=1, max_size=8),
       st.sampled_from([",", "\t"]), st.booleans(), st.integers(1, 4))
def test_plain_csv_random_files(rows: list[list[str]], sep: str, bom: bool,
                                header_row: int) -> None:
    text = ("\ufeff" if bom else "") + "\n".join(sep.join(r) for r in rows)
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as monkeypatch:
        path = Path(folder) / ("p.csv" if sep == "," else "p.tsv")
        path.write_bytes(text.encode("utf-8"))
        for kw in ({}, {"header_row": header_row}):
            got, want = _read_both(path, monkeypatch, **kw)
            assert got == want
