"""Tests of oncocohort.stats.propensity: by hand, against R glm, properties, errors.

Reference values come from ``tests/reference/propensity.R`` (R 4.2.2, ``glm(binomial)`` run to
full convergence; fixtures ``propensity_*`` written with ``sprintf("%.17g")``). Tolerance: the
brief's 1e-6 on the scores (absolute, they are probabilities) and weights (relative); both
sides stop at the optimum, so the agreement is ~1e-12 in practice.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _ps_cases import COVARIATES, ps_cohort
from oncocohort.stats import PropensityWarning, propensity_scores, propensity_weights
from oncocohort.stats.propensity import _fit_logistic

TOL = 1e-6


@pytest.fixture(scope="module")
def cases(read_fixture) -> pd.DataFrame:
    return read_fixture("propensity_cases.csv")


def _input(read_fixture, name: str) -> pd.DataFrame:
    return read_fixture(f"propensity_input_{name}.csv")


# ----------------------------------------------------------------------------- by hand


@pytest.mark.by_hand
def test_single_binary_covariate_is_the_group_proportion():
    # saturated model: the score of each level of x is the treated share at that level
    d = pd.DataFrame({"t": [1, 0, 0, 1, 1, 0, 0], "x": [0, 0, 0, 1, 1, 1, 1]})
    ps = propensity_scores(d, treatment="t", covariates=["x"])
    np.testing.assert_allclose(ps, [1 / 3] * 3 + [1 / 2] * 4, rtol=1e-10)
    fit = _fit_logistic(d, "t", ["x"])
    # intercept log(1/2), slope log(1) - log(1/2) = log 2
    np.testing.assert_allclose(fit.coef, [math.log(0.5), math.log(2.0)], rtol=1e-10)


@pytest.mark.by_hand
def test_categorical_covariate_is_the_level_proportion():
    d = pd.DataFrame({"t": [1, 0, 1, 1, 0, 0, 1, 0], "g": list("aabbbccc")})
    ps = propensity_scores(d, treatment="t", covariates=["g"])
    np.testing.assert_allclose(ps, [1 / 2] * 2 + [2 / 3] * 3 + [1 / 3] * 3, rtol=1e-10)
    assert _fit_logistic(d, "t", ["g"]).terms == ("(Intercept)", "g[b]", "g[c]")


@pytest.mark.by_hand
def test_weight_formulas_by_hand():
    e = np.array([0.2, 0.5, 0.8, 0.25, 0.5])
    t = np.array([1, 1, 1, 0, 0])
    # ATE raw: 1/e treated, 1/(1-e) controls
    raw = propensity_weights(e, t, stabilize=False)
    np.testing.assert_allclose(raw, [5, 2, 1.25, 4 / 3, 2], rtol=1e-14)
    # stabilised: times 3/5 (treated) and 2/5 (controls)
    np.testing.assert_allclose(
        propensity_weights(e, t), [3, 1.2, 0.75, 8 / 15, 0.8], rtol=1e-14
    )
    # ATT: controls e/(1-e) = 1/3, 1; stabilised: rescaled to sum to 2 -> 1/2, 3/2
    np.testing.assert_allclose(
        propensity_weights(e, t, estimand="ATT", stabilize=False), [1, 1, 1, 1 / 3, 1]
    )
    np.testing.assert_allclose(propensity_weights(e, t, estimand="ATT"), [1, 1, 1, 0.5, 1.5])
    # ATO: 1-e treated, e controls; stabilize has no effect
    ato = [0.8, 0.5, 0.2, 0.25, 0.5]
    np.testing.assert_allclose(propensity_weights(e, t, estimand="ATO"), ato, rtol=1e-14)
    np.testing.assert_allclose(propensity_weights(e, t, estimand="ATO", stabilize=False), ato)


@pytest.mark.by_hand
def test_trim_and_truncate_by_hand():
    e = np.array([0.2, 0.5, 0.8, 0.25, 0.5])
    t = np.array([1, 1, 1, 0, 0])
    # trim 0.21: e = 0.2 and e = 0.8 dropped; kept 1 treated, 2 controls: shares 1/3, 2/3
    w = propensity_weights(e, t, trim=0.21)
    np.testing.assert_allclose(w, [0, 2 / 3, 0, 8 / 9, 4 / 3], rtol=1e-14)
    # truncate 0.25 of raw ATE [5, 2, 1.25, 4/3, 2]: sorted 1.25, 4/3, 2, 2, 5;
    # type-7 quantiles at 0.25 -> 4/3, at 0.75 -> 2
    w = propensity_weights(e, t, stabilize=False, truncate=0.25)
    np.testing.assert_allclose(w, [2, 2, 4 / 3, 4 / 3, 2], rtol=1e-14)


# ----------------------------------------------------------------------------- against R


@pytest.mark.reference
@pytest.mark.parametrize("case", ["lalonde", "lalonde_small", "tern", "lung_missing"])
def test_scores_equal_r_glm(read_fixture, cases, case):
    spec = cases.set_index("case").loc[case]
    data = _input(read_fixture, spec["data"])
    covariates = spec["covariates"].split(";")
    ps = propensity_scores(data, treatment=spec["treatment"], covariates=covariates)
    ref = read_fixture("propensity_scores.csv")
    ref = ref[ref.case == case].sort_values("row")["ps"].to_numpy(dtype=float)
    assert ps.shape == ref.shape
    np.testing.assert_array_equal(np.isnan(ps), np.isnan(ref))  # na.exclude padding
    np.testing.assert_allclose(ps, ref, rtol=0, atol=TOL)
    coef = read_fixture("propensity_coef.csv")
    coef = coef[coef.case == case]
    fit = _fit_logistic(data, spec["treatment"], covariates)
    assert fit.converged
    assert list(fit.terms) == list(coef.term)
    np.testing.assert_allclose(fit.coef, coef.coef.to_numpy(dtype=float), rtol=TOL)


@pytest.mark.reference
def test_missing_rows_are_nan(read_fixture):
    data = _input(read_fixture, "lung")
    ps = propensity_scores(data, treatment="female", covariates=["age", "ecog", "wt_loss"])
    incomplete = data[["age", "ecog", "wt_loss"]].isna().any(axis=1).to_numpy()
    assert incomplete.sum() > 0
    np.testing.assert_array_equal(np.isnan(ps), incomplete)


@pytest.mark.reference
@pytest.mark.parametrize("case", ["lalonde", "tern"])
def test_weights_equal_r(read_fixture, cases, case):
    spec = cases.set_index("case").loc[case]
    data = _input(read_fixture, spec["data"])
    ps = propensity_scores(
        data, treatment=spec["treatment"], covariates=spec["covariates"].split(";")
    )
    t = data[spec["treatment"]].to_numpy()
    ref = read_fixture("propensity_weights.csv")
    ref = ref[ref.case == case].sort_values("row")
    settings_ = read_fixture("propensity_weight_settings.csv")
    for s in settings_.itertuples():
        w = propensity_weights(
            ps,
            t,
            estimand=s.estimand,
            stabilize=bool(s.stabilize),
            trim=None if pd.isna(s.trim) else s.trim,
            truncate=None if pd.isna(s.truncate) else s.truncate,
        )
        expected = ref[s.setting].to_numpy(dtype=float)
        np.testing.assert_allclose(w, expected, rtol=TOL, atol=1e-12, err_msg=s.setting)


# ----------------------------------------------------------------------------- warnings


def test_separation_is_reported(read_fixture):
    data = _input(read_fixture, "sep")
    with pytest.warns(PropensityWarning, match="numerically 0 or 1.*separate"):
        ps = propensity_scores(data, treatment="t", covariates=["x", "z"])
    assert np.all((ps < 1e-10) | (ps > 1 - 1e-10))


def test_collinear_term_left_out_with_warning():
    d = pd.DataFrame({"t": [1, 0, 1, 0, 1, 0, 0, 1], "x": [1.0, 2, 3, 4, 5, 6, 7, 3]})
    d["x2"] = 2 * d["x"]
    with pytest.warns(PropensityWarning, match="x2.*collinear"):
        ps2 = propensity_scores(d, treatment="t", covariates=["x", "x2"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ps1 = propensity_scores(d, treatment="t", covariates=["x"])
    np.testing.assert_allclose(ps2, ps1, rtol=1e-12)


# ----------------------------------------------------------------------------- properties


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_identical_rows_get_bit_identical_scores_anywhere(seed):
    """Units with the same covariates have the same score, to the bit, wherever their rows
    fall (a BLAS product rounds a row by its position in a SIMD block: on AVX-512 CPUs equal
    rows got scores one ulp apart, and the matching's tie rule then depended on the CPU)."""
    d = ps_cohort(203, seed)
    same = [0, 1, 2, 3, 5, 7, 8, 13, 15, 16, 31, 32, 64, 100, 127, 150, 199, 200, 201, 202]
    d.loc[same, COVARIATES] = d.loc[[0] * len(same), COVARIATES].to_numpy()
    ps = propensity_scores(d, treatment="t", covariates=COVARIATES)
    assert np.isfinite(ps).all()
    assert np.unique(ps[same]).size == 1, np.unique(ps[same]) - ps[0]
    others = ps[np.setdiff1d(np.arange(len(d)), same)]
    assert np.unique(others).size == others.size  # the others differ: the check can fail




@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**31 - 1))
def test_score_equations_hold(seed):
    # at the maximum, sum (t - e) x = 0 for every design column (incl. the intercept)
    rng = np.random.default_rng(seed)
    n = 60
    x = rng.normal(size=n)
    g = rng.choice(["a", "b", "c"], size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-(0.5 * x + (g == "b"))))).astype(int)
    if t.min() == t.max():
        return
    d = pd.DataFrame({"t": t, "x": x, "g": g})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PropensityWarning)
        fit = _fit_logistic(d, "t", ["x", "g"])
    if fit.n_separated or not fit.converged:
        return
    r = t - fit.fitted
    for col in (np.ones(n), x, (g == "b").astype(float), (g == "c").astype(float)):
        assert abs(np.sum(r * col)) < 1e-8


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**31 - 1))
def test_stabilised_weights_group_sums(seed):
    rng = np.random.default_rng(seed)
    e = rng.uniform(0.05, 0.95, size=50)
    t = (rng.random(50) < e).astype(int)
    if t.min() == t.max():
        return
    w = propensity_weights(e, t, estimand="ATT")
    assert w[t == 0].sum() == pytest.approx((t == 0).sum(), rel=1e-12)
    np.testing.assert_array_equal(w[t == 1], 1.0)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"treatment": "t", "covariates": ["nope"]}, "not in data: 'nope'"),
        ({"treatment": "g", "covariates": ["x"]}, "must be 0/1 or bool"),
        ({"treatment": "t2", "covariates": ["x"]}, "1 row\\(s\\) hold other values"),
        ({"treatment": "t", "covariates": []}, "at least one column"),
        ({"treatment": "t", "covariates": ["t"]}, "also listed as a covariate"),
        ({"treatment": "t", "covariates": ["x"], "method": "probit"}, "unknown method"),
    ],
)
def test_score_errors(kwargs, message):
    d = pd.DataFrame(
        {"t": [1, 0, 1, 0], "t2": [1, 0, 2, 0], "x": [1.0, 2, 3, 4], "g": list("abab")}
    )
    with pytest.raises(ValueError, match=message):
        propensity_scores(d, **kwargs)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (([0.5, 1.0], [1, 0]), {}, "strictly between 0 and 1"),
        (([0.5, np.nan], [1, 0]), {}, "strictly between 0 and 1"),
        (([0.5, 0.4], [1, 2]), {}, "only 0"),
        (([0.5, 0.4], [1, 0, 1]), {}, "differ in length"),
        (([0.5, 0.4], [1, 0]), {"estimand": "ATC"}, "unknown estimand"),
        (([0.5, 0.4], [1, 0]), {"trim": 0.5}, "trim must be"),
        (([0.5, 0.4], [1, 0]), {"truncate": -0.1}, "truncate must be"),
        (([0.5, 0.04], [1, 0]), {"trim": 0.05}, "no units left"),
    ],
)
def test_weight_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        propensity_weights(*args, **kwargs)
