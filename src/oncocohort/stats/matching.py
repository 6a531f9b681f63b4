"""Greedy nearest-neighbour propensity-score matching on the logit, with a caliper.

The rules (those of R MatchIt's ``method = "nearest"`` with ``distance`` = the logit of the
score, ``m.order = "largest"`` and ``std.caliper = TRUE``):

1. The distance between a treated unit *i* and a control *j* is
   :math:`|\\operatorname{logit} e_i - \\operatorname{logit} e_j|`.
2. The caliper width is ``caliper`` times the standard deviation (n - 1 denominator) of the
   logit over all units with a score; a pair further apart than that is not allowed.
3. Treated units are taken in order of decreasing score (ties: row order). Matching runs in
   ``ratio`` rounds: in round *r* each treated unit still in play receives its *r*-th control,
   the nearest control still available (without replacement: not yet used by anyone; with
   replacement: not yet matched to this treated unit). A treated unit without any control
   within the caliper stays unmatched (or keeps the controls it already has).
4. Ties in distance go to the control that comes first in row order.

Matching weights follow MatchIt: a matched treated unit weighs 1; a control weighs the sum,
over the treated units it is matched to, of 1 / (that unit's number of controls); the control
weights are then divided by their mean over the matched controls (so they sum to the number of
matched controls). Unmatched units weigh 0.

References
----------
Austin PC (2011). Optimal caliper widths for propensity-score matching when estimating
differences in means and differences in proportions in observational studies. Pharm Stat
10:150-161 (0.2 SD of the logit).
Rosenbaum PR, Rubin DB (1985). Constructing a control group using multivariate matched
sampling methods that incorporate the propensity score. Am Stat 39:33-38.
Ho DE, Imai K, King G, Stuart EA (2011). MatchIt: nonparametric preprocessing for parametric
causal inference. J Stat Softw 42(8):1-28.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = ["MatchResult", "match"]


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not objects
class MatchResult:
    """Result of :func:`match`.

    Attributes
    ----------
    pairs
        One row per (treated, control) pair: ``subclass`` (1, 2, ... numbered in the row order
        of the matched treated units; with ``ratio > 1`` a subclass holds a treated unit and
        its controls, nearest first), ``treated_id``, ``control_id`` (labels of
        ``data.index``). With replacement a control can appear in several subclasses.
    matched_ids
        Index labels of every matched unit (treated and control), in row order.
    n_unmatched_treated, n_unmatched_control
        Units left without a match (including units without a score).
    weights
        Matching weights aligned with ``data.index`` (see the module docstring), for
        :func:`balance` and weighted outcome models.
    caliper_width
        The caliper on the logit scale (``caliper`` x SD of the logit); inf without caliper.
    """

    pairs: pd.DataFrame = field(repr=False)
    matched_ids: pd.Index = field(repr=False)
    n_unmatched_treated: int
    n_unmatched_control: int
    weights: pd.Series = field(repr=False)
    caliper_width: float

    def to_frame(self) -> pd.DataFrame:
        """The pairs (a copy)."""
        return self.pairs.copy()


def _find(parent: NDArray[np.intp], i: int) -> int:
    """Root of ``i`` in a 'next available' forest, with path halving."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


class _Pool:
    """Controls sorted by (logit, row), with the nearest available one found in ~O(log n)."""

    def __init__(self, values: NDArray[np.float64], rows: NDArray[np.intp]):
        order = np.lexsort((rows, values))
        self.vals = values[order]
        self.rows = rows[order]
        n = self.vals.size
        # right[i]: the first available position >= i (n = none); left[i + 1]: the last
        # available position <= i (shifted by one so that 0 = none)
        self.right = np.arange(n + 1)
        self.left = np.arange(n + 1)

    def remove(self, k: int) -> None:
        self.right[k] = k + 1
        self.left[k + 1] = k

    def _next(self, k: int) -> int:
        return _find(self.right, k)

    def _prev(self, k: int) -> int:
        return _find(self.left, k + 1) - 1

    def nearest(self, v: float, width: float) -> int | None:
        """Sorted position of the nearest available control within ``width`` (ties: row)."""
        n = self.vals.size
        pos = int(np.searchsorted(self.vals, v))
        r = self._next(pos) if pos < n else n
        left = self._prev(pos - 1) if pos > 0 else -1
        best = np.inf
        if r < n:
            best = abs(v - self.vals[r])
        if left >= 0:
            best = min(best, abs(v - self.vals[left]))
        if not (np.isfinite(best) and best <= width):
            return None
        # every available control at exactly this distance, on both sides; the first in row
        # order wins (rounding can make distinct values equally far, so scan, not compare)
        candidates = []
        k = r
        while k < n and abs(v - self.vals[k]) == best:
            candidates.append(k)
            k = self._next(k + 1)
        k = left
        while k >= 0 and abs(v - self.vals[k]) == best:
            candidates.append(k)
            k = self._prev(k - 1)
        return min(candidates, key=lambda c: self.rows[c])


def _logit(e: NDArray[np.float64], ok: NDArray[np.bool_]) -> NDArray[np.float64]:
    """log(e / (1 - e)) with the C library's log, element by element.

    numpy's vectorised log may differ from libm in the last bit, depending on the CPU's SIMD
    instructions; near-ties between two controls (distances 1e-16 apart) would then be broken
    differently on different machines and differently from R (which calls libm's log).
    """
    out = np.full(e.size, np.nan)
    ratio = e[ok] / (1.0 - e[ok])
    out[ok] = np.fromiter((math.log(r) for r in ratio.tolist()), dtype=float, count=ratio.size)
    return out


def _check(data, treatment, ps, ratio, caliper, replace):
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame")
    if treatment not in data.columns:
        raise ValueError(f"treatment column {treatment!r} not in data")
    if isinstance(ps, str):
        if ps not in data.columns:
            raise ValueError(f"ps column {ps!r} not in data")
        e = data[ps].to_numpy(dtype=float)
    else:
        e = np.asarray(ps, dtype=float).ravel()
        if e.size != len(data):
            raise ValueError(f"ps has {e.size} values for {len(data)} rows of data")
    ok = np.isfinite(e)
    if ((e[ok] <= 0) | (e[ok] >= 1)).any():
        raise ValueError("ps must be strictly between 0 and 1 (missing values are left unmatched)")
    tcol = data[treatment]
    if tcol.isna().any():
        raise ValueError(f"treatment column {treatment!r} has {int(tcol.isna().sum())} missing")
    t = tcol.to_numpy(dtype=float)
    if not np.isin(t, (0.0, 1.0)).all():
        raise ValueError(f"treatment column {treatment!r} must hold only 0/1 (or bool)")
    if isinstance(ratio, bool) or not isinstance(ratio, Integral) or ratio < 1:
        raise ValueError(f"ratio must be a whole number >= 1, got {ratio!r}")
    if caliper is not None and (not isinstance(caliper, Real) or not caliper > 0):
        raise ValueError(f"caliper must be > 0 or None, got {caliper!r}")
    if not isinstance(replace, bool):
        raise ValueError("replace must be True or False")
    return e, t, ok


def _greedy(logit, treated, controls, order, ratio, width, replace):
    """Matches as {treated row: [control rows, nearest first]}."""
    matches: dict[int, list[int]] = {int(i): [] for i in treated}
    if not replace:
        pool = _Pool(logit[controls], controls)
        for _ in range(ratio):
            for i in order:
                if pool.vals.size == 0:
                    break
                k = pool.nearest(logit[i], width)
                if k is not None:
                    matches[int(i)].append(int(pool.rows[k]))
                    pool.remove(k)
        return matches
    cvals = logit[controls]
    for i in order:
        dist = np.abs(logit[i] - cvals)
        near = np.lexsort((controls, dist))[:ratio]  # nearest first, ties by row
        matches[int(i)] = [int(controls[k]) for k in near if dist[k] <= width]
    return matches


def _weights(matches, n: int, t: NDArray) -> NDArray[np.float64]:
    w = np.zeros(n)
    for i, cs in matches.items():
        if cs:
            w[i] = 1.0
            for c in cs:
                w[c] += 1.0 / len(cs)
    used = (t == 0) & (w > 0)
    if used.any():
        w[used] /= w[used].mean()
    return w


def match(
    data: pd.DataFrame,
    *,
    treatment: str,
    ps: str | ArrayLike,
    ratio: int = 1,
    caliper: float | None = 0.2,
    replace: bool = False,
) -> MatchResult:
    """Greedy nearest-neighbour matching of controls to treated units on the logit of the score.

    See the module docstring for the rules, which are those of R MatchIt ``matchit(method =
    "nearest", distance = <logit of ps>, m.order = "largest", caliper =, std.caliper = TRUE,
    ratio =, replace =)``.

    Parameters
    ----------
    data
        One row per unit; ``data.index`` labels the units in the result.
    treatment
        Column with 1 (treated) and 0 (control), or bool.
    ps
        Propensity scores: a column name or an array aligned with the rows. Units with a
        missing score take no part and count as unmatched.
    ratio
        Controls per treated unit (k:1 matching).
    caliper
        Caliper in standard deviations of the logit of the score (default 0.2, Austin 2011);
        None for no caliper.
    replace
        Whether a control may be matched to several treated units.

    Returns
    -------
    MatchResult

    Notes
    -----
    R ``MatchIt::matchit(method = "nearest", ...)`` as above (note that MatchIt 4.5.1 as
    packaged in Debian compares distances as integers, MatchIt issue #163: pass the distance
    scaled, e.g. x 1e6); SAS ``PROC PSMATCH MATCH METHOD=GREEDY(K=) DISTANCE=LPS
    CALIPER(MULT=STDDEV)=0.2``; Stata ``psmatch2 ..., logit neighbor(k) caliper(c)
    noreplacement descending`` (caliper in raw logit units there) or ``teffects psmatch``
    (with replacement only); SPSS ``Data > Propensity Score Matching`` (FUZZY, tolerance on
    the probability scale).
    """
    e, t, ok = _check(data, treatment, ps, ratio, caliper, replace)
    logit = _logit(e, ok)
    if caliper is None:
        width = np.inf
    else:
        sd = float(np.std(logit[ok], ddof=1)) if ok.sum() > 1 else np.nan
        width = caliper * sd if np.isfinite(sd) else np.inf
    rows = np.arange(e.size)
    treated = rows[ok & (t == 1.0)]
    controls = rows[ok & (t == 0.0)]
    order = treated[np.argsort(-logit[treated], kind="stable")]  # largest first, ties by row
    matches = _greedy(logit, treated, controls, order, ratio, width, replace)

    ids = data.index
    records = []
    subclass = 0
    for i in sorted(matches):
        if matches[i]:
            subclass += 1
            records += [(subclass, ids[i], ids[c]) for c in matches[i]]
    pairs = pd.DataFrame(records, columns=["subclass", "treated_id", "control_id"])
    w = _weights(matches, e.size, t)
    matched = w > 0
    return MatchResult(
        pairs=pairs,
        matched_ids=ids[matched],
        n_unmatched_treated=int(((t == 1.0) & ~matched).sum()),
        n_unmatched_control=int(((t == 0.0) & ~matched).sum()),
        weights=pd.Series(w, index=ids, name="weights"),
        caliper_width=float(width),
    )
