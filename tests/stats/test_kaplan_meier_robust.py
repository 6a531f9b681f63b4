"""Tests of the robust (infinitesimal jackknife) variance of the Kaplan-Meier estimate.

By hand (exact fractions), against R survival 3.5-3 (``tests/reference/km_weighted.R``:
fractional weights, where R's default is robust; clusters such as matched pairs; robust
without weights), and properties. Tolerance rel 1e-6 as asked; observed ~1e-13.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncocohort.stats.kaplan_meier import kaplan_meier

RTOL = 1e-6


@pytest.fixture(scope="module")
def robust_inputs(read_fixture):
    return read_fixture("km_input_weighted.csv")


def _fit(inputs: pd.DataFrame, case: pd.Series, conf_type: str):
    d = inputs[inputs["data"] == case["data"]]
    if case["cluster"]:
        d = d[d[case["cluster"]].notna()]
    robust = {"": None, "TRUE": True, "FALSE": False}[case["robust"]]
    return kaplan_meier(
        d["time"],
        d["event"],
        conf_type=conf_type,
        weights=d[case["weights"]] if case["weights"] else None,
        cluster=d[case["cluster"]] if case["cluster"] else None,
        robust=robust,
    )


def _cases(read_fixture) -> pd.DataFrame:
    return read_fixture("km_robust_cases.csv").fillna("").astype(str)


# ----------------------------------------------------------------------------- by hand


@pytest.mark.by_hand
def test_weighted_ij_variance_by_hand():
    # rows: t=1 event w=2, t=2 event w=1, t=3 censored w=1. n = 4, 2; d = 2, 1:
    # S = 1/2, 1/4; g = d / (n (n - d)) = 1/4, 1/2; 1/(n - d) = 1/2, 1
    # A_k(t) = w_k [G(min(t, T_k)) - delta_k 1{T_k <= t} / (n - d)]:
    #   t=1: -1/2, 1/4, 1/4: sum A^2 = 3/8, var = S^2 3/8 = 3/32
    #   t=2: -1/2, 3/4 - 1 = -1/4, 3/4: sum A^2 = 7/8, var = 7/128
    km = kaplan_meier([1, 2, 3], [1, 1, 0], weights=[2, 1, 1], robust=True)
    np.testing.assert_allclose(km.table["std_err"] ** 2, [3 / 32, 7 / 128, 7 / 128], rtol=1e-14)
    # weighted Greenwood differs: S^2 sum g = 1/4 * 1/4 at t=1
    greenwood = kaplan_meier([1, 2, 3], [1, 1, 0], weights=[2, 1, 1])
    assert not greenwood.robust
    assert greenwood.table["std_err"].iloc[0] ** 2 == pytest.approx(1 / 16, rel=1e-14)
    # clusters {1, 2}, {3}: t=1: (-1/2 + 1/4)^2 + (1/4)^2 = 1/8 -> 1/32;
    # t=2: (-1/2 - 1/4)^2 + (3/4)^2 = 9/8 -> 9/128
    km = kaplan_meier([1, 2, 3], [1, 1, 0], weights=[2, 1, 1], cluster=["a", "a", "b"])
    assert km.robust
    np.testing.assert_allclose(km.table["std_err"] ** 2, [1 / 32, 9 / 128, 9 / 128], rtol=1e-14)


@pytest.mark.by_hand
def test_unweighted_ij_variance_by_hand():
    # times 1, 2 (events), 3 (censored), 4 (event): S = 3/4, 1/2, 1/2, 0
    # t=1: A = 1/12 - 1/3 = -1/4 for the event, 1/12 for the three at risk: 1/16 + 3/144
    #      = 1/12; var = (9/16)(1/12) = 3/64 (Greenwood gives the same here, no ties)
    # at S = 0 the IJ variance is 0, as R's
    km = kaplan_meier([1, 2, 3, 4], [1, 1, 0, 1], robust=True)
    np.testing.assert_allclose(km.table["std_err"] ** 2, [3 / 64, 1 / 16, 1 / 16, 0], rtol=1e-14)
    assert math.isnan(km.table["lower"].iloc[-1])


# ----------------------------------------------------------------------------- reference: R


@pytest.mark.reference
def test_table_matches_r(robust_inputs, read_fixture):
    ref = read_fixture("km_robust_table.csv")
    cases = _cases(read_fixture).set_index("case")
    assert len(cases) >= 12
    for (case, conf_type), exp in ref.groupby(["case", "conf_type"]):
        km = _fit(robust_inputs, cases.loc[case], conf_type)
        assert km.robust == bool(exp["robust"].iloc[0]), case
        tab = km.table
        assert tab["time"].tolist() == exp["time"].tolist(), case
        for ours, theirs in [
            ("n_at_risk", "n_risk"),
            ("n_events", "n_event"),
            ("survival", "surv"),
            ("std_err", "std_err"),
            ("lower", "lower"),
            ("upper", "upper"),
        ]:
            np.testing.assert_allclose(
                tab[ours],
                exp[theirs],
                rtol=RTOL,
                atol=1e-15,
                equal_nan=True,
                err_msg=f"{case} {conf_type} {ours}",
            )


@pytest.mark.reference
def test_quantiles_match_r(robust_inputs, read_fixture):
    ref = read_fixture("km_robust_quantile.csv")
    cases = _cases(read_fixture).set_index("case")
    for (case, conf_type), exp in ref.groupby(["case", "conf_type"]):
        km = _fit(robust_inputs, cases.loc[case], conf_type)
        for _, row in exp.iterrows():
            q = km.quantile(row["prob"])
            np.testing.assert_allclose(
                [q.estimate, q.lower, q.upper],
                [row["quantile"], row["lower"], row["upper"]],
                rtol=RTOL,
                equal_nan=True,
                err_msg=f"{case} {conf_type} {row['prob']}",
            )


# ----------------------------------------------------------------------------- properties


@given(
    data=st.lists(
        st.tuples(
            st.integers(1, 8),
            st.booleans(),
            st.sampled_from([0.5, 1.0, 1.25, 3.0]),
            st.integers(0, 4),
        ),
        min_size=2,
        max_size=25,
    )
)
@settings(max_examples=80, deadline=None)
def test_clustered_variance_equals_the_influence_sums(data):
    # brute force: the recursion of R's survfitkm over the event times, cluster by cluster
    t, e, w, c = (np.array(v) for v in zip(*data, strict=True))
    km = kaplan_meier(t, e, weights=w, cluster=c)
    clusters = np.unique(c)
    inf = np.zeros(len(clusters))
    s_prev = 1.0
    expected = []
    for time in km.table["time"]:
        at_risk = t >= time
        n = w[at_risk].sum()
        d = w[(t == time) & e].sum()
        if d > 0:
            h = d / n
            for k, cl in enumerate(clusters):
                mine = c == cl
                y = w[mine & at_risk].sum()
                dead = w[mine & (t == time) & e].sum()
                inf[k] = inf[k] * (1 - h) + s_prev * (y * h - dead) / n
            s_prev *= 1 - h
        expected.append(float(np.sum(inf**2)))
    np.testing.assert_allclose(km.table["std_err"] ** 2, expected, rtol=1e-9, atol=1e-14)


@given(seed=st.integers(0, 10_000))
@settings(max_examples=25, deadline=None)
def test_rows_of_one_cluster_or_each_alone(seed):
    rng = np.random.default_rng(seed)
    n = 30
    t = rng.integers(1, 12, n).astype(float)
    e = rng.integers(0, 2, n)
    w = rng.choice([0.4, 1.0, 1.7], n)
    per_row = kaplan_meier(t, e, weights=w, robust=True)
    own = kaplan_meier(t, e, weights=w, cluster=np.arange(n))
    np.testing.assert_allclose(own.table["std_err"], per_row.table["std_err"], rtol=1e-12)
    # row order does not matter
    perm = rng.permutation(n)
    shuffled = kaplan_meier(t[perm], e[perm], weights=w[perm], robust=True)
    np.testing.assert_allclose(shuffled.table["std_err"], per_row.table["std_err"], rtol=1e-12)


# ----------------------------------------------------------------------------- interface


def test_defaults_follow_r():
    t, e = [1, 2, 3, 4], [1, 0, 1, 1]
    assert not kaplan_meier(t, e).robust
    assert not kaplan_meier(t, e, weights=[1, 2, 3, 1]).robust  # whole-number weights
    assert kaplan_meier(t, e, weights=[1, 2.5, 3, 1]).robust
    assert not kaplan_meier(t, e, weights=[1, 2.5, 3, 1], robust=False).robust
    assert kaplan_meier(t, e, cluster=[1, 1, 2, 2]).robust


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"cluster": [1, 1, 2]}, "same length"),
        ({"cluster": [1, None, 2, 2]}, "missing"),
        ({"cluster": [1, 1, 2, 2], "robust": False}, "not with robust=False"),
        ({"robust": "yes"}, "robust must be True, False or None"),
    ],
)
def test_bad_options_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kaplan_meier([1, 2, 3, 4], [1, 0, 1, 1], **kwargs)
