"""Tests of a baseline characteristic across groups (Table 1 by group) and standardised mean
differences.

Rule (:func:`compare_groups`), as R gtsummary's ``add_p()`` defaults:

* categorical: Pearson's chi-square test without continuity correction (R ``chisq.test(tab,
  correct = FALSE)``), or Fisher's exact test (R ``fisher.test``) when any expected count is
  below 5;
* continuous: two groups, the Wilcoxon rank-sum test (R ``wilcox.test``: exact when both
  groups have fewer than 50 values and there are no ties, else the normal approximation with
  continuity and tie corrections); three or more, the Kruskal-Wallis test (R
  ``kruskal.test``).

Fisher's test of an r x c table enumerates every table with the observed margins
(:func:`fisher_exact_rxc`); its p-value is the probability of the tables no more probable
than the observed one, with R's relative tolerance ``1e-7``.

The chi-square, Kruskal-Wallis and rank-sum statistics are written out here (as R computes
them; the same values as ``scipy.stats.chi2_contingency(correction=False)``, ``kruskal`` and
``mannwhitneyu``), with p-values from :mod:`scipy.special` (:mod:`oncocohort.stats._dist`):
average ranks for ties, the tie correction ``1 - sum(t^3 - t) / (n^3 - n)`` of Kruskal-Wallis,
and for the rank sum ``U = R_1 - n_1 (n_1 + 1) / 2``, either exact (the count of rank
arrangements with each ``U``, the Gaussian binomial coefficient, in whole numbers: R
``pwilcox``) or ``z = (max(U, n_1 n_2 - U) - n_1 n_2 / 2 - 1/2) / sigma`` with ``sigma^2 =
n_1 n_2 / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1)))``; both two-sided, at most 1.

Standardised mean differences (two groups): continuous ``(m1 - m2) / sqrt((s1^2 + s2^2) /
2)``; categorical with k levels, Yang & Dalton's ``sqrt((p1 - p2)' S^-1 (p1 - p2))`` over
k - 1 levels with ``S = (S1 + S2) / 2``, ``S_g[i, i] = p_i (1 - p_i)``, ``S_g[i, j] = -p_i
p_j`` (R ``tableone``; Yang D, Dalton JE. SAS Global Forum 2012, paper 335).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from oncocohort.stats._dist import chi2_sf, norm_sf

__all__ = ["GroupTest", "compare_categorical", "compare_continuous", "fisher_exact_rxc",
           "smd_categorical", "smd_continuous"]


@dataclass(frozen=True)
class GroupTest:
    """A test across groups: ``test`` (``chisq``, ``fisher``, ``wilcoxon``, ``kruskal``), the
    p-value and the statistic (NaN for Fisher's)."""

    test: str
    p_value: float
    statistic: float = float("nan")


def fisher_exact_rxc(table: np.ndarray) -> float:
    """Two-sided Fisher exact p of an r x c table of counts (R ``fisher.test``).

    >>> round(fisher_exact_rxc(np.array([[3, 1, 2], [1, 4, 2]])), 7)
    0.3240093
    """
    t = np.asarray(table, dtype=np.int64)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if t.shape[0] < 2 or t.shape[1] < 2:
        return 1.0
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    n = int(t.sum())
    const = gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(n + 1)

    def logp(cells: np.ndarray) -> float:
        return const - gammaln(cells + 1).sum()

    observed = logp(t)
    limit = observed + np.log1p(1e-7)
    total = 0.0

    def fill(j: int, remaining: np.ndarray, acc: float) -> None:
        nonlocal total
        if j == len(cols) - 1:  # the last column is what remains
            p = acc - gammaln(remaining + 1).sum()
            if p <= limit:
                total += np.exp(p)
            return
        for x in _columns(remaining, int(cols[j])):
            fill(j + 1, remaining - x, acc - gammaln(x + 1).sum())

    fill(0, rows.copy(), const)
    return float(min(1.0, total))


def _columns(caps: np.ndarray, total: int):
    """Every vector ``x`` with ``0 <= x <= caps`` summing to ``total``."""
    if len(caps) == 1:
        if total <= caps[0]:
            yield np.array([total])
        return
    rest = int(caps[1:].sum())
    for first in range(max(0, total - rest), min(int(caps[0]), total) + 1):
        for tail in _columns(caps[1:], total - first):
            yield np.concatenate(([first], tail))


def compare_categorical(table: np.ndarray) -> GroupTest:
    """Chi-square (no continuity correction), or Fisher's exact test when an expected count
    is below 5; ``table`` is levels x groups of counts (missing values left out)."""
    t = np.asarray(table, dtype=float)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if t.shape[0] < 2 or t.shape[1] < 2:
        return GroupTest("chisq", float("nan"))
    expected = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    if (expected < 5).any():
        return GroupTest("fisher", fisher_exact_rxc(t.astype(np.int64)))
    stat = float(((t - expected) ** 2 / expected).sum())
    return GroupTest("chisq", float(chi2_sf(stat, (t.shape[0] - 1) * (t.shape[1] - 1))), stat)


def compare_continuous(groups: list[np.ndarray]) -> GroupTest:
    """Wilcoxon rank-sum (two groups) or Kruskal-Wallis (three or more), as R."""
    groups = [np.asarray(g, dtype=float) for g in groups]
    groups = [g[np.isfinite(g)] for g in groups if np.isfinite(g).any()]
    if len(groups) < 2:
        return GroupTest("wilcoxon", float("nan"))
    ranks, ties = _average_ranks(np.concatenate(groups))
    n = float(len(ranks))
    tie_sum = float((ties ** 3 - ties).sum())
    if len(groups) > 2:
        return _kruskal(groups, ranks, n, tie_sum)
    n1, n2 = len(groups[0]), len(groups[1])
    u1 = float(ranks[:n1].sum()) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    if n1 < 50 and n2 < 50 and tie_sum == 0:
        p = 2 * _rank_sum_upper_tail(round(u), n1, n2)
    else:
        sigma = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_sum / (n * (n - 1))))
        with np.errstate(divide="ignore", invalid="ignore"):
            p = 2 * float(norm_sf((u - n1 * n2 / 2 - 0.5) / sigma))
    return GroupTest("wilcoxon", min(1.0, p), u1)


def _kruskal(groups: list[np.ndarray], ranks: np.ndarray, n: float,
             tie_sum: float) -> GroupTest:
    """Kruskal-Wallis H, tie-corrected, on ``k - 1`` df (NaN when every value is the same)."""
    edges = np.cumsum([0] + [len(g) for g in groups])
    ssbn = sum(float(ranks[a:b].sum()) ** 2 / (b - a) for a, b in zip(edges[:-1], edges[1:],
                                                                        strict=True))
    correction = 1.0 - tie_sum / (n ** 3 - n)
    if correction <= 0:
        return GroupTest("kruskal", float("nan"))
    h = (12.0 / (n * (n + 1)) * ssbn - 3 * (n + 1)) / correction
    return GroupTest("kruskal", float(chi2_sf(h, len(groups) - 1)), h)


def _average_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks 1..n of ``values``, tied values sharing their average rank; and the size of each
    group of equal values."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1], True])
    sizes = np.diff(starts)
    ranks = np.empty(len(values))
    ranks[order] = np.repeat((starts[:-1] + starts[1:] + 1) / 2, sizes)
    return ranks, sizes.astype(float)


def _rank_sum_upper_tail(u: int, m: int, n: int) -> float:
    """``P(U >= u)`` for samples of ``m`` and ``n`` values without ties: the count of the
    arrangements with each ``U`` is the coefficient of the Gaussian binomial ``[m + n, m]_q``
    (built as the product of ``(1 - q^(n + i)) / (1 - q^i)``, each step a polynomial with
    whole coefficients), divided by ``C(m + n, m)``."""
    top = m * n
    counts = [1] + [0] * top
    for i in range(1, m + 1):
        for k in range(top, n + i - 1, -1):  # times (1 - q^(n + i))
            counts[k] -= counts[k - n - i]
        for k in range(i, top + 1):  # divided by (1 - q^i)
            counts[k] += counts[k - i]
    return sum(counts[max(u, 0):]) / math.comb(m + n, m)


def smd_continuous(x: np.ndarray, y: np.ndarray) -> float:
    """``(mean x - mean y) / sqrt((var x + var y) / 2)`` (sample variances)."""
    x, y = np.sort(np.asarray(x, float)), np.sort(np.asarray(y, float))
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if len(x) < 2 or len(y) < 2:
        return float("nan")
    pooled = np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2)
    return float((x.mean() - y.mean()) / pooled) if pooled > 0 else float("nan")


def smd_categorical(counts1: np.ndarray, counts2: np.ndarray) -> float:
    """Yang & Dalton's SMD of a categorical variable between two groups (level counts)."""
    p1 = np.asarray(counts1, float) / np.sum(counts1)
    p2 = np.asarray(counts2, float) / np.sum(counts2)
    d = (p1 - p2)[1:]
    a, b = p1[1:], p2[1:]
    s = (np.diag(a) - np.outer(a, a) + np.diag(b) - np.outer(b, b)) / 2
    if len(d) == 1:
        return float(abs(d[0]) / np.sqrt(s[0, 0])) if s[0, 0] > 0 else float("nan")
    try:
        return float(np.sqrt(d @ np.linalg.solve(s, d)))
    except np.linalg.LinAlgError:
        return float("nan")
