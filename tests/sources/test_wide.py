"""The wide hospital sheet unpivoted into patients and adverse-event tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.sources.wide import is_no_event, unpivot_wide

WIDE = pd.DataFrame({
    "ID": ["007", "012", "101", "102"],
    "Start date": ["2024-01-10", "2024-02-01", "2024-03-15", "2024-04-01"],
    "Sex": ["男", "女", "1", "2"],
    "Best response": ["partial response", "PD", "SD", None],
    "PD date": [None, "2024-04-01", None, None],
    "fatigue grade": ["2", None, "0", "G2"],
    "HTN grade": ["0", "3", None, "0.0"],
    "Smoker": ["yes", "no", None, None],
}, dtype=object)
ROWS = np.array([2, 3, 5, 6])  # row 4 of the sheet was blank
SPEC = dict(
    columns={"subject_id": "ID", "index_date": "Start date", "sex": "Sex",
             "best_response": "Best response", "progression_date": "PD date"},
    values={"sex": {"男": "M", "女": "F", "1": "M", "2": "F"}},
    ae_grades={"Fatigue": "fatigue grade", "Hypertension": "HTN grade"},
    file="data/hospital.xlsx", sheet="Patients",
)


def test_patients_from_wide() -> None:
    tables, problems = unpivot_wide(WIDE, ROWS, ae_related=True, named={"Smoker"}, **SPEC)
    assert problems == []
    (patients,) = tables["patients"]
    assert patients.origin == "wide" and patients.sheet == "Patients"
    assert patients.rows.tolist() == [2, 3, 5, 6]
    assert list(patients.frame.columns) == ["subject_id", "index_date", "sex", "best_response",
                                            "progression_date", "Smoker"]
    assert patients.frame["sex"].tolist() == ["M", "F", "M", "F"]
    assert patients.frame["best_response"].tolist() == ["PR", "PD", "SD", None]
    assert patients.user_column("progression_date") == "PD date"


def test_unnamed_covariate_left_out() -> None:
    """A covariate the spec does not name stays behind, with a warning naming it."""
    tables, problems = unpivot_wide(WIDE, ROWS, ae_related=True, **SPEC)
    assert "Smoker" not in tables["patients"][0].frame.columns
    assert [(p.severity, p.code, p.row) for p in problems] == [
        ("warning", "columns_ignored", 1)]
    assert "'Smoker'" in problems[0].message


def test_adverse_events_from_grade_columns() -> None:
    tables, _ = unpivot_wide(WIDE, ROWS, ae_related=True, **SPEC)
    fatigue, htn = tables["adverse_events"]
    # empty and 0 are no event; "G2" is kept for the model to report at its cell
    assert fatigue.frame.to_dict("list") == {
        "subject_id": ["007", "102"], "ae_term": ["Fatigue", "Fatigue"], "grade": ["2", "G2"],
        "related": [True, True]}
    assert fatigue.rows.tolist() == [2, 6]
    assert fatigue.user_column("grade") == "fatigue grade"
    assert fatigue.user_column("subject_id") == "ID"
    assert (fatigue.origin, fatigue.file, fatigue.sheet) == (
        "wide", "data/hospital.xlsx", "Patients")
    assert htn.frame["subject_id"].tolist() == ["012"]
    assert htn.rows.tolist() == [3]
    assert htn.user_column("grade") == "HTN grade"


def test_related_unknown_when_not_given() -> None:
    tables, _ = unpivot_wide(WIDE, ROWS, **SPEC)
    assert tables["adverse_events"][0].frame["related"].tolist() == [None, None]


def test_missing_grade_column() -> None:
    spec = dict(SPEC, ae_grades={"Fatigue": "Fatigue grade", "Rash": "rash"})
    tables, problems = unpivot_wide(WIDE, ROWS, **spec)
    assert [(p.row, p.column, p.code) for p in problems if p.severity == "error"] == [
        (1, "Fatigue grade", "column_not_found"), (1, "rash", "column_not_found")]
    assert problems[0].message.endswith("did you mean 'fatigue grade'?")
    assert "patients" in tables and "adverse_events" not in tables


def test_no_grade_column_in_patients() -> None:
    tables, _ = unpivot_wide(WIDE, ROWS, **SPEC)
    assert "fatigue grade" not in tables["patients"][0].frame.columns


def test_is_no_event() -> None:
    assert [is_no_event(g) for g in (None, "0", "0.0", " 0 ", "1", "G0", "nil")] == [
        True, True, True, True, False, False, False]


def test_grade_codes_recoded_by_spec() -> None:
    spec = dict(SPEC, values={"grade": {"G2": "2"}})
    tables, _ = unpivot_wide(WIDE, ROWS, **spec)
    assert tables["adverse_events"][0].frame["grade"].tolist() == ["2", "2"]
