"""Tests for oncocohort.stats.proportions.proportion_ci.

Tiers: ``by_hand`` (closed forms below), ``reference`` (R 4.2.2 binom.test /
prop.test / qbeta via tests/reference/km_logrank.R; shared tern ORR values).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from oncocohort.stats._results import Estimate
from oncocohort.stats.proportions import PROPORTION_CI_METHODS, proportion_ci

Z95 = float(norm.isf(0.025))


# ----------------------------------------------------------------------------
# by hand
# ----------------------------------------------------------------------------
@pytest.mark.by_hand
def test_clopper_pearson_closed_forms_at_the_edges():
    # x = 0: upper solves (1 - p)^n = alpha/2 -> 1 - (alpha/2)^(1/n); lower 0
    ci = proportion_ci(0, 10)
    assert (ci.estimate, ci.lower) == (0.0, 0.0)
    assert ci.upper == pytest.approx(1 - 0.025 ** (1 / 10), rel=1e-12)
    # x = n: mirror image
    ci = proportion_ci(10, 10)
    assert ci.upper == 1.0
    assert ci.lower == pytest.approx(0.025 ** (1 / 10), rel=1e-12)
    # x = 1, n = 1: lower = alpha/2
    assert proportion_ci(1, 1).lower == pytest.approx(0.025, rel=1e-12)


@pytest.mark.by_hand
def test_wald_agresti_coull_wilson_by_hand():
    # x = 3, n = 10: p = 0.3
    half = Z95 * math.sqrt(0.3 * 0.7 / 10)
    assert proportion_ci(3, 10, method="wald").lower == pytest.approx(0.3 - half, rel=1e-12)
    assert proportion_ci(3, 10, method="wald-cc").upper == pytest.approx(0.3 + half + 0.05,
                                                                        rel=1e-12)
    n_t = 10 + Z95**2
    p_t = (3 + Z95**2 / 2) / n_t
    ac = proportion_ci(3, 10, method="agresti-coull")
    assert ac.estimate == 0.3  # the estimate stays x/n
    assert ac.upper == pytest.approx(p_t + Z95 * math.sqrt(p_t * (1 - p_t) / n_t), rel=1e-12)
    # Wilson: the bounds are the roots of (p - 0.3)^2 = z^2 p (1 - p) / 10
    wi = proportion_ci(3, 10, method="wilson")
    for root in (wi.lower, wi.upper):
        assert (root - 0.3) ** 2 == pytest.approx(Z95**2 * root * (1 - root) / 10, rel=1e-10)


@pytest.mark.by_hand
def test_wald_is_clipped_and_wilson_cc_shrinks_near_half():
    # x = 1, n = 2 -> wald 0.5 +- 0.693: clipped to [0, 1]
    ci = proportion_ci(1, 2, method="wald")
    assert (ci.lower, ci.upper) == (0.0, 1.0)
    # R prop.test: correction min(1/2, |x - n/2|) = 0 at x = n/2 -> plain Wilson
    assert proportion_ci(5, 10, method="wilson-cc") == proportion_ci(5, 10, method="wilson")


@pytest.mark.by_hand
def test_jeffreys_boundary_convention():
    assert proportion_ci(0, 20, method="jeffreys").lower == 0.0
    assert proportion_ci(20, 20, method="jeffreys").upper == 1.0
    assert proportion_ci(0, 20, method="jeffreys").upper < proportion_ci(0, 20).upper


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((1, 0), {}, "n must be at least 1"),
        ((5, 3), {}, "cannot exceed"),
        ((-1, 3), {}, "non-negative"),
        ((1.5, 3), {}, "whole number"),
        ((1, 3), {"method": "exact"}, "unknown method"),
        ((1, 3), {"conf_level": 95}, "conf_level"),
    ],
)
def test_invalid_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        proportion_ci(*args, **kwargs)


# ----------------------------------------------------------------------------
# reference
# ----------------------------------------------------------------------------
@pytest.mark.reference
def test_matches_r(read_fixture):
    ref = read_fixture("prop_ci.csv")
    assert set(ref["method"]) == set(PROPORTION_CI_METHODS)
    for row in ref.itertuples():
        ci = proportion_ci(int(row.x), int(row.n), method=row.method, conf_level=row.conf_level)
        # R prints 15 significant digits; the bounds are O(1e-3..1): abs 1e-12 is ample
        assert [ci.estimate, ci.lower, ci.upper] == pytest.approx(
            [row.estimate, row.lower, row.upper], rel=1e-9, abs=1e-12
        ), row


TERN_METHOD = {"wilsonc": "wilson-cc", "waldcc": "wald-cc"}


@pytest.mark.reference
def test_tern_orr(tern_expected, tern_adrs):
    exp = tern_expected[tern_expected["statistic"] == "ORR_CR+PR_pct"]
    assert len(exp) == 21
    best = tern_adrs[tern_adrs["PARAMCD"] == "BESRSPI"]
    for row in exp.itertuples():
        arm = best[best["ARMCD"] == row.group]
        x = int(arm["AVALC"].isin(["CR", "PR"]).sum())
        assert (x, len(arm)) == (row.events, row.n)
        ci = proportion_ci(x, len(arm), method=TERN_METHOD.get(row.conf_type, row.conf_type))
        assert [100 * ci.estimate, 100 * ci.lower, 100 * ci.upper] == pytest.approx(
            [row.estimate, row.lower, row.upper], rel=1e-9
        )


# ----------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------
@given(
    st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.sampled_from(PROPORTION_CI_METHODS),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_interval_within_unit_and_contains_estimate(xn, method, conf_level):
    x, n = xn
    ci = proportion_ci(x, n, method=method, conf_level=conf_level)
    assert isinstance(ci, Estimate) and ci.conf_level == conf_level
    assert 0.0 <= ci.lower <= ci.estimate <= ci.upper <= 1.0
    assert ci.estimate == x / n
    wider = proportion_ci(x, n, method=method, conf_level=min(conf_level + 0.005, 0.999))
    assert wider.lower <= ci.lower + 1e-12 and wider.upper >= ci.upper - 1e-12
