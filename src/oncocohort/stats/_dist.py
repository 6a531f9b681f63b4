"""The tail probabilities and quantiles the statistics use, from :mod:`scipy.special`.

The same functions ``scipy.stats`` calls for ``norm``, ``chi2`` and ``beta`` (``ndtr``,
``ndtri``, ``chdtrc``, ``betaincinv``, ``betainccinv``), so every value is bit for bit the one
``scipy.stats.norm.sf`` / ``chi2.sf`` / ``beta.ppf`` / ``beta.isf`` gives
(``tests/stats/test_dist.py``), without importing ``scipy.stats`` (a third of a second at
start-up, most of it distributions the package never uses). Boundaries as ``scipy.stats``:
``chi2_sf`` of a negative statistic is 1, of a non-positive df NaN.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betainccinv, betaincinv, chdtrc, ndtr, ndtri

__all__ = ["beta_isf", "beta_ppf", "chi2_sf", "norm_isf", "norm_sf"]


def norm_sf(x):
    """Standard normal upper tail ``P(Z > x)`` (``scipy.stats.norm.sf``)."""
    return ndtr(np.negative(x))


def norm_isf(q):
    """The standard normal ``z`` with ``P(Z > z) = q`` (``scipy.stats.norm.isf``)."""
    return np.negative(ndtri(q))


def chi2_sf(x, df):
    """Chi-square upper tail ``P(X > x)`` on ``df`` degrees of freedom (``scipy.stats.chi2.sf``:
    1 for ``x < 0``, NaN for ``df <= 0``; p-values from the upper tail, never ``1 - cdf``)."""
    x, df = np.asarray(x, dtype=float), np.asarray(df, dtype=float)
    p = np.where(x < 0, 1.0, chdtrc(df, np.maximum(x, 0.0)))
    p = np.where(df > 0, p, np.nan)
    return p[()] if p.ndim == 0 else p


def beta_ppf(q, a, b):
    """The ``q`` quantile of the Beta(a, b) distribution (``scipy.stats.beta.ppf``)."""
    return betaincinv(a, b, q)


def beta_isf(q, a, b):
    """The Beta(a, b) value with upper tail ``q`` (``scipy.stats.beta.isf``)."""
    return betainccinv(a, b, q)
