"""The proposal engine on whole sheets: the committed clear and messy workbooks."""

from __future__ import annotations

import pytest

from oncocohort.propose import propose_columns, propose_workbook, with_role
from oncocohort.propose.messages import describe

CLEAR = {
    "Patient ID": ("subject_id", "sure", "subject_id"),
    "Name": ("identifier", "left_out", None),
    "Age": ("age", "sure", "age"),
    "Sex": ("sex", "sure", "sex"),
    "ECOG": ("ecog", "sure", "ecog"),
    "Histology": ("covariate", "sure", "histology"),
    "Stage": ("covariate", "sure", "stage"),
    "Treatment start date": ("index_date", "sure", "index_date"),
    "Date of death": ("death_date", "sure", "death_date"),
    "Last follow-up": ("last_alive_date", "sure", "last_alive_date"),
}

MESSY = {
    "序号": ("ignore", "left_out", None), "住院号": ("subject_id", "sure", "subject_id"),
    "姓名": ("identifier", "left_out", None), "性别": ("sex", "guess", "sex"),
    "年龄": ("age", "sure", "age"), "出生日期": ("birth_date", "sure", "birth_date"),
    "身份证号": ("identifier", "left_out", None), "联系电话": ("identifier", "left_out", None),
    "家庭住址": ("identifier", "left_out", None),
    "病理类型": ("covariate", "sure", "histology"), "临床分期": ("covariate", "sure", "stage"),
    "ECOG评分": ("ecog", "sure", "ecog"), "治疗方案": ("covariate", "sure", "regimen"),
    "治疗开始日期": ("index_date", "sure", "index_date"),
    "最佳疗效": ("best_response", "sure", "best_response"),
    "进展日期": ("progression_date", "sure", "progression_date"),
    "末次随访日期": ("last_alive_date", "sure", "last_alive_date"),
    "生存状态": ("vital_status", "guess", "vital_status"),
    "OS(月)": ("derived", "left_out", None), "高血压分级": ("ae_grade", "sure", None),
    "乏力分级": ("ae_grade", "sure", None), "不良反应": ("free_text", "left_out", None),
    "备注": ("free_text", "left_out", None),
}


def _table(proposal):
    return {c.header: (c.role, c.level, c.variable) for c in proposal.columns}


@pytest.mark.parametrize("name", ["clear.xlsx", "clear.csv"])
def test_clear_workbook(workbooks, name):
    p = propose_workbook(workbooks / name)
    assert _table(p) == CLEAR
    assert (p.header_row, p.title_rows, p.rows) == (1, (), 120)


@pytest.mark.parametrize("name", ["messy_zh.xlsx", "messy_zh.csv"])
def test_messy_workbook(workbooks, name):
    p = propose_workbook(workbooks / name)
    assert _table(p) == MESSY
    assert (p.header_row, p.title_rows, p.rows) == (2, (1,), 90)
    assert p.encoding == ("gb18030" if name.endswith(".csv") else None)
    assert p.first("进展日期" and "progression_date").date_format == "%d/%m/%Y"
    assert {c.header: c.ae_term for c in p.by_role("ae_grade")} == {
        "高血压分级": "Hypertension", "乏力分级": "Fatigue"}
    assert dict(p.first("best_response").codes) == {
        "疾病稳定": "SD", "疾病进展": "PD", "部分缓解": "PR", "完全缓解": "CR", "无法评估": "NE"}


def test_evidence_never_quotes_columns_left_out(workbooks):
    """Names, phone and ID numbers, addresses and free text stay out of every note."""
    import openpyxl

    p = propose_workbook(workbooks / "messy_zh.xlsx")
    book = openpyxl.load_workbook(workbooks / "messy_zh.xlsx", read_only=True)
    rows = list(book.active.iter_rows(min_row=3, values_only=True))
    left = [c.position for c in p.columns if c.level == "left_out"]
    secrets = {str(r[j]) for r in rows for j in left if r[j] not in (None, "", "无")}
    secrets = {s for s in secrets if len(s) > 2}  # row numbers 1-99 are not secrets
    words = " ".join(describe(n, lang) for c in p.columns for n in c.evidence
                     for lang in ("en", "zh"))
    assert secrets and not [s for s in secrets if s in words]


def test_unique_roles_go_to_the_better_column():
    cols = propose_columns(
        ["Death date", "Date of death (confirmed)", "Patient ID"],
        [["2023-01-01", None], ["2023-01-01", None], ["P1", "P2"]])
    roles = [c.role for c in cols]
    assert roles.count("death_date") == 1 and roles[0] == "death_date"
    assert cols[1].role == "covariate_date"
    assert any(n.code == "also" for n in cols[1].evidence)


def test_content_overrules_a_header():
    """'Treatment' suggests a regimen, but dates are not codes."""
    (col,) = propose_columns(["Treatment"], [["2023-01-01", "2023-02-01"]])
    assert col.role == "covariate_date"


def test_national_id_content_is_an_identifier_whatever_the_header():
    (col,) = propose_columns(["ID"], [["110105195803120011", "41010519600101002X"]])
    assert col.role == "identifier"


def test_subject_id_without_a_header_is_a_guess():
    cols = propose_columns(["编码", "Age"], [["A7", "B9", "C1"], ["60", "70", "65"]])
    assert (cols[0].role, cols[0].level) == ("subject_id", "guess")


def test_status_numbers_are_open_words_are_sure():
    (col,) = propose_columns(["Status"], [["1", "2"]])
    assert (col.role, col.level, dict(col.codes)) == ("vital_status", "guess",
                                                      {"1": None, "2": None})
    (col,) = propose_columns(["Outcome"], [["Alive", "Dead"]])
    assert (col.role, col.level, dict(col.codes)) == ("vital_status", "sure",
                                                      {"Alive": "alive", "Dead": "dead"})


def test_words_win_the_vital_status_over_numbers():
    cols = propose_columns(["Status", "Outcome"], [["1", "2"], ["Alive", "Dead"]])
    assert [c.role for c in cols] == ["covariate", "vital_status"]


def test_grade_columns_english():
    cols = propose_columns(["Fatigue grade", "Hand-foot syndrome (CTCAE)", "Nausea"],
                           [["0", "2"], ["1", "3"], ["0", "1"]])
    assert [(c.role, c.ae_term, c.level) for c in cols] == [
        ("ae_grade", "Fatigue", "sure"),
        ("ae_grade", "Palmar-plantar erythrodysesthesia syndrome", "sure"),
        ("ae_grade", "Nausea", "guess")]


def test_covariate_names_are_identifiers():
    cols = propose_columns(["Prior lines", "既往治疗史分组", "Smoker?", "and"],
                           [["1", "2"], ["a", "b"], ["y", "n"], ["x", "y"]])
    assert [c.variable for c in cols] == ["prior_lines", "column_2", "smoking", "column_4"]


def test_with_role_recomputes_codes_and_is_sure():
    (col,) = propose_columns(["Gender (1=male, 2=female)"], [["1", "2"]])
    assert col.role == "sex" and dict(col.codes) == {"1": "M", "2": "F"}
    changed = with_role(col, "covariate")
    assert (changed.role, changed.level, changed.variable, changed.codes) == (
        "covariate", "sure", "gender_1_male_2_female", ())
    assert [n.code for n in changed.evidence] == ["user"]


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_spss_and_stata_files(workbooks, tmp_path, suffix):
    """The clear sheet saved by SPSS or Stata (native dates, no header row) maps the same."""
    import pandas as pd
    import pyreadstat

    frame = pd.read_csv(workbooks / "clear.csv", dtype=str, keep_default_na=False)
    frame.columns = [c.replace(" ", "_").replace("-", "_") for c in frame.columns]
    for c in ("Treatment_start_date", "Date_of_death", "Last_follow_up"):
        frame[c] = pd.to_datetime(frame[c].replace("", None))
    frame["Age"] = frame["Age"].astype(float)
    frame["ECOG"] = frame["ECOG"].astype(float)
    path = tmp_path / f"clear{suffix}"
    (pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta)(frame, str(path))
    p = propose_workbook(path)
    roles = {c.header: c.role for c in p.columns}
    assert roles == {"Patient_ID": "subject_id", "Name": "identifier", "Age": "age",
                     "Sex": "sex", "ECOG": "ecog", "Histology": "covariate",
                     "Stage": "covariate", "Treatment_start_date": "index_date",
                     "Date_of_death": "death_date", "Last_follow_up": "last_alive_date"}
    assert p.first("index_date").content.dates.style == "native_or_iso"
