"""Tests of oncocohort.stats.matching (match) and .balance (balance).

Reference values come from ``tests/reference/matching.R`` (R 4.2.2, MatchIt 4.5.1). Pairs are
compared exactly (as sets of (treated row, control row, k-th control)); weights and balance
statistics to the brief's 1e-6 (relative; 1e-9 absolute near 0), where the agreement is in fact
~1e-15 (the same sums in the same order of magnitude). On the data with tied scores the R
reference is the plain greedy loop of the script, as MatchIt breaks exact ties its own way; on
tie-free data MatchIt itself agrees with that loop pair for pair (checked in the script).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from _ps_cases import COVARIATES, ps_cohort
from oncocohort.stats import MatchResult, balance, match, propensity_scores

REL = 1e-6
ABS = 1e-9


def _cases(read_fixture):
    return read_fixture("matching_cases.csv").set_index("case")


def _pair_tuples(res: MatchResult) -> list[tuple[int, int, int]]:
    out = []
    for _, grp in res.pairs.groupby("subclass", sort=True):
        out += [
            (int(r.treated_id), int(r.control_id), k + 1) for k, r in enumerate(grp.itertuples())
        ]
    return sorted(out)


# ----------------------------------------------------------------------------- by hand


def _frame(treat, logits) -> pd.DataFrame:
    return pd.DataFrame({"t": treat, "ps": expit(np.asarray(logits, dtype=float))})


@pytest.mark.by_hand
def test_rounds_largest_first_by_hand():
    # logits: treated T1 = 2.0 (row 0), T2 = 1.0 (row 1); controls 1.9, 1.05, 0.0 (rows 2-4)
    d = _frame([1, 1, 0, 0, 0], [2.0, 1.0, 1.9, 1.05, 0.0])
    res = match(d, treatment="t", ps="ps", caliper=None)
    # T1 first (largest): row 2 (0.1 away); T2: row 3 (0.05)
    assert _pair_tuples(res) == [(0, 2, 1), (1, 3, 1)]
    res2 = match(d, treatment="t", ps="ps", ratio=2, caliper=None)
    # round 2: T1 takes row 4 (the only one left); T2 gets nothing more. Matching T1's two
    # controls before T2's first would have given T1 rows 2 and 3.
    assert _pair_tuples(res2) == [(0, 2, 1), (0, 4, 2), (1, 3, 1)]
    # weights: T1's controls 1/2 each, T2's 1; divided by their mean (2/3) -> 3/4, 3/4, 3/2
    np.testing.assert_allclose(res2.weights.to_numpy(), [1, 1, 0.75, 1.5, 0.75], rtol=1e-14)
    assert res2.n_unmatched_treated == 0 and res2.n_unmatched_control == 0


@pytest.mark.by_hand
def test_caliper_by_hand():
    logits = np.array([0.0, 1.0, 0.5, 3.0, -1.0, 1.2])
    d = _frame([1, 1, 1, 0, 0, 0], logits)
    sd = np.std(np.log(d.ps / (1 - d.ps)), ddof=1)
    res = match(d, treatment="t", ps="ps", caliper=0.2)
    assert res.caliper_width == pytest.approx(0.2 * sd, rel=1e-12)
    width = 0.2 * sd  # = 0.2 x 1.4...: about 0.29
    assert 0.2 < width < 0.5
    # order: T(1.0) -> 1.2 (0.2 away, inside); T(0.5) -> 1.2 taken, next -1.0 / 3.0 outside;
    # T(0.0) -> -1.0 is 1.0 away: outside
    assert _pair_tuples(res) == [(1, 5, 1)]
    assert res.n_unmatched_treated == 2 and res.n_unmatched_control == 2
    assert list(res.matched_ids) == [1, 5]


@pytest.mark.by_hand
def test_ties_go_to_the_first_row():
    # rows 1 and 3 are controls with the same score
    d = pd.DataFrame({"t": [1, 0, 0, 0], "ps": [0.4, 0.3, 0.9, 0.3]}, index=list("abcd"))
    res = match(d, treatment="t", ps="ps", caliper=None)
    assert res.pairs.to_dict("records") == [{"subclass": 1, "treated_id": "a", "control_id": "b"}]
    d2 = d.iloc[[0, 3, 2, 1]]  # reversed order of the tied controls
    assert match(d2, treatment="t", ps="ps", caliper=None).pairs.control_id.tolist() == ["d"]


@pytest.mark.by_hand
def test_replacement_reuses_controls():
    d = _frame([1, 1, 0, 0], [1.0, 1.1, 1.05, 5.0])
    res = match(d, treatment="t", ps="ps", caliper=None, replace=True)
    assert _pair_tuples(res) == [(0, 2, 1), (1, 2, 1)]
    # control row 2 weighs 1 + 1 = 2, divided by the mean over matched controls (2) -> 1
    np.testing.assert_allclose(res.weights.to_numpy(), [1, 1, 1, 0])


def test_missing_scores_are_left_unmatched():
    d = pd.DataFrame({"t": [1, 1, 0, 0], "ps": [0.5, np.nan, 0.45, 0.6]})
    res = match(d, treatment="t", ps=d.ps.to_numpy(), caliper=None)
    assert res.n_unmatched_treated == 1
    assert len(res.pairs) == 1


# ----------------------------------------------------------------------------- against R


@pytest.mark.reference
@pytest.mark.parametrize(
    "case",
    [
        "lalonde_1_cal02", "lalonde_2_cal02", "lalonde_1_cal02_repl", "jit_1_cal02",
        "jit_1_nocal", "jit_2_cal02", "jit_3_cal005", "jit_1_cal02_repl", "jit_2_nocal_repl",
        "tern_1_cal01", "tern_2_cal02",
    ],
)
def test_pairs_equal_r(read_fixture, case):
    spec = _cases(read_fixture).loc[case]
    data = read_fixture(f"matching_input_{spec['data']}.csv")
    treatment = "treat" if spec["data"].startswith("lalonde") else "arm_a"
    caliper = None if pd.isna(spec["caliper"]) else float(spec["caliper"])
    res = match(
        data, treatment=treatment, ps="ps", ratio=int(spec["ratio"]), caliper=caliper,
        replace=bool(spec["replace"]),
    )
    ref = read_fixture("matching_pairs.csv")
    ref = ref[ref.case == case]
    expected = sorted(
        (int(r.treated_row) - 1, int(r.control_row) - 1, int(r.k)) for r in ref.itertuples()
    )
    assert _pair_tuples(res) == expected  # exactly the same pairs
    units = read_fixture("matching_units.csv")
    units = units[units.case == case]
    w = np.zeros(len(data))
    w[units.row.to_numpy() - 1] = units.weight.to_numpy(dtype=float)
    np.testing.assert_allclose(res.weights.to_numpy(), w, rtol=REL, atol=ABS)
    summ = read_fixture("matching_summary.csv").set_index("case").loc[case]
    assert res.n_unmatched_treated == summ.n_unmatched_treated
    assert res.n_unmatched_control == summ.n_unmatched_control
    if caliper is None:
        assert res.caliper_width == np.inf
    else:
        assert res.caliper_width == pytest.approx(float(summ.caliper_width), rel=REL)


@pytest.mark.reference
@pytest.mark.parametrize(
    "setting",
    ["lalonde_none", "lalonde_match", "lalonde_match2", "lalonde_repl", "lalonde_ate",
     "lalonde_att", "tern_match", "tern_ate"],
)
def test_balance_equals_matchit(read_fixture, setting):
    spec = read_fixture("balance_cases.csv").set_index("setting").loc[setting]
    data = read_fixture(f"matching_input_{spec['data']}.csv")
    lalonde = spec["data"] == "lalonde"
    treatment = "treat" if lalonde else "arm_a"
    covs = (
        ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
        if lalonde
        else ["AGE", "SEX", "STRATA1", "BMRKR1", "BMRKR2"]
    )
    t = data[treatment].to_numpy()
    e = data["ps"].to_numpy()
    w = None
    if spec["weights"] == "ATE":
        w = np.where(t == 1, t.mean() / e, (1 - t.mean()) / (1 - e))
    elif spec["weights"] == "ATT":
        w = np.where(t == 1, 1.0, e / (1 - e))
        w[t == 0] *= (t == 0).sum() / w[t == 0].sum()
    elif spec["weights"] != "none":
        mc = _cases(read_fixture).loc[spec["weights"]]
        w = match(
            data, treatment=treatment, ps="ps", ratio=int(mc["ratio"]),
            caliper=float(mc["caliper"]), replace=bool(mc["replace"]),
        ).weights
    got = balance(data, treatment=treatment, covariates=covs, weights=w)
    ref = read_fixture("balance.csv")
    ref = ref[ref.setting == setting].reset_index(drop=True)
    assert got.variable.tolist() == ref.variable.tolist()
    assert got.level.tolist() == ref.level.fillna("").astype(str).tolist()
    for col in ("smd_before", "smd_after", "vr_before", "vr_after"):
        np.testing.assert_allclose(
            got[col].to_numpy(dtype=float), ref[col].to_numpy(dtype=float), rtol=REL, atol=ABS,
            err_msg=col,
        )


# ----------------------------------------------------------------------------- balance by hand


@pytest.mark.by_hand
def test_balance_by_hand():
    d = pd.DataFrame(
        {"t": [1, 1, 1, 0, 0, 0], "x": [1.0, 2, 3, 2, 4, 6], "b": [1, 1, 0, 0, 0, 1],
         "g": list("uvuvvv")}
    )
    w = np.array([1, 1, 1, 2, 1, 1.0])
    out = balance(d, treatment="t", covariates=["x", "b", "g"], weights=w).set_index(
        ["variable", "level"]
    )
    # x: means 2 and 4, variances 1 and 4 -> SMD (2 - 4)/sqrt(5/2); VR 1/4
    assert out.loc[("x", ""), "smd_before"] == pytest.approx(-2 / np.sqrt(2.5), rel=1e-14)
    assert out.loc[("x", ""), "vr_before"] == pytest.approx(0.25, rel=1e-14)
    # weighted controls (2, 4, 6) with (1/2, 1/4, 1/4): mean 3.5, sum w (x - m)^2 = 2.75,
    # sum w^2 = 3/8 -> variance 2.75 / (5/8) = 4.4; treated unchanged
    assert out.loc[("x", ""), "smd_after"] == pytest.approx(-1.5 / np.sqrt(2.5), rel=1e-14)
    assert out.loc[("x", ""), "vr_after"] == pytest.approx(1 / 4.4, rel=1e-14)
    # b: p1 = 2/3, p0 = 1/3 -> variances 2/9 each; SMD (1/3)/sqrt(2/9); no VR for 0/1
    assert out.loc[("b", ""), "smd_before"] == pytest.approx((1 / 3) / np.sqrt(2 / 9), rel=1e-14)
    assert np.isnan(out.loc[("b", ""), "vr_before"])
    # weighted p0 = 1/4 -> SMD (2/3 - 1/4)/sqrt(2/9)
    assert out.loc[("b", ""), "smd_after"] == pytest.approx((5 / 12) / np.sqrt(2 / 9), rel=1e-14)
    # g: every level, the reference included; u: p1 = 2/3, p0 = 0
    assert list(out.loc["g"].index) == ["u", "v"]
    u = out.loc[("g", "u"), "smd_before"]
    assert u == pytest.approx((2 / 3) / np.sqrt((2 / 9 + 0) / 2), rel=1e-14)
    assert out.loc[("g", "v"), "smd_before"] == pytest.approx(-u, rel=1e-14)


def test_balance_without_weights_has_nan_after():
    d = pd.DataFrame({"t": [1, 0, 1, 0], "x": [1.0, 2, 3, 5]})
    out = balance(d, treatment="t", covariates=["x"])
    assert np.isnan(out.smd_after).all() and np.isnan(out.vr_after).all()
    assert list(out.columns) == [
        "variable", "level", "smd_before", "smd_after", "vr_before", "vr_after"
    ]


# ----------------------------------------------------------------------------- properties


def _brute_force(logit, t, ratio, width):
    """Reference greedy matching without replacement: O(n_t x n_c), the rules in full."""
    tr = np.flatnonzero(t == 1)
    co = np.flatnonzero(t == 0)
    order = tr[np.argsort(-logit[tr], kind="stable")]
    used = np.zeros(t.size, dtype=bool)
    got = {int(i): [] for i in tr}
    for _ in range(ratio):
        for i in order:
            avail = co[~used[co]]
            if avail.size == 0:
                break
            dist = np.abs(logit[i] - logit[avail])
            j = int(np.argmin(dist))  # first minimum = first in row order
            if dist[j] <= width:
                got[int(i)].append(int(avail[j]))
                used[avail[j]] = True
    return sorted((i, c, k + 1) for i, cs in got.items() for k, c in enumerate(cs))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**31 - 1),
    st.integers(min_value=1, max_value=3),
    st.sampled_from([None, 0.05, 0.2, 1.0]),
)
def test_fast_matching_equals_brute_force(seed, ratio, caliper):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    # scores on a coarse grid: many exact ties, as with categorical covariates
    ps = rng.integers(1, 20, size=n) / 20.0
    t = (rng.random(n) < 0.4).astype(int)
    d = pd.DataFrame({"t": t, "ps": ps})
    res = match(d, treatment="t", ps="ps", ratio=ratio, caliper=caliper)
    logit = np.log(ps / (1 - ps))
    width = np.inf if caliper is None else caliper * np.std(logit, ddof=1)
    assert _pair_tuples(res) == _brute_force(logit, t, ratio, width)


# ----------------------------------------------------------------------------- any CPU


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_shuffled_rows_match_the_same_subjects(seed):
    """Scores fitted on the rows in another order match the same subjects: the linear
    predictor is summed in a fixed order, whatever the row's position (not a BLAS product)."""
    d = ps_cohort(157, seed)
    d.index = pd.Index([f"P{i:03d}" for i in range(len(d))], name="subject")

    def pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
        ps = propensity_scores(frame, treatment="t", covariates=COVARIATES)
        res = match(frame, treatment="t", ps=ps, ratio=2, caliper=0.2)
        return set(zip(res.pairs.treated_id, res.pairs.control_id, strict=True))

    base = pairs(d)
    assert len(base) > 40
    for k in range(3):
        shuffled = d.iloc[np.random.default_rng(seed * 10 + k).permutation(len(d))]
        assert pairs(shuffled) == base


@pytest.mark.parametrize("seed", [23, 25])
def test_equal_controls_tie_wherever_their_rows_fall(seed):
    """Two controls with the covariates of the treated unit matched first are tied with it
    at distance 0 on the computed scores, and the first in row order is taken, as in R. With
    a BLAS product the copy in the last rows (past the last block of 8) was an ulp away on
    AVX-512 CPUs, and the later copy was taken (these seeds)."""
    n, late, early = 123, 121, 9
    d = ps_cohort(n, seed)
    ps = propensity_scores(d, treatment="t", covariates=COVARIATES)
    top = int(np.argmax(np.where(d.t == 1, ps, -1.0)))
    d = d.iloc[[i for i in range(n) if i != top] + [top]].reset_index(drop=True)  # top last
    top = n - 1
    d.loc[[late, early], COVARIATES] = d.loc[[top, top], COVARIATES].to_numpy()
    d.loc[[late, early], "t"] = 0
    ps = propensity_scores(d, treatment="t", covariates=COVARIATES)
    assert ps[late] == ps[early] == ps[top]
    others = np.where(d.t == 1, ps, -1.0)
    others[top] = -1.0
    assert ps[top] > others.max()  # matched first: nobody else can take a copy before it
    res = match(d, treatment="t", ps=ps, caliper=None)
    assert res.pairs.loc[res.pairs.treated_id == top, "control_id"].tolist() == [early]


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"treatment": "nope", "ps": "ps"}, "not in data"),
        ({"treatment": "t", "ps": "nope"}, "ps column 'nope'"),
        ({"treatment": "t", "ps": [0.5]}, "1 values for 3 rows"),
        ({"treatment": "t", "ps": [0.5, 1.0, 0.2]}, "strictly between"),
        ({"treatment": "t", "ps": "ps", "ratio": 0}, "ratio must be"),
        ({"treatment": "t", "ps": "ps", "ratio": 1.5}, "ratio must be"),
        ({"treatment": "t", "ps": "ps", "caliper": -1}, "caliper must be"),
        ({"treatment": "g", "ps": "ps"}, "only 0/1"),
    ],
)
def test_match_errors(kwargs, message):
    d = pd.DataFrame({"t": [1, 0, 0], "ps": [0.5, 0.4, 0.3], "g": [1, 2, 0]})
    with pytest.raises(ValueError, match=message):
        match(d, **kwargs)


def test_balance_errors():
    d = pd.DataFrame({"t": [1, 0, 1, 0], "x": [1.0, 2, 3, 5]})
    with pytest.raises(ValueError, match="not in data: 'y'"):
        balance(d, treatment="t", covariates=["y"])
    with pytest.raises(ValueError, match="finite and >= 0"):
        balance(d, treatment="t", covariates=["x"], weights=[1, -1, 1, 1])
    with pytest.raises(ValueError, match="3 values for 4 rows"):
        balance(d, treatment="t", covariates=["x"], weights=[1, 1, 1])
