"""Tests of oncocohort.stats.rmst: RMST and RMTL by hand, against R survival 3.5-3, properties.

Reference values come from ``tests/reference/rmst.R`` (R 4.2.2; ``summary(survfit(...),
rmean = tau)$table``; the survRM2 contrasts computed there from survfit's rmean and se by
survRM2's formulas, survRM2 not being installed; RMTL from the multi-state survfit with
``influence = TRUE``). Tolerance: rel 1e-6 as the brief asks (agreement is ~1e-13).
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

from oncocohort.stats.rmst import rmst, rmtl

REL = 1e-6
Z95 = float(norm.isf(0.025))

# ----------------------------------------------------------------------------- by hand
# Seven subjects (as in test_kaplan_meier): S = 6/7 from t=2, 5/7 from 3, 15/28 from 5,
# 15/56 from 8. To tau = 7: 2*1 + 1*6/7 + 2*5/7 + 2*15/28 = 75/14.
KM_TIME = [5, 3, 9, 2, 8, 3, 6]
KM_EVENT = [1, 0, 0, 1, 1, 1, 0]


@pytest.mark.by_hand
def test_rmst_by_hand():
    res = rmst(KM_TIME, KM_EVENT, 7)
    # areas from each event time to tau: A(2) = 47/14, A(3) = 5/2, A(5) = 15/14;
    # Greenwood terms d / (Y (Y - d)): 1/42, 1/30, 1/12
    var = Fr(47, 14) ** 2 / 42 + Fr(5, 2) ** 2 / 30 + Fr(15, 14) ** 2 / 12
    row = res.table.iloc[0]
    assert list(res.table.columns) == ["n", "n_events", "rmst", "se", "lower", "upper"]
    assert row.rmst == pytest.approx(75 / 14, rel=1e-14)
    assert row.se == pytest.approx(math.sqrt(float(var)), rel=1e-13)
    assert row.lower == pytest.approx(75 / 14 - Z95 * row.se, rel=1e-14)
    assert (row.n, row.n_events) == (7, 4)
    assert res.contrasts.empty
    # tau exactly at an event time and at the last follow-up time (9) are allowed
    assert rmst(KM_TIME, KM_EVENT, 5).table.rmst.iloc[0] == pytest.approx(2 + 6 / 7 + 10 / 7)
    last = rmst(KM_TIME, KM_EVENT, 9).table.rmst.iloc[0]
    assert last == pytest.approx(75 / 14 + 15 / 28 + 15 / 56, rel=1e-14)


@pytest.mark.by_hand
def test_two_group_contrasts_by_hand():
    time = KM_TIME + [1, 2, 4, 6, 9, 9]
    event = KM_EVENT + [1, 1, 1, 0, 1, 0]
    group = ["a"] * 7 + ["b"] * 6
    res = rmst(time, event, 7, group=group)
    a, b = res.table.set_index("group").loc[["a", "b"]].itertuples(index=False)
    diff = res.difference
    assert diff.estimate == pytest.approx(b.rmst - a.rmst, rel=1e-14)
    assert diff.se == pytest.approx(math.hypot(a.se, b.se), rel=1e-14)
    assert diff.lower == pytest.approx(diff.estimate - Z95 * diff.se, rel=1e-14)
    assert diff.p_value == pytest.approx(2 * norm.sf(abs(diff.estimate) / diff.se), rel=1e-14)
    ratio = res.ratio
    log_se = math.sqrt((a.se / a.rmst) ** 2 + (b.se / b.rmst) ** 2)
    assert ratio.estimate == pytest.approx(b.rmst / a.rmst, rel=1e-14)
    assert ratio.se == pytest.approx(log_se, rel=1e-14)
    assert ratio.upper == pytest.approx(b.rmst / a.rmst * math.exp(Z95 * log_se), rel=1e-13)
    # the reference can be chosen: the contrast flips
    flipped = rmst(time, event, 7, group=group, reference="b")
    assert flipped.difference.estimate == pytest.approx(-diff.estimate, rel=1e-14)
    assert flipped.ratio.estimate == pytest.approx(1 / ratio.estimate, rel=1e-14)


# the 9-subject competing-risks case of test_competing_risks: F1 = 1/9 from t=1, 13/54 from
# 3, 1/2 from 4, 41/54 from 6. To tau = 5: 1/9 + 1/9 + 13/54 + 1/2 = 26/27.
CR_TIME = [1, 2, 2, 3, 4, 4, 5, 5, 6]
CR_CAUSE = [1, 2, 0, 1, 1, 1, 0, 2, 1]


def _rmtl_exact(weights, k: int, tau) -> Fr:
    s, f, area, last = Fr(1), Fr(0), Fr(0), Fr(0)
    for t in sorted(set(CR_TIME)):
        if t > tau:
            break
        area += f * (t - last)
        last = t
        y = sum(w for u, w in zip(CR_TIME, weights, strict=True) if u >= t)
        d = sum(w for u, c, w in zip(CR_TIME, CR_CAUSE, weights, strict=True) if u == t and c)
        dk = sum(w for u, c, w in zip(CR_TIME, CR_CAUSE, weights, strict=True)
                 if u == t and c == k)
        f += s * dk / y
        s *= 1 - d / y
    return area + f * (tau - last)


@pytest.mark.by_hand
@pytest.mark.parametrize("k, tau", [(1, 5), (2, 5), (1, Fr(11, 2)), (2, 6)])
def test_rmtl_and_its_jackknife_variance_by_hand(k, tau):
    ones = [Fr(1)] * 9
    if (k, tau) == (1, 5):
        assert _rmtl_exact(ones, 1, 5) == Fr(26, 27)
    res = rmtl(CR_TIME, CR_CAUSE, float(tau), cause_of_interest=k)
    assert res.table.rmtl.iloc[0] == pytest.approx(float(_rmtl_exact(ones, k, tau)), rel=1e-14)
    # IJ variance: sum of squared derivatives with respect to each subject's weight (exact
    # central difference of the rational estimator, error O(h^2))
    h = Fr(1, 10**12)
    var = Fr(0)
    for i in range(9):
        up, down = list(ones), list(ones)
        up[i] += h
        down[i] -= h
        var += ((_rmtl_exact(up, k, tau) - _rmtl_exact(down, k, tau)) / (2 * h)) ** 2
    assert res.table.se.iloc[0] == pytest.approx(math.sqrt(float(var)), rel=1e-9)
    assert res.cause == k


# ----------------------------------------------------------------------------- reference: R


@pytest.mark.reference
def test_rmst_matches_survfit_rmean(read_fixture):
    ref = read_fixture("rmst_results.csv")
    contrasts = read_fixture("rmst_contrasts.csv")
    checked = 0
    for (case, tau), r in ref.groupby(["case", "tau"]):
        d = read_fixture(f"rmst_input_{case}.csv")
        res = rmst(d.time, d.event, tau, group=d.group)
        ours = res.table.set_index("group").loc[r.group]
        np.testing.assert_allclose(ours.rmst, r.rmean, rtol=REL)
        np.testing.assert_allclose(ours.se, r.se, rtol=REL)
        assert ours.n.tolist() == r.n.tolist() and ours.n_events.tolist() == r.events.tolist()
        c = contrasts[(contrasts.case == case) & (contrasts.tau == tau)].set_index("group")
        oc = res.contrasts.set_index("group").loc[c.index]
        assert (oc.reference == c.reference).all()
        for col in c.columns.drop(["case", "tau", "reference"]):
            np.testing.assert_allclose(oc[col], c[col], rtol=REL, err_msg=col)
        if len(c) == 1:
            assert res.difference.estimate == pytest.approx(c.difference.iloc[0], rel=REL)
            assert res.ratio.p_value == pytest.approx(c.ratio_p.iloc[0], rel=REL)
        checked += len(r)
    assert checked == 37


@pytest.mark.reference
def test_rmtl_matches_survfit_multistate_rmean(read_fixture):
    ref = read_fixture("rmtl_results.csv")
    ref["group"] = ref["group"].fillna("").astype(str)
    for (case, grouped, tau, cause), r in ref.groupby(["case", "grouped", "tau", "cause"]):
        d = read_fixture(f"rmtl_input_{case}.csv")
        res = rmtl(d.time, d.cause, tau, cause_of_interest=int(cause),
                   group=d.group if grouped else None)
        ours = res.table.set_index("group").loc[r.group] if grouped else res.table
        # a cause absent from a group has RMTL 0 and SE 0 in both
        np.testing.assert_allclose(ours.rmtl, r.rmean, rtol=REL, atol=1e-14)
        np.testing.assert_allclose(ours.se, r.se, rtol=REL, atol=1e-14)
    assert len(ref) == 75


# ----------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 9), st.integers(0, 2)), min_size=2, max_size=30),
       st.integers(1, 9))
def test_rmst_plus_time_lost_to_each_cause_is_tau(rows, tau):
    time = np.array([t for t, _ in rows], dtype=float)
    cause = np.array([c for _, c in rows])
    if tau > time.max() or not (cause > 0).any():
        return
    surv = rmst(time, cause > 0, tau).table.rmst.iloc[0]
    lost = sum(
        rmtl(time, cause, tau, cause_of_interest=k).table.rmtl.iloc[0]
        for k in np.unique(cause[cause > 0])
    )
    assert surv + lost == pytest.approx(tau, rel=1e-12)
    assert 0 <= surv <= tau


# ----------------------------------------------------------------------------- errors


def test_tau_beyond_follow_up_names_the_largest_usable_tau():
    time = [1, 2, 3, 10, 1, 4, 6]
    event = [1, 0, 1, 0, 1, 1, 0]
    group = ["a"] * 4 + ["b"] * 3
    with pytest.raises(ValueError, match=r"tau = 7 is beyond .*\(group\(s\) b\).* tau is 6"):
        rmst(time, event, 7, group=group)
    with pytest.raises(ValueError, match="largest usable tau is 10"):
        rmst(time, event, 11)
    with pytest.raises(ValueError, match="largest usable tau is 6"):
        rmtl(time, [1, 0, 2, 0, 1, 2, 0], 6.5, group=group)
    with pytest.raises(ValueError, match="tau must be"):
        rmst(time, event, 0)
    with pytest.raises(ValueError, match="reference 'c' is not a group"):
        rmst(time, event, 5, group=group, reference="c")
    with pytest.raises(ValueError, match="cause_of_interest 3"):
        rmtl(time, [1, 0, 2, 0, 1, 2, 0], 5, cause_of_interest=3)


def test_difference_needs_two_groups():
    three = rmst([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 0], 2, group=list("aabbcc"))
    assert len(three.contrasts) == 2 and set(three.contrasts.reference) == {"a"}
    with pytest.raises(ValueError, match="exactly two groups"):
        three.difference  # noqa: B018
    frame = three.to_frame()
    assert frame.columns[0] == "group" and (frame.tau == 2).all()


def test_docstring_example_runs():
    import doctest
    import importlib

    module = importlib.import_module("oncocohort.stats.rmst")
    assert doctest.testmod(module).failed == 0
    pd.testing.assert_frame_equal(
        rmst([1, 2], [1, 0], 1).table, rmst([2, 1], [0, 1], 1).table
    )
