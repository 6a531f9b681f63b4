"""Tests of Harrell's C (oncocohort.stats.concordance) by hand and against R ``coxph``.

R survival 3.5-3 ``fit$concordance`` (counts, C and its infinitesimal-jackknife SE), fixtures
from ``tests/reference/cox.R``. Counts are exact; C and SE at rel 1e-9 (observed ~1e-15).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncocohort.stats.concordance import compute_concordance

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
