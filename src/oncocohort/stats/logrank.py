"""Log-rank and Fleming-Harrington G(rho, gamma) tests, stratified, k groups, trend.

``logrank`` returns an immutable :class:`LogRank` with the chi-square test, the
per-group observed/expected table and the full variance matrix of O - E.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from oncocohort.stats._dist import chi2_sf
from oncocohort.stats._km_core import check_survival_input
from oncocohort.stats._results import TestResult

__all__ = ["LogRank", "logrank"]


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not objects
class LogRank:
    r"""Result of :func:`logrank`.

    Attributes
    ----------
    statistic, df, p_value
        Chi-square statistic, its degrees of freedom and ``chi2.sf(statistic, df)``.
        For ``trend=True`` the 1-df trend statistic.
    table
        One row per group (sorted order): ``group``, ``n`` (subjects), ``observed``,
        ``expected``, ``o_minus_e``, ``variance`` (diagonal of ``variance_matrix``).
        With ``rho``/``gamma`` > 0, observed and expected are *weighted* sums, as R
        ``survdiff(rho=)`` reports them.
    variance_matrix
        :math:`k \times k` variance-covariance matrix of O - E (rows and columns
        labelled by group), summed over strata.
    rho, gamma, trend, scores
        The options used (``scores`` is None unless ``trend``).
    """

    statistic: float
    df: float
    p_value: float
    table: pd.DataFrame = field(repr=False)
    variance_matrix: pd.DataFrame = field(repr=False)
    rho: float = 0.0
    gamma: float = 0.0
    trend: bool = False
    scores: tuple[float, ...] | None = None

    @property
    def test(self) -> TestResult:
        """The test as a :class:`TestResult` (statistic, df, p_value)."""
        return TestResult(self.statistic, self.df, self.p_value)

    def to_frame(self) -> pd.DataFrame:
        """The per-group table with the test columns repeated on each row."""
        out = self.table.copy()
        out["statistic"], out["df"], out["p_value"] = self.statistic, self.df, self.p_value
        return out


def _labels(values: ArrayLike, name: str, n: int) -> tuple[NDArray[np.intp], list]:
    """Integer codes and the sorted labels (category order for ordered categoricals)."""
    ser = pd.Series(values) if not isinstance(values, pd.Series) else values.reset_index(drop=True)
    if len(ser) != n:
        raise ValueError(f"{name} must have the same length as time ({len(ser)} != {n})")
    if ser.isna().any():
        raise ValueError(f"{name} has {int(ser.isna().sum())} missing value(s)")
    if isinstance(ser.dtype, pd.CategoricalDtype):
        ser = ser.cat.remove_unused_categories()
        return ser.cat.codes.to_numpy().astype(np.intp), list(ser.cat.categories)
    try:
        codes, uniques = pd.factorize(ser, sort=True)
    except TypeError as exc:
        raise ValueError(f"{name} values cannot be ordered: {exc}") from None
    return codes.astype(np.intp), list(uniques)


def _stratum_sums(
    time: NDArray[np.float64],
    event: NDArray[np.bool_],
    codes: NDArray[np.intp],
    k: int,
    rho: float,
    gamma: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Weighted O, E (length k) and V (k x k) within one stratum."""
    times, inverse = np.unique(time, return_inverse=True)
    m = times.size
    cell = inverse * k + codes
    n_leaving = np.bincount(cell, minlength=m * k).reshape(m, k).astype(float)
    d_tg = np.bincount(cell[event], minlength=m * k).reshape(m, k).astype(float)
    # at risk at t_i: everyone with time >= t_i (reverse cumulative sum)
    n_tg = np.cumsum(n_leaving[::-1], axis=0)[::-1]
    n_t, d_t = n_tg.sum(axis=1), d_tg.sum(axis=1)
    # pooled left-continuous Kaplan-Meier S(t-) for the G(rho, gamma) weight
    s_after = np.cumprod(1.0 - d_t / n_t)
    s_before = np.concatenate(([1.0], s_after[:-1]))
    w = s_before**rho * (1.0 - s_before) ** gamma
    keep = d_t > 0
    w, n_tg, d_tg, n_t, d_t = w[keep], n_tg[keep], d_tg[keep], n_t[keep], d_t[keep]
    share = n_tg / n_t[:, None]
    observed = (w[:, None] * d_tg).sum(axis=0)
    expected = (w[:, None] * d_t[:, None] * share).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        tie = np.where(n_t > 1, d_t * (n_t - d_t) / (n_t - 1), 0.0)
    c = w**2 * tie
    variance = np.diag((c[:, None] * share).sum(axis=0)) - (c[:, None] * share).T @ share
    return observed, expected, variance


def _check_weight_exponent(value: float, name: str) -> float:
    if not isinstance(value, Real) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _chi_square(u: NDArray[np.float64], v: NDArray[np.float64]) -> tuple[float, int]:
    """U' V^- U over the groups with positive variance, dropping the first of them."""
    informative = np.flatnonzero(np.diag(v) > 0)
    df = informative.size - 1
    if df < 1:
        return float("nan"), max(df, 0)
    idx = informative[1:]
    sub = v[np.ix_(idx, idx)]
    stat = float(u[idx] @ np.linalg.solve(sub, u[idx]))
    return stat, df


def logrank(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    rho: float = 0.0,
    gamma: float = 0.0,
    trend: bool = False,
    scores: ArrayLike | None = None,
) -> LogRank:
    r"""Log-rank test of equal survival in k groups (optionally stratified, weighted).

    Parameters
    ----------
    time, event
        As for :func:`~oncocohort.stats.kaplan_meier.kaplan_meier`.
    group
        Group label per subject (at least two distinct values). Groups are sorted
        (or taken in category order for a pandas Categorical).
    strata
        Optional stratum label per subject: O, E and V are computed within each
        stratum and summed (R ``survdiff(... + strata(s))``, SAS ``STRATA`` with
        ``GROUP=``, Stata ``sts test g, strata(s)``).
    rho, gamma
        Fleming-Harrington G(rho, gamma) weight :math:`w(t) = \hat S(t-)^\rho
        \{1 - \hat S(t-)\}^\gamma`, :math:`\hat S` the pooled Kaplan-Meier within the
        stratum, left-continuous. ``rho=gamma=0``: log-rank (Mantel-Haenszel);
        ``rho=1, gamma=0``: Peto-Peto modification of the Gehan-Wilcoxon test, equal
        to R ``survdiff(rho=1)``.
    trend
        If True, test for trend over ordered groups: 1 df.
    scores
        Scores for the trend test, one per group in sorted order; default
        :math:`1, \dots, k`.

    Returns
    -------
    LogRank

    Notes
    -----
    At each distinct event time :math:`t` with :math:`n_{tg}` at risk and
    :math:`d_{tg}` events in group :math:`g` (:math:`n_t`, :math:`d_t` in total):

    .. math::
        O_g = \sum_t w_t d_{tg}, \quad E_g = \sum_t w_t d_t \frac{n_{tg}}{n_t}, \quad
        V_{gh} = \sum_t w_t^2 \frac{d_t (n_t - d_t)}{n_t - 1}
                 \frac{n_{tg}}{n_t}\Bigl(\delta_{gh} - \frac{n_{th}}{n_t}\Bigr).

    The statistic is :math:`U^\top V^{-} U` with :math:`U = O - E`, computed on
    :math:`k-1` groups (one dropped; the result does not depend on which), with
    :math:`k-1` df (groups with zero variance are left out). The trend statistic is
    :math:`(c^\top U)^2 / c^\top V c` on 1 df. p-values are ``chi2.sf``.

    References
    ----------
    Mantel (1966) Cancer Chemother Rep 50:163. Peto & Peto (1972) JRSS A 135:185.
    Harrington & Fleming (1982) Biometrika 69:553. Collett (2015) sec. 2.6.
    R ``survival::survdiff``.
    """
    t, e, _ = check_survival_input(time, event)
    rho = _check_weight_exponent(rho, "rho")
    gamma = _check_weight_exponent(gamma, "gamma")
    codes, labels = _labels(group, "group", t.size)
    k = len(labels)
    if k < 2:
        raise ValueError(f"group must have at least two distinct values, got {k}")
    if strata is None:
        s_codes, n_strata = np.zeros(t.size, dtype=np.intp), 1
    else:
        s_codes, s_labels = _labels(strata, "strata", t.size)
        n_strata = len(s_labels)
    observed, expected, variance = np.zeros(k), np.zeros(k), np.zeros((k, k))
    order = np.argsort(s_codes, kind="stable")
    bounds = np.searchsorted(s_codes[order], np.arange(n_strata + 1))
    for j in range(n_strata):  # loop over strata (few), not over subjects
        rows = order[bounds[j]:bounds[j + 1]]
        o, ex, v = _stratum_sums(t[rows], e[rows], codes[rows], k, rho, gamma)
        observed += o
        expected += ex
        variance += v
    u = observed - expected
    used_scores: tuple[float, ...] | None = None
    if trend:
        c = np.arange(1.0, k + 1) if scores is None else np.asarray(scores, dtype=float)
        if c.shape != (k,) or not np.isfinite(c).all():
            raise ValueError(f"scores must be {k} finite numbers (one per group)")
        if np.ptp(c) == 0:
            raise ValueError("scores must not all be equal")
        statistic, df = float((c @ u) ** 2 / (c @ variance @ c)), 1
        used_scores = tuple(float(x) for x in c)
    else:
        if scores is not None:
            raise ValueError("scores are only used with trend=True")
        statistic, df = _chi_square(u, variance)
    p_value = float(chi2_sf(statistic, df)) if df > 0 else float("nan")
    table = pd.DataFrame(
        {
            "group": labels,
            "n": np.bincount(codes, minlength=k),
            "observed": observed,
            "expected": expected,
            "o_minus_e": u,
            "variance": np.diag(variance).copy(),
        }
    )
    vmat = pd.DataFrame(variance, index=pd.Index(labels, name="group"), columns=labels)
    return LogRank(statistic, float(df), p_value, table, vmat, rho, gamma, trend, used_scores)
