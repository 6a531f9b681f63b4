"""Tests of oncocohort.stats.one_sample (one-sample log-rank) and .evalue (E-values), by hand.

Every expected value is worked out in the test from the published formulas (Finkelstein et
al. 2003, Wu 2015, VanderWeele & Ding 2017, VanderWeele 2020); the E-value example is the one
printed in VanderWeele & Ding (2017): RR 3.9 (1.8, 8.7) -> 7.26 and 3.0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from oncocohort.stats import EValue, OneSampleLogRank, e_value, one_sample_logrank
from oncocohort.stats._results import TestResult as _TestResult

# ----------------------------------------------------------------------------- one-sample


@pytest.mark.by_hand
def test_exponential_reference_by_hand():
    # S0(t) = exp(-t/10): Lambda0(t) = t/10; E = (2 + 4 + 6)/10 = 1.2, O = 2
    s0 = lambda t: np.exp(-0.1 * t)  # noqa: E731
    res = one_sample_logrank([2.0, 4.0, 6.0], [1, 1, 0], s0)
    assert isinstance(res, _TestResult)
    assert res.observed == 2
    assert res.expected == pytest.approx(1.2, rel=1e-14)
    assert res.z == pytest.approx(0.8 / math.sqrt(1.2), rel=1e-14)
    assert res.statistic == pytest.approx(0.64 / 1.2, rel=1e-14)
    assert res.df == 1
    assert res.p_value == pytest.approx(2 * norm.sf(0.8 / math.sqrt(1.2)), rel=1e-12)
    wu = one_sample_logrank([2.0, 4.0, 6.0], [1, 1, 0], s0, variance="wu")
    # Wu: variance (O + E)/2 = 1.6
    assert wu.z == pytest.approx(0.8 / math.sqrt(1.6), rel=1e-14)
    assert wu.statistic == pytest.approx(0.4, rel=1e-14)
    assert wu.variance == "wu" and res.variance == "finkelstein"


@pytest.mark.by_hand
def test_step_reference_is_right_continuous_by_hand():
    ref = pd.DataFrame({"time": [5.0, 0.0, 3.0], "survival": [0.5, 1.0, 0.8]})  # any order
    # t=1 -> S0 = 1; t=3 -> 0.8 (the value AT 3); t=4 -> 0.8; t=5 -> 0.5
    res = one_sample_logrank([1, 3, 4, 5], [0, 1, 0, 1], ref)
    expected = 2 * math.log(1.25) + math.log(2.0)
    assert res.expected == pytest.approx(expected, rel=1e-14)
    assert res.z == pytest.approx((2 - expected) / math.sqrt(expected), rel=1e-14)
    # before the first reference time the survival is 1
    res = one_sample_logrank([1.0, 2.0], [1, 1], pd.DataFrame({"time": [2], "survival": [0.5]}))
    assert res.expected == pytest.approx(math.log(2.0), rel=1e-14)


@pytest.mark.by_hand
def test_fewer_events_than_expected_gives_negative_z():
    res = one_sample_logrank([10.0, 10.0, 10.0], [0, 0, 1], lambda t: np.exp(-t / 10))
    # E = 3, O = 1: Z = -2/sqrt(3)
    assert res.z == pytest.approx(-2 / math.sqrt(3), rel=1e-14)
    assert isinstance(res, OneSampleLogRank)
    assert list(res.to_frame().columns) == [
        "statistic", "df", "p_value", "observed", "expected", "z", "variance"
    ]


def test_follow_up_beyond_the_reference_warns():
    ref = pd.DataFrame({"time": [0, 5], "survival": [1.0, 0.5]})
    with pytest.warns(UserWarning, match="1 patient\\(s\\) are followed beyond"):
        one_sample_logrank([3, 8], [1, 1], ref)


@pytest.mark.parametrize(
    "reference, kwargs, message",
    [
        (pd.DataFrame({"time": [0, 5]}), {}, "missing column"),
        (pd.DataFrame({"time": [0, 5], "survival": [0.5, 0.6]}), {}, "non-increasing"),
        (pd.DataFrame({"time": [0, 5], "survival": [1.0, 1.2]}), {}, "in \\[0, 1\\]"),
        (pd.DataFrame({"time": [0, 1], "survival": [1.0, 0.0]}), {}, "infinite"),
        (lambda t: np.ones(1), {}, "one survival probability per time"),
        (lambda t: np.exp(-t), {"variance": "x"}, "unknown variance"),
        (pd.DataFrame({"time": [0, 9], "survival": [1.0, 1.0]}), {}, "flat at 1"),
    ],
)
@pytest.mark.filterwarnings("ignore:1 patient")
def test_one_sample_errors(reference, kwargs, message):
    with pytest.raises(ValueError, match=message):
        one_sample_logrank([1.0, 2.0], [1, 0], reference, **kwargs)


# ----------------------------------------------------------------------------- E-value


@pytest.mark.by_hand
def test_e_value_published_example():
    e = e_value(3.9, 1.8, 8.7)
    assert e.point == pytest.approx(3.9 + math.sqrt(3.9 * 2.9), rel=1e-14)
    assert round(e.point, 2) == 7.26  # as printed in the paper
    assert e.ci == pytest.approx(1.8 + math.sqrt(1.8 * 0.8), rel=1e-14)  # = 3.0
    assert e.ci == pytest.approx(3.0, rel=1e-14)


@pytest.mark.by_hand
def test_protective_hr_is_inverted():
    e = e_value(0.5, 0.3, 0.8)
    assert e.point == pytest.approx(2 + math.sqrt(2), rel=1e-14)  # RR* = 2
    # the limit closest to 1 is the upper one: 1/0.8 = 1.25 -> 1.25 + sqrt(1.25 * 0.25)
    assert e.ci == pytest.approx(1.25 + math.sqrt(0.3125), rel=1e-14)
    assert e_value(2.0).point == pytest.approx(e_value(0.5).point, rel=1e-14)


@pytest.mark.by_hand
def test_interval_crossing_one_gives_one():
    assert e_value(1.3, 0.9, 1.8).ci == 1.0
    assert e_value(0.7, 0.4, 1.1).ci == 1.0
    assert e_value(1.0, 0.8, 1.25) == EValue(point=1.0, ci=1.0)


@pytest.mark.by_hand
def test_common_outcome_conversion_by_hand():
    # HR = 4: RR = (1 - 0.5^2) / (1 - 0.5^(1/2)) = (3/4) / (1 - 1/sqrt 2)
    rr = 0.75 / (1 - 1 / math.sqrt(2))
    e = e_value(4.0, 2.25, 9.0, rare_outcome=False)
    assert e.point == pytest.approx(rr + math.sqrt(rr * (rr - 1)), rel=1e-14)
    # lower 2.25: sqrt = 1.5, RR = (1 - 0.5^1.5) / (1 - 0.5^(2/3))
    rr_lo = (1 - 0.5**1.5) / (1 - 0.5 ** (2 / 3))
    assert e.ci == pytest.approx(rr_lo + math.sqrt(rr_lo * (rr_lo - 1)), rel=1e-14)
    # the conversion shrinks towards 1: the common-outcome E-value is smaller
    assert e.point < e_value(4.0).point


def test_missing_limit_gives_nan():
    assert math.isnan(e_value(2.0, upper=3.0).ci)
    assert math.isnan(e_value(0.5, lower=0.3).ci)
    assert math.isnan(e_value(2.0).ci)


@pytest.mark.parametrize(
    "args, message",
    [((0.0,), "hr must be"), ((2.0, 2.5, 3.0), "above hr"), ((2.0, 1.5, 1.8), "below hr"),
     ((2.0, -1.0, 3.0), "lower must be"), ((float("nan"),), "hr must be")],
)
def test_e_value_errors(args, message):
    with pytest.raises(ValueError, match=message):
        e_value(*args)


def test_docstring_examples():
    import doctest

    from oncocohort.stats import evalue, one_sample, propensity

    for module in (evalue, one_sample, propensity):
        assert doctest.testmod(module).failed == 0, module.__name__
