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

Standardised mean differences (two groups): continuous ``(m1 - m2) / sqrt((s1^2 + s2^2) /
2)``; categorical with k levels, Yang & Dalton's ``sqrt((p1 - p2)' S^-1 (p1 - p2))`` over
k - 1 levels with ``S = (S1 + S2) / 2``, ``S_g[i, i] = p_i (1 - p_i)``, ``S_g[i, j] = -p_i
p_j`` (R ``tableone``; Yang D, Dalton JE. SAS Global Forum 2012, paper 335).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as st
from scipy.special import gammaln

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
    chi2, p, _, _ = st.chi2_contingency(t, correction=False)
    return GroupTest("chisq", float(p), float(chi2))


def compare_continuous(groups: list[np.ndarray]) -> GroupTest:
    """Wilcoxon rank-sum (two groups) or Kruskal-Wallis (three or more), as R."""
    groups = [np.asarray(g, dtype=float) for g in groups]
    groups = [g[np.isfinite(g)] for g in groups if np.isfinite(g).any()]
    if len(groups) < 2:
        return GroupTest("wilcoxon", float("nan"))
    if len(groups) > 2:
        h, p = st.kruskal(*groups)
        return GroupTest("kruskal", float(p), float(h))
    x, y = groups
    ties = len(np.unique(np.concatenate([x, y]))) < len(x) + len(y)
    exact = len(x) < 50 and len(y) < 50 and not ties
    res = st.mannwhitneyu(x, y, alternative="two-sided", use_continuity=True,
                          method="exact" if exact else "asymptotic")
    return GroupTest("wilcoxon", float(res.pvalue), float(res.statistic))


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
