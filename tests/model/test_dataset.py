"""build_study_data and StudyData: typing, merging, empty tables, options."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from oncocohort.model.dataset import StudyData, ValidationOptions, build_study_data
from oncocohort.canon.schema import TABLES
from oncocohort.sources.base import SourceTable


def source_from_frame(name, frame, file, *, sheet=None, origin="long"):
    return SourceTable(name, frame, file, sheet=sheet, rows=np.arange(2, 2 + len(frame)),
                       origin=origin)


def _pat(rows, **kw):
    cols = ["subject_id", "index_date", "age", "last_alive_date"]
    return source_from_frame("patients", pd.DataFrame(rows, columns=cols[:len(rows[0])]),
                             kw.pop("file", "patients.csv"), **kw)


PATS = [["A", "2024-01-01", "60", "2024-06-01"], ["B", "2024-02-01", "70", "2024-07-01"]]


def test_absent_tables_are_empty_with_schema_dtypes():
    data, problems = build_study_data({"patients": [_pat(PATS)]})
    assert problems.ok and len(problems) == 0
    ae = data.table("adverse_events")
    assert len(ae) == 0 and list(ae.columns) == list(TABLES["adverse_events"].names)
    assert ae["grade"].dtype == "Int64" and ae["onset_date"].dtype == "datetime64[ns]"
    assert ae["related"].dtype == "boolean"


def test_study_data_is_frozen_and_table_checks_names():
    data, _ = build_study_data({"patients": [_pat(PATS)]})
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.patients = data.therapy
    with pytest.raises(KeyError, match="no canonical table"):
        data.table("visits")


def test_summary_counts_rows_subjects_and_filled_columns():
    resp = source_from_frame("responses", pd.DataFrame(
        {"subject_id": ["A", "A", "B"], "assessment_date": ["2024-02-01", "2024-03-01",
                                                            "2024-03-01"],
         "response": ["SD", "PR", "PD"]}), "responses.csv")
    data, problems = build_study_data({"patients": [_pat(PATS)], "responses": [resp]})
    assert problems.ok
    s = data.summary().set_index("table")
    assert list(s.index) == list(TABLES)
    assert (s.loc["responses", "rows"], s.loc["responses", "subjects"]) == (3, 2)
    assert s.loc["patients", "columns"] == "subject_id, index_date, age, last_alive_date"
    assert s.loc["therapy", "rows"] == 0
    pd.testing.assert_frame_equal(data.to_frame(), data.summary())


def test_free_covariates_numeric_when_all_numbers():
    frame = pd.DataFrame({"subject_id": ["A", "B"], "index_date": ["2024-01-01"] * 2,
                          "age": ["60", "61"], "last_alive_date": ["2024-05-01"] * 2,
                          "tumour_size": ["3.5", ""], "histology": ["ESCC", "7"]})
    data, problems = build_study_data({"patients": [source_from_frame("patients", frame, "p")]})
    assert problems.ok
    assert data.patients["tumour_size"].dtype == "float64"
    assert data.patients["histology"].tolist() == ["ESCC", "7"]


def test_sources_of_one_layout_are_stacked():
    a = _pat(PATS[:1], file="site1.csv")
    b = _pat(PATS[1:], file="site2.csv")
    data, problems = build_study_data({"patients": [a, b]})
    assert problems.ok and data.patients["subject_id"].tolist() == ["A", "B"]


def test_wide_fills_gaps_of_long_and_adds_subjects():
    long = _pat([["A", "2024-01-01", "", "2024-06-01"]])
    wide = source_from_frame("patients", pd.DataFrame(
        {"subject_id": ["A", "C"], "index_date": ["2024-01-01", "2024-03-01"],
         "age": ["60", "55"], "last_alive_date": ["2024-06-01", "2024-08-01"]}),
        "hospital.xlsx", sheet="Patients", origin="wide")
    data, problems = build_study_data({"patients": [long, wide]})
    assert problems.ok, list(problems)
    p = data.patients.set_index("subject_id")
    assert p.loc["A", "age"] == 60.0 and p.loc["C", "age"] == 55.0
    assert p["index_date"].dtype == "datetime64[ns]"


def test_wide_adverse_events_used_when_no_long_table():
    wide = source_from_frame("adverse_events", pd.DataFrame(
        {"subject_id": ["A"], "ae_term": ["Fatigue"], "grade": ["2"], "related": ["yes"]}),
        "hospital.xlsx", sheet="Patients", origin="wide")
    data, problems = build_study_data({"patients": [_pat(PATS)], "adverse_events": [wide]})
    assert problems.ok
    assert data.adverse_events["grade"].tolist() == [2]


def test_wide_grade_agreeing_with_long_worst_grade_is_fine():
    long = source_from_frame("adverse_events", pd.DataFrame(
        {"subject_id": ["A", "A"], "ae_term": ["fatigue", "Fatigue"], "grade": ["1", "3"],
         "onset_date": ["2024-02-01", "2024-03-01"]}), "ae.csv")
    wide = source_from_frame("adverse_events", pd.DataFrame(
        {"subject_id": ["A"], "ae_term": ["Fatigue"], "grade": ["3"]}), "h.xlsx", origin="wide")
    data, problems = build_study_data({"patients": [_pat(PATS)], "adverse_events": [long, wide]})
    assert problems.ok, list(problems)
    assert len(data.adverse_events) == 2  # the long table is used alone


def test_per_patient_cutoff_overrides_the_study_cutoff():
    frame = pd.DataFrame({"subject_id": ["A", "B"], "index_date": ["2024-01-01"] * 2,
                          "age": ["60", "61"], "last_alive_date": ["2024-09-01"] * 2,
                          "data_cutoff": ["2024-12-31", "2024-08-01"]})
    opts = ValidationOptions(data_cutoff=dt.date(2024, 6, 30))
    _, problems = build_study_data({"patients": [source_from_frame("patients", frame, "p")]},
                                   opts)
    assert [(p.subject, p.column, p.code) for p in problems] == [
        ("B", "last_alive_date", "after_cutoff")]


def test_no_cutoff_no_cutoff_checks():
    late = _pat([["A", "2024-01-01", "60", "2099-01-01"]])
    assert build_study_data({"patients": [late]})[1].ok


def test_same_day_is_consistent():
    resp = source_from_frame("responses", pd.DataFrame(
        {"subject_id": ["A"], "assessment_date": ["2024-06-01"], "response": ["PD"]}), "r")
    frame = pd.DataFrame({"subject_id": ["A"], "index_date": ["2024-01-01"], "age": ["60"],
                          "last_alive_date": ["2024-06-01"], "death_date": ["2024-06-01"],
                          "progression_date": ["2024-06-01"]})
    _, problems = build_study_data(
        {"patients": [source_from_frame("patients", frame, "p")], "responses": [resp]},
        ValidationOptions(data_cutoff=dt.date(2024, 6, 1)))
    assert len(problems) == 0


def test_programming_errors_raise():
    with pytest.raises(ValueError, match="not a canonical table"):
        build_study_data({"visits": []})
    with pytest.raises(ValueError, match="was passed as"):
        build_study_data({"therapy": [_pat(PATS)]})
    with pytest.raises(ValueError, match="partial_dates"):
        ValidationOptions(partial_dates="middle")


def test_options_date_format_per_source_and_wide():
    opts = ValidationOptions(date_format="%d/%m/%Y", date_formats={"wide": "%m/%d/%Y"})
    assert opts.date_format_for("therapy", "long") == "%d/%m/%Y"
    assert opts.date_format_for("patients", "wide") == "%m/%d/%Y"


def test_inputs_are_not_modified():
    src = _pat(PATS)
    before = src.frame.copy()
    build_study_data({"patients": [src]})
    pd.testing.assert_frame_equal(src.frame, before)


def test_study_data_fields_are_the_canonical_tables():
    assert [f.name for f in dataclasses.fields(StudyData)] == list(TABLES)


def test_options_may_be_a_mapping_of_fields():
    late = _pat([["A", "2024-01-01", "60", "2025-01-01"]])
    _, problems = build_study_data({"patients": [late]},
                                   {"data_cutoff": dt.date(2024, 12, 31), "date_formats": {}})
    assert [p.code for p in problems] == ["after_cutoff"]


def test_package_exports():
    import oncocohort.model as m

    assert m.build_study_data is build_study_data and m.StudyData is StudyData
