"""load_sources on whole specs: every table with provenance, every problem collected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from oncocohort.sources import load_sources
from oncocohort.spec import load_spec
from oncocohort.study.options import named_columns

SPEC_DIR = Path(__file__).parents[1] / "spec" / "fixtures"


def test_example_study_sources() -> None:
    spec = load_spec(SPEC_DIR / "study.yaml")
    tables, problems = load_sources(spec.sources, named_columns(spec))
    # columns the spec does not name are ignored, with a warning (and one for free text)
    assert [(p.severity, p.sheet, p.column, p.code) for p in problems] == [
        ("warning", "AE", None, "columns_ignored"),
        ("warning", "AE", "Comment", "identifier_ignored"),
        ("warning", "Patients", None, "columns_ignored")]
    assert "'Smoker'" in list(problems)[2].message
    assert {k: len(v) for k, v in tables.items()} == {
        "patients": 2, "therapy": 1, "therapy_lines": 1, "lesions": 1, "responses": 1,
        "adverse_events": 3}
    long, wide = tables["patients"]
    assert (long.origin, long.file, wide.origin, wide.file, wide.sheet) == (
        "long", "data/patients.csv", "wide", "data/hospital.xlsx", "Patients")
    assert long.frame["subject_id"].tolist() == ["007", "012", "101"]
    assert long.frame["sex"].tolist() == ["M", "F", "M"]
    assert wide.frame["sex"].tolist() == ["M", "F", "M"]  # 男, 女, 1
    assert wide.frame["index_date"].tolist() == ["2024-01-10", "2024-02-01", "2024-03-15"]
    assert wide.frame["best_response"].tolist() == ["PR", "PD", "SD"]
    ae_long, fatigue, htn = tables["adverse_events"]
    assert (ae_long.sheet, ae_long.rows.tolist()) == ("AE", [2, 3, 4, 5])
    assert ae_long.frame["grade"].tolist() == ["2", "3", "3", "1"]  # Excel 3.0 -> "3"
    assert ae_long.frame["related"].tolist() == [True, False, True, True]
    assert ae_long.frame["onset_date"].tolist()[:2] == ["12/02/2024", "20/02/2024"]  # as read
    assert "Comment" not in ae_long.frame.columns
    assert (fatigue.rows.tolist(), htn.rows.tolist()) == ([2, 4], [3])
    assert tables["responses"][0].frame["response"].tolist() == ["PR", "PR", "PD"]
    assert tables["therapy_lines"][0].frame["progressed"].tolist() == [True, False]


@pytest.fixture()
def broken(tmp_path: Path) -> Path:
    shutil.copytree(SPEC_DIR / "data", tmp_path / "data")
    text = (SPEC_DIR / "study.yaml").read_text(encoding="utf-8")
    text = text.replace("sheet: AE", "sheet: Adverse events")
    text = text.replace('progression_date: "PD date"', 'progression_date: "PD Date"')
    (tmp_path / "data" / "responses.csv").write_text("", encoding="utf-8")
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_problems_of_all_sources_collected(broken: Path) -> None:
    tables, problems = load_sources(load_spec(broken).sources)
    found = sorted((p.file, p.sheet, p.column, p.code) for p in problems.errors)
    assert found == [
        ("data/hospital.xlsx", "Adverse events", None, "unknown_sheet"),
        ("data/hospital.xlsx", "Patients", "PD Date", "column_not_found"),
        ("data/responses.csv", None, None, "empty"),
    ]
    # the sources without problems are still read; the wide AEs do not need its patients map
    assert len(tables["patients"]) == 1 and tables["patients"][0].origin == "long"
    assert [t.origin for t in tables["adverse_events"]] == ["wide", "wide"]
    assert "responses" not in tables


def test_hands_over_to_the_model_layer() -> None:
    from oncocohort.model import build_study_data
    from oncocohort.study.options import StudyOptions

    spec = load_spec(SPEC_DIR / "study.yaml")
    tables, _ = load_sources(spec.sources)
    data, problems = build_study_data(tables, StudyOptions.from_spec(spec).validation)
    assert len(data.patients) == 3
    assert not problems.errors, [str(p) for p in problems.errors]


def _with_patients_csv(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "p.csv").write_text(
        "ID,Start,Last,Age,Name,Remark\n"
        "1,2024-01-01,2024-06-01,60,Alex Smith,phoned\n", encoding="utf-8")
    path = tmp_path / "study.yaml"
    path.write_text(
        "study: {name: x, data_cutoff: 2024-12-31}\n"
        "sources:\n  patients:\n    file: p.csv\n"
        "    columns: {subject_id: ID, index_date: Start, last_alive_date: Last, age: Age}\n"
        f"    {extra}\n", encoding="utf-8")
    return path


def test_ignored_columns_are_not_read(tmp_path: Path) -> None:
    spec = load_spec(_with_patients_csv(tmp_path, 'ignore_columns: ["Name", "Remark"]'))
    tables, problems = load_sources(spec.sources)
    assert list(problems) == []
    assert list(tables["patients"][0].frame.columns) == [
        "subject_id", "index_date", "last_alive_date", "age"]


def test_an_ignored_column_not_in_the_file_is_an_error(tmp_path: Path) -> None:
    spec = load_spec(_with_patients_csv(tmp_path, 'ignore_columns: ["Nmae"]'))
    tables, problems = load_sources(spec.sources)
    (p,) = problems
    assert (p.code, p.column, p.row) == ("column_not_found", "Nmae", 1)
    assert "ignore_columns" in p.message and "'Name'" in p.message
    assert tables == {}
