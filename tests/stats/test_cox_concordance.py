"""Tests of Harrell's C (oncocohort.stats.concordance) by hand and against R ``coxph``.

R survival 3.5-3 ``fit$concordance`` (counts, C and its infinitesimal-jackknife SE), fixtures
from ``tests/reference/cox.R``. Counts are exact; C and SE at rel 1e-9 (observed ~1e-15).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncocohort.stats._cox_fit import linear_predictor
from oncocohort.stats.concordance import compute_concordance
from oncocohort.stats.cox import cox

FIXTURES = Path(__file__).resolve().parents[1] / "reference" / "fixtures"
from _cox_cases import CASES, RESULTS, fit_case  # noqa: E402

_fit = fit_case


@pytest.mark.by_hand
def test_concordance_by_hand():
    # i=1 (t1, risk 4): 4 later subjects all lower risk -> 4 concordant
    # i=2 (t2 event, risk 3): censored at t2 (risk 3) -> tied.x; t3 (1), t4 (2) -> 2 concordant
    # i=4 (t3, risk 1): t4 (risk 2) -> discordant
    # C = (6 + 1/2) / 8
    c = compute_concordance([1, 2, 2, 3, 4], [1, 1, 0, 1, 0], [4, 3, 3, 1, 2])
    assert (c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy) == (6, 1, 1, 0, 0)
    assert c.concordance == pytest.approx(6.5 / 8, rel=1e-15)


@pytest.mark.by_hand
def test_tied_event_times_are_not_comparable():
    # two events at t=1 with different risk (tied.y) and equal risk (tied.xy) pairs
    c = compute_concordance([1, 1, 1, 2], [1, 1, 1, 0], [2, 2, 1, 0])
    # pairs at t=1: (2,2) tied.xy, (2,1) x2 tied.y; each t=1 event vs t=2 censored: concordant
    assert (c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy) == (3, 0, 0, 2, 1)
    assert c.concordance == 1.0
    # not reversed (higher score = longer survival): the same pairs count as discordant
    assert (
        compute_concordance([1, 1, 1, 2], [1, 1, 1, 0], [2, 2, 1, 0], reverse=False).concordance
        == 0.0
    )


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES.case.tolist())
def test_matches_r_coxph_concordance(case):
    c = _fit(case).concordance
    r = RESULTS[(RESULTS.case == case)].set_index("quantity").value
    assert c.concordant == r["concordance_concordant"]
    assert c.discordant == r["concordance_discordant"]
    assert c.tied_x == r["concordance_tied.x"]
    assert c.tied_y == r["concordance_tied.y"]
    assert c.tied_xy == r["concordance_tied.xy"]
    assert c.concordance == pytest.approx(r["concordance_concordance"], rel=1e-9)
    assert c.std_err == pytest.approx(r["concordance_std"], rel=1e-9)


_COUNTS = ("concordant", "discordant", "tied_x", "tied_y", "tied_xy")


def _counts(c) -> tuple[float, ...]:
    return tuple(getattr(c, k) for k in _COUNTS)


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES.case.tolist())
@pytest.mark.parametrize("seed", [1, 2])
def test_counts_match_r_whatever_the_row_and_column_order(case, seed):
    # Identical covariate rows must get bit-identical linear predictors wherever they sit:
    # a BLAS matrix-vector product broke the predictor ties by row position on some CPUs
    # (lung_exact: 12546 concordant pairs instead of R's 12544).
    r = RESULTS[(RESULTS.case == case)].set_index("quantity").value
    expected = tuple(float(r[f"concordance_{k.replace('_', '.')}"]) for k in _COUNTS)
    assert _counts(_fit(case, seed=seed).concordance) == expected
    assert _counts(_fit(case, seed=seed, reverse=True).concordance) == expected


@pytest.mark.regression
def test_duplicated_rows_multiply_the_counts():
    # each subject twice (Breslow: the same estimate): every pair of the original data appears
    # 4 times; a subject and its copy are tied on time, and tied on both time and risk when
    # they are events (never comparable)
    row = CASES.set_index("case").loc["lung_breslow"]
    data = pd.read_csv(FIXTURES / "cox_input_lung.csv", float_precision="round_trip")
    covs = row["covariates"].split(";")
    one = cox(data, time="time", event="event", covariates=covs, ties="breslow")
    two = cox(
        pd.concat([data, data], ignore_index=True).sample(frac=1, random_state=3),
        time="time",
        event="event",
        covariates=covs,
        ties="breslow",
    )
    np.testing.assert_allclose(two.table.coef, one.table.coef, rtol=1e-9)
    c1, c2 = one.concordance, two.concordance
    n_events = float(one.n_events)
    assert _counts(c2) == (
        4 * c1.concordant,
        4 * c1.discordant,
        4 * c1.tied_x,
        4 * c1.tied_y,
        4 * c1.tied_xy + n_events,
    )
    assert c2.concordance == pytest.approx(c1.concordance, rel=1e-12)


@pytest.mark.by_hand
def test_linear_predictor_is_the_same_for_identical_rows_anywhere():
    # 3 covariate patterns with non-representable decimals, each at ~3000 positions; the
    # predictor of a pattern is one float, equal to the left-to-right sum sum_j x_j b_j
    patterns = np.array([[66.0, 1.0, 1.0, 0.3], [57.1, 0.0, 2.0, 1.7], [74.9, 1.0, 0.0, 2.9]])
    which = np.random.default_rng(5).integers(0, 3, 9001)
    x = np.asfortranarray(patterns[which])
    beta = np.array([0.011066, -0.553, 0.4637, -0.1212])
    eta = linear_predictor(x, beta)
    for k, pat in enumerate(patterns):
        expected = 0.0
        for xj, bj in zip(pat, beta, strict=True):
            expected += xj * bj
        assert set(eta[which == k].tolist()) == {expected}


def _brute_force(time, event, risk, strata):
    conc = disc = tied = 0
    n = len(time)
    for i in range(n):
        if not event[i]:
            continue
        for j in range(n):
            if strata[i] != strata[j] or i == j:
                continue
            if time[j] > time[i] or (time[j] == time[i] and not event[j]):
                if risk[i] > risk[j]:
                    conc += 1
                elif risk[i] < risk[j]:
                    disc += 1
                else:
                    tied += 1
    return conc, disc, tied


@given(
    data=st.lists(
        st.tuples(st.integers(1, 6), st.booleans(), st.integers(0, 4), st.integers(0, 1)),
        min_size=2,
        max_size=30,
    )
)
@settings(max_examples=60, deadline=None)
def test_counts_equal_brute_force(data):
    time, event, risk, strata = (np.array(v) for v in zip(*data, strict=True))
    c = compute_concordance(time, event, risk.astype(float), strata=strata)
    assert (c.concordant, c.discordant, c.tied_x) == _brute_force(time, event, risk, strata)


def test_length_mismatch_raises():
    with pytest.raises(ValueError, match="same length"):
        compute_concordance([1, 2], [1, 0], [1.0])
