"""Tests of oncocohort.stats.cox: by hand, against R survival 3.5-3, properties, errors.

Reference values come from ``tests/reference/cox.R`` (fixtures ``cox_*`` written with
``sprintf("%.17g")``, so R's doubles are reproduced exactly). Tolerance: rel 1e-6 as the brief
asks; in practice the fits agree with R to ~1e-13 (same Newton-Raphson path, same stopping rule).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _refdata import TERN, require
from oncocohort.stats.cox import CoxWarning, cox

FIXTURES = Path(__file__).resolve().parents[1] / "reference" / "fixtures"
REL = 1e-6


from _cox_cases import CASES, RESULTS, fit_case  # noqa: E402


def _r(case: str, quantity: str, term: str = "") -> float:
    sel = RESULTS[(RESULTS.case == case) & (RESULTS.quantity == quantity) & (RESULTS.term == term)]
    assert len(sel) == 1, (case, quantity, term)
    return float(sel.value.iloc[0])


# ----------------------------------------------------------------------------- by hand


def _hand_data() -> pd.DataFrame:
    # 6 subjects, no ties: events at t = 1 (x=1), 2 (x=0), 4 (x=0), 5 (x=1)
    return pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0], "x": [1, 0, 1, 0, 1, 0]})


def _hand_parts(b: float):
    """Risk sets written out: (S0, S1) at the 4 event times, as functions of exp(b)."""
    eb = math.exp(b)
    return [(3 * eb + 3, 3 * eb), (2 * eb + 3, 2 * eb), (eb + 2, eb), (eb + 1, eb)]


def _hand_loglik(b: float) -> float:
    # sum over events of x_i b - log S0: events with x=1 at t=1 and t=5
    return 2 * b - sum(math.log(s0) for s0, _ in _hand_parts(b))


def _hand_score(b: float) -> float:
    return 2 - sum(s1 / s0 for s0, s1 in _hand_parts(b))


def _hand_info(b: float) -> float:
    # binary x: x^2 = x, so S2 = S1 and the risk-set variance is p (1 - p), p = S1 / S0
    return sum((s1 / s0) * (1 - s1 / s0) for s0, s1 in _hand_parts(b))


@pytest.mark.by_hand
def test_breslow_partial_likelihood_by_hand():
    fit = cox(_hand_data(), time="t", event="e", covariates=["x"], ties="breslow")
    b = fit.table.at["x", "coef"]
    # null: -log(6 * 5 * 3 * 2) = -log 180
    assert fit.loglik_null == pytest.approx(-math.log(180), rel=1e-14)
    # U(0) = 2 - (1/2 + 2/5 + 1/3 + 1/2) = 4/15; I(0) = 1/4 + 6/25 + 2/9 + 1/4 = 433/450
    assert _hand_score(0) == pytest.approx(4 / 15, rel=1e-14)
    assert _hand_info(0) == pytest.approx(433 / 450, rel=1e-14)
    # score test U(0)^2 / I(0) = (16/225) / (433/450) = 32/433
    assert fit.score_test.statistic == pytest.approx(32 / 433, rel=1e-12)
    assert fit.score_test.df == 1
    # the estimate solves U(b) = 0, its variance is 1 / I(b), loglik matches the formula
    assert abs(_hand_score(b)) < 1e-9
    assert fit.loglik == pytest.approx(_hand_loglik(b), rel=1e-12)
    assert fit.table.at["x", "se"] == pytest.approx(1 / math.sqrt(_hand_info(b)), rel=1e-8)
    assert fit.lr_test.statistic == pytest.approx(2 * (_hand_loglik(b) + math.log(180)), rel=1e-9)
    assert fit.wald_test.statistic == pytest.approx(b**2 * _hand_info(b), rel=1e-8)
    # no tied times: Efron and exact are the same likelihood
    for ties in ("efron", "exact"):
        other = cox(_hand_data(), time="t", event="e", covariates=["x"], ties=ties)
        assert other.table.at["x", "coef"] == pytest.approx(b, rel=1e-12)


def _tie_data() -> pd.DataFrame:
    # a tie pair at t = 1 (x = 1 and x = 0), then an event at t = 2 (x = 1), censored at 3
    return pd.DataFrame({"t": [1, 1, 2, 3], "e": [1, 1, 1, 0], "x": [1, 0, 1, 0]})


def _breslow_tie(b: float) -> float:
    eb = math.exp(b)
    # t=1: both tied deaths share the full denominator: (x1 + x2) b - 2 log(2 e^b + 2)
    return b - 2 * math.log(2 * eb + 2) + b - math.log(eb + 1)


def _efron_tie(b: float) -> float:
    eb = math.exp(b)
    # t=1: the second tied death removes half of the tied deaths' risk (e^b + 1) / 2
    return b - math.log(2 * eb + 2) - math.log(2 * eb + 2 - (eb + 1) / 2) + b - math.log(eb + 1)


def _exact_tie(b: float) -> float:
    eb = math.exp(b)
    # t=1: P(the tied pair is {x=1, x=0}) among the 6 pairs of 4 subjects
    # pairs: {1,0}: 4 of them (e^b each), {1,1}: 1 (e^2b), {0,0}: 1 (1)
    return b - math.log(4 * eb + eb**2 + 1) + b - math.log(eb + 1)


@pytest.mark.by_hand
@pytest.mark.parametrize(
    "ties, loglik", [("breslow", _breslow_tie), ("efron", _efron_tie), ("exact", _exact_tie)]
)
def test_one_tie_pair_by_hand(ties, loglik):
    fit = cox(_tie_data(), time="t", event="e", covariates=["x"], ties=ties)
    b = fit.table.at["x", "coef"]
    assert fit.loglik_null == pytest.approx(loglik(0.0), rel=1e-14)
    assert fit.loglik == pytest.approx(loglik(b), rel=1e-12)
    # the estimate is the maximum: numerical derivative of the hand likelihood is zero
    h = 1e-5
    assert abs((loglik(b + h) - loglik(b - h)) / (2 * h)) < 1e-6


@pytest.mark.by_hand
def test_efron_minus_breslow_null_loglik_is_log_4_over_3():
    # Breslow: -2 log 4 - log 2 = -log 32; Efron: -log 4 - log 3 - log 2 = -log 24
    b = cox(_tie_data(), time="t", event="e", covariates=["x"], ties="breslow")
    e = cox(_tie_data(), time="t", event="e", covariates=["x"], ties="efron")
    assert b.loglik_null == pytest.approx(-math.log(32), rel=1e-14)
    assert e.loglik_null == pytest.approx(-math.log(24), rel=1e-14)
    assert e.loglik_null - b.loglik_null == pytest.approx(math.log(4 / 3), rel=1e-12)
    # the tie mixes x=1 and x=0, so with p = e^b / (e^b + 1) the Efron second-death mean
    # (2e^b - e^b/2) / (3/2 (e^b + 1)) is p again: both scores are U = 2 - 3p, and both
    # estimates are b = log 2 (p = 2/3), although the likelihoods differ
    assert b.table.at["x", "coef"] == pytest.approx(math.log(2), rel=1e-9)
    assert e.table.at["x", "coef"] == pytest.approx(math.log(2), rel=1e-9)
    assert e.loglik - b.loglik == pytest.approx(_efron_tie(math.log(2)) - _breslow_tie(math.log(2)))


# ----------------------------------------------------------------------------- reference: R


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES.case.tolist())
def test_matches_r_coxph(case):
    row = CASES.set_index("case").loc[case]
    fit = fit_case(row)
    r = RESULTS[RESULTS.case == case]
    terms = r[r.quantity == "coef"].term.tolist()
    assert list(fit.table.index) == terms
    tol = REL
    se_tol = REL
    if case == "mono_efron":
        # coefficient running to infinity: R stops after 20 iterations at the same point
        # (loglik relative change < 1e-9); the information there is ~1e-9, so its inverse
        # (the variance) is only known to ~1e-7 relative in double precision.
        se_tol = 1e-5
    for term in terms:
        if math.isnan(_r(case, "coef", term)):  # R: NA, "X matrix deemed to be singular"
            assert fit.table.loc[term].isna().all()
            continue
        assert fit.table.at[term, "coef"] == pytest.approx(_r(case, "coef", term), rel=tol)
        assert fit.table.at[term, "se"] == pytest.approx(_r(case, "se", term), rel=se_tol)
        if case != "mono_efron":
            lo, hi = _r(case, "hr_lower", term), _r(case, "hr_upper", term)
            assert fit.table.at[term, "hr_lower"] == pytest.approx(lo, rel=tol)
            assert fit.table.at[term, "hr_upper"] == pytest.approx(hi, rel=tol)
            assert fit.table.at[term, "p"] == pytest.approx(_r(case, "p", term), rel=tol)
    assert fit.loglik == pytest.approx(_r(case, "loglik"), rel=tol)
    assert fit.loglik_null == pytest.approx(_r(case, "loglik_null"), rel=tol)
    assert fit.lr_test.statistic == pytest.approx(_r(case, "lr"), rel=tol)
    assert fit.lr_test.p_value == pytest.approx(_r(case, "lr_p"), rel=tol)
    assert fit.wald_test.statistic == pytest.approx(_r(case, "wald"), rel=tol)
    assert fit.score_test.statistic == pytest.approx(_r(case, "score"), rel=tol)
    assert fit.score_test.p_value == pytest.approx(_r(case, "score_p"), rel=tol)
    assert fit.lr_test.df == _r(case, "df")
    assert fit.n == _r(case, "n")
    assert fit.n_events == _r(case, "n_events")
    assert fit.n_dropped == _r(case, "n_dropped")
    assert fit.iterations == _r(case, "iterations")
    wald_terms = RESULTS[(RESULTS.case == case) & (RESULTS.quantity == "term_wald")]
    got = fit.variable_tests().set_index("variable").chisq
    assert list(got.index) == wald_terms.term.tolist()
    np.testing.assert_allclose(got, wald_terms.value, rtol=se_tol)
    infinite = any("may be infinite" in w for w in fit.warnings)
    assert infinite == bool(_r(case, "warning_infinite")) == bool(fit.infinite)
    # R 3.5-3 returns NA coefficients without a warning; we also warn (a NaN HR needs a reason)
    singular = any("deemed to be singular" in w for w in fit.warnings)
    assert singular == any(math.isnan(_r(case, "coef", t)) for t in terms)


@pytest.mark.reference
def test_monotone_likelihood_warns():
    data = pd.read_csv(FIXTURES / "cox_input_mono.csv", float_precision="round_trip")
    with pytest.warns(CoxWarning, match=r"coefficient\(s\) of x; the coefficient may be infinite"):
        fit = cox(data, time="time", event="event", covariates=["x", "z"])
    assert len(fit.warnings) == 1 and "x" in fit.warnings[0] and " z" not in fit.warnings[0]
    assert fit.converged
    assert fit.infinite == ("x",)  # the term R names, for the report's "not estimable"


@pytest.mark.reference
def test_missing_values_are_dropped_and_counted():
    row = CASES.set_index("case").loc["lung_missing"]
    fit = fit_case(row)
    data = pd.read_csv(FIXTURES / "cox_input_lung.csv", float_precision="round_trip")
    used = data[["time", "event", "age", "meal_cal", "wt_loss"]]
    assert fit.n_dropped == int(used.isna().any(axis=1).sum()) == 57
    assert fit.n + fit.n_dropped == len(data)


def _tern_os(tern_adtte: pd.DataFrame) -> pd.DataFrame:
    os_ = tern_adtte[tern_adtte.PARAMCD == "OS"]
    return pd.DataFrame(
        {
            "time": os_.AVAL / 30.4375,
            "event": 1 - os_.CNSR,
            "ARMCD": os_.ARMCD,
            "SEX": os_.SEX,
            "AGE": os_.AGE,
        }
    )


@pytest.fixture(scope="module")
def tern_data():
    adtte = pd.read_csv(require(TERN / "tern_ex_adtte.csv"))
    expected = pd.read_csv(TERN / "expected_values_R_survival.csv")
    return adtte, expected


@pytest.mark.reference
@pytest.mark.parametrize("paramcd", ["OS", "PFS"])
@pytest.mark.parametrize("ties", ["efron", "breslow", "exact"])
def test_tern_pairwise_hazard_ratios(tern_data, paramcd, ties):
    adtte, expected = tern_data
    d = adtte[adtte.PARAMCD == paramcd]
    rows = expected[(expected.paramcd == paramcd) & (expected.conf_type == f"ties={ties}")]
    hr_rows = rows[rows.statistic == "cox_hr_wald_ci"]
    assert len(hr_rows) == 4
    for _, hr in hr_rows.iterrows():
        arm, ref = hr.group.split(" vs ")
        sub = d[d.ARMCD.isin([arm, ref])]
        data = pd.DataFrame({"t": sub.AVAL, "e": 1 - sub.CNSR, "arm": sub.ARMCD})
        fit = cox(data, time="t", event="e", covariates=["arm"], ties=ties, reference={"arm": ref})
        term = f"arm[{arm}]"
        assert fit.n == hr.n and fit.n_events == hr.events
        assert fit.table.at[term, "hr"] == pytest.approx(hr.estimate, rel=REL)
        assert fit.table.at[term, "hr_lower"] == pytest.approx(hr.lower, rel=REL)
        assert fit.table.at[term, "hr_upper"] == pytest.approx(hr.upper, rel=REL)
        p = rows[(rows.statistic == "cox_p_wald|lrt|score") & (rows.group == hr.group)].iloc[0]
        assert fit.wald_test.p_value == pytest.approx(p.estimate, rel=REL)
        assert fit.lr_test.p_value == pytest.approx(p.lower, rel=REL)
        assert fit.score_test.p_value == pytest.approx(p.upper, rel=REL)


@pytest.mark.reference
def test_tern_readme_example_hr():
    # README: OS ARM A vs reference ARM B: HR 0.7108557 (0.4779138, 1.0573368), printed digits
    d = pd.read_csv(require(TERN / "tern_ex_adtte.csv"))
    d = d[(d.PARAMCD == "OS") & d.ARMCD.isin(["ARM A", "ARM B"])]
    fit = cox(
        d.assign(e=1 - d.CNSR),
        time="AVAL",
        event="e",
        covariates=["ARMCD"],
        reference={"ARMCD": "ARM B"},
    )
    row = fit.table.loc["ARMCD[ARM A]"]
    assert (row.hr, row.hr_lower, row.hr_upper) == pytest.approx(
        (0.7108557, 0.4779138, 1.0573368),
        abs=5e-8,  # 7 printed decimals
    )


@pytest.mark.reference
@pytest.mark.parametrize("paramcd", ["OS", "PFS"])
def test_tern_multivariable(tern_data, paramcd):
    adtte, expected = tern_data
    d = adtte[adtte.PARAMCD == paramcd]
    data = pd.DataFrame(
        {"t": d.AVAL, "e": 1 - d.CNSR, "ARMCD": d.ARMCD, "SEX": d.SEX, "AGE": d.AGE}
    )
    fit = cox(data, time="t", event="e", covariates=["ARMCD", "SEX", "AGE"])
    rows = expected[
        (expected.paramcd == paramcd) & expected.statistic.str.startswith("multivar_cox_hr_ci")
    ]
    names = {
        "ARMCDARM B": "ARMCD[ARM B]",
        "ARMCDARM C": "ARMCD[ARM C]",
        "SEXM": "SEX[M]",
        "AGE": "AGE",
    }
    assert len(rows) == 4
    for _, r in rows.iterrows():
        term = names[r.group]
        assert fit.n == r.n and fit.n_events == r.events
        assert fit.table.at[term, "hr"] == pytest.approx(r.estimate, rel=REL)
        assert fit.table.at[term, "hr_lower"] == pytest.approx(r.lower, rel=REL)
        assert fit.table.at[term, "hr_upper"] == pytest.approx(r.upper, rel=REL)
    pw = expected[(expected.paramcd == paramcd) & (expected.statistic == "multivar_cox_wald_p")]
    for _, r in pw.iterrows():
        assert fit.table.at[names[r.group], "p"] == pytest.approx(r.estimate, rel=REL)


# ----------------------------------------------------------------------------- properties


@st.composite
def _survival_frames(draw):
    n = draw(st.integers(8, 25))
    t = draw(st.lists(st.integers(1, 12), min_size=n, max_size=n))
    e = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    x = draw(
        st.lists(
            st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 2)), min_size=n, max_size=n
        )
    )
    g = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    df = pd.DataFrame({"t": t, "e": e, "x": x, "g": g})
    if df.e.sum() < 3 or df.x.nunique() < 3 or df.g.nunique() < 2:
        e2 = np.array(e)
        e2[:3] = 1
        df["e"] = e2
        df["x"] = df.x + np.arange(n) * 0.01
        df.loc[0, "g"], df.loc[1, "g"] = "a", "b"
    return df


def _quiet_fit(df, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoxWarning)
        return cox(df, time="t", event="e", **kw)


@given(
    df=_survival_frames(), seed=st.integers(0, 2**16), ties=st.sampled_from(["efron", "breslow"])
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_invariant_to_row_order(df, seed, ties):
    a = _quiet_fit(df, covariates=["x", "g"], ties=ties)
    perm = np.random.default_rng(seed).permutation(len(df))
    b = _quiet_fit(df.iloc[perm].reset_index(drop=True), covariates=["x", "g"], ties=ties)
    if not (a.converged and not a.warnings):
        return
    np.testing.assert_allclose(a.table.coef, b.table.coef, rtol=1e-8, atol=1e-10)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-10)
    # NaN when no pair is comparable (e.g. every event at one time)
    assert a.concordance.concordance == pytest.approx(
        b.concordance.concordance, rel=1e-12, nan_ok=True
    )


@given(df=_survival_frames(), shift=st.floats(-100, 100, allow_nan=False))
@settings(max_examples=30, deadline=None)
def test_invariant_to_shifting_a_covariate_and_ci_contains_hr(df, shift):
    a = _quiet_fit(df, covariates=["x", "g"])
    b = _quiet_fit(df.assign(x=df.x + shift), covariates=["x", "g"])
    if a.warnings:
        return
    # centring removes the shift before fitting, so only rounding of x + shift remains
    np.testing.assert_allclose(a.table.coef, b.table.coef, rtol=1e-7, atol=1e-9)
    t = a.table
    assert (t.hr_lower <= t.hr).all() and (t.hr <= t.hr_upper).all()
    assert ((t.p >= 0) & (t.p <= 1)).all()


@pytest.mark.regression
def test_exact_equals_breslow_without_ties_and_differs_with_ties():
    row = CASES.set_index("case").loc["vet_exact"]
    data = pd.read_csv(FIXTURES / "cox_input_veteran.csv", float_precision="round_trip")
    exact = fit_case(row)
    breslow = cox(data, time="time", event="event", covariates=["karno", "trt"], ties="breslow")
    # veteran has tied death days, so the estimates differ (slightly)
    assert exact.table.at["karno", "coef"] != pytest.approx(
        breslow.table.at["karno", "coef"], rel=1e-6
    )
    assert exact.table.at["karno", "coef"] == pytest.approx(
        breslow.table.at["karno", "coef"], rel=0.05
    )


# ----------------------------------------------------------------------------- interface


def test_result_is_frozen_and_to_frame():
    fit = cox(_hand_data(), time="t", event="e", covariates=["x"])
    with pytest.raises(AttributeError):
        fit.loglik = 0.0  # type: ignore[misc]
    frame = fit.to_frame()
    assert list(frame.columns[:8]) == ["term", "coef", "se", "hr", "hr_lower", "hr_upper", "z", "p"]
    assert frame.ties.iloc[0] == "efron" and frame.n.iloc[0] == 6
    tests = fit.tests_frame()
    assert list(tests.test) == ["likelihood ratio", "wald", "score (log-rank)"]


def test_categorical_terms_and_reference():
    df = pd.DataFrame(
        {
            "t": [1, 2, 3, 4, 5, 6, 7, 8],
            "e": [1, 1, 1, 0, 1, 1, 0, 1],
            "g": ["b", "a", "c", "a", "b", "c", "a", "b"],
            "flag": [True, False, True, False, False, True, True, False],
        }
    )
    fit = cox(df, time="t", event="e", covariates=["g", "flag"])
    assert fit.terms == ("g[b]", "g[c]", "flag[True]")
    fit2 = cox(df, time="t", event="e", covariates=["g"], reference={"g": "c"})
    assert fit2.terms == ("g[a]", "g[b]")
    # relevelling re-expresses the same model: same likelihood, HR(b vs c) = HR(b vs a) / HR(c vs a)
    fit1 = cox(df, time="t", event="e", covariates=["g"])
    assert fit2.loglik == pytest.approx(fit1.loglik, rel=1e-12)
    assert fit2.table.at["g[b]", "hr"] == pytest.approx(
        fit1.table.at["g[b]", "hr"] / fit1.table.at["g[c]", "hr"], rel=1e-8
    )


def test_collinear_term_is_not_estimated():
    df = _hand_data().assign(x2=lambda d: 2 * d.x, c=1.0)
    with pytest.warns(CoxWarning, match="collinear"):
        fit = cox(df, time="t", event="e", covariates=["x", "x2", "c"])
    assert np.isnan(fit.table.at["x2", "coef"]) and np.isnan(fit.table.at["c", "coef"])
    base = cox(_hand_data(), time="t", event="e", covariates=["x"])
    assert fit.table.at["x", "coef"] == pytest.approx(base.table.at["x", "coef"], rel=1e-12)
    assert fit.lr_test.df == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"covariates": ["nope"]}, "not in data"),
        ({"covariates": []}, "at least one"),
        ({"covariates": ["x"], "ties": "discrete"}, "ties must be one of"),
        ({"covariates": ["x"], "conf_level": 95}, "conf_level"),
        ({"covariates": ["x"], "reference": {"x": 1}}, "numeric covariate"),
        ({"covariates": ["g"], "reference": {"g": "zz"}}, "not among its levels"),
        ({"covariates": ["x"], "event": "bad"}, "only 0"),
        ({"covariates": ["x"], "event": "none"}, "no events"),
    ],
)
def test_bad_input_raises_clear_errors(kwargs, message):
    df = _hand_data().assign(g=list("ababab"), bad=[0, 1, 2, 1, 0, 1], none=0)
    args = {"time": "t", "event": "e"} | kwargs
    with pytest.raises(ValueError, match=message):
        cox(df, **args)


@pytest.mark.reference
def test_everyone_failing_together_has_no_information():
    # R 3.5-3 (coxph, ties="exact"): coef 0, var ~ 0 (-4e-12) and "did not converge";
    # the exact likelihood is 1 whatever beta: we report the coefficient as not estimable
    # (zero information), as R does when its Cholesky finds the singular pivot.
    df = pd.DataFrame({"t": [1] * 6, "e": [1] * 6, "x": [0.0, 1, 2, 3, 4, 5]})
    with pytest.warns(CoxWarning, match="deemed to be singular"):
        fit = cox(df, time="t", event="e", covariates=["x"], ties="exact")
    assert fit.table.loc["x"].isna().all() and fit.lr_test.df == 0
    assert fit.loglik == fit.loglik_null == 0.0
    # Efron / Breslow: the approximations do carry (spurious) information, as in R
    efron = cox(df, time="t", event="e", covariates=["x"])
    assert efron.table.at["x", "coef"] == 0.0 and efron.table.at["x", "se"] > 0


def test_exact_with_weights_is_refused():
    df = _hand_data().assign(w=2.0)
    with pytest.raises(ValueError, match="weights"):
        cox(df, time="t", event="e", covariates=["x"], ties="exact", weights="w")
