"""Mapping: canonical names, recoded values, provenance; problems instead of exceptions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncocohort.canon.schema import TABLES
from oncocohort.sources.mapping import map_table, recode_column


def _frame(data: dict) -> pd.DataFrame:
    return pd.DataFrame(data, dtype=object)


def test_rename_passthrough_and_provenance() -> None:
    frame = _frame({"Patient ID": ["007", "012"], "Start": ["2024-01-10", "10/02/2024"],
                    "last_alive_date": ["2025-01-01", None], "Histology": ["ESCC", "ESCC"]})
    table, problems = map_table(
        "patients", frame, np.array([2, 4]),
        columns={"subject_id": "Patient ID", "index_date": "Start"}, named={"Histology"},
        file="data/patients.xlsx", sheet="Sheet1")
    assert problems == []
    assert list(table.frame.columns) == ["subject_id", "index_date", "last_alive_date",
                                         "Histology"]
    assert table.columns == {"subject_id": "Patient ID", "index_date": "Start",
                             "last_alive_date": "last_alive_date", "Histology": "Histology"}
    assert table.user_column("index_date") == "Start"
    assert (table.name, table.file, table.sheet, table.origin) == (
        "patients", "data/patients.xlsx", "Sheet1", "long")
    assert table.rows.tolist() == [2, 4]
    # dates are not parsed here: the model reports "10/02/2024" with the user's column name
    assert table.frame["index_date"].tolist() == ["2024-01-10", "10/02/2024"]
    assert table.frame["subject_id"].tolist() == ["007", "012"]


def test_other_tables_drop_unmapped_columns() -> None:
    frame = _frame({"subject_id": ["1"], "Drug name": ["anlotinib"], "start_date": ["2024-01-01"],
                    "Nurse": ["x"]})
    table, problems = map_table("therapy", frame, np.array([2]), columns={"drug": "Drug name"},
                                file="t.csv")
    assert [(p.severity, p.code, p.file, p.row) for p in problems] == [
        ("warning", "columns_ignored", "t.csv", 1)]
    assert set(table.frame.columns) == {"subject_id", "drug", "start_date"}


def test_unnamed_columns_ignored_identifiers_warned() -> None:
    """Only the columns the spec names flow on; the others are listed (never their values),
    and a header that says name, phone, ID number or address is warned about by itself."""
    frame = _frame({"subject_id": ["1"], "index_date": ["2024-01-01"], "姓名": ["张三"],
                    "Phone number": ["13800138000"], "身份证号": ["110101199003077777"],
                    "Home address": ["x"], "Smoker": ["yes"], "Remarks": ["text"],
                    "Date of last contact": ["2024-02-01"]})
    table, problems = map_table("patients", frame, np.array([2]), named={"Smoker"},
                                file="p.csv")
    assert list(table.frame.columns) == ["subject_id", "index_date", "Smoker"]
    assert [(p.code, p.column) for p in problems] == [
        ("columns_ignored", None), ("identifier_ignored", "姓名"),
        ("identifier_ignored", "Phone number"), ("identifier_ignored", "身份证号"),
        ("identifier_ignored", "Home address"), ("identifier_ignored", "Remarks")]
    assert "a name" in problems[1].message and "a phone number" in problems[2].message
    assert "national ID" in problems[3].message and "an address" in problems[4].message
    assert "free text" in problems[5].message
    text = " ".join(p.message for p in problems)
    assert "张三" not in text and "13800138000" not in text and "1101011990" not in text


def test_named_identifier_warned_as_written() -> None:
    frame = _frame({"subject_id": ["1"], "Name": ["x"]})
    table, problems = map_table("patients", frame, np.array([2]), columns={"name": "Name"},
                                file="p.csv")
    assert "name" in table.frame.columns
    assert [(p.code, p.column) for p in problems] == [("identifier_named", "Name")]
    assert "will be written to the outputs" in problems[0].message


def test_missing_mapped_column_did_you_mean() -> None:
    frame = _frame({"Patient ID": ["1"], "Event": ["Fatigue"], "CTCAE Grade": ["2"]})
    table, problems = map_table(
        "adverse_events", frame, np.array([2]),
        columns={"subject_id": "Patient ID", "ae_term": "Event", "grade": "CTCAE grade",
                 "onset_date": "Onset"},
        file="data/hospital.xlsx", sheet="AE")
    assert table is None
    assert [(p.severity, p.file, p.sheet, p.row, p.column, p.code) for p in problems
            if p.severity == "error"] == [
        ("error", "data/hospital.xlsx", "AE", 1, "CTCAE grade", "column_not_found"),
        ("error", "data/hospital.xlsx", "AE", 1, "Onset", "column_not_found"),
    ]
    assert problems[0].message == ("column 'CTCAE grade' (for adverse_events.grade) is not in "
                                   "the file; did you mean 'CTCAE Grade'?")
    assert "did you mean" not in problems[1].message


def test_mapped_column_shadows_a_canonically_named_one() -> None:
    frame = _frame({"subject_id": ["1"], "Gender": ["M"], "sex": ["F"]})
    table, problems = map_table("patients", frame, np.array([2]), columns={"sex": "Gender"},
                                file="p.csv")
    assert table.frame["sex"].tolist() == ["M"]
    ((severity, column, code),) = [(p.severity, p.column, p.code) for p in problems]
    assert (severity, column, code) == ("warning", "sex", "column_shadowed")


def test_recode_chinese_and_numeric_sex_codes() -> None:
    frame = _frame({"ID": ["1", "2", "3", "4", "5", "6", "7"],
                    "Sex": ["男", "女", "1", "2", "Male", "f", "?"]})
    table, problems = map_table(
        "patients", frame, np.arange(2, 9), columns={"subject_id": "ID", "sex": "Sex"},
        values={"sex": {"男": "M", "女": "F", "1": "M", "2": "F"}}, file="p.csv")
    assert problems == []
    # spec codes, then the built-in male/female, then canonical case; "?" left for the model
    assert table.frame["sex"].tolist() == ["M", "F", "M", "F", "M", "F", "?"]


def test_builtin_response_codes() -> None:
    frame = _frame({"subject_id": ["1"] * 8, "assessment_date": ["2024-01-01"] * 8,
                    "response": ["Complete Response", "partial  response", "stable disease",
                                 "PROGRESSIVE DISEASE", "not evaluable", "Non-CR/Non-PD", "pr",
                                 "PRR"]})
    table, _ = map_table("responses", frame, np.arange(2, 10), file="r.csv")
    assert table.frame["response"].tolist() == ["CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD",
                                                "PR", "PRR"]


@pytest.mark.parametrize(("raw", "value"), [
    ("Y", True), ("yes", True), ("1", True), ("TRUE", True), ("N", False), ("no", False),
    ("0", False), ("false", False), ("unknown", "unknown"), (None, None)])
def test_builtin_booleans(raw, value) -> None:
    out = recode_column(pd.Series([raw], dtype=object), {}, TABLES["adverse_events"].column(
        "serious"))
    assert out.tolist() == [value]


def test_spec_codes_win_over_builtins_and_ignore_case() -> None:
    related = TABLES["adverse_events"].column("related")
    out = recode_column(pd.Series(["Possible", "POSSIBLE", "no", "1"], dtype=object),
                        {"possible": True, "1": False}, related)
    assert out.tolist() == [True, True, False, False]


def test_coded_column_gets_canonical_spelling() -> None:
    frame = _frame({"subject_id": ["1", "1"], "visit_date": ["d", "d"], "lesion_id": ["T1", "N1"],
                    "lesion_type": ["target", "Non-Target"]})
    table, _ = map_table("lesions", frame, np.array([2, 3]), file="l.csv")
    assert table.frame["lesion_type"].tolist() == ["TARGET", "NON-TARGET"]


def test_free_covariates_recoded_only_by_spec() -> None:
    frame = _frame({"subject_id": ["1", "2"], "Smoker": ["yes", "2"]})
    table, _ = map_table("patients", frame, np.array([2, 3]), values={"Smoker": {"2": "no"}},
                         file="p.csv")
    assert table.frame["Smoker"].tolist() == ["yes", "no"]


def test_empty_table_keeps_columns() -> None:
    frame = _frame({"subject_id": [], "drug": [], "start_date": []})
    table, problems = map_table("therapy", frame, np.array([], dtype=np.int64), file="t.csv")
    assert problems == [] and len(table.frame) == 0
    assert list(table.frame.columns) == ["subject_id", "drug", "start_date"]


def test_code_mapped_to_none_becomes_missing() -> None:
    sex = TABLES["patients"].column("sex")
    out = recode_column(pd.Series(["unknown", "M"], dtype=object), {"unknown": None}, sex)
    assert out.tolist() == [None, "M"]


@pytest.mark.parametrize(("mapped", "warned"), [
    ({}, ["Status", "生存状态"]),
    ({"death_date": "Died on"}, []),
    ({"vital_status": "Status"}, []),
])
def test_an_ignored_status_column_warns_when_nothing_says_who_died(mapped, warned) -> None:
    frame = _frame({"subject_id": ["1", "2"], "Status": ["1", "2"], "生存状态": ["1", "2"],
                    "Stage": ["I", "II"], "Died on": [None, "2024-03-01"],
                    "last_alive_date": ["2024-01-01", "2024-02-01"]})
    _, problems = map_table("patients", frame, np.array([2, 3]), columns=mapped,
                            file="p.csv")
    found = [p for p in problems if p.code == "unmapped_vital_status"]
    assert [(p.severity, p.column, p.row) for p in found] == [
        ("warning", c, 1) for c in warned]
    assert all("vital_status: '" in p.message for p in found)


def test_chinese_sex_words_are_built_in_and_numbers_are_not() -> None:
    frame = _frame({"ID": list("1234567"), "性别": ["男", "女", " 男性", "女性", "Male", "1", None]})
    table, problems = map_table("patients", frame, np.arange(2, 9),
                                columns={"subject_id": "ID", "sex": "性别"}, file="p.csv")
    assert problems == []
    assert table.frame["sex"].tolist() == ["M", "F", "M", "F", "M", "1", None]
