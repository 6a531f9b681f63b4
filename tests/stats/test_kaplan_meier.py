"""Tests for oncocohort.stats.kaplan_meier (Kaplan-Meier, quantiles, follow-up).

Tiers: ``by_hand`` (exact fractions worked out below), ``reference`` (R survival
3.5-3 via tests/reference/km_logrank.R, and the shared tern expected values).
"""

from __future__ import annotations

import math
from fractions import Fraction as Fr

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from oncocohort.stats.kaplan_meier import KaplanMeier, follow_up, kaplan_meier

Z95 = float(norm.isf(0.025))
# Reference values are printed by R's write.csv with 15 significant digits, so a
# relative tolerance of 1e-6 (the brief's) is far above the representation error.
RTOL = 1e-6

# ----------------------------------------------------------------------------
# by hand
# ----------------------------------------------------------------------------
# Seven subjects; an event and a censoring tie at t = 3 (the censored subject is
# at risk at 3). Risk sets: t=2: 7 at risk, 1 event; t=3: 6, 1 event + 1 censored;
# t=5: 4, 1 event; t=6: 3, censored; t=8: 2, 1 event; t=9: 1, censored.
HAND_TIME = [5, 3, 9, 2, 8, 3, 6]
HAND_EVENT = [1, 0, 0, 1, 1, 1, 0]
HAND_S = {2: Fr(6, 7), 3: Fr(5, 7), 5: Fr(15, 28), 6: Fr(15, 28), 8: Fr(15, 56), 9: Fr(15, 56)}
HAND_GW = {  # cumulative Greenwood sum d / (n (n - d)) = Var(log S)
    2: Fr(1, 42),
    3: Fr(1, 42) + Fr(1, 30),
    5: Fr(1, 42) + Fr(1, 30) + Fr(1, 12),
}
HAND_GW[6] = HAND_GW[5]
HAND_GW[8] = HAND_GW[5] + Fr(1, 2)
HAND_GW[9] = HAND_GW[8]


@pytest.mark.by_hand
def test_table_by_hand_with_tie_between_event_and_censoring():
    km = kaplan_meier(HAND_TIME, HAND_EVENT, conf_type="plain")
    tab = km.table
    assert list(tab.columns) == [
        "time", "n_at_risk", "n_events", "n_censored", "survival", "std_err", "lower", "upper",
    ]
    assert tab["time"].tolist() == [2, 3, 5, 6, 8, 9]
    assert tab["n_at_risk"].tolist() == [7, 6, 4, 3, 2, 1]
    assert tab["n_events"].tolist() == [1, 1, 1, 0, 1, 0]
    assert tab["n_censored"].tolist() == [0, 1, 0, 1, 0, 1]
    for row in tab.itertuples():
        s = HAND_S[row.time]
        se = float(s) * math.sqrt(HAND_GW[row.time])  # Greenwood SE of S
        assert row.survival == pytest.approx(float(s), rel=1e-14)
        assert row.std_err == pytest.approx(se, rel=1e-12)
        assert row.lower == pytest.approx(max(float(s) - Z95 * se, 0.0), rel=1e-12)
        assert row.upper == pytest.approx(min(float(s) + Z95 * se, 1.0), rel=1e-12)
    assert km.n == 7 and km.n_events == 4


@pytest.mark.by_hand
def test_band_formulas_by_hand_at_t5():
    s, var_log = float(HAND_S[5]), float(HAND_GW[5])
    sigma = math.sqrt(var_log)
    expected = {
        "log": (s * math.exp(-Z95 * sigma), min(s * math.exp(Z95 * sigma), 1.0)),
        # log-log: S ** exp(+-z sigma / log S)
        "log-log": (s ** math.exp(-Z95 * sigma / math.log(s)),
                    s ** math.exp(Z95 * sigma / math.log(s))),
        "arcsin": (
            math.sin(math.asin(math.sqrt(s)) - 0.5 * Z95 * sigma * math.sqrt(s / (1 - s))) ** 2,
            math.sin(math.asin(math.sqrt(s)) + 0.5 * Z95 * sigma * math.sqrt(s / (1 - s))) ** 2,
        ),
    }
    for conf_type, (lo, hi) in expected.items():
        row = kaplan_meier(HAND_TIME, HAND_EVENT, conf_type=conf_type).table.iloc[2]
        assert row.time == 5
        assert row.lower == pytest.approx(lo, rel=1e-12), conf_type
        assert row.upper == pytest.approx(hi, rel=1e-12), conf_type


@pytest.mark.by_hand
def test_quantiles_by_hand():
    km = kaplan_meier(HAND_TIME, HAND_EVENT)
    # S(3) = 5/7 <= 0.75 first at t = 3; S(8) = 15/56 <= 0.5 first at t = 8
    assert km.quantile(0.25).estimate == 3
    assert km.median.estimate == 8
    # the curve ends at 15/56 = 0.268 > 0.25: the third quartile is not reached
    assert math.isnan(km.quantile(0.75).estimate)


@pytest.mark.by_hand
def test_median_on_exact_flat_stretch_is_the_midpoint():
    # S = 7/8, 6/8, 5/8, 4/8 at t = 1, 2, 3, 5; the censoring at 7 leaves S = 1/2
    # until the next event at 9 -> median (5 + 9) / 2 = 7. S = 6/8 = 0.75 on [2, 3)
    # -> first quartile (2 + 3) / 2 = 2.5.
    km = kaplan_meier([1, 2, 3, 5, 7, 9, 10, 12], [1, 1, 1, 1, 0, 1, 1, 0])
    assert km.median.estimate == 7.0
    assert km.quantile(0.25).estimate == 2.5
    # flat at 1/2 to the end of follow-up (last time 9): midpoint with the last time
    km6 = kaplan_meier([1, 2, 3, 4, 5, 9], [1, 1, 1, 0, 0, 0])
    assert km6.median.estimate == 6.0
    assert math.isnan(km6.quantile(0.75).estimate)  # never reaches 1/4


@pytest.mark.by_hand
def test_a_missing_median_limit_is_not_reached_or_not_estimable():
    # HAND: S = 15/56 after t = 8 and to the end (t = 9 censored); the upper log-log band is
    # 0.670 from t = 8 on, above 0.5 wherever defined: the upper limit is not reached (NR).
    km = kaplan_meier(HAND_TIME, HAND_EVENT)
    assert km.median.estimate == 8 and km.median.lower == 2 and math.isnan(km.median.upper)
    assert km.quantile_limits_undefined() == (False, False)
    # The same with t = 9 an event: S falls to 0, where the band is undefined (R: NA): the
    # upper limit is not estimable (NE), the lower one (t = 2) is unchanged.
    km = kaplan_meier(HAND_TIME, [1, 0, 1, 1, 1, 1, 0])
    assert km.to_frame()["survival"].iloc[-1] == 0 and math.isnan(km.median.upper)
    assert km.quantile_limits_undefined() == (False, True)
    # One patient, one event: the median is the event time, both limits not estimable.
    km = kaplan_meier([3.9], [1])
    assert km.median.estimate == 3.9 and math.isnan(km.median.lower)
    assert km.quantile_limits_undefined() == (True, True)
    # No event: the median is not reached, and so are its limits.
    assert kaplan_meier([1.0, 2.0], [0, 0]).quantile_limits_undefined() == (False, False)


def test_symmetric_median_interval_spss_by_hand():
    # Collett / SPSS: SE(t_p) = SE(S(t_p)) / f, f = (S(u) - S(l)) / (l - u),
    # u = max{t_j: S >= 0.55} = 3 (S = 5/7), l = min{t_j: S <= 0.45} = 8 (S = 15/56)
    km = kaplan_meier(HAND_TIME, HAND_EVENT)
    med = km.quantile(0.5, interval="symmetric")
    density = (Fr(5, 7) - Fr(15, 56)) / (8 - 3)
    assert density == Fr(5, 56)
    se_s = float(HAND_S[8]) * math.sqrt(HAND_GW[8])
    half = Z95 * se_s / float(density)
    assert med.estimate == 8
    assert med.lower == pytest.approx(8 - half, rel=1e-12)
    assert med.upper == pytest.approx(8 + half, rel=1e-12)


@pytest.mark.by_hand
def test_weighted_curve_reaches_exactly_zero():
    # last risk set: weight 0.7 + 0.1 = 0.8, both events -> S = 0 exactly (not 1e-17)
    km = kaplan_meier([1, 2, 3, 3], [1, 0, 1, 1], weights=[0.3, 0.3, 0.7, 0.1], robust=False)
    assert km.table["n_at_risk"].tolist() == pytest.approx([1.4, 1.1, 0.8], rel=1e-14)
    assert km.table["survival"].iloc[-1] == 0.0
    assert np.isnan(km.table[["std_err", "lower", "upper"]].iloc[-1]).all()
    # the robust (IJ) variance, R's default for these weights, is 0 there (as R)
    robust = kaplan_meier([1, 2, 3, 3], [1, 0, 1, 1], weights=[0.3, 0.3, 0.7, 0.1])
    assert robust.robust and robust.table["std_err"].iloc[-1] == 0.0


def test_symmetric_interval_does_not_depend_on_the_band():
    # the SPSS interval uses SE(S) (Greenwood), whatever scale the band is drawn on
    meds = {ct: kaplan_meier(HAND_TIME, HAND_EVENT, conf_type=ct).quantile(0.5, "symmetric")
            for ct in ("log-log", "log", "plain", "arcsin")}
    assert len({(m.lower, m.upper) for m in meds.values()}) == 1
    with pytest.raises(ValueError, match="interval must be one of"):
        kaplan_meier(HAND_TIME, HAND_EVENT).quantile(0.5, interval="spss")
    with pytest.raises(ValueError, match="conf_type"):
        kaplan_meier(HAND_TIME, HAND_EVENT, conf_type="symmetric")


def test_symmetric_interval_is_nan_when_not_estimable():
    # median not reached -> no interval; l_p = min{S <= 0.5 - 0.05} missing -> NaN
    km = kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0])
    med = km.quantile(0.5, interval="symmetric")
    assert math.isnan(med.estimate) and math.isnan(med.lower) and math.isnan(med.upper)
    km = kaplan_meier([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 0, 0])
    med = km.quantile(0.5, interval="symmetric")  # S = 1/2 exactly from t = 3 to the end: estimate (3 + 6)/2, no l_p
    assert med.estimate == 4.5 and math.isnan(med.lower) and math.isnan(med.upper)


@pytest.mark.by_hand
def test_survival_at_carries_forward_and_counts_at_risk():
    km = kaplan_meier(HAND_TIME, HAND_EVENT)
    at = km.survival_at([0, 2, 4, 8.5, 9, 20])
    assert at["survival"].tolist() == pytest.approx(
        [1, 6 / 7, 5 / 7, 15 / 56, 15 / 56, 15 / 56], rel=1e-14
    )
    # at risk = subjects with time >= t; 0 after the last observation
    assert at["n_at_risk"].tolist() == [7, 7, 4, 1, 1, 0]
    assert km.n_at_risk_at([0, 2, 4, 8.5, 9, 20]).tolist() == [7, 7, 4, 1, 1, 0]
    assert at.loc[0, ["lower", "upper", "std_err"]].tolist() == [1, 1, 0]


@pytest.mark.by_hand
def test_reverse_km_follow_up_by_hand():
    # Reverse KM: censorings become events. Censored at 3, 6, 9; the event at 3 is
    # still at risk for the censoring at 3: t=3: 6 at risk -> 5/6; t=6: 3 at risk ->
    # 5/6 * 2/3 = 5/9 ; t=9: 1 at risk -> 0.  Median: first G <= 1/2 is t = 9.
    fu = follow_up(HAND_TIME, HAND_EVENT)
    assert fu.estimate == 9
    obs = follow_up(HAND_TIME, HAND_EVENT, method="observed")
    assert obs.estimate == 5 and math.isnan(obs.lower) and math.isnan(obs.upper)


@pytest.mark.by_hand
def test_integer_weights_equal_repeated_rows():
    w = [2, 1, 3, 1, 1, 2, 1]
    weighted = kaplan_meier(HAND_TIME, HAND_EVENT, weights=w).table
    repeated = kaplan_meier(np.repeat(HAND_TIME, w), np.repeat(HAND_EVENT, w)).table
    pd.testing.assert_frame_equal(weighted, repeated, rtol=1e-12)


# ----------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("time", "event", "kwargs", "message"),
    [
        ([1, -2], [1, 0], {}, "negative"),
        ([1, np.nan], [1, 0], {}, "missing"),
        ([1, 2], [1, 2], {}, "event must be 0"),
        ([1, 2], [1, np.nan], {}, "event must be 0"),
        ([1, 2, 3], [1, 0], {}, "same length"),
        ([], [], {}, "empty"),
        ([1, 2], [1, 0], {"conf_type": "logit"}, "conf_type"),
        ([1, 2], [1, 0], {"conf_level": 1.5}, "conf_level"),
        ([1, 2], [1, 0], {"weights": [1, -1]}, "weights"),
        ([1, 2], [1, 0], {"weights": [1]}, "weights"),
    ],
)
def test_invalid_input_raises(time, event, kwargs, message):
    with pytest.raises(ValueError, match=message):
        kaplan_meier(time, event, **kwargs)


def test_invalid_quantile_and_follow_up_method():
    km = kaplan_meier(HAND_TIME, HAND_EVENT)
    with pytest.raises(ValueError, match="fraction"):
        km.quantile(50)
    with pytest.raises(ValueError, match="method"):
        follow_up(HAND_TIME, HAND_EVENT, method="mean")


def test_result_is_frozen():
    km = kaplan_meier(HAND_TIME, HAND_EVENT)
    assert isinstance(km, KaplanMeier)
    with pytest.raises(AttributeError):
        km.conf_type = "log"  # type: ignore[misc]
    assert km.to_frame() is not km.table


# ----------------------------------------------------------------------------
# reference: R survival 3.5-3 (tests/reference/km_logrank.R)
# ----------------------------------------------------------------------------
def _fit(km_inputs, case: str, conf_type: str) -> KaplanMeier:
    if case.startswith("lung_weighted"):
        d = km_inputs["lung"]
        col = "wt_frac" if case.endswith("frac") else "wt"
        # the fixture is weighted Greenwood (R robust = FALSE); the robust default for
        # fractional weights is checked against km_weighted.R in test_kaplan_meier_robust.py
        return kaplan_meier(
            d["time"], d["event"], conf_type=conf_type, weights=d[col], robust=False
        )
    d = km_inputs[case]
    return kaplan_meier(d["time"], d["event"], conf_type=conf_type)


def _close(got, expected) -> None:
    np.testing.assert_allclose(
        np.asarray(got, dtype=float), np.asarray(expected, dtype=float),
        rtol=RTOL, atol=0, equal_nan=True,
    )


@pytest.mark.reference
def test_table_matches_r(km_inputs, read_fixture):
    ref = read_fixture("km_table.csv")
    assert ref["case"].nunique() >= 10 and ref["conf_type"].nunique() == 4
    for (case, conf_type), exp in ref.groupby(["case", "conf_type"]):
        tab = _fit(km_inputs, case, conf_type).table
        assert tab["time"].tolist() == exp["time"].tolist(), case  # times exactly
        for ours, theirs in [("n_at_risk", "n_risk"), ("n_events", "n_event"),
                             ("n_censored", "n_censor"), ("survival", "surv"),
                             ("std_err", "std_err"), ("lower", "lower"), ("upper", "upper")]:
            _close(tab[ours], exp[theirs])
        # R's fit$std.err is the SE of log S
        _close(tab["std_err"] / tab["survival"], exp["std_err_log"].where(exp["surv"] > 0))


@pytest.mark.reference
def test_quantiles_match_r(km_inputs, read_fixture):
    ref = read_fixture("km_quantile.csv")
    for row in ref.itertuples():
        q = _fit(km_inputs, row.case, row.conf_type).quantile(row.prob)
        _close([q.estimate, q.lower, q.upper], [row.quantile, row.lower, row.upper])


@pytest.mark.reference
def test_flat_stretch_cases_are_in_the_r_fixture(read_fixture):
    ref = read_fixture("km_quantile.csv").set_index(["case", "conf_type", "prob"])
    assert ref.loc[("flat4", "log", 0.5), "quantile"] == 7.0
    assert ref.loc[("flat4", "log", 0.25), "quantile"] == 2.5
    assert ref.loc[("flat6", "log", 0.5), "quantile"] == 6.0


@pytest.mark.reference
def test_survival_at_matches_r_summary_extend(km_inputs, read_fixture):
    ref = read_fixture("km_survival_at.csv")
    for (case, conf_type), exp in ref.groupby(["case", "conf_type"]):
        at = _fit(km_inputs, case, conf_type).survival_at(exp["time"])
        for ours, theirs in [("survival", "surv"), ("std_err", "std_err"),
                             ("lower", "lower"), ("upper", "upper"), ("n_at_risk", "n_risk")]:
            _close(at[ours], exp[theirs])


@pytest.mark.reference
def test_reverse_km_follow_up_matches_r(km_inputs, read_fixture):
    for row in read_fixture("km_followup.csv").itertuples():
        d = km_inputs[row.case]
        fu = follow_up(d["time"], d["event"], conf_type=row.conf_type)
        _close([fu.estimate, fu.lower, fu.upper], [row.median, row.lower, row.upper])
        assert follow_up(d["time"], d["event"], method="observed").estimate == pytest.approx(
            row.observed_median, rel=1e-15
        )


# ----------------------------------------------------------------------------
# reference: shared tern expected values (R survival 3.5-3, tern_ex_adtte)
# ----------------------------------------------------------------------------
TERN_CONF = {"plain": "plain", "log": "log", "log-log": "log-log"}


@pytest.mark.reference
def test_tern_km_quantiles_and_rates(tern_expected, tern_adtte):
    exp = tern_expected[tern_expected["statistic"].str.startswith("km_")]
    assert len(exp) == 90
    for row in exp.itertuples():
        d = tern_adtte[(tern_adtte["PARAMCD"] == row.paramcd) & (tern_adtte["ARMCD"] == row.group)]
        km = kaplan_meier(d["AVAL"] / 30.4375, 1 - d["CNSR"], conf_type=TERN_CONF[row.conf_type])
        assert (km.n, km.n_events) == (row.n, row.events)
        if row.statistic.startswith("km_rate_"):
            months = float(row.statistic.removeprefix("km_rate_").removesuffix("m_pct"))
            at = km.survival_at([months]).iloc[0]
            got = [100 * at.survival, 100 * at.lower, 100 * at.upper]
        else:
            q = km.quantile(int(row.statistic[4:6]) / 100)
            got = [q.estimate, q.lower, q.upper]
        _close(got, [row.estimate, row.lower, row.upper])


@pytest.mark.reference
def test_tern_readme_cross_check_os_arm_b(tern_adtte):
    # README: OS ARM B median 23.91143, plain CI (18.25878, 32.85945) (7 digits printed)
    d = tern_adtte[(tern_adtte["PARAMCD"] == "OS") & (tern_adtte["ARMCD"] == "ARM B")]
    med = kaplan_meier(d["AVAL"] / 30.4375, 1 - d["CNSR"], conf_type="plain").median
    assert [med.estimate, med.lower, med.upper] == pytest.approx(
        [23.91143, 18.25878, 32.85945], abs=5e-6
    )
    # README: 6-month rate 82.19178 % with plain CI (73.41549, 90.96807)
    at = kaplan_meier(d["AVAL"] / 30.4375, 1 - d["CNSR"], conf_type="plain").survival_at(6)
    assert 100 * at.loc[0, ["survival", "lower", "upper"]].to_numpy() == pytest.approx(
        [82.19178, 73.41549, 90.96807], abs=5e-6
    )


# ----------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------
survival_data = st.integers(min_value=1, max_value=40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 15), min_size=n, max_size=n),
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
        st.randoms(use_true_random=False),
    )
)


@settings(max_examples=60, deadline=None)
@given(survival_data, st.sampled_from(["log-log", "log", "plain", "arcsin"]))
def test_properties(data, conf_type):
    time, event, rnd = data
    km = kaplan_meier(time, event, conf_type=conf_type)
    tab = km.table
    surv = tab["survival"].to_numpy()
    assert (np.diff(surv) <= 0).all() and (surv >= 0).all() and (surv <= 1).all()
    finite = tab["lower"].notna() & tab["upper"].notna()
    assert (tab.loc[finite, "lower"] <= surv[finite] + 1e-12).all()
    assert (tab.loc[finite, "upper"] >= surv[finite] - 1e-12).all()
    assert tab["n_at_risk"].iloc[0] == len(time)
    # invariance to row order
    order = list(range(len(time)))
    rnd.shuffle(order)
    shuffled = kaplan_meier(np.take(time, order), np.take(event, order), conf_type=conf_type)
    pd.testing.assert_frame_equal(shuffled.table, tab)
    for p in (0.25, 0.5, 0.75):
        a, b = km.quantile(p), shuffled.quantile(p)
        np.testing.assert_equal([a.estimate, a.lower, a.upper], [b.estimate, b.lower, b.upper])
        # the quantile CI contains the estimate where both are defined
        if not math.isnan(a.estimate):
            assert math.isnan(a.lower) or a.lower <= a.estimate
            assert math.isnan(a.upper) or a.upper >= a.estimate
