"""Small-cell suppression and number formatting, by hand."""

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncocohort.analysis.ard import ARD_COLUMNS
from oncocohort.analysis.keys import Method
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.builders_survival import median_limits
from oncocohort.report.format import fmt_est_ci, fmt_n_pct, fmt_num, fmt_p
from oncocohort.report.suppress import PRIMARY, SECONDARY, compute_suppression


@pytest.mark.by_hand
def test_no_threshold_suppresses_nothing():
    assert compute_suppression([1, 2, 3], None, [[0, 1, 2]]) == (0, 0, 0)


@pytest.mark.by_hand
def test_primary_only_when_two_cells_are_small():
    # 2 and 3 are below 5: two hidden cells in the block, nothing recoverable
    assert compute_suppression([2, 3, 40], 5, [[0, 1, 2]]) == (PRIMARY, PRIMARY, 0)


@pytest.mark.by_hand
def test_single_small_cell_gets_a_complement():
    # total 45 published: 2 = 45 - 40 - 3 would be recoverable; hide the smallest other (3)
    s = compute_suppression([2, 40, 6, 9], 5, [[0, 1, 2, 3]])
    assert s == (PRIMARY, 0, SECONDARY, 0)


@pytest.mark.by_hand
def test_zero_is_shown_and_nan_ignored():
    assert compute_suppression([0, 10, float("nan")], 5, [[0, 1, 2]]) == (0, 0, 0)


@pytest.mark.by_hand
def test_complement_propagates_across_blocks():
    # cells: CR=1, PR=9, SD=20, PD=10 ; blocks: all four (total N) and CR+PR (ORR count)
    # CR primary -> block 1: smallest other is PR (9) -> block 2 now has two hidden: stable
    s = compute_suppression([1, 9, 20, 10], 5, [[0, 1, 2, 3], [0, 1]])
    assert s == (PRIMARY, SECONDARY, 0, 0)
    # with ORR block [CR, PR] listed first and PR large, the ORR block picks PR too
    s = compute_suppression([1, 30, 8, 10], 5, [[0, 1], [0, 1, 2, 3]])
    assert s == (PRIMARY, SECONDARY, 0, 0)
    # a chain: block A hides b as complement, which leaves block B with one hidden cell
    s = compute_suppression([3, 6, 7, 50], 5, [[0, 1], [1, 2, 3]])
    assert s == (PRIMARY, SECONDARY, SECONDARY, 0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="k must be"):
        compute_suppression([1], 0)
    with pytest.raises(IndexError):
        compute_suppression([1, 2], 3, [[0, 5]])


@pytest.mark.by_hand
def test_formats():
    assert fmt_n_pct(61, 70.114942) == "61 (70.1)"
    assert fmt_est_ci(5.5, 4.1, math.nan, missing="NR") == "5.5 (4.1-NR)"
    assert fmt_num(math.inf) == "NE"
    assert fmt_p(0.0004) == "<0.001"
    assert fmt_p(0.0112) == "0.011"
    assert fmt_p(math.nan) == ""


@given(st.lists(st.integers(0, 30), min_size=2, max_size=8), st.integers(2, 11),
       st.data())
@settings(max_examples=200, deadline=None)
def test_no_block_is_left_with_one_hidden_cell(counts, k, data):
    """Property: after suppression, every block hides none or at least two cells, and every
    count in 1..k-1 is hidden (so no small count is published or recoverable by subtraction)."""
    n = len(counts)
    blocks = data.draw(st.lists(st.lists(st.integers(0, n - 1), min_size=2, max_size=n,
                                         unique=True), max_size=4))
    state = compute_suppression(counts, k, blocks)
    assert all(state[i] for i, c in enumerate(counts) if 0 < c < k)
    for block in blocks:
        hidden = sum(1 for i in block if state[i])
        assert hidden != 1


@pytest.mark.by_hand
def test_median_limits_follow_the_ard_method():
    """A missing limit is NR unless its ARD row says the band is undefined (NE)."""
    def ard(upper_method: str) -> ArdLookup:
        rows = [("median", 6.0, ""), ("lower", 2.9, ""), ("upper", math.nan, upper_method)]
        frame = pd.DataFrame([{c: "" for c in ARD_COLUMNS} | {
            "analysis": "survival", "endpoint": "dor", "variable": "median", "statistic": s,
            "value": v, "denominator": math.nan, "method": m} for s, v, m in rows])
        return ArdLookup(frame)

    for method, text in ((Method.LIMIT_NOT_ESTIMABLE, "6.0 (2.9-NE)"),
                         (Method.LIMIT_NOT_REACHED, "6.0 (2.9-NR)"), ("", "6.0 (2.9-NR)")):
        a = ard(method)
        limits = median_limits(a, analysis="survival", endpoint="dor")
        assert fmt_est_ci(6.0, 2.9, math.nan, missing="NR", limits=limits) == text
