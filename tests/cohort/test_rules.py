"""The cohort rule language: what parses, what is refused, and how rows evaluate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncocohort.cohort.rules import RuleSyntaxError, compute_rule, parse_rule

FRAME = pd.DataFrame({
    "subject_id": ["01", "02", "03", "04", "05"],
    "ecog": [0, 1, 2, 3, 1],
    "histology": ["ESCC", "ESCC", "adenocarcinoma", "ESCC", "ESCC"],
    "metastatic": [True, True, True, False, True],
    "age": [63.0, 17.0, 45.5, 80.0, 70.0],
    "site": ["upper", None, "lower", "middle", ""],
    "index_date": pd.to_datetime(["2019-01-02", "2020-05-01", "2024-12-31", "2018-12-31",
                                  "2022-02-02"]),
})


def _values(text: str) -> list[bool]:
    ev = compute_rule(parse_rule(text), FRAME)
    assert not ev.bad.any(), ev.reason
    return ev.value.tolist()


@pytest.mark.by_hand
@pytest.mark.parametrize(("text", "expected"), [
    ("ecog <= 2", [True, True, True, False, True]),
    ("ecog < 2", [True, True, False, False, True]),
    ("ecog == 1", [False, True, False, False, True]),
    ("ecog != 1", [True, False, True, True, False]),
    ("ecog > 1", [False, False, True, True, False]),
    ("ecog >= 1", [False, True, True, True, True]),
    ("1 <= ecog < 3", [False, True, True, False, True]),
    ('histology == "ESCC"', [True, True, False, True, True]),
    ("histology == 'ESCC' and metastatic", [True, True, False, False, True]),
    ("not metastatic or ecog == 0", [True, False, False, True, False]),
    ("(ecog == 0 or ecog == 3) and age >= 18", [True, False, False, True, False]),
    ("ecog in [0, 2]", [True, False, True, False, False]),
    ("histology not in ['ESCC']", [False, False, True, False, False]),
    ("age >= 18", [True, False, True, True, True]),
    ("age > -1.5", [True] * 5),
    ("metastatic == true", [True, True, True, False, True]),
    ("metastatic == False", [False, False, False, True, False]),
    ("site is missing", [False, True, False, False, True]),
    ("site is not missing", [True, False, True, True, False]),
    ('index_date >= "2019-01-01"', [True, True, True, False, True]),
])
def test_rule_values_worked_by_hand(text, expected):
    assert _values(text) == expected


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "a.b == 1", "ecog + 1 > 2", "len(site) > 1",
    "x[0] == 1", "lambda: 1", "ecog in ecog_list", "ecog in [age]", "ecog is None",
    "ecog if age else site", "[1, 2]", "ecog := 3", "", "   ", "ecog <= ", "-ecog > 1",
    "is missing",
])
def test_rules_outside_the_grammar_are_refused(text):
    with pytest.raises(RuleSyntaxError):
        parse_rule(text)


def test_parse_reports_columns_once_in_order():
    e = parse_rule("ecog <= 2 and (site is missing or ecog > 0) and metastatic")
    assert e.columns == ("ecog", "site", "metastatic")


def test_missing_value_makes_rule_unevaluable_for_that_row_only():
    ev = compute_rule(parse_rule("site == 'upper'"), FRAME)
    assert ev.bad.tolist() == [False, True, False, False, True]
    assert "missing value in column 'site'" in ev.reason[1]


@pytest.mark.by_hand
@pytest.mark.parametrize(("text", "expected"), [
    # site: upper, None, lower, middle, "" -> rows 2 and 5 are missing and never compared
    ("site is not missing and site == 'upper'", [True, False, False, False, False]),
    ("site is missing or site == 'upper'", [True, True, False, False, True]),
    ("not (site is not missing and site == 'lower')", [True, True, False, True, True]),
    # the first false operand decides an 'and', the first true one an 'or'
    ("ecog > 2 and site == 'middle'", [False, False, False, True, False]),
    ("ecog <= 0 or site is missing or site == 'lower'", [True, True, True, False, True]),
    ("(site is missing or site != 'upper') and ecog >= 1", [False, True, True, True, True]),
])
def test_and_or_short_circuit_over_missing_values(text, expected):
    assert _values(text) == expected


@pytest.mark.by_hand
def test_an_operand_reached_with_a_missing_value_is_still_unevaluable():
    # row 2 (no site) reaches the comparison: ecog 1 > 0 does not decide the 'and'
    ev = compute_rule(parse_rule("ecog > 0 and site == 'upper'"), FRAME)
    assert ev.bad.tolist() == [False, True, False, False, True]
    # rows 1 and 3 are decided by 'ecog == 0 or ...' (row 1) or by the site (row 3)
    ev = compute_rule(parse_rule("ecog == 0 or site == 'lower'"), FRAME)
    assert ev.bad.tolist() == [False, True, False, False, True]
    assert ev.value[[0, 2, 3]].tolist() == [True, True, False]


def test_text_compared_with_number_is_unevaluable():
    ev = compute_rule(parse_rule("histology > 3"), FRAME)
    assert ev.bad.all()
    assert "different kinds" in ev.reason[0]


def test_bare_column_must_hold_yes_no_values():
    ev = compute_rule(parse_rule("histology"), FRAME)
    assert ev.bad.all()
    ev = compute_rule(parse_rule("ecog"), FRAME)  # 0/1 read as no/yes, 2 and 3 are not
    assert ev.bad.tolist() == [False, False, True, True, False]


def test_mixed_text_and_numbers_in_one_column_flag_only_bad_rows():
    f = pd.DataFrame({"age": [30, "unknown", 50.0, np.nan]}, dtype=object)
    ev = compute_rule(parse_rule("age >= 18"), f)
    assert ev.bad.tolist() == [False, True, False, True]
    assert ev.value[[0, 2]].tolist() == [True, True]


@pytest.mark.by_hand
def test_yes_no_text_counts_as_boolean():
    f = pd.DataFrame({"flag": ["True", "no", "Y", "0", "maybe", 1]}, dtype=object)
    ev = compute_rule(parse_rule("flag"), f)
    assert ev.bad.tolist() == [False, False, False, False, True, False]
    assert ev.value[[0, 1, 2, 3, 5]].tolist() == [True, False, True, False, True]
    ev = compute_rule(parse_rule("flag == false"), f)
    assert ev.value[[0, 1, 2, 3, 5]].tolist() == [False, True, False, True, False]


@pytest.mark.by_hand
def test_equal_values_of_different_types_evaluate_apart():
    """Each distinct value is compared once, keyed by its type too: True, 1, 1.0 and "1" (equal
    or hash-equal in Python) keep their own results, row by row, repeated or not."""
    f = pd.DataFrame({"x": [True, 1, 1.0, "1", True, "1", 2, "a"]}, dtype=object)
    ev = compute_rule(parse_rule("x == 1"), f)
    assert ev.bad.tolist() == [False, False, False, True, False, True, False, True]
    assert ev.value[[0, 1, 2, 4, 6]].tolist() == [True, True, True, True, False]
    ev = compute_rule(parse_rule('x in ["1", "a"]'), f)
    assert ev.bad.tolist() == [True, True, True, False, True, False, True, False]
    assert ev.value[[3, 5, 7]].tolist() == [True, True, True]
