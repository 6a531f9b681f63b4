"""The analysis form reads back what a person typed, and refuses what is not valid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from oncocohort.app.analysis_form import analysis_form, read_analysis_form
from oncocohort.propose import propose_workbook
from oncocohort.propose.analysis import AnalysisChoices
from oncocohort.propose.render import render_study_yaml
from oncocohort.spec.model import StudySpec

WORKBOOKS = Path(__file__).parents[1] / "fixtures" / "workbooks"


@pytest.fixture(scope="module")
def messy():
    return propose_workbook(WORKBOOKS / "messy_zh.xlsx")


def test_suggestion_shown(messy):
    form = analysis_form(messy, AnalysisChoices(), "messy_zh")
    assert form.endpoints == (("os", True), ("pfs", True))
    assert form.landmarks == "12, 24" and form.data_cutoff == "2024-12-31"
    assert [sg.variable for sg, on, _ in form.subgroups if on] == [
        "sex", "age_group", "histology", "stage", "ecog_group", "regimen"]


def test_form_read_back(messy):
    choices, errors = read_analysis_form(messy, {
        "name": "ESCC", "data_cutoff": "2024-06-30", "endpoint-os": "1", "landmarks": "24，6",
        "subgroup-sex": "1", "subgroup-regimen": "1", "label-regimen": "Treatment arm"},
        "messy_zh")
    assert errors == []
    assert choices == AnalysisChoices(
        name="ESCC", data_cutoff=dt.date(2024, 6, 30), endpoints=("os",), landmarks=(6, 24),
        subgroups=("sex", "regimen"), labels={"regimen": "Treatment arm"})


@pytest.mark.parametrize(("field", "value", "error"), [
    ("data_cutoff", "30/06/2024", "bad_date"), ("landmarks", "12, -1", "bad_landmarks"),
    ("landmarks", "one year", "bad_landmarks"), ("reference-stage", "V期", "bad_reference"),
    ("reference-age_group", "<60", "bad_reference")])
def test_bad_fields(messy, field, value, error):
    _, errors = read_analysis_form(messy, {field: value}, "messy_zh")
    assert errors == [error]


def test_journal_style_reaches_the_spec_and_the_report_options():
    sheet = propose_workbook(WORKBOOKS / "clear.xlsx")
    choices, errors = read_analysis_form(sheet, {"journal_style": "lancet"}, "clear")
    assert errors == [] and choices.journal_style == "lancet"
    text = render_study_yaml(sheet, spec_file="clear.xlsx", choices=choices).text
    assert StudySpec.model_validate(yaml.safe_load(text)).outputs.journal_style == "lancet"
    default, _ = read_analysis_form(sheet, {"journal_style": "default"}, "clear")
    assert "journal_style" not in render_study_yaml(sheet, spec_file="clear.xlsx",
                                                    choices=default).text
    _, errors = read_analysis_form(sheet, {"journal_style": "../etc"}, "clear")
    assert errors == ["bad_journal_style"]


def test_reference_levels_and_value_labels_reach_the_spec(messy):
    form = analysis_form(messy, AnalysisChoices(), "messy_zh", lang="zh")
    assert form.levels["stage"] == (("III期", "III期"), ("IV期", "IV期"))
    assert form.levels["sex"] == (("M", "男"), ("F", "女"))
    assert [v for v, _ in form.rows] == ["age", "ecog"]
    choices, errors = read_analysis_form(messy, {
        "subgroup-stage": "1", "reference-stage": "IV期", "label-ecog": "ECOG PS"}, "messy_zh")
    assert errors == [] and choices.references == {"stage": "IV期"}
    choices = AnalysisChoices(**{**choices.__dict__, "values": {"regimen": {"方案A": "A"}}})
    data = yaml.safe_load(render_study_yaml(messy, spec_file="m.xlsx", lang="zh",
                                            choices=choices).text)
    assert data["variables"]["stage"] == {"label": "临床分期", "reference": "IV期"}
    assert data["variables"]["ecog"] == {"label": "ECOG PS"}
    assert data["variables"]["regimen"] == {"label": "治疗方案",
                                            "values": {"方案A": "A", "方案B": "方案B"}}
    assert StudySpec.model_validate(data).variables["stage"].reference == "IV期"


def test_a_cut_subgroups_reference_group_reaches_the_spec(messy):
    """A subgroup cut from a number (age at its median, ECOG at 1) has a reference dropdown
    too: its groups; the one chosen is the reference of its hazard ratios in the spec."""
    form = analysis_form(messy, AnalysisChoices(), "messy_zh")
    assert form.levels["age_group"] == (("<61", "<61"), (">=61", ">=61"))
    assert form.levels["ecog_group"] == (("0", "0"), ("1-2", "1-2"))
    choices, errors = read_analysis_form(messy, {
        "subgroup-age_group": "1", "subgroup-sex": "1", "reference-age_group": ">=61",
        "reference-ecog_group": "1-2"}, "messy_zh")
    assert errors == [] and choices.references == {"age_group": ">=61", "ecog_group": "1-2"}
    data = yaml.safe_load(render_study_yaml(messy, spec_file="m.xlsx", choices=choices).text)
    assert data["variables"]["age_group"] == {"reference": ">=61"}
    assert "ecog_group" not in data["variables"]  # not a chosen subgroup: no entry
    assert StudySpec.model_validate(data).variables["age_group"].reference == ">=61"
