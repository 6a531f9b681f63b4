"""The rendered study spec: valid YAML, loadable, honest about guesses, free of identifiers."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
import yaml

from oncocohort.propose import propose_workbook, render_study_yaml
from oncocohort.propose.render import TODO
from oncocohort.spec import load_spec


def _render(workbooks, name, lang="en"):
    p = propose_workbook(workbooks / name)
    return p, render_study_yaml(p, spec_file=name, lang=lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", ["clear.xlsx", "clear.csv", "messy_zh.xlsx", "messy_zh.csv"])
def test_text_is_yaml_and_reproducible(workbooks, name, lang):
    _, spec = _render(workbooks, name, lang)
    assert isinstance(yaml.safe_load(spec.text), dict)
    assert _render(workbooks, name, lang)[1] == spec


def test_clear_spec_loads_and_maps_every_column(workbooks, tmp_path):
    shutil.copy(workbooks / "clear.xlsx", tmp_path)
    _, spec = _render(workbooks, "clear.xlsx")
    (tmp_path / "study.yaml").write_text(spec.text, encoding="utf-8")
    loaded = load_spec(tmp_path / "study.yaml")
    source = loaded.sources.patients
    assert source.columns == {
        "subject_id": "Patient ID", "age": "Age", "sex": "Sex", "ecog": "ECOG",
        "histology": "Histology", "stage": "Stage", "index_date": "Treatment start date",
        "death_date": "Date of death", "last_alive_date": "Last follow-up"}
    assert str(loaded.study.data_cutoff) == "2024-12-31"
    assert list(loaded.endpoints) == ["os"]
    assert loaded.landmarks == [12, 24]
    assert [s.variable for s in loaded.subgroups] == [
        "age_group", "sex", "ecog_group", "histology", "stage"]
    assert loaded.subgroups[0].derive.cut == [62.0]  # the median age of the 120 patients
    assert TODO not in spec.text.split("# Left out")[1]


def test_messy_spec_marks_guesses_and_todos(workbooks):
    p, spec = _render(workbooks, "messy_zh.xlsx")
    data = yaml.safe_load(spec.text)
    wide = data["sources"]["wide"]
    assert wide["values"]["sex"] == {"1": TODO, "2": TODO}
    assert wide["values"]["best_response"]["部分缓解"] == "PR"
    assert wide["date_format"] == "%d/%m/%Y"
    assert wide["ae_grades"] == {"Hypertension": "高血压分级", "Fatigue": "乏力分级"}
    assert list(data["endpoints"]) == ["os", "pfs"]
    sex_line = next(x for x in spec.text.splitlines() if x.strip().startswith("sex: \""))
    assert "GUESS (0.76)" in sex_line
    assert any("which one means dead" in t for t in spec.todos)


def test_no_value_of_a_column_left_out_reaches_the_spec(workbooks):
    p, spec = _render(workbooks, "messy_zh.xlsx")
    rows = list(openpyxl.load_workbook(workbooks / "messy_zh.xlsx", read_only=True)
                .active.iter_rows(min_row=3, values_only=True))
    left = [c.position for c in p.columns if c.level == "left_out"]
    values = {str(r[j]) for r in rows for j in left if r[j] is not None}
    headers = " ".join(c.header for c in p.columns)  # a free-text AE may name a grade column
    values = {v for v in values if len(v) > 2 and v not in headers}
    assert values and not [v for v in values if v in spec.text]


def test_identifiers_listed_as_left_out(workbooks):
    _, spec = _render(workbooks, "messy_zh.xlsx")
    for header in ("姓名", "身份证号", "联系电话", "家庭住址", "备注", "不良反应", "OS(月)",
                   "序号"):
        assert any(x.startswith(f"'{header}'") for x in spec.left_out)


def test_spec_file_path_is_written_as_given(workbooks):
    p = propose_workbook(workbooks / "clear.csv")
    spec = render_study_yaml(p, spec_file="../data/clear.csv")
    assert yaml.safe_load(spec.text)["sources"]["patients"]["file"] == "../data/clear.csv"
    assert "sheet" not in yaml.safe_load(spec.text)["sources"]["patients"]


def _sex_sheet(tmp_path, words, header="Sex"):
    """A small one-row-per-patient CSV whose sex column holds ``words`` (male, female)."""
    rows = [f"Patient ID,Treatment start date,Date of death,Last follow-up,Age,{header}"]
    for i in range(12):
        death = f"2023-{i % 9 + 2:02d}-15" if i % 3 else ""
        rows.append(f"P{i:02d},2022-{i % 12 + 1:02d}-01,{death},2024-06-30,{50 + i},"
                    f"{words[i % 3 == 0]}")
    path = tmp_path / "sheet.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("words", "header", "lang", "expected"), [
    (("Male", "Female"), "Sex", "en", {"M": "Male", "F": "Female"}),
    (("男", "女"), "性别", "en", {"M": "男", "F": "女"}),      # the workbook's own words
    (("M", "F"), "Sex", "en", {"M": "Male", "F": "Female"}),  # codes only: the usual words
    (("M", "F"), "Sex", "zh", {"M": "男", "F": "女"}),
])
def test_value_labels_are_the_workbooks_words(tmp_path, words, header, lang, expected):
    path = _sex_sheet(tmp_path, words, header)
    spec = render_study_yaml(propose_workbook(path), spec_file=path.name, lang=lang)
    data = yaml.safe_load(spec.text)
    assert data["variables"]["sex"] == {"values": expected}
    if words[0] != "M":
        assert data["sources"]["patients"]["values"]["sex"] == {words[0]: "M", words[1]: "F"}


def test_init_then_run_prints_the_workbooks_words(tmp_path):
    from oncocohort.cli import main

    path = _sex_sheet(tmp_path, ("Male", "Female"))
    assert main(["init", str(path), "--out", str(tmp_path / "study.yaml")]) == 0
    assert main(["run", str(tmp_path / "study.yaml"), "--out", str(tmp_path / "out")]) == 0
    table1 = (tmp_path / "out" / "tables" / "baseline.csv").read_text(encoding="utf-8")
    lines = [x.split(",")[0].strip() for x in table1.splitlines()]
    sex = lines.index("Sex")
    assert lines[sex + 1: sex + 3] == ["Male", "Female"]  # not "M", "F"; Male first


@pytest.mark.parametrize(("lang", "words"), [("en", "the patient-level outputs carry it"),
                                              ("zh", "患者级输出文件会包含此编号")])
def test_hospital_number_warning_reaches_the_spec_and_the_terminal(workbooks, lang, words):
    from oncocohort.propose.summary import summary_lines

    p, spec = _render(workbooks, "messy_zh.xlsx", lang)
    line = next(x for x in spec.text.splitlines() if x.strip().startswith("subject_id:"))
    assert "住院号" in line and words in line  # beyond the first two notes of its evidence
    said = summary_lines(p, spec, "study.yaml", lang)
    row = next(i for i, x in enumerate(said) if x.strip().startswith("住院号"))
    assert words in said[row + 1] and said[row + 1].strip().startswith("!")
    _, clear = _render(workbooks, "clear.xlsx", lang)  # 'Patient ID' is no hospital number
    assert words not in clear.text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_sheet_without_dates_numbers_the_cutoff_question(lang, workbooks):
    """No date anywhere: the spec's data_cutoff is a TODO, and the TODO is one of the
    numbered questions init prints, not only a comment in the file."""
    from oncocohort.propose.engine import propose_sheet
    from oncocohort.propose.grid import Grid

    rows = (("Patient", "Age", "Sex"), ("P1", "60", "M"), ("P2", "71", "F"), ("P3", "55", "F"))
    sheet = propose_sheet(Grid(rows, (1, 2, 3, 4)), file="x.csv")
    assert sheet.latest_date is None
    spec = render_study_yaml(sheet, spec_file="x.csv", lang=lang)
    assert f"data_cutoff: {TODO}" in spec.text
    assert sum("study.data_cutoff" in t for t in spec.todos) == 1
    # with a date in the sheet, the cut-off is proposed and asked nowhere
    dated = propose_workbook(workbooks / "clear.xlsx")
    assert not any("data_cutoff" in t for t in render_study_yaml(dated, spec_file="c").todos)

