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
