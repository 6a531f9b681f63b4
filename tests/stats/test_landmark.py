"""Tests of oncocohort.stats.landmark: landmark data sets, Mantel-Byar, Simon-Makuch.

Reference values come from ``tests/reference/landmark.R`` (R 4.2.2, survival 3.5-3): the
Stanford heart transplant data (days and whole weeks), the tern OS by tumour response and a
small case, in ``tmerge`` counting-process form. Tolerance: rel 1e-6 as the brief asks
(agreement is ~1e-14).
"""

from __future__ import annotations

from fractions import Fraction as Fr

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2

from oncocohort.stats.kaplan_meier import kaplan_meier
from oncocohort.stats.landmark import landmark, mantel_byar, simon_makuch, status_at
from oncocohort.stats.logrank import logrank

REL = 1e-6
NAN = float("nan")

# ----------------------------------------------------------------------------- by hand
# Ten subjects; s = time the status was acquired. Subject 4 has it from the start (s = 0),
# subjects 5 and 9 acquire it at their event time and subject 10 after follow-up (never),
# subjects 2, 6, 7 during follow-up.
TIME = [2, 3, 3, 5, 6, 7, 8, 9, 4, 6]
EVENT = [1, 1, 0, 1, 1, 0, 1, 0, 1, 1]
STATUS = [NAN, 1, NAN, 0, 6, 2, 3, NAN, 4, 9]
# event time: (n0, n1, d0, d1) with n counting the subjects in each group at t
RISK = {2: (8, 2, 1, 0), 3: (6, 3, 0, 1), 4: (4, 3, 1, 0), 5: (3, 3, 0, 1), 6: (3, 2, 2, 0),
        8: (1, 1, 0, 1)}


@pytest.mark.by_hand
def test_mantel_byar_by_hand():
    o_e, var = Fr(0), Fr(0)
    for n0, n1, d0, d1 in RISK.values():
        n, d = n0 + n1, d0 + d1
        o_e += d1 - Fr(d * n1, n)
        var += Fr(d * (n - d), n - 1) * Fr(n1 * n0, n * n)
    assert o_e == Fr(5, 21)  # O = 3, E = 1/5 + 1/3 + 3/7 + 1/2 + 4/5 + 1/2 = 58/21
    assert var == Fr(4, 25) + Fr(2, 9) + Fr(12, 49) + Fr(1, 4) + Fr(9, 25) + Fr(1, 4)
    res = mantel_byar(TIME, EVENT, STATUS)
    assert res.statistic == pytest.approx(float(o_e**2 / var), rel=1e-13)
    assert res.variance == pytest.approx(float(var), rel=1e-13)
    assert res.p_value == pytest.approx(chi2.sf(res.statistic, 1), rel=1e-13)
    assert res.table.group.tolist() == ["without", "with"]
    assert res.table.observed.tolist() == [4, 3]
    assert res.table.expected.sum() == pytest.approx(7, rel=1e-14)
    assert res.test.df == 1


@pytest.mark.by_hand
def test_simon_makuch_by_hand():
    sm = simon_makuch(TIME, EVENT, STATUS, conf_type="plain")
    t = sm.table
    without = t[t.group == "without"]
    # rows of the "without" group end at 1 (switch), 2 (event + switch), 3 (censoring +
    # switch), 4 (event), 6 (two events), 9 (censoring)
    assert without.time.tolist() == [1, 2, 3, 4, 6, 9]
    assert without.n_at_risk.tolist() == [9, 8, 6, 4, 3, 1]
    assert without.n_events.tolist() == [0, 1, 0, 1, 2, 0]
    assert without.n_censored.tolist() == [1, 1, 2, 0, 0, 1]
    expected = [1, Fr(7, 8), Fr(7, 8), Fr(21, 32), Fr(7, 32), Fr(7, 32)]
    np.testing.assert_allclose(without.survival, [float(x) for x in expected], rtol=1e-14)
    with_ = t[t.group == "with"]
    assert with_.time.tolist() == [3, 5, 7, 8]
    assert with_.n_at_risk.tolist() == [3, 3, 2, 1]
    np.testing.assert_allclose(with_.survival, [2 / 3, 4 / 9, 4 / 9, 0], rtol=1e-14)
    # Greenwood at t = 5 in the "with" group: 1/(3*2) + 1/(3*2)
    se5 = with_.std_err.iloc[1]
    assert se5 == pytest.approx(4 / 9 * np.sqrt(1 / 3), rel=1e-13)
    curve = sm.curve("with")
    assert curve.survival_at([4]).survival.iloc[0] == pytest.approx(2 / 3)


@pytest.mark.by_hand
def test_simon_makuch_curves_begin_where_their_first_patient_enters():
    """Nobody has the status at 0: the "with" group is empty until the first acquisition
    (t = 1), so its curve begins there at 1, not at time 0 (the review's Fig 20 drew
    100% from 0 with 0 patients at risk). Rows: with (1, 4] event, (3, 5], (6, 9]; without
    (0, 2] event, (0, 1], (0, 3], (0, 7] event, (0, 6]."""
    sm = simon_makuch([2, 4, 5, 7, 9], [1, 1, 0, 1, 0], [NAN, 1, 3, NAN, 6])
    assert sm.entry == (0.0, 1.0)
    with_ = sm.table[sm.table.group == "with"]
    assert with_.time.tolist() == [4, 5, 9]
    assert with_.n_at_risk.tolist() == [2, 1, 1]  # at 4: (1, 4] and (3, 5]
    np.testing.assert_allclose(with_.survival, [1 / 2, 1 / 2, 1 / 2], rtol=1e-14)
    # the status from the start: both groups begin at 0; nobody acquiring it: NaN
    assert simon_makuch(TIME, EVENT, STATUS).entry == (0.0, 0.0)
    assert np.isnan(simon_makuch([2, 3], [1, 0], [NAN, NAN]).entry[1])


@pytest.mark.by_hand
def test_landmark_by_hand():
    groups = np.where(status_at(STATUS, 3), "responder", "non-responder")
    # acquired by 3: subjects 2 (s=1), 4 (s=0), 6 (s=2), 7 (s=3)
    assert groups.tolist().count("responder") == 4
    lm = landmark(TIME, EVENT, at=3, groups=groups)
    # kept: time > 3 -> subjects 4, 5, 6, 7, 8, 9, 10 (rows 3..9)
    assert lm.data.row.tolist() == [3, 4, 5, 6, 7, 8, 9]
    assert lm.data.time.tolist() == [2, 3, 4, 5, 6, 1, 3]
    assert lm.n_excluded == 3 and lm.n_events_before == 2
    assert lm.groups == ("non-responder", "responder")
    assert lm.table.n.tolist() == [4, 3] and lm.table.n_events.tolist() == [3, 2]
    km = lm.kaplan_meier()["responder"]  # subjects 4 (2, event), 6 (4, cens), 7 (5, event)
    np.testing.assert_allclose(km.table.survival, [2 / 3, 2 / 3, 0.0])
    d = lm.to_frame()
    ref = logrank(d.time, d.event, d.group)
    assert lm.logrank().statistic == pytest.approx(ref.statistic, rel=1e-14)


# ----------------------------------------------------------------------------- reference: R

CASES = ["heart", "heart_weeks", "tern", "small"]


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES)
def test_mantel_byar_matches_r(read_fixture, case):
    ref = read_fixture("lm_mantel_byar.csv").set_index("case").loc[case]
    d = read_fixture(f"lm_input_{case}.csv")
    res = mantel_byar(d.time, d.event, d.status_time)
    assert res.statistic == pytest.approx(ref.statistic, rel=REL)
    assert res.p_value == pytest.approx(ref.p, rel=REL)
    assert res.table.o_minus_e.iloc[1] == pytest.approx(ref.o_minus_e, rel=REL)
    assert res.variance == pytest.approx(ref.variance, rel=REL)
    assert res.table.observed.iloc[1] == ref.observed_with
    if not np.isnan(ref.score_exact):  # coxph(ties = "exact") score test: the same test
        assert res.statistic == pytest.approx(ref.score_exact, rel=REL)
    if case in ("heart", "heart_weeks", "small"):  # tied deaths: Efron and Breslow differ
        assert abs(res.statistic / ref.score_efron - 1) > 1e-3
        assert abs(res.statistic / ref.score_breslow - 1) > 1e-3
    else:  # no tied event times: all three score tests are Mantel-Byar
        assert res.statistic == pytest.approx(ref.score_efron, rel=REL)
        assert res.statistic == pytest.approx(ref.score_breslow, rel=REL)


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES)
def test_simon_makuch_matches_survfit_counting_process(read_fixture, case):
    ref = read_fixture("lm_simon_makuch.csv")
    ref = ref[ref.case == case].assign(status=lambda r: r.status.astype(str))
    d = read_fixture(f"lm_input_{case}.csv")
    sm = simon_makuch(d.time, d.event, d.status_time, labels=("0", "1"))
    merged = sm.table.merge(
        ref, left_on=["group", "time"], right_on=["status", "time"], how="outer", indicator=True
    )
    assert (merged["_merge"] == "both").all() and len(merged) == len(ref)
    np.testing.assert_array_equal(merged.n_at_risk, merged.n_risk)
    np.testing.assert_array_equal(merged.n_events, merged.n_event)
    np.testing.assert_array_equal(merged.n_censored, merged.n_censor)
    for ours, theirs in (("survival", "surv"), ("std_err_x", "std_err_y"),
                         ("lower_x", "lower_y"), ("upper_x", "upper_y")):
        a, b = merged[ours].to_numpy(float), merged[theirs].to_numpy(float)
        assert np.array_equal(np.isnan(a), np.isnan(b)), ours
        ok = ~np.isnan(b)
        np.testing.assert_allclose(a[ok], b[ok], rtol=REL, atol=1e-15, err_msg=ours)


@pytest.mark.reference
def test_landmark_analyses_match_r(read_fixture):
    ref = read_fixture("lm_landmark.csv")
    checked = 0
    for (case, at), r in ref.groupby(["case", "at"]):
        d = read_fixture(f"lm_input_{case}.csv")
        lm = landmark(d.time, d.event, at=at,
                      groups=np.where(status_at(d.status_time, at), "yes", "no"))
        q = r[r.quantity != "survival"].set_index("quantity").value
        assert len(lm.data) == q["n"] and lm.n_excluded == q["n_excluded"]
        assert lm.logrank().statistic == pytest.approx(q["chisq"], rel=REL)
        fit = lm.cox()
        assert fit.table.coef.iloc[0] == pytest.approx(q["coef"], rel=REL)
        assert fit.table.se.iloc[0] == pytest.approx(q["se"], rel=REL)
        km = lm.kaplan_meier()
        for g, rows in r[r.quantity == "survival"].groupby("group"):
            got = km[g].survival_at(rows.time.to_numpy()).survival
            np.testing.assert_allclose(got, rows.value, rtol=REL)
        checked += 1
    assert checked == 7


# ----------------------------------------------------------------------------- properties

subjects = st.lists(
    st.tuples(st.integers(1, 8), st.integers(0, 1), st.booleans()), min_size=3, max_size=30
)


@settings(max_examples=60, deadline=None)
@given(subjects)
def test_status_from_the_start_gives_log_rank_and_kaplan_meier(rows):
    time = np.array([t for t, _, _ in rows], dtype=float)
    event = np.array([e for _, e, _ in rows])
    fixed = np.array([g for _, _, g in rows])
    status_time = np.where(fixed, 0.0, np.nan)
    if fixed.all() or not fixed.any() or not event.any():
        return
    mb = mantel_byar(time, event, status_time)
    lr = logrank(time, event, fixed)
    if np.isfinite(lr.statistic):
        assert mb.statistic == pytest.approx(lr.statistic, rel=1e-10, abs=1e-12)
    sm = simon_makuch(time, event, status_time)
    km = kaplan_meier(time[fixed], event[fixed]).table
    with_ = sm.table[sm.table.group == "with"]
    np.testing.assert_allclose(with_.survival, km.survival, rtol=1e-12)
    np.testing.assert_array_equal(with_.n_at_risk, km.n_at_risk)


# ----------------------------------------------------------------------------- errors


def test_bad_input_is_reported():
    with pytest.raises(ValueError, match="status_time must have the same length"):
        mantel_byar([1, 2], [1, 0], [1])
    with pytest.raises(ValueError, match="negative"):
        simon_makuch([1, 2], [1, 0], [-1, 0])
    with pytest.raises(ValueError, match="time must be > 0"):
        mantel_byar([0, 2], [1, 0], [NAN, 1])
    with pytest.raises(ValueError, match="no subject is still at risk"):
        landmark([1, 2], [1, 0], at=5, groups=["a", "b"])
    with pytest.raises(ValueError, match="at must be"):
        landmark([1, 2], [1, 0], at=-1, groups=["a", "b"])
    with pytest.raises(ValueError, match="groups has 1 missing"):
        landmark([1, 2], [1, 0], at=0.5, groups=["a", None])
    with pytest.raises(ValueError, match="unknown group"):
        simon_makuch(TIME, EVENT, STATUS).curve("responders")


def test_results_are_frozen_and_framed():
    res = mantel_byar(TIME, EVENT, STATUS, labels=("no response", "response"))
    assert res.to_frame().group.tolist() == ["no response", "response"]
    with pytest.raises(AttributeError):
        res.statistic = 0.0  # type: ignore[misc]
    sm = simon_makuch(TIME, EVENT, STATUS)
    at = sm.survival_at([0, 4, 10])
    assert at.group.tolist() == ["without"] * 3 + ["with"] * 3
    assert isinstance(sm.to_frame(), pd.DataFrame)
