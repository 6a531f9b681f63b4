"""Tests of the proportional-hazards test (oncocohort.stats.cox_zph) against R ``cox.zph``.

R survival 3.5-3, fixtures from ``tests/reference/cox.R``. Tolerance rel 1e-6 (observed ~1e-12:
the score test is computed from the same sums as R, in a different order).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncocohort.stats.cox_zph import _km_left, compute_cox_zph

FIXTURES = Path(__file__).resolve().parents[1] / "reference" / "fixtures"
REL = 1e-6

from _cox_cases import CASES, RESULTS, fit_case  # noqa: E402

_fit = fit_case


def _expected(case: str, quantity: str) -> pd.Series:
    r = RESULTS[(RESULTS.case == case) & (RESULTS.quantity == quantity)]
    return r.set_index("term").value


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES[CASES.zph == "1"].case.tolist())
def test_ph_test_matches_r_cox_zph(case):
    table = _fit(case).ph_test().table
    chisq, df, p = (_expected(case, q) for q in ("zph_chisq", "zph_df", "zph_p"))
    assert list(table.index) == list(chisq.index)  # variables in model order, then GLOBAL
    np.testing.assert_allclose(table.chisq, chisq, rtol=REL)
    np.testing.assert_array_equal(table.df, df)
    np.testing.assert_allclose(table.p, p, rtol=REL)


@pytest.mark.reference
@pytest.mark.parametrize("case", ["lung_efron", "vet_strata"])
@pytest.mark.parametrize("transform", ["identity", "rank", "log"])
def test_other_time_transforms_match_r(case, transform):
    table = compute_cox_zph(_fit(case), transform=transform).table
    expected = _expected(case, f"zph_{transform}_chisq")
    np.testing.assert_allclose(table.chisq.reindex(expected.index), expected, rtol=REL)


@pytest.mark.by_hand
def test_left_continuous_km_transform_by_hand():
    # times 1, 2, 2, 3 with events 1, 1, 0, 1: S = 3/4 after t=1, 3/4 * 2/3 = 1/2 after t=2
    # 1 - S(t-): t=1 -> 0, t=2 -> 1/4, t=3 -> 1/2
    got = _km_left(np.array([1.0, 2, 2, 3]), np.array([True, True, False, True]))
    np.testing.assert_allclose(got, [0, 0.25, 0.25, 0.5], rtol=1e-15)


@pytest.mark.by_hand
def test_multi_level_variable_is_one_term_with_its_df():
    table = _fit("vet_efron").ph_test().table
    assert table.at["celltype", "df"] == 3  # 4 cell types: one 3-df test, as R terms=TRUE
    assert table.at["GLOBAL", "df"] == 5


def test_unknown_transform_raises():
    with pytest.raises(ValueError, match="transform must be one of"):
        _fit("ovarian_efron").ph_test(transform="sqrt")


def test_to_frame_and_global():
    z = _fit("ovarian_efron").ph_test()
    frame = z.to_frame()
    assert list(frame.columns) == ["term", "chisq", "df", "p", "transform"]
    assert z.global_test.df == 2
    assert z.global_test.statistic == frame.set_index("term").at["GLOBAL", "chisq"]
