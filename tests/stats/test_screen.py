"""Tests of univariable screening + multivariable Cox (oncocohort.stats.screen).

Reference: ``tests/reference/cox.R`` (section "screening") on the tern OS data: univariable
Cox per candidate (HR, CI, term p, joint Wald p, LR p), ``survdiff`` log-rank p for categorical
candidates, the Cox score p for the numeric one, and the multivariable model of the candidates
with Wald p < 0.2. Tolerance rel 1e-6 (the brief's; observed ~1e-12).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncocohort.stats.logrank import logrank
from oncocohort.stats.screen import screen_and_fit

FIXTURES = Path(__file__).resolve().parents[1] / "reference" / "fixtures"
REL = 1e-6
CANDIDATES = ["ARMCD", "SEX", "AGE", "STRATA1"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "cox_input_tern_os.csv", float_precision="round_trip")


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "cox_screen_tern_os.csv", float_precision="round_trip")


@pytest.mark.reference
def test_univariable_and_multivariable_match_r(data, expected):
    res = screen_and_fit(
        data, time="time", event="event", candidates=CANDIDATES, threshold=0.2, p_from="wald"
    )
    uni = res.univariable.set_index("term")
    exp_uni = expected[expected.model == "univariable"].set_index("term")
    assert list(uni.index) == list(exp_uni.index)
    for col in ["hr", "lower", "upper", "p", "p_wald", "p_lr"]:
        np.testing.assert_allclose(uni[col], exp_uni[col], rtol=REL, err_msg=col)
    np.testing.assert_allclose(uni.p_logrank, exp_uni.p_logrank, rtol=REL)  # NaN for AGE
    assert res.selected == ("ARMCD", "SEX")  # R: Wald p 0.035, 0.186 < 0.2; AGE 0.34, STRATA1 0.99
    multi = res.multivariable.table
    exp_multi = expected[expected.model == "multivariable"].set_index("term")
    assert list(multi.index) == list(exp_multi.index)
    np.testing.assert_allclose(multi.hr, exp_multi.hr, rtol=REL)
    np.testing.assert_allclose(multi.hr_lower, exp_multi.lower, rtol=REL)
    np.testing.assert_allclose(multi.hr_upper, exp_multi.upper, rtol=REL)
    np.testing.assert_allclose(multi.p, exp_multi.p, rtol=REL)


@pytest.mark.reference
@pytest.mark.parametrize("p_from, column", [("lr", "p_lr"), ("logrank", "p_logrank")])
def test_selection_p_value_source(data, expected, p_from, column):
    res = screen_and_fit(
        data, time="time", event="event", candidates=CANDIDATES, threshold=0.2, p_from=p_from
    )
    exp_uni = expected[expected.model == "univariable"].set_index("term")
    want = exp_uni[column].copy()
    if p_from == "logrank":  # numeric AGE has no log-rank test: the Cox score test is used
        want = want.fillna(exp_uni.p_score)
    np.testing.assert_allclose(res.univariable.set_index("term").p_screen, want, rtol=REL)


@pytest.mark.by_hand
def test_multilevel_variable_passes_on_its_overall_test(data):
    # ARMCD: term p 0.0859 (ARM B) and 0.0106 (ARM C), joint Wald p 0.0346.
    # threshold 0.02: one level is "significant" but the variable is not -> not selected
    res = screen_and_fit(
        data, time="time", event="event", candidates=["ARMCD", "SEX"], threshold=0.02
    )
    assert res.selected == ()
    assert res.multivariable is None
    assert (res.univariable.p < 0.02).any()
    frame = res.to_frame()
    assert set(frame.model) == {"univariable"}
    # threshold 0.05: the joint test passes and both levels enter together
    res = screen_and_fit(
        data, time="time", event="event", candidates=["ARMCD", "SEX"], threshold=0.05
    )
    assert res.selected == ("ARMCD",)
    assert list(res.multivariable.table.index) == ["ARMCD[ARM B]", "ARMCD[ARM C]"]


def test_logrank_tests_given_are_used_not_computed_again(data):
    # the caller's tests (here computed on the same rows, as the subgroup analysis does)
    # give the screen its log-rank p; a test with another p shows it is the one used
    sex = logrank(data.time, data.event, data.SEX)
    res = screen_and_fit(data, time="time", event="event", candidates=["SEX", "AGE"],
                         p_from="logrank", logrank_tests={"SEX": sex})
    alone = screen_and_fit(data, time="time", event="event", candidates=["SEX", "AGE"],
                           p_from="logrank")
    pd.testing.assert_frame_equal(res.univariable, alone.univariable)
    other = logrank(data.time, data.event, data.ARMCD)
    res = screen_and_fit(data, time="time", event="event", candidates=["SEX"],
                         p_from="logrank", logrank_tests={"SEX": other})
    assert res.univariable.p_screen.iloc[0] == other.p_value != sex.p_value


def test_to_frame_long_table(data):
    res = screen_and_fit(data, time="time", event="event", candidates=CANDIDATES, threshold=0.2)
    frame = res.to_frame()
    assert list(frame.columns) == ["variable", "term", "model", "n", "hr", "lower", "upper", "p"]
    multi = frame[frame.model == "multivariable"]
    assert list(multi.variable) == ["ARMCD", "ARMCD", "SEX"]
    assert len(frame[frame.model == "univariable"]) == 6
    with pytest.raises(AttributeError):
        res.threshold = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"candidates": ["nope"]}, "not in data"),
        ({"candidates": []}, "at least one"),
        ({"candidates": ["AGE"], "p_from": "score"}, "p_from must be one of"),
        ({"candidates": ["AGE"], "threshold": 0}, "threshold"),
    ],
)
def test_bad_input(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        screen_and_fit(data, time="time", event="event", **kwargs)
