"""Harrell's concordance (C) of a risk score with a censored outcome, as R ``concordance``.

A pair (i, j) in the same stratum is comparable when the earlier time is an event: ``t_i < t_j``
with ``event_i = 1``, or ``t_i = t_j`` with i an event and j censored (the censored subject was
still at risk). Two events at the same time are "tied on y" and are not comparable. Among
comparable pairs, weighted by ``w_i w_j``:

* concordant: the earlier subject has the higher risk (``reverse=True``, the convention of a Cox
  linear predictor: higher risk, shorter survival), discordant: the lower risk;
* tied.x: equal risk scores, counted as 1/2.

``C = (concordant + tied.x / 2) / (concordant + discordant + tied.x)``.

With counting-process rows ``(start, stop]`` (a Cox fit with ``start``), the pairs are formed at
each event time t: the row with the event against every other row at risk at t
(``start < t <= stop``), censored at t included and events at t excluded (tied on y), as R's
``concordance`` for ``Surv(start, stop, event)``.

The standard error is R's infinitesimal jackknife (``concordancefit``): with Somers'
``d = (concordant - discordant) / N`` over the ``N`` comparable pairs, the influence of subject k
is ``w_k [(c_k - d_k) / N - d (c_k + d_k + t_k) / N]``, where ``c_k, d_k, t_k`` are the weights of
the concordant, discordant and tied.x pairs that involve k; ``var(C) = sum(influence^2) / 4``,
the influences first summed within clusters when ``cluster`` is given (R ``cluster``).

Counts use an O(n log n) vectorised algorithm (one pass per bit of the risk rank), with no
Python loop over subjects.

References
----------
Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA (1982). Evaluating the yield of medical tests.
JAMA 247:2543-2546.
Therneau T, Atkinson E (2023). Concordance. Vignette of the R survival package.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = ["Concordance", "compute_concordance"]


@dataclass(frozen=True)
class Concordance:
    """Concordance estimate with its standard error and the pair counts (weighted)."""

    concordance: float
    std_err: float
    concordant: float
    discordant: float
    tied_x: float
    tied_y: float
    tied_xy: float

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(self)])


def _runs_end(*keys: np.ndarray) -> np.ndarray:
    """For rows sorted by ``keys``: index of the last row of each row's run of equal keys."""
    n = len(keys[0])
    change = np.zeros(n, dtype=bool)
    change[-1] = True
    for k in keys:
        change[:-1] |= k[1:] != k[:-1]
    ends = np.flatnonzero(change)
    return ends[np.searchsorted(ends, np.arange(n))]


def _after(strata, key, wt) -> np.ndarray:
    """For each row q: sum of ``wt`` over rows t in the same stratum with ``key_t > key_q``."""
    o = np.lexsort((key, strata))
    s, k, w = strata[o], key[o], wt[o]
    cum = np.cumsum(w)
    out = np.empty(len(o))
    out[o] = cum[_runs_end(s)] - cum[_runs_end(s, k)]
    return out


def _after_equal(strata, key, level, wt) -> np.ndarray:
    """As :func:`_after`, restricted to rows t with ``level_t == level_q``."""
    o = np.lexsort((key, level, strata))
    s, lv, k, w = strata[o], level[o], key[o], wt[o]
    cum = np.cumsum(w)
    out = np.empty(len(o))
    out[o] = cum[_runs_end(s, lv)] - cum[_runs_end(s, lv, k)]
    return out


def _after_lower(strata, key, level, wt) -> np.ndarray:
    """For each row q: sum of ``wt`` over rows t of its stratum, key_t > key_q, level_t < level_q.

    ``level`` holds integers 0..L-1. With R the rank by (stratum, key, level), the condition is
    R_t > R_q given level_t < level_q. Pairs are counted at the highest bit where the levels
    differ: at bit c, rows are grouped by (stratum, level >> (c+1)) and ordered by R; a row with
    bit c set gains the weight of the rows after it in its group whose bit c is clear. A stable
    partition on bit c then gives the order for bit c-1.
    """
    n = len(key)
    out = np.zeros(n)
    if n == 0:
        return out
    nbits = max(int(level.max()).bit_length(), 1)
    order = np.lexsort((level, key, strata))
    idx = np.arange(n)
    for c in range(nbits - 1, -1, -1):
        lv = level[order]
        group = strata[order] * (1 << (nbits - c)) + (lv >> (c + 1))
        bit = (lv >> c) & 1
        low_w = np.where(bit == 0, wt[order], 0.0)
        cum = np.cumsum(low_w)
        gend = _runs_end(group)
        high = bit == 1
        out[order[high]] += cum[gend[high]] - cum[high.nonzero()[0]]
        # stable partition within groups: zeros first, then ones
        starts = np.unique(np.r_[0, gend[:-1] + 1])
        gstart = starts[np.searchsorted(starts, idx, "right") - 1]
        zeros_before = np.cumsum(1 - bit) - (1 - bit)
        zeros_at_start = zeros_before[gstart]
        zeros_in_group = (np.cumsum(1 - bit))[gend] - zeros_at_start
        ones_before = (idx - gstart) - (zeros_before - zeros_at_start)
        newpos = np.where(
            bit == 0,
            gstart + (zeros_before - zeros_at_start),
            gstart + zeros_in_group + ones_before,
        )
        new_order = np.empty(n, dtype=order.dtype)
        new_order[newpos] = order
        order = new_order
    return out


def _cross(fn, strata, target_key, query_key, wt, *levels) -> np.ndarray:
    """``fn`` (``_after``, ``_after_equal``, ``_after_lower``) with targets and queries apart.

    For each row q: the sum of ``wt`` over rows t of its stratum with
    ``target_key_t > query_key_q`` (and the level condition of ``fn``). The rows are stacked
    twice, once as targets and once as weightless queries.
    """
    n = len(target_key)
    both = (np.r_[lv, lv] for lv in levels)
    out = fn(np.r_[strata, strata], np.r_[target_key, query_key], *both, np.r_[wt, np.zeros(n)])
    return out[n:]


def compute_concordance(
    time,
    event,
    risk,
    *,
    strata=None,
    weights=None,
    reverse: bool = True,
    start=None,
    cluster=None,
) -> Concordance:
    """Harrell's C of ``risk`` against ``(time, event)`` or ``(start, time, event)``; see the
    module notes.

    Parameters
    ----------
    time, event, risk
        Arrays of equal length; ``event`` 1/True for an event.
    strata
        Optional codes: only pairs within a stratum are compared.
    weights
        Optional case weights (a pair weighs ``w_i w_j``).
    reverse
        True (default) when a higher ``risk`` means a shorter time (Cox linear predictor).
    start
        Optional interval starts: rows ``(start, time]`` (counting process).
    cluster
        Optional cluster codes: the influences are summed within each cluster for the SE.

    Examples
    --------
    >>> compute_concordance([1, 2, 3], [1, 1, 0], [3.0, 2.0, 1.0]).concordance
    1.0
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event).astype(bool)
    risk = np.asarray(risk, dtype=float)
    n = len(time)
    if not (len(event) == len(risk) == n) or (start is not None and len(start) != n):
        raise ValueError("time, event, risk (and start) must have the same length")
    strata = np.zeros(n, dtype=np.int64) if strata is None else pd.factorize(np.asarray(strata))[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if not reverse:
        risk = -risk
    if start is None:
        tcode = pd.factorize(time, sort=True)[0]
    else:  # one code for the start and stop values together
        start = np.asarray(start, dtype=float)
        codes = pd.factorize(np.r_[time, start], sort=True)[0]
        tcode, scode = codes[:n], codes[n:]
    key = 2 * tcode + (~event)  # censored at t sorts after an event at t
    level = pd.factorize(risk, sort=True)[0].astype(np.int64)
    evw = w * event
    # i = the earlier event (query rows that are events), j = the later subject (any row)
    a_total = _after(strata, key, w)
    a_lower = _after_lower(strata, key, level, w)  # j has lower risk: concordant
    a_equal = _after_equal(strata, key, level, w)
    # j's side: events i before j (key_i < key_j), via negated key and level
    nkey, nlevel = -key, level.max() - level
    b_total = _after(strata, nkey, evw)
    b_higher = _after_lower(strata, nkey, nlevel, evw)  # i has higher risk: concordant
    b_equal = _after_equal(strata, nkey, level, evw)
    if start is not None:
        # not yet at risk at t_i: start_j >= t_i, i.e. skey_j > key_i for an event i (these
        # rows all have key_j > key_i, so they are removed from the counts above)
        skey = 2 * scode + 1
        a_total -= _cross(_after, strata, skey, key, w)
        a_lower -= _cross(_after_lower, strata, skey, key, w, level)
        a_equal -= _cross(_after_equal, strata, skey, key, w, level)
        b_total -= _cross(_after, strata, nkey, -skey, evw)
        b_higher -= _cross(_after_lower, strata, nkey, -skey, evw, nlevel)
        b_equal -= _cross(_after_equal, strata, nkey, -skey, evw, level)
    a_higher = a_total - a_lower - a_equal
    b_lower = b_total - b_higher - b_equal
    ev = event.astype(float)
    ic = ev * a_lower + b_higher
    idc = ev * a_higher + b_lower
    it = ev * a_equal + b_equal
    conc = float(evw @ a_lower)
    disc = float(evw @ a_higher)
    tx = float(evw @ a_equal)
    # events tied on time (same stratum): pairs tied on y, and on both y and x
    cell = pd.factorize(strata * (tcode.max() + 1) + tcode)[0]
    e_idx = np.flatnonzero(event)

    def pairs(groups):
        tot = np.bincount(groups, weights=w[e_idx])
        sq = np.bincount(groups, weights=w[e_idx] ** 2)
        return float(((tot**2 - sq) / 2).sum())

    ty_all = pairs(cell[e_idx]) if len(e_idx) else 0.0
    txy = 0.0
    if len(e_idx):
        txy = pairs(pd.factorize(cell[e_idx] * (level.max() + 1) + level[e_idx])[0])
    npair = conc + disc + tx
    if npair == 0:
        return Concordance(np.nan, np.nan, conc, disc, tx, ty_all - txy, txy)
    somers = (conc - disc) / npair
    dfbeta = w * ((ic - idc) / npair - (somers / npair) * (ic + idc + it))
    if cluster is not None:
        dfbeta = np.bincount(pd.factorize(np.asarray(cluster))[0], weights=dfbeta)
    std = float(np.sqrt((dfbeta**2).sum() / 4))
    return Concordance((somers + 1) / 2, std, conc, disc, tx, ty_all - txy, txy)
