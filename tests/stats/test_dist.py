"""The distributions the statistics use from scipy.special equal scipy.stats' bit for bit
(regression against scipy.stats itself, the reference the p-values and intervals were checked
with), boundaries included."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from oncocohort.stats._dist import beta_isf, beta_ppf, chi2_sf, norm_isf, norm_sf

rng = np.random.default_rng(20261205)


def test_normal_tails_equal_scipy_stats():
    x = np.r_[rng.normal(scale=4, size=2000), 0.0, -np.inf, np.inf, 40.0, -40.0]
    np.testing.assert_array_equal(norm_sf(x), stats.norm.sf(x))
    q = np.r_[rng.uniform(size=2000), 0.025, 0.05, 0.005, 1e-300]
    np.testing.assert_array_equal(norm_isf(q), stats.norm.isf(q))
    assert norm_isf(0.025) == stats.norm.isf(0.025)  # a scalar as the callers pass it


@pytest.mark.parametrize("df", [1, 2, 3, 7, 30])
def test_chi_square_tail_equals_scipy_stats(df):
    x = np.r_[rng.exponential(scale=3 * df, size=1000), 0.0, 1e-300, 500.0, np.inf]
    np.testing.assert_array_equal(chi2_sf(x, df), stats.chi2.sf(x, df))


def test_chi_square_boundaries_as_scipy_stats():
    """A statistic a rounding below 0 has p = 1, a NaN one p = NaN, no df p = NaN."""
    assert chi2_sf(-1e-17, 1) == stats.chi2.sf(-1e-17, 1) == 1.0
    assert np.isnan(chi2_sf(float("nan"), 2)) and np.isnan(stats.chi2.sf(float("nan"), 2))
    assert np.isnan(chi2_sf(3.0, 0)) and np.isnan(stats.chi2.sf(3.0, 0))


def test_beta_quantiles_equal_scipy_stats():
    """Clopper-Pearson and Jeffreys limits: every x of n = 1..60 at three levels."""
    for n in range(1, 61):
        for alpha in (0.1, 0.05, 0.01):
            for x in range(n + 1):
                if x > 0:
                    assert beta_ppf(alpha / 2, x, n - x + 1) == \
                        stats.beta.ppf(alpha / 2, x, n - x + 1)
                if x < n:
                    assert beta_isf(alpha / 2, x + 1, n - x) == \
                        stats.beta.isf(alpha / 2, x + 1, n - x)
                assert beta_ppf(alpha / 2, x + 0.5, n - x + 0.5) == \
                    stats.beta.ppf(alpha / 2, x + 0.5, n - x + 0.5)
