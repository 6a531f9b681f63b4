"""Tests for oncocohort.stats.competing_risks (Aalen-Johansen cumulative incidence, Gray's test).

Tiers: ``by_hand`` (exact fractions below), ``reference`` (R 4.2.2, survival 3.5-3 and cmprsk
2.2-11 via tests/reference/competing_risks.R; fixtures ``cr_*`` are written with
``sprintf("%.17g")``, so R's doubles are reproduced exactly), and properties.

Tolerance: rel 1e-6 as the brief asks; in practice estimates, variances and bounds agree with R
to ~1e-12 (the same sums in a different order).
"""

from __future__ import annotations

import math
from fractions import Fraction as Fr

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2, norm

from oncocohort.stats.competing_risks import cumulative_incidence, gray_test
from oncocohort.stats.kaplan_meier import kaplan_meier

REL = 1e-6
Z95 = float(norm.isf(0.025))

# ----------------------------------------------------------------------------- by hand
# Nine subjects. t=2: a death (cause 2) and a censoring; t=4: two cause-1 events (a tie);
# t=5: a cause-2 event and a censoring; the last subject fails of cause 1 at t=6 (S = 0).
HAND_TIME = [1, 2, 2, 3, 4, 4, 5, 5, 6]
HAND_CAUSE = [1, 2, 0, 1, 1, 1, 0, 2, 1]
# risk sets: t=1: Y=9; t=2: 8; t=3: 6; t=4: 5; t=5: 3; t=6: 1
# all-cause KM S(t): 8/9, 7/9, 35/54, 7/18, 7/27, 0
HAND_S = {1: Fr(8, 9), 2: Fr(7, 9), 3: Fr(35, 54), 4: Fr(7, 18), 5: Fr(7, 27), 6: Fr(0)}
# F1 jumps by S(t-) d1 / Y: 1/9; (7/9)(1/6) = 7/54; (35/54)(2/5) = 14/54; (7/27)(1/1)
HAND_F1 = {1: Fr(1, 9), 3: Fr(13, 54), 4: Fr(1, 2), 6: Fr(41, 54)}
# F2 jumps: (8/9)(1/8) = 1/9 at t=2; (7/18)(1/3) = 7/54 at t=5
HAND_F2 = {2: Fr(1, 9), 5: Fr(13, 54)}
HAND_Y = {1: 9, 2: 8, 3: 6, 4: 5, 5: 3, 6: 1}
HAND_D = {1: (1, 0), 2: (0, 1), 3: (1, 0), 4: (2, 0), 5: (0, 1), 6: (1, 0)}


def _s_before(t):
    earlier = [u for u in HAND_S if u < t]
    return HAND_S[max(earlier)] if earlier else Fr(1)


def _f_at(curve, t):
    earlier = [u for u in curve if u <= t]
    return curve[max(earlier)] if earlier else Fr(0)


def _hand_aalen_variance(k: int, t: int) -> Fr:
    """cmprsk's variance written as a plain double sum over times (no running sums)."""
    curve = HAND_F1 if k == 1 else HAND_F2
    f_t = _f_at(curve, t)
    total = Fr(0)
    for u in sorted(HAND_Y):
        if u > t:
            break
        y, (d1, d2) = HAND_Y[u], HAND_D[u]
        d_k, d_o = (d1, d2) if k == 1 else (d2, d1)
        s_minus, s_u, f_u = _s_before(u), HAND_S[u], _f_at(curve, u)
        for d, own in ((d_k, True), (d_o, False)):
            if d == 0 or (not own and s_u == 0):
                continue
            tie = 1 - Fr(d - 1, y - 1) if d > 1 else Fr(1)
            c = s_minus**2 * tie * d / y**2
            ratio = (f_u - f_t) / s_u if s_u > 0 else Fr(0)
            total += c * ((1 + ratio) ** 2 if own else ratio**2)
    return total


@pytest.mark.by_hand
def test_aalen_johansen_by_hand():
    ci = cumulative_incidence(HAND_TIME, HAND_CAUSE, conf_type="plain")
    tab = ci.table
    assert list(tab.columns) == [
        "cause", "time", "n_at_risk", "n_events", "cif", "std_err", "lower", "upper"
    ]
    assert ci.causes == (1, 2) and ci.groups is None and ci.n == 9
    for k, curve in ((1, HAND_F1), (2, HAND_F2)):
        rows = tab[tab.cause == k]
        assert rows.time.tolist() == sorted(curve)
        assert rows.n_at_risk.tolist() == [HAND_Y[t] for t in sorted(curve)]
        assert rows.n_events.tolist() == [HAND_D[t][k - 1] for t in sorted(curve)]
        for row in rows.itertuples():
            assert row.cif == pytest.approx(float(curve[row.time]), rel=1e-14)
    # S + F1 + F2 = 1 at every time
    for t, s in HAND_S.items():
        assert s + _f_at(HAND_F1, t) + _f_at(HAND_F2, t) == 1


@pytest.mark.by_hand
def test_aalen_variance_by_hand():
    # e.g. cause 1 at t=3: (41/48)^2/81 [t=1] + (1/6)^2/81 [t=2, death] + 49/2916 [t=3]
    assert _hand_aalen_variance(1, 3) == Fr(41, 48) ** 2 / 81 + Fr(1, 36) / 81 + Fr(49, 2916)
    ci = cumulative_incidence(HAND_TIME, HAND_CAUSE, conf_type="plain")
    for row in ci.table.itertuples():
        var = _hand_aalen_variance(row.cause, row.time)
        se = math.sqrt(float(var))
        assert row.std_err == pytest.approx(se, rel=1e-12)
        assert row.lower == pytest.approx(max(row.cif - Z95 * se, 0.0), rel=1e-12, abs=1e-15)
        assert row.upper == pytest.approx(min(row.cif + Z95 * se, 1.0), rel=1e-12)


def _aj_exact(times, causes, weights, k):
    """Aalen-Johansen from first principles in exact arithmetic: {time: F_k(time)}."""
    s, f, out = Fr(1), Fr(0), {}
    for t in sorted(set(times)):
        y = sum(w for u, w in zip(times, weights, strict=True) if u >= t)
        d = sum(w for u, c, w in zip(times, causes, weights, strict=True) if u == t and c > 0)
        dk = sum(w for u, c, w in zip(times, causes, weights, strict=True) if u == t and c == k)
        f += s * dk / y
        s *= 1 - d / y
        out[t] = f
    return out


@pytest.mark.by_hand
@pytest.mark.parametrize("weighted", [False, True])
def test_ij_variance_is_the_jackknife_of_the_weights(weighted):
    # IJ variance = sum_i (w_i dF/dw_i)^2; the derivative of the (rational) estimator by an exact
    # central difference with h = 1e-12: error O(h^2), far below the tolerance
    weights = [Fr(1)] * 9 if not weighted else [Fr(x) for x in (1, 2, 1, 3, 1, 1, 2, 1, 1)]
    ci = cumulative_incidence(
        HAND_TIME, HAND_CAUSE, weights=[float(w) for w in weights], variance="ij"
    )
    h = Fr(1, 10**12)
    for k in (1, 2):
        grads = []
        for i in range(9):
            up, down = list(weights), list(weights)
            up[i] += h
            down[i] -= h
            f_up = _aj_exact(HAND_TIME, HAND_CAUSE, up, k)
            f_down = _aj_exact(HAND_TIME, HAND_CAUSE, down, k)
            grads.append({t: weights[i] * (f_up[t] - f_down[t]) / (2 * h) for t in f_up})
        rows = ci.table[ci.table.cause == k]
        for row in rows.itertuples():
            var = sum(g[row.time] ** 2 for g in grads)
            assert row.std_err == pytest.approx(math.sqrt(float(var)), rel=1e-9)


@pytest.mark.by_hand
def test_at_carries_forward_and_counts_events_per_interval():
    ci = cumulative_incidence(HAND_TIME, HAND_CAUSE)
    at = ci.at([5, 0.5, 4, 10])  # sorted, as R
    c1 = at[at.cause == 1]
    assert c1.time.tolist() == [0.5, 4, 5, 10]
    assert c1.n_at_risk.tolist() == [9, 5, 3, 0]
    assert c1.n_events.tolist() == [0, 4, 0, 1]  # (0, 0.5], (0.5, 4], (4, 5], (5, 10]
    assert c1.cif.tolist() == pytest.approx([0.0, 0.5, 0.5, 41 / 54], rel=1e-14)
    first = c1.iloc[0]
    assert (first.std_err, first.lower, first.upper) == (0.0, 0.0, 0.0)
    rows = ci.table[ci.table.cause == 1].set_index("time")
    assert c1.std_err.iloc[2] == rows.loc[4, "std_err"]


# ----------------------------------------------------------------------------- reference: R

CASES = {  # fixture case -> (input data, grouped, weighted)
    "mgus2": ("mgus2", True, False),
    "mgus2_one": ("mgus2", False, False),
    "mgus2_wt": ("mgus2", True, True),
    "example": ("example", True, False),
    "tern": ("tern", True, False),
    "tern_month": ("tern_month", True, False),
    "small": ("small", True, False),
    "small_wt": ("small", True, True),
}


def _input(read_fixture, data: str) -> pd.DataFrame:
    d = read_fixture(f"cr_input_{data}.csv")
    d["group"] = d["group"].astype(str)
    return d


def _close(ours, theirs, rel=REL) -> None:
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    ok = ~np.isnan(theirs)
    np.testing.assert_allclose(ours[ok], theirs[ok], rtol=rel, atol=0)


@pytest.mark.reference
@pytest.mark.parametrize("case", ["mgus2", "example", "tern", "tern_month", "small"])
@pytest.mark.parametrize("grouped", [False, True])
def test_aalen_variance_matches_cmprsk_cuminc(read_fixture, case, grouped):
    ref = read_fixture("cr_cuminc.csv")
    ref = ref[(ref.case == case) & (ref.grouped == int(grouped))]
    ref["group"] = ref["group"].fillna("").astype(str)
    d = _input(read_fixture, case)
    ci = cumulative_incidence(d.time, d.cause, group=d.group if grouped else None)
    tab = ci.table.assign(group=ci.table.group if grouped else "")
    checked = 0
    for (g, cause, kind), r in ref.groupby(["group", "cause", "kind"]):
        if kind == "event":
            ours = tab[(tab.group == g) & (tab.cause == cause)]
            _close(ours.time, r.time, rel=0)
        else:  # cmprsk gives NA past the group's last observation; we carry forward
            at = ci.at(r.time.to_numpy())
            ours = at[at.cause == cause]
            if grouped:
                ours = ours[ours.group == g]
            keep = r["est"].notna().to_numpy()
            ours, r = ours[keep], r[keep]
        _close(ours.cif, r.est)
        _close(ours.std_err**2, r["var"])
        checked += len(r)
    assert checked > 20


@pytest.mark.reference
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("conf_type", ["log-log", "plain", "log"])
def test_ij_variance_and_bands_match_survfit_multistate(read_fixture, case, conf_type):
    data, grouped, weighted = CASES[case]
    ref = read_fixture("cr_survfit.csv")
    ref = ref[(ref.case == case) & (ref.conf_type == conf_type)]
    d = _input(read_fixture, data)
    ci = cumulative_incidence(
        d.time, d.cause, group=d.group if grouped else None,
        weights=d.weight if weighted else None, variance="ij", conf_type=conf_type,
    )
    tab = ci.table.assign(group=ci.table.group if grouped else "")
    ref = ref.assign(group=ref.group.fillna("").astype(str))
    merged = tab.merge(ref, on=["group", "cause", "time"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all() and len(merged) == len(ref) > 10
    _close(merged.cif, merged.pstate)
    _close(merged.std_err_x, merged.std_err_y)
    _close(merged.lower_x, merged.lower_y)
    _close(merged.upper_x, merged.upper_y)
    if weighted:  # R's multi-state n.risk/n.event are unweighted; ours are weighted sums
        for row in merged.sample(10, random_state=1).itertuples():
            sel = (d.time >= row.time) & ((d.group == row.group) if grouped else True)
            assert row.n_at_risk == pytest.approx(d.weight[sel].sum(), rel=1e-12)
    else:
        _close(merged.n_at_risk, merged.n_risk, rel=0)
        _close(merged.n_events, merged.n_event, rel=0)


@pytest.mark.reference
@pytest.mark.parametrize("case", list(CASES))
def test_at_matches_survfit_summary_extend(read_fixture, case):
    data, grouped, weighted = CASES[case]
    ref = read_fixture("cr_survfit_at.csv")
    ref = ref[ref.case == case].assign(group=lambda r: r.group.fillna("").astype(str))
    d = _input(read_fixture, data)
    ci = cumulative_incidence(
        d.time, d.cause, group=d.group if grouped else None,
        weights=d.weight if weighted else None, variance="ij",
    )
    at = ci.at(np.unique(ref.time))
    at = at.assign(group=at.group if grouped else "")
    merged = at.merge(ref, on=["group", "cause", "time"], how="inner")
    assert len(merged) == len(ref)
    _close(merged.cif, merged.pstate)
    _close(merged.std_err_x, merged.std_err_y)
    pos = merged.cif > 0  # R gives 0 or NA bounds where F = 0; ours are 0 there
    _close(merged.lower_x[pos], merged.lower_y[pos])
    _close(merged.upper_x[pos], merged.upper_y[pos])
    zero = merged[~pos]
    assert (zero.lower_x == 0).all() and (zero.upper_x == 0).all()
    assert (zero.lower_y.fillna(0) == 0).all() and (zero.upper_y.fillna(0) == 0).all()
    if not weighted:
        _close(merged.n_at_risk, merged.n_risk, rel=0)
        _close(merged.n_events, merged.n_event, rel=0)


@pytest.mark.reference
def test_gray_test_matches_cmprsk(read_fixture):
    ref = read_fixture("cr_gray.csv")
    inputs = {}
    for row in ref.itertuples():
        d = inputs.setdefault(row.case, _input(read_fixture, row.case))
        res = gray_test(
            d.time, d.cause, d.group, cause_of_interest=row.cause,
            strata=d.strata if row.stratified else None, rho=row.rho,
        )
        assert res.statistic == pytest.approx(row.stat, rel=REL), row
        assert res.df == row.df
        # p from the upper tail: equal to R's pchisq(lower.tail = FALSE)
        assert res.p_value == pytest.approx(row.p_upper, rel=REL), row
    assert len(ref) == 57  # 5 data sets x 3 rho x (un)stratified, per cause


@pytest.mark.reference
def test_gray_p_value_keeps_tiny_digits():
    # a large separation: cmprsk's 1 - pchisq would round to 0
    rng = np.random.default_rng(3)
    n = 1000
    group = np.repeat([0, 1], n // 2)
    time = rng.exponential(1.0, n)
    cause = np.where(rng.random(n) < np.where(group == 0, 0.3, 0.7), 1, 2)
    res = gray_test(time, cause, group)
    assert 0 < res.p_value < 1e-20
    assert 1 - chi2.cdf(res.statistic, 1) == 0.0


# ----------------------------------------------------------------------------- properties

times_strategy = st.lists(
    st.tuples(st.integers(1, 8), st.integers(0, 3)), min_size=2, max_size=30
)


@settings(max_examples=60, deadline=None)
@given(times_strategy)
def test_one_cause_is_one_minus_kaplan_meier_with_greenwood(rows):
    time = [t for t, _ in rows]
    cause = [min(c, 1) for _, c in rows]
    if not any(cause):
        return
    ci = cumulative_incidence(time, cause, variance="ij")
    km = kaplan_meier(time, cause).table.set_index("time")
    for row in ci.table.itertuples():
        assert row.cif == pytest.approx(1 - km.loc[row.time, "survival"], abs=1e-12)
        se_km = km.loc[row.time, "std_err"]
        if np.isfinite(se_km):  # the IJ variance of 1 - KM is Greenwood's
            assert row.std_err == pytest.approx(se_km, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(times_strategy, st.randoms(use_true_random=False))
def test_incidences_and_survival_add_to_one_and_order_is_irrelevant(rows, rnd):
    time = np.array([t for t, _ in rows], dtype=float)
    cause = np.array([c for _, c in rows])
    if not (cause > 0).any():
        return
    ci = cumulative_incidence(time, cause)
    grid = np.arange(0, 10)
    total = ci.at(grid).groupby("time").cif.sum().to_numpy()
    surv = kaplan_meier(time, cause > 0).survival_at(grid).survival.to_numpy()
    np.testing.assert_allclose(total + surv, 1.0, atol=1e-12)
    perm = list(range(len(rows)))
    rnd.shuffle(perm)
    again = cumulative_incidence(time[perm], cause[perm])
    pd.testing.assert_frame_equal(ci.table, again.table, rtol=1e-12)


# ----------------------------------------------------------------------------- errors


def test_bad_input_is_reported():
    with pytest.raises(ValueError, match="weights need variance='ij'"):
        cumulative_incidence([1, 2], [1, 0], weights=[1, 1])
    with pytest.raises(ValueError, match="cause must be 0"):
        cumulative_incidence([1, 2, 3], [1, 0.5, 2])
    with pytest.raises(ValueError, match="first at position 1"):
        cumulative_incidence([1, -2, 3], [1, 0, 2])
    with pytest.raises(ValueError, match="no events"):
        cumulative_incidence([1, 2], [0, 0])
    with pytest.raises(ValueError, match="conf_type"):
        cumulative_incidence([1, 2], [1, 0], conf_type="arcsin")
    with pytest.raises(ValueError, match="variance"):
        cumulative_incidence([1, 2], [1, 0], variance="greenwood")
    with pytest.raises(ValueError, match="group has 1 missing"):
        cumulative_incidence([1, 2], [1, 0], group=["a", None])
    with pytest.raises(ValueError, match="at least two"):
        gray_test([1, 2], [1, 2], ["a", "a"])
    with pytest.raises(ValueError, match="causes present: \\[1, 2\\]"):
        gray_test([1, 2, 3], [1, 2, 0], ["a", "b", "a"], cause_of_interest=3)


def test_result_is_frozen_and_to_frame_records_options():
    ci = cumulative_incidence(HAND_TIME, HAND_CAUSE, group=list("aaaabbbbb"))
    with pytest.raises(AttributeError):
        ci.variance = "ij"  # type: ignore[misc]
    frame = ci.to_frame()
    assert frame.columns[0] == "group" and set(frame.variance) == {"aalen"}
    assert ci.groups == ("a", "b")
    # a group without any event of a cause still answers .at() (0)
    at = ci.at([10])
    assert len(at) == 4


def test_docstring_example_runs():
    import doctest

    from oncocohort.stats import competing_risks

    assert doctest.testmod(competing_risks).failed == 0
