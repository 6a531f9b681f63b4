"""Tests for oncocohort.stats.logrank.

Tiers: ``by_hand`` (exact fractions below), ``reference`` (R survival 3.5-3
``survdiff`` via tests/reference/km_logrank.R; shared tern expected values).
"""

from __future__ import annotations

from fractions import Fraction as Fr
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2

from oncocohort.stats.logrank import LogRank, logrank

# R's write.csv prints 15 significant digits; 1e-6 relative is the brief's bar.
RTOL = 1e-6

# ----------------------------------------------------------------------------
# by hand: A = {1 event, 3 event, 5 censored}, B = {2 event, 3 event, 4 censored}
#   t=1: n_A=3, n_B=3, d=1 (A)  -> E_A = 1/2, V = 1 * 5/5 * 3*3/36 = 1/4
#   t=2: n_A=2, n_B=3, d=1 (B)  -> E_A = 2/5, V = 1 * 4/4 * 2*3/25 = 6/25
#   t=3: n_A=2, n_B=2, d=2 (A,B)-> E_A = 1,   V = 2 * 2/3 * 2*2/16 = 1/3
# ----------------------------------------------------------------------------
TIME = [1, 3, 5, 2, 3, 4]
EVENT = [1, 1, 0, 1, 1, 0]
GROUP = ["A", "A", "A", "B", "B", "B"]


@pytest.mark.by_hand
def test_logrank_by_hand():
    res = logrank(TIME, EVENT, GROUP)
    e_a = Fr(1, 2) + Fr(2, 5) + 1
    v = Fr(1, 4) + Fr(6, 25) + Fr(1, 3)
    assert (e_a, v) == (Fr(19, 10), Fr(247, 300))
    stat = (2 - e_a) ** 2 / v
    assert stat == Fr(3, 247)
    assert res.table["group"].tolist() == ["A", "B"]
    assert res.table["n"].tolist() == [3, 3]
    assert res.table["observed"].tolist() == [2, 2]
    assert res.table["expected"].tolist() == pytest.approx([1.9, 2.1], rel=1e-14)
    assert res.table["o_minus_e"].tolist() == pytest.approx([0.1, -0.1], rel=1e-12)
    assert res.table["variance"].tolist() == pytest.approx([247 / 300] * 2, rel=1e-14)
    np.testing.assert_allclose(
        res.variance_matrix.to_numpy(), [[247 / 300, -247 / 300], [-247 / 300, 247 / 300]],
        rtol=1e-14,
    )
    assert res.statistic == pytest.approx(3 / 247, rel=1e-12)
    assert res.df == 1
    assert res.p_value == pytest.approx(chi2.sf(3 / 247, 1), rel=1e-12)


@pytest.mark.by_hand
def test_fleming_harrington_weights_by_hand():
    # pooled S(t-): 1 at t=1, 5/6 at t=2, 5/6 * 4/5 = 2/3 at t=3
    # rho=1: w = 1, 5/6, 2/3 -> O_A = 1 + 2/3, E_A = 1/2 + (5/6)(2/5) + (2/3)(1) = 3/2,
    #        V = 1/4 + (25/36)(6/25) + (4/9)(1/3) = 61/108 -> chi2 = (1/6)^2 / (61/108) = 3/61
    res = logrank(TIME, EVENT, GROUP, rho=1)
    assert res.table["observed"].iloc[0] == pytest.approx(5 / 3, rel=1e-14)
    assert res.table["expected"].iloc[0] == pytest.approx(3 / 2, rel=1e-14)
    assert res.table["variance"].iloc[0] == pytest.approx(61 / 108, rel=1e-14)
    assert res.statistic == pytest.approx(3 / 61, rel=1e-12)
    # gamma=1: w = 1 - S(t-) = 0, 1/6, 1/3 -> O_A = 1/3, E_A = (1/6)(2/5) + 1/3 = 2/5,
    #          V = (1/36)(6/25) + (1/9)(1/3) = 59/1350 -> chi2 = (1/15)^2 / (59/1350) = 6/59
    res = logrank(TIME, EVENT, GROUP, gamma=1)
    assert res.table["o_minus_e"].iloc[0] == pytest.approx(-1 / 15, rel=1e-12)
    assert res.table["variance"].iloc[0] == pytest.approx(59 / 1350, rel=1e-14)
    assert res.statistic == pytest.approx(6 / 59, rel=1e-12)
    assert (res.rho, res.gamma) == (0.0, 1.0)


@pytest.mark.by_hand
def test_stratified_is_the_sum_over_strata():
    strata = ["s1", "s1", "s2", "s2", "s1", "s2"]
    res = logrank(TIME, EVENT, GROUP, strata=strata)
    parts = [
        logrank(np.take(TIME, idx), np.take(EVENT, idx), np.take(GROUP, idx))
        for idx in ([0, 1, 4], [2, 3, 5])
    ]
    for col in ("observed", "expected", "variance"):
        assert res.table[col].tolist() == pytest.approx(
            [sum(p.table[col].iloc[i] for p in parts) for i in range(2)], rel=1e-14
        )
    # a single stratum is the unstratified test
    single = logrank(TIME, EVENT, GROUP, strata=["x"] * 6)
    assert single.statistic == pytest.approx(3 / 247, rel=1e-12)


@pytest.mark.by_hand
def test_trend_with_two_groups_equals_logrank():
    # k = 2: (c'U)^2 / c'Vc = U_A^2 / V_AA whatever the (distinct) scores
    res = logrank(TIME, EVENT, GROUP, trend=True, scores=[0, 5])
    assert res.statistic == pytest.approx(3 / 247, rel=1e-12)
    assert res.df == 1 and res.trend and res.scores == (0.0, 5.0)


def test_validation():
    with pytest.raises(ValueError, match="at least two"):
        logrank(TIME, EVENT, ["A"] * 6)
    with pytest.raises(ValueError, match="group must have the same length"):
        logrank(TIME, EVENT, GROUP[:5])
    with pytest.raises(ValueError, match="missing"):
        logrank(TIME, EVENT, ["A", None, "A", "B", "B", "B"])
    with pytest.raises(ValueError, match="strata"):
        logrank(TIME, EVENT, GROUP, strata=[1, 2])
    with pytest.raises(ValueError, match="rho"):
        logrank(TIME, EVENT, GROUP, rho=-1)
    with pytest.raises(ValueError, match="scores"):
        logrank(TIME, EVENT, GROUP, trend=True, scores=[1, 2, 3])
    with pytest.raises(ValueError, match="trend=True"):
        logrank(TIME, EVENT, GROUP, scores=[1, 2])
    with pytest.raises(ValueError, match="event must be 0"):
        logrank(TIME, [1, 2, 0, 1, 1, 0], GROUP)


def test_result_shape_is_stable():
    res = logrank(TIME, EVENT, GROUP)
    assert isinstance(res, LogRank)
    assert res.test.statistic == res.statistic
    frame = res.to_frame()
    assert list(frame.columns) == [
        "group", "n", "observed", "expected", "o_minus_e", "variance", "statistic", "df",
        "p_value",
    ]
    with pytest.raises(AttributeError):
        res.statistic = 0.0  # type: ignore[misc]


# ----------------------------------------------------------------------------
# reference: R survdiff
# ----------------------------------------------------------------------------
def _case_data(case: str, km_inputs):
    lung = km_inputs["lung"]
    lung_e = lung[lung["ph_ecog"].notna() & (lung["ph_ecog"] < 3)]
    vet = km_inputs["veteran"]
    aml = km_inputs["aml"]
    spec = {
        "lung_sex": (lung, "sex", None, {}),
        "lung_sex_rho1": (lung, "sex", None, {"rho": 1}),
        "lung_sex_rho0.5": (lung, "sex", None, {"rho": 0.5}),
        "lung_ecog": (lung_e, "ph_ecog", None, {}),
        "lung_ecog_rho1": (lung_e, "ph_ecog", None, {"rho": 1}),
        "lung_ecog_scores": (lung_e, "ph_ecog", None, {}),
        "lung_sex_strata_ecog": (lung_e, "sex", "ph_ecog", {}),
        "lung_ecog_strata_sex": (lung_e, "ph_ecog", "sex", {}),
        "lung_sex_strata_ecog_rho1": (lung_e, "sex", "ph_ecog", {"rho": 1}),
        "aml": (aml, "group", None, {}),
        "veteran_celltype": (vet, "celltype", None, {}),
        "veteran_trt_strata_prior": (vet, "trt", "prior", {}),
    }[case]
    d, g, s, kw = spec
    return d["time"], d["event"], d[g], (None if s is None else d[s]), kw


@pytest.mark.reference
def test_logrank_matches_r_survdiff(km_inputs, read_fixture):
    ref = read_fixture("logrank_results.csv")
    var = read_fixture("logrank_variance.csv")
    assert ref["case"].nunique() == 12
    for case, exp in ref.groupby("case", sort=False):
        time, event, group, strata, kw = _case_data(case, km_inputs)
        res = logrank(time, event, group, strata=strata, **kw)
        assert [str(g).removesuffix(".0") for g in res.table["group"]] == [
            str(g) for g in exp["group"]
        ], case
        for col in ("n", "observed", "expected", "variance"):
            np.testing.assert_allclose(res.table[col], exp[col], rtol=RTOL, err_msg=case)
        np.testing.assert_allclose(
            res.table["o_minus_e"], exp["observed"] - exp["expected"], rtol=RTOL, atol=1e-9
        )
        vm = var[var["case"] == case]
        k = len(exp)
        np.testing.assert_allclose(
            res.variance_matrix.to_numpy().ravel(order="F"), vm["value"], rtol=RTOL, atol=1e-9,
            err_msg=case,
        )
        assert vm.shape[0] == k * k
        np.testing.assert_allclose(
            [res.statistic, res.df, res.p_value],
            exp[["chisq", "df", "p_value"]].iloc[0], rtol=RTOL, err_msg=case,
        )
        if exp["trend_chisq"].notna().any():
            scores = [0, 1, 4] if case == "lung_ecog_scores" else None
            tr = logrank(time, event, group, strata=strata, trend=True, scores=scores, **kw)
            np.testing.assert_allclose(
                [tr.statistic, tr.p_value], exp[["trend_chisq", "trend_p"]].iloc[0],
                rtol=RTOL, err_msg=case,
            )
            assert tr.df == 1


@pytest.mark.reference
def test_tern_logrank(tern_expected, tern_adtte):
    exp = tern_expected[tern_expected["statistic"].str.startswith("logrank_")]
    assert len(exp) == 18
    for row in exp.itertuples():
        d = tern_adtte[tern_adtte["PARAMCD"] == row.paramcd]
        if row.group != "3 arms":
            d = d[d["ARMCD"].isin(row.group.split(" vs "))]
        strata = d["SEX"] if row.statistic.endswith("by_SEX") else None
        res = logrank(d["AVAL"] / 30.4375, 1 - d["CNSR"], d["ARMCD"], strata=strata)
        assert res.df == (2 if row.group == "3 arms" else 1)
        assert len(d) == row.n and res.table["observed"].sum() == row.events
        # the csv carries chisq in `estimate` and p in `lower`
        np.testing.assert_allclose([res.statistic, res.p_value], [row.estimate, row.lower],
                                   rtol=RTOL)


@pytest.mark.reference
def test_tern_readme_cross_check_logrank_p(tern_adtte):
    # README: OS ARM A vs ARM B log-rank p 0.09049511 (8 significant digits printed)
    d = tern_adtte[(tern_adtte["PARAMCD"] == "OS") & tern_adtte["ARMCD"].isin(["ARM A", "ARM B"])]
    res = logrank(d["AVAL"], 1 - d["CNSR"], d["ARMCD"])  # time scale does not matter
    assert res.p_value == pytest.approx(0.09049511, abs=5e-9)


@pytest.mark.reference
@pytest.mark.parametrize(("rho", "gamma"), [(0, 1), (1, 1), (0.5, 2)])
def test_fleming_harrington_gamma_matches_lifelines(km_inputs, rho, gamma):
    # R survdiff has no gamma; lifelines (an independent implementation) does: weights
    # S(t-)^p (1 - S(t-))^q, pooled KM. Values written by tests/reference/logrank_fh_lifelines.py.
    fx = pd.read_csv(Path(__file__).parents[1] / "reference" / "fixtures"
                     / "logrank_fh_lifelines.csv", float_precision="round_trip")
    ref = fx[(fx["rho"] == rho) & (fx["gamma"] == gamma)].iloc[0]
    d = km_inputs["lung"]
    res = logrank(d["time"], d["event"], d["sex"], rho=rho, gamma=gamma)
    # both are double-precision sums of the same ~200 terms, stored with repr(): 1e-10 relative
    assert res.statistic == pytest.approx(ref["statistic"], rel=1e-10)
    assert res.p_value == pytest.approx(ref["p_value"], rel=1e-10)


# ----------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(
    st.integers(4, 40).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 10), min_size=n, max_size=n),
            st.lists(st.integers(0, 1), min_size=n, max_size=n),
            st.lists(st.integers(0, 2), min_size=n, max_size=n),
            st.randoms(use_true_random=False),
        )
    ),
    st.sampled_from([0.0, 1.0]),
)
def test_properties(data, rho):
    time, event, group, rnd = data
    if len(set(group)) < 2:
        return
    res = logrank(time, event, group, rho=rho)
    # sum of O - E is zero and every row of V sums to zero
    assert abs(res.table["o_minus_e"].sum()) < 1e-9
    np.testing.assert_allclose(res.variance_matrix.to_numpy().sum(axis=1), 0, atol=1e-9)
    if rho == 0:
        assert res.table["observed"].sum() == sum(event)
    if np.isfinite(res.statistic):
        assert res.statistic >= -1e-12 and 0 <= res.p_value <= 1
    order = list(range(len(time)))
    rnd.shuffle(order)
    shuffled = logrank(np.take(time, order), np.take(event, order), np.take(group, order), rho=rho)
    pd.testing.assert_frame_equal(shuffled.table, res.table, rtol=1e-10)
    np.testing.assert_allclose(shuffled.statistic, res.statistic, rtol=1e-9)
