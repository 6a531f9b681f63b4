"""Cohort selection: attrition counted by hand, problems reported together."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from oncocohort.cohort import CohortSelection, Rule, select_cohort
from oncocohort.problems import InputError

RULES = [
    Rule("escc", "inclusion", 'histology == "ESCC" and metastatic', "ESCC, metastatic"),
    Rule("ecog", "inclusion", "ecog <= 2", "ECOG 0-2"),
    Rule("adult", "inclusion", "age >= 18", "Age >= 18"),
    Rule("adeno", "exclusion", 'histology == "adenocarcinoma"', "Adenocarcinoma"),
    Rule("missing", "exclusion", "records_incomplete", "Missing records"),
    Rule("brain", "exclusion", "brain", "Active brain metastases"),
]


def _patients() -> pd.DataFrame:
    # 8 subjects; expected fate worked out by hand in the comments
    return pd.DataFrame({
        "subject_id": ["001", "002", "003", "004", "005", "006", "007", "008"],
        "histology": ["ESCC", "adenocarcinoma", "ESCC", "ESCC", "ESCC", "ESCC", "ESCC",
                      "ESCC"],
        "metastatic": [True, True, False, True, True, True, True, True],
        "ecog": [0, 1, 1, 3, 2, 1, 0, 1],
        # 004 (ecog 3) has no age: excluded before the age rule, so no problem
        "age": [60.0, 50.0, 40.0, np.nan, 17.0, 70.0, 66.0, 55.0],
        "records_incomplete": [False, False, False, False, False, True, False, False],
        "brain": [False, False, False, False, False, False, True, False],
    })
    # 001 in, 002 escc, 003 escc, 004 ecog, 005 adult, 006 missing, 007 brain, 008 in


@pytest.mark.by_hand
def test_attrition_worked_by_hand():
    sel = select_cohort(_patients(), RULES)
    a = sel.attrition
    assert list(a.columns) == ["step", "kind", "rule", "label", "n_before", "n_excluded",
                               "n_remaining"]
    assert a["kind"].tolist() == ["screened"] + [r.kind for r in RULES]
    assert a["rule"].tolist() == ["", "escc", "ecog", "adult", "adeno", "missing", "brain"]
    assert a["n_before"].tolist() == [8, 8, 6, 5, 4, 4, 3]
    assert a["n_excluded"].tolist() == [0, 2, 1, 1, 0, 1, 1]
    assert a["n_remaining"].tolist() == [8, 6, 5, 4, 4, 3, 2]
    assert sel.selected["subject_id"].tolist() == ["001", "008"]
    assert sel.excluded == {"002": "escc", "003": "escc", "004": "ecog", "005": "adult",
                            "006": "missing", "007": "brain"}
    assert sel.to_frame().equals(a)


def test_result_is_frozen_and_input_untouched():
    p = _patients()
    before = p.copy()
    sel = select_cohort(p, RULES)
    assert isinstance(sel, CohortSelection)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sel.selected = None  # type: ignore[misc]
    pd.testing.assert_frame_equal(p, before)


def test_selected_keeps_original_index_and_columns():
    p = _patients().set_index(pd.Index(range(10, 18)))
    sel = select_cohort(p, RULES)
    assert sel.selected.index.tolist() == [10, 17]
    assert list(sel.selected.columns) == list(p.columns)


def test_unknown_column_is_reported_with_rule_location():
    rules = [RULES[0], Rule("organ", "inclusion", "organ_ok and ecog <= 2", "Organ"),
             Rule("x", "exclusion", "other_cancer", "Other")]
    with pytest.raises(InputError) as err:
        select_cohort(_patients(), rules)
    probs = list(err.value.problems)
    assert [(p.location, p.column) for p in probs] == [
        ("cohort.inclusion[1]", "organ_ok"), ("cohort.exclusion[0]", "other_cancer")]
    assert all(p.severity == "error" for p in probs)


def test_syntax_error_is_a_problem_not_a_crash():
    with pytest.raises(InputError) as err:
        select_cohort(_patients(), [Rule("bad", "inclusion", "ecog.__class__", "Bad")])
    (p,) = err.value.problems
    assert p.location == "cohort.inclusion[0]" and p.code == "rule_syntax"


def test_every_unevaluable_patient_is_reported_together():
    p = _patients()
    p.loc[0, "ecog"] = np.nan  # subject 001, file row 2
    p["age"] = p["age"].astype(object)
    p.loc[7, "age"] = "fifty-five"  # subject 008, file row 9
    with pytest.raises(InputError) as err:
        select_cohort(p, RULES)
    got = {(q.subject, q.row, q.location) for q in err.value.problems}
    assert got == {("001", 2, "cohort.inclusion[1]"), ("008", 9, "cohort.inclusion[2]")}
    msgs = [str(q) for q in err.value.problems]
    assert any("missing value in column 'ecog'" in m for m in msgs)
    # no patient-level value other than the ID in the message
    assert not any("fifty-five" in m for m in msgs)


def test_is_missing_lets_a_rule_handle_missing_values():
    p = _patients()
    p.loc[3, "age"] = np.nan
    rules = [Rule("age_known", "exclusion", "age is missing", "Age unknown"), RULES[2]]
    sel = select_cohort(p, rules)
    assert sel.attrition["n_excluded"].tolist() == [0, 1, 1]


def test_missing_subject_column():
    with pytest.raises(InputError):
        select_cohort(_patients().drop(columns="subject_id"), RULES)


def test_rule_kind_is_checked():
    with pytest.raises(ValueError):
        Rule("x", "include", "ecog", "x")  # type: ignore[arg-type]
