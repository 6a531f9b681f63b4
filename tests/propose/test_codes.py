"""Code tables: words are mapped, numbers only when the header says what they mean."""

from __future__ import annotations

import pytest

from oncocohort.propose.codes import code_table


@pytest.mark.parametrize(("codes", "header", "mapping", "open_"), [
    (("男", "女"), "性别", {"男": "M", "女": "F"}, False),
    (("Male", "Female"), "Sex", {"Male": "M", "Female": "F"}, False),
    (("1", "2"), "性别", {"1": None, "2": None}, True),
    (("1", "2"), "性别(1=男,2=女)", {"1": "M", "2": "F"}, False),
])
def test_sex(codes, header, mapping, open_):
    t = code_table("sex", codes, header)
    assert (t.mapping, t.open) == (mapping, open_)


@pytest.mark.parametrize(("codes", "header", "mapping", "open_"), [
    (("1", "2"), "生存状态", {"1": None, "2": None}, True),
    (("0", "1"), "Status", {"0": None, "1": None}, True),
    (("0", "1"), "Death", {"0": "alive", "1": "dead"}, False),
    (("是", "否"), "是否死亡", {"是": "dead", "否": "alive"}, False),
    (("是", "否"), "是否存活", {"是": "alive", "否": "dead"}, False),
    (("0", "1"), "censored", {"0": "dead", "1": "alive"}, False),
    (("生存", "死亡", "失访"), "生存状态", {"生存": "alive", "死亡": "dead", "失访": "alive"},
     False),
    (("Alive", "Dead"), "Status", {"Alive": "alive", "Dead": "dead"}, False),
    (("1", "2"), "生存状态(1=死亡,2=存活)", {"1": "dead", "2": "alive"}, False),
])
def test_vital_status(codes, header, mapping, open_):
    t = code_table("vital_status", codes, header)
    assert (t.mapping, t.open) == (mapping, open_)


def test_response_words_english_and_chinese():
    t = code_table("best_response", ("完全缓解", "部分缓解", "疾病稳定", "疾病进展", "无法评估",
                                     "Partial response", "pr"), "最佳疗效")
    assert t.mapping == {"完全缓解": "CR", "部分缓解": "PR", "疾病稳定": "SD", "疾病进展": "PD",
                         "无法评估": "NE", "Partial response": "PR", "pr": "PR"}
    assert not t.open


def test_unknown_response_code_left_open():
    t = code_table("best_response", ("PR", "好转"), "疗效")
    assert t.mapping == {"PR": "PR", "好转": None} and t.open


def test_eot_reasons():
    t = code_table("eot_reason", ("疾病进展", "不良反应", "失访", "患者拒绝"), "停药原因")
    assert t.mapping == {"疾病进展": "progression", "不良反应": "adverse event",
                         "失访": "lost to follow-up", "患者拒绝": "withdrawal"}


def test_other_roles_have_no_code_table():
    assert code_table("covariate", ("a", "b"), "x") is None
