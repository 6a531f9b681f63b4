"""Tests of oncocohort.stats.fine_gray: by hand, against R cmprsk::crr, properties, errors.

Reference values come from ``tests/reference/fine_gray.R`` (R 4.2.2, survival 3.5-3, cmprsk
2.2-11; fixtures ``fg_*`` written with ``sprintf("%.17g")``). crr is taken to full convergence
there (its line search stalls at |score| ~ 1e-7; one plain Newton step with crr's own score and
information finishes it). Tolerance: rel 1e-6 as the brief asks; in practice coefficients,
sandwich SEs and log-likelihoods agree to ~1e-13.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from oncocohort.stats.cox import cox
from oncocohort.stats.fine_gray import fine_gray

REL = 1e-6

# ----------------------------------------------------------------------------- by hand
# t:     1  2  3  4  5  6
# cause: 0  2  1  0  1  2     (censored at 1 and 4; competing deaths at 2 and 6)
# x:     1  0  1  0  0  1
# Censoring KM just before t, G(t-): 1, 5/6, 5/6, 5/6, 5/9, 5/9.
# Cause-1 failures at 3 (x = 1) and 5 (x = 0). The death at 2 (x = 0) stays in the risk sets
# with weight G(T-)/G(2-): 1 at T = 3, (5/9)/(5/6) = 2/3 at T = 5.
#   S0(3) = 2 e^b + 2 + 1,   S0(5) = e^b + 1 + 2/3.
HAND = pd.DataFrame(
    {"t": [1, 2, 3, 4, 5, 6], "c": [0, 2, 1, 0, 1, 2], "x": [1, 0, 1, 0, 0, 1]}
)


def _hand_loglik(b: float) -> float:
    u = math.exp(b)
    return b - math.log(2 * u + 3) - math.log(u + 5 / 3)


def _hand_score(b: float) -> float:
    u = math.exp(b)
    return 1 - 2 * u / (2 * u + 3) - u / (u + 5 / 3)


@pytest.mark.by_hand
def test_pseudo_likelihood_by_hand():
    fit = fine_gray(HAND, time="t", cause="c", covariates=["x"])
    b = fit.table.at["x", "coef"]
    assert fit.loglik_null == pytest.approx(-math.log(40 / 3), rel=1e-14)  # -log(5 * 8/3)
    assert b == pytest.approx(brentq(_hand_score, -5, 10, xtol=1e-14), rel=1e-9)
    assert fit.loglik == pytest.approx(_hand_loglik(b), rel=1e-13)
    assert (fit.n, fit.n_events, fit.n_competing, fit.n_dropped) == (6, 2, 2, 0)
    assert fit.converged
    row = fit.table.loc["x"]
    assert row.hr == pytest.approx(math.exp(b), rel=1e-14)
    assert row.z == pytest.approx(b / row.se, rel=1e-14)


@pytest.mark.by_hand
def test_competing_death_weight_matters():
    # recode the competing deaths as censorings: the weight 2/3 disappears and the estimate
    # is the Breslow Cox estimate of the cause-specific hazard instead
    cs = HAND.assign(c=HAND.c.where(HAND.c != 2, 0))
    fg = fine_gray(cs, time="t", cause="c", covariates=["x"])
    cx = cox(cs.assign(e=(cs.c == 1).astype(int)), time="t", event="e", covariates=["x"],
             ties="breslow")
    assert fg.table.at["x", "coef"] == pytest.approx(cx.table.at["x", "coef"], rel=1e-9)
    full = fine_gray(HAND, time="t", cause="c", covariates=["x"])
    assert abs(full.table.at["x", "coef"] - fg.table.at["x", "coef"]) > 0.05


# ----------------------------------------------------------------------------- reference: R


def _cases(read_fixture) -> pd.DataFrame:
    cases = read_fixture("fg_cases.csv")
    return cases.fillna("")


def _fit_case(read_fixture, row) -> tuple:
    d = read_fixture(f"fg_input_{row.data}.csv")
    reference = dict([row.reference.split("=")]) if row.reference else None
    fit = fine_gray(
        d, time="time", cause="cause", covariates=row.covariates.split(";"),
        cause_of_interest=int(row.cause), reference=reference,
    )
    return fit, d


def _ref(results: pd.DataFrame, case: str, quantity: str) -> pd.Series:
    sel = results[(results.case == case) & (results.quantity == quantity)]
    assert len(sel) > 0, (case, quantity)
    return sel.set_index(sel.term.fillna(""))["value"].astype(float)


CASE_NAMES = [
    "mgus2_prog", "mgus2_death", "mgus2_missing", "tern_arm", "tern_ref", "tern_month",
    "example", "example_2",
]


@pytest.mark.reference
@pytest.mark.parametrize("case", CASE_NAMES)
def test_matches_cmprsk_crr(read_fixture, case):
    cases = _cases(read_fixture).set_index("case")
    results = read_fixture("fg_results.csv")
    fit, _ = _fit_case(read_fixture, cases.loc[case])
    for quantity in ("coef", "se", "hr_lower", "hr_upper", "p"):
        ref = _ref(results, case, quantity)
        assert list(ref.index) == list(fit.table.index)
        np.testing.assert_allclose(fit.table[quantity], ref, rtol=REL, atol=0)
    # the full robust variance matrix, not only its diagonal
    for j in range(len(fit.terms)):
        ref = _ref(results, case, f"var_{j + 1}")
        np.testing.assert_allclose(fit.var[:, j], ref.to_numpy(), rtol=REL, atol=1e-12)
    assert fit.loglik == pytest.approx(_ref(results, case, "loglik").iloc[0], rel=REL)
    assert fit.loglik_null == pytest.approx(_ref(results, case, "loglik_null").iloc[0], rel=REL)
    assert fit.n == _ref(results, case, "n").iloc[0]
    assert fit.n_events == _ref(results, case, "n_events").iloc[0]
    # crr's own last iterate (its line search stalls) is within 1e-6 too
    np.testing.assert_allclose(fit.table.coef, _ref(results, case, "crr_coef"), rtol=REL)


@pytest.mark.reference
@pytest.mark.parametrize(
    "case, tied", [("tern_arm", False), ("example", False), ("mgus2_prog", True),
                   ("tern_month", True)]
)
def test_finegray_coxph_equals_crr_only_without_ties(read_fixture, case, tied):
    # documented in docs/statistics.md: survival::finegray + weighted coxph takes the
    # censoring weights at the end of its intervals; with tied times it differs from crr
    cases = _cases(read_fixture).set_index("case")
    fit, _ = _fit_case(read_fixture, cases.loc[case])
    results = read_fixture("fg_results.csv")
    other = _ref(results, case, "coef_finegray_breslow")
    diff = np.max(np.abs(fit.table.coef.to_numpy() / other.to_numpy() - 1))
    if tied:
        assert diff > 1e-4
    else:
        assert diff < REL


@pytest.mark.reference
def test_crr_default_stopping_is_short_of_the_maximum(read_fixture):
    cases = _cases(read_fixture).set_index("case")
    fit, _ = _fit_case(read_fixture, cases.loc["example"])
    default = _ref(read_fixture("fg_results.csv"), "example", "coef_default")
    assert np.max(np.abs(fit.table.coef.to_numpy() / default.to_numpy() - 1)) > 1e-6


# ----------------------------------------------------------------------------- properties

rows_strategy = st.lists(
    st.tuples(st.integers(1, 6), st.integers(0, 2), st.integers(0, 1), st.floats(-2, 2)),
    min_size=8, max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(rows_strategy, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(rows, rnd):
    d = pd.DataFrame(rows, columns=["t", "c", "g", "z"])
    if (d.c == 1).sum() < 2 or d.g.nunique() < 2:
        return
    try:
        with warnings.catch_warnings():  # separation: reported, then skipped below
            warnings.simplefilter("ignore", UserWarning)
            a = fine_gray(d, time="t", cause="c", covariates=["g", "z"])
    except ValueError:
        return  # a constant covariate
    if not a.converged or not np.isfinite(a.table.se).all() or (a.table.coef.abs() > 8).any():
        return
    perm = list(range(len(d)))
    rnd.shuffle(perm)
    b = fine_gray(d.iloc[perm], time="t", cause="c", covariates=["g", "z"])
    np.testing.assert_allclose(a.table.coef, b.table.coef, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(a.table.se, b.table.se, rtol=1e-6, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(rows_strategy)
def test_without_competing_events_it_is_breslow_cox(rows):
    d = pd.DataFrame(rows, columns=["t", "c", "g", "z"])
    d["c"] = d.c.clip(upper=1)
    if (d.c == 1).sum() < 2:
        return
    if d.z.nunique() < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fg = fine_gray(d, time="t", cause="c", covariates=["z"])
    if not fg.converged or abs(fg.table.at["z", "coef"]) > 8:
        return
    cx = cox(d, time="t", event="c", covariates=["z"], ties="breslow")
    assert fg.table.at["z", "coef"] == pytest.approx(cx.table.at["z", "coef"], rel=1e-6, abs=1e-8)
    assert fg.loglik == pytest.approx(cx.loglik, rel=1e-9)


# ----------------------------------------------------------------------------- errors


def test_bad_input_is_reported():
    with pytest.raises(ValueError, match="no events of cause_of_interest 3"):
        fine_gray(HAND, time="t", cause="c", covariates=["x"], cause_of_interest=3)
    with pytest.raises(ValueError, match="whole numbers"):
        fine_gray(HAND.assign(c=[0, 1.5, 1, 0, 1, 2]), time="t", cause="c", covariates=["x"])
    with pytest.raises(ValueError, match="not in data"):
        fine_gray(HAND, time="t", cause="status", covariates=["x"])
    with pytest.raises(ValueError, match="not in data"):
        fine_gray(HAND, time="t", cause="c", covariates=["age"])
    with pytest.raises(ValueError, match="x are constant"):
        fine_gray(HAND.assign(x=1), time="t", cause="c", covariates=["x"])
    with pytest.warns(UserWarning, match="did not converge"):  # x = 1 for every failure
        fine_gray(HAND.assign(x=[0, 0, 1, 0, 1, 0]), time="t", cause="c", covariates=["x"])
    with pytest.raises(ValueError, match="negative"):
        fine_gray(HAND.assign(t=[-1, 2, 3, 4, 5, 6]), time="t", cause="c", covariates=["x"])


def test_missing_values_are_dropped_and_counted():
    d = pd.concat([HAND, pd.DataFrame({"t": [7, 8], "c": [np.nan, 1], "x": [1, np.nan]})])
    fit = fine_gray(d, time="t", cause="c", covariates=["x"])
    ref = fine_gray(HAND, time="t", cause="c", covariates=["x"])
    assert fit.n_dropped == 2 and fit.n == 6
    assert fit.table.at["x", "coef"] == pytest.approx(ref.table.at["x", "coef"], rel=1e-12)


def test_docstring_example_runs():
    import doctest
    import importlib

    module = importlib.import_module("oncocohort.stats.fine_gray")  # the name is the function
    assert doctest.testmod(module).failed == 0


# ----------------------------------------------------------------------------- singular variance
# x = 1 only for the subject censored at 0.5, before the first failure: no risk set of a failure
# of interest holds x = 1, so x carries no information and the sandwich I^-1 M I^-1 has no
# inverse to use (crr: "system is exactly singular"). With two subjects censored before the
# first failure, x and w are not collinear in the data but both are constant in every risk set.
SINGULAR = pd.DataFrame({"t": [0.5, 1, 2, 3, 4, 5, 6, 7], "c": [0, 1, 2, 1, 0, 1, 2, 1],
                         "x": [1, 0, 0, 0, 0, 0, 0, 0]})
SINGULAR2 = pd.DataFrame({"t": [0.5, 0.6, 1, 2, 3, 4, 5, 6], "c": [0, 0, 1, 2, 1, 0, 1, 2],
                          "x": [1, 2, 0, 0, 0, 0, 0, 0], "w": [3, 1, 0, 0, 0, 0, 0, 0]})


@pytest.mark.parametrize(("data", "covariates", "counts"), [
    (SINGULAR, ["x"], (8, 4, 2)), (SINGULAR2, ["x", "w"], (8, 3, 2))])
def test_singular_information_gives_nan_se_with_a_warning(data, covariates, counts):
    with pytest.warns(UserWarning, match="information matrix is singular") as rec:
        fit = fine_gray(data, time="t", cause="c", covariates=covariates)
    assert all("did not converge" not in str(w.message) for w in rec)
    assert ", ".join(covariates) in str(rec[0].message)
    assert np.isnan(fit.var).all()
    for col in ("se", "hr_lower", "hr_upper", "z", "p"):
        assert fit.table[col].isna().all(), col
    assert (fit.table["coef"] == 0).all()  # nothing to move the estimate from 0
    assert (fit.n, fit.n_events, fit.n_competing) == counts


def test_information_left_in_one_term_is_not_singular():
    d = SINGULAR.assign(y=[0, 1, 0, 1, 1, 0, 1, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fine_gray(d.drop(columns="x"), time="t", cause="c", covariates=["y"])
    assert np.isfinite(fit.table["se"]).all()
