"""Table 1 by group: the tests across groups and the SMDs against R
(tests/reference/group_tests.R), and the test chosen by rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncocohort.stats.group_tests import (
    compare_categorical,
    compare_continuous,
    fisher_exact_rxc,
    smd_categorical,
    smd_continuous,
)

FIX = Path(__file__).parents[1] / "reference" / "fixtures"
# R prints 15 significant digits; the tests are closed forms or exact sums (Fisher: a sum of
# table probabilities in another order than R's network algorithm): 1e-9 relative.
REL = 1e-9


@pytest.fixture(scope="module")
def r():
    f = pd.read_csv(FIX / "group_tests_results.csv", float_precision="round_trip")
    return dict(zip(f["quantity"], f["value"], strict=True))


@pytest.fixture(scope="module")
def lung():
    d = pd.read_csv(FIX / "lung_os_input.csv")
    d["ecog_grp"] = pd.cut(d["ph_ecog"], [0, 1, 2, np.inf], right=False,
                           labels=["0", "1", "2-3"])
    return d


@pytest.mark.reference
def test_categorical_tests_equal_r(lung, r):
    e = lung.dropna(subset=["ph_ecog"])
    res = compare_categorical(pd.crosstab(e["ecog_grp"], e["sex"]).to_numpy())
    assert res.test == "chisq"
    assert res.p_value == pytest.approx(r["chisq_ecog_sex_p"], rel=REL)
    assert res.statistic == pytest.approx(r["chisq_ecog_sex_stat"], rel=REL)
    res = compare_categorical(pd.crosstab(e["ph_ecog"], e["sex"]).to_numpy())
    assert res.test == "fisher"  # ECOG 3: one patient, expected counts < 5
    assert res.p_value == pytest.approx(r["fisher_ecog4_sex_p"], rel=REL)
    f = lung.iloc[:20].dropna(subset=["ph_ecog"])
    p = fisher_exact_rxc(pd.crosstab(f["ph_ecog"] >= 1, f["sex"]).to_numpy())
    assert p == pytest.approx(r["fisher_small_p"], rel=REL)


@pytest.mark.reference
def test_rank_tests_equal_r(lung, r):
    by_sex = [lung.loc[lung["sex"] == s, "age"].to_numpy() for s in (1, 2)]
    res = compare_continuous(by_sex)
    assert res.test == "wilcoxon"
    assert res.p_value == pytest.approx(r["wilcox_age_sex_p"], rel=REL)
    s = lung.iloc[:30]
    res = compare_continuous([s.loc[s["sex"] == k, "time"].to_numpy() for k in (1, 2)])
    assert res.p_value == pytest.approx(r["wilcox_exact_time_sex_p"], rel=REL)  # exact
    e = lung.dropna(subset=["ph_ecog"])
    res = compare_continuous([e.loc[e["ecog_grp"] == g, "age"].to_numpy()
                              for g in ("0", "1", "2-3")])
    assert res.test == "kruskal"
    assert res.p_value == pytest.approx(r["kruskal_age_ecog_p"], rel=REL)


@pytest.mark.reference
def test_smds_equal_r(lung, r):
    assert smd_continuous(*[lung.loc[lung["sex"] == s, "age"] for s in (1, 2)]) == \
        pytest.approx(r["smd_age_sex"], rel=REL)
    e = lung.dropna(subset=["ph_ecog"])
    t = pd.crosstab(e["ecog_grp"], e["sex"]).to_numpy()
    assert smd_categorical(t[:, 0], t[:, 1]) == pytest.approx(r["smd_ecog_sex"], rel=REL)


@pytest.mark.by_hand
def test_two_by_two_fisher_by_hand():
    # margins 3/3 x 3/3; observed [[3, 0], [0, 3]]: P = 1/20 each for it and its mirror
    assert fisher_exact_rxc(np.array([[3, 0], [0, 3]])) == pytest.approx(0.1, rel=1e-12)


@pytest.mark.by_hand
def test_exact_rank_sum_by_hand():
    # 2 vs 2 values, no ties: the 6 arrangements have U = 0, 1, 2, 2, 3, 4; x below y gives
    # U = 0, two-sided p = 2 P(U >= 4) = 2/6 (R wilcox.test(c(1, 2), c(3, 4)): 0.3333)
    res = compare_continuous([np.array([1.0, 2.0]), np.array([3.0, 4.0])])
    assert (res.test, res.statistic) == ("wilcoxon", 0.0)
    assert res.p_value == pytest.approx(1 / 3, rel=1e-15)
    # 3 vs 2 with x = {1, 4, 5}, y = {2, 3}: U = (1 + 4 + 5) - 6 = 4 of at most 6
    # (counts of U = 0..6 are 1, 1, 2, 2, 2, 1, 1), P(U >= 4) = 4/10, two-sided 0.8 (R: 0.8)
    res = compare_continuous([np.array([1.0, 4.0, 5.0]), np.array([2.0, 3.0])])
    assert res.statistic == 4.0
    assert res.p_value == pytest.approx(0.8, rel=1e-15)


@pytest.mark.by_hand
def test_kruskal_with_one_value_everywhere_has_no_p():
    res = compare_continuous([np.ones(3), np.ones(4), np.ones(2)])
    assert res.test == "kruskal" and np.isnan(res.p_value)
