"""Header vocabulary: English and Chinese clinical names, abbreviations, stated codes."""

from __future__ import annotations

import pytest

from oncocohort.propose.vocabulary import header_codes, match_header, normalize_header


@pytest.mark.parametrize(("header", "role"), [
    ("Patient ID", "subject_id"), ("住院号", "subject_id"), ("病案号", "subject_id"),
    ("MRN", "subject_id"), ("性别", "sex"), ("Gender", "sex"),
    ("出生日期", "birth_date"), ("DOB", "birth_date"), ("年龄", "age"), ("Age (years)", "age"),
    ("死亡日期", "death_date"), ("Date of death", "death_date"),
    ("末次随访", "last_alive_date"), ("末次随访日期", "last_alive_date"),
    ("随访日期", "last_alive_date"), ("Last follow-up", "last_alive_date"),
    ("生存状态", "vital_status"), ("Vital status", "vital_status"),
    ("ECOG", "ecog"), ("PS", "ecog"), ("ECOG评分", "ecog"), ("KPS", "kps"),
    ("OS", "derived"), ("PFS (months)", "derived"), ("OS（月）", "derived"),
    ("最佳疗效", "best_response"), ("Best response", "best_response"),
    ("病理类型", "histology"), ("分期", "stage"), ("临床分期", "stage"),
    ("治疗开始日期", "index_date"), ("Treatment start date", "index_date"),
    ("姓名", "identifier"), ("电话", "identifier"), ("手机", "identifier"),
    ("身份证号", "identifier"), ("住址", "identifier"), ("地址", "identifier"),
    ("备注", "free_text"), ("不良反应", "ae_text"), ("序号", "row_number"),
    ("进展日期", "progression_date"), ("PD date", "progression_date"),
    ("停药原因", "eot_reason"), ("诊断日期", "diagnosis_date"),
])
def test_header_first_match(header, role):
    assert match_header(header)[0].role == role


def test_english_terms_match_whole_words_only():
    # "os" is not a word of "dose", "ps" not of "steps"
    assert all(m.role != "derived" for m in match_header("Planned dose"))
    assert all(m.role != "ecog" for m in match_header("Steps"))


def test_exact_beats_contains():
    first, *rest = match_header("Date of death")
    assert (first.role, first.strength) == ("death_date", 1.0)
    assert any(m.role == "vital_status" and m.strength < 1 for m in rest)


def test_normalize_full_width_and_separators():
    assert normalize_header("  OS（月） ") == "os 月"
    assert normalize_header("Last_follow-up.date") == "last follow up date"


@pytest.mark.parametrize(("header", "codes"), [
    ("性别(1=男,2=女)", {"1": "M", "2": "F"}),
    ("性别（1男 2女）", {"1": "M", "2": "F"}),
    ("Status (0=alive, 1=dead)", {"0": "alive", "1": "dead"}),
    ("生存状态：1=死亡，0=存活", {"1": "dead", "0": "alive"}),
    ("Sex", {}),
    ("ECOG 0-1", {}),
])
def test_header_codes(header, codes):
    assert header_codes(header) == codes
