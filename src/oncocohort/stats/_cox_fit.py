"""Partial likelihood (Breslow and Efron ties), its derivatives, and the Newton-Raphson fit.

Private module of :mod:`oncocohort.stats.cox`.

Speed design: rows are grouped once into distinct (stratum, time) cells. At each iteration the
per-cell sums of ``r = w exp(x'b)`` and ``r x`` come from ``np.bincount``; risk-set sums are reverse
cumulative sums over the (few) cells within each stratum. The information matrix never needs the
per-cell sums of ``r x x'``: its risk-set part is ``X' diag(r c) X``, where ``c`` is, for each row,
the cumulative sum of the event-term weights ``mw_t / denom_t`` over the event times at which the
row is at risk, so a single weighted cross-product replaces n x p x p arrays. The Efron correction
is vectorised over "terms": one per event in a tie group of size d, with fraction k/d (k=0..d-1)
of the tied events' sums removed.

Counting-process rows ``(start, stop]`` (R ``Surv(start, stop, event)``) are at risk at the
cells from their *entry* cell (the first cell of their stratum later than ``start``) to their
stop cell. A risk-set sum is then the reverse cumulative sum of the stop-cell sums minus that of
the sums of the late entrants placed at the cell before their entry; both are linear, so one
subtraction per cell before the single reverse cumulative sum does it, and the row weights ``c``
of the information become differences of one cumulative sum. Right-censored data take the
original path unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._cox_chol import chol_solve

__all__ = [
    "RiskSets",
    "Evaluation",
    "prepare",
    "evaluate",
    "newton_raphson",
    "NRResult",
    "linear_predictor",
]


def linear_predictor(x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """``x_i'b`` for every row, summed left to right over the columns in float64.

    ``eta_i = (...((0 + x_i1 b_1) + x_i2 b_2) + ...) + x_ip b_p``: the same operations in the
    same order for every row (as R's reference BLAS ``x %*% coef``), so identical covariate
    rows get bit-identical predictors on any CPU and at any row position. A BLAS
    matrix-vector product does not promise that (its kernel, and the rounding of a row,
    depend on the CPU and on where the row falls in a SIMD block), and anything that compares
    predictors for equality (the ties of the concordance) must not depend on it.
    """
    eta = np.zeros(x.shape[0])
    for j in range(x.shape[1]):
        eta += x[:, j] * beta[j]
    return eta


@dataclass(frozen=True)
class RiskSets:
    """Cell structure of the data; computed once per fit."""

    x: np.ndarray  # (n, p) centred covariates, permuted rows, Fortran order
    weights: np.ndarray
    event: np.ndarray  # bool
    cell: np.ndarray  # (n,) cell index; cells sorted by (stratum, time)
    n_cells: int
    strat_next: np.ndarray  # (G,) index of the first cell of the next stratum
    strat_first: np.ndarray  # (G,) index of the first cell of this stratum
    perm: np.ndarray  # row order used (original row index of each position)
    n_ev: int  # the events are rows 0..n_ev-1
    ev_x: np.ndarray  # (n_ev, p) covariates of the events, Fortran order
    ev_w: np.ndarray  # their weights
    ev_wx: np.ndarray  # (p,) sum of w x over events (constant)
    ev_ecell: np.ndarray  # for each event row, index into ecells
    ecells: np.ndarray  # (E,) cells holding a likelihood term
    term_e: np.ndarray  # (T,) index into ecells of each likelihood term (sorted)
    term_count: np.ndarray  # (E,) number of terms of each event cell
    term_start: np.ndarray  # (E,) index of its first term
    term_frac: np.ndarray  # (T,) Efron fraction k/d (zeros for Breslow)
    term_mw: np.ndarray  # (T,) weight of the term (mean event weight; d-weight sum for Breslow)
    efron: bool
    tie_cells: np.ndarray  # cells holding two or more events (for the exact method)
    # counting process only (None for right-censored data):
    entry: np.ndarray | None = None  # (n,) first cell at which each row is at risk
    late: np.ndarray | None = None  # rows entering after the first cell of their stratum
    late_cell: np.ndarray | None = None  # the cell before their entry (entry - 1)

    def cell_sums(self, values: np.ndarray) -> np.ndarray:
        """Per-cell sums of a row quantity (1-d), less the late entrants' before their entry.

        Their reverse cumulative sum within strata is the risk-set sum at each cell.
        """
        out = np.bincount(self.cell, weights=values, minlength=self.n_cells)
        if self.late is not None:
            out -= np.bincount(self.late_cell, weights=values[self.late], minlength=self.n_cells)
        return out

    def at_risk_sum(self, per_cell: np.ndarray) -> np.ndarray:
        """For each row, the sum of ``per_cell`` over the cells at which it is at risk."""
        if self.entry is None:
            return _cumsum_within(per_cell, self)[self.cell]
        c = np.concatenate([[0.0], np.cumsum(per_cell)])
        return c[self.cell + 1] - c[self.entry]


def _entry_cells(start, strata, tvals, ukeys) -> np.ndarray:
    """Index of the first cell of each row's stratum with a time later than its start."""
    k = np.searchsorted(tvals, start, side="right")  # time code of the first time > start
    if ukeys is None:
        return k
    return np.searchsorted(ukeys, strata.astype(np.int64) * len(tvals) + k, side="left")


def prepare(
    x, time, event, weights, strata, ties: str, *, centred: bool = False, start=None
) -> RiskSets:
    """Group rows into (stratum, time) cells and lay out the likelihood terms.

    Rows are permuted once so that the events come first (both blocks in cell order):
    event-level quantities are then slices, not gathers. Results do not depend on row order.
    ``start`` (optional): interval starts of counting-process rows ``(start, time]``.
    """
    # dense codes of the distinct (stratum, time) cells in sorted order: hashing, not sorting
    tcode, tvals = pd.factorize(time, sort=True)
    ukeys = None
    if strata.max(initial=0) > 0:
        cell_all, ukeys = pd.factorize(strata.astype(np.int64) * len(tvals) + tcode, sort=True)
        ukeys = np.asarray(ukeys)
        cell_strat = ukeys // len(tvals)
    else:
        cell_all = tcode
        cell_strat = np.zeros(len(tvals), dtype=np.int64)
    n_cells = len(cell_strat)
    # first cell of each stratum and of the next one (cells are sorted by stratum then time)
    starts = np.flatnonzero(np.r_[True, cell_strat[1:] != cell_strat[:-1]])
    bounds = np.r_[starts, n_cells]
    which = np.searchsorted(starts, np.arange(n_cells), side="right") - 1
    strat_first = bounds[which]
    strat_next = bounds[which + 1]

    # events first, each block in cell order; a small key range sorts by radix (uint16)
    key = cell_all + np.where(event, 0, n_cells)
    dtype = np.uint16 if 2 * n_cells <= np.iinfo(np.uint16).max else np.int64
    perm = np.argsort(key.astype(dtype), kind="stable")
    cell = cell_all[perm]
    event = event[perm]
    weights = weights[perm]
    n_ev = int(event.sum())
    xc = np.empty(x.shape, order="F")
    for j in range(x.shape[1]):  # column-wise gather: much faster than fancy row indexing
        col = np.take(x[:, j], perm)
        xc[:, j] = col if centred else col - col.mean()

    ev_cell = cell[:n_ev]
    d = np.bincount(ev_cell, minlength=n_cells)
    wd = np.bincount(ev_cell, weights=weights[:n_ev], minlength=n_cells)
    if ties == "exact":  # tied cells are handled by _cox_exact; the others are Breslow terms
        ecells = np.flatnonzero(d == 1)
    else:
        ecells = np.flatnonzero(d)
    pos = np.full(n_cells, -1, dtype=np.int64)
    pos[ecells] = np.arange(len(ecells))
    efron = ties == "efron" and bool((d > 1).any())
    if efron:
        dd = d[ecells]
        term_e = np.repeat(np.arange(len(ecells)), dd)
        first = np.repeat(np.cumsum(dd) - dd, dd)
        term_frac = (np.arange(len(term_e)) - first) / np.repeat(dd, dd)
        term_mw = np.repeat(wd[ecells] / dd, dd)
    else:  # one term per cell with all d events
        term_e = np.arange(len(ecells))
        term_frac = np.zeros(len(ecells))
        term_mw = wd[ecells]
    ev_x = xc[:n_ev]
    ev_w = weights[:n_ev]
    entry = late = late_cell = None
    if start is not None:
        entry = _entry_cells(np.asarray(start, dtype=float), strata, np.asarray(tvals), ukeys)
        entry = entry[perm]
        late = np.flatnonzero(entry > strat_first[cell])
        late_cell = entry[late] - 1
    return RiskSets(
        x=xc,
        weights=weights,
        event=event,
        cell=cell,
        n_cells=n_cells,
        strat_next=strat_next,
        strat_first=strat_first,
        perm=perm,
        n_ev=n_ev,
        ev_x=ev_x,
        ev_w=ev_w,
        ev_wx=ev_x.T @ ev_w,
        ev_ecell=pos[ev_cell],
        ecells=ecells,
        term_e=term_e,
        term_count=np.bincount(term_e, minlength=len(ecells)),
        term_start=np.searchsorted(term_e, np.arange(len(ecells))),
        term_frac=term_frac,
        term_mw=term_mw,
        efron=efron,
        tie_cells=np.flatnonzero(d > 1),
        entry=entry,
        late=late,
        late_cell=late_cell,
    )


def _rev_cumsum_within(a: np.ndarray, rs: RiskSets) -> np.ndarray:
    """Sum over cells g' >= g in the same stratum (risk-set sums), for 1-d or 2-d ``a``."""
    rc = np.cumsum(a[::-1], axis=0)[::-1]
    pad = np.zeros((1,) + a.shape[1:])
    rc = np.concatenate([rc, pad])
    return rc[:-1] - rc[rs.strat_next]


def _cumsum_within(a: np.ndarray, rs: RiskSets) -> np.ndarray:
    """Sum over cells g' <= g in the same stratum."""
    c = np.concatenate([[0.0], np.cumsum(a)])
    return c[1:] - c[rs.strat_first]


@dataclass(frozen=True)
class Evaluation:
    loglik: float
    score: np.ndarray
    info: np.ndarray


def evaluate(beta: np.ndarray, rs: RiskSets, *, want_info: bool = True) -> Evaluation:
    """Log partial likelihood, score and information at ``beta`` (Breslow or Efron terms).

    For an event cell with risk-set sums S0, S1, S2, tied-event sums D0, D1, D2 and terms
    t with fraction f_t and weight m_t (denominator den_t = S0 - f_t D0):
    ``loglik = sum w x'b - sum_t m_t log den_t``,
    ``U = sum w x - sum_t m_t (S1 - f_t D1) / den_t`` and
    ``I = sum_t m_t [(S2 - f_t D2) / den_t - (S1 - f_t D1)(S1 - f_t D1)' / den_t^2]``.
    The sums over t are reduced per cell to the scalars b0 = sum m/den, b1 = sum m f/den,
    a0 = sum m/den^2, a1 = sum m f/den^2, a2 = sum m f^2/den^2, so only p-vectors per event
    cell are needed; the S2 part is ``X' diag(r c) X`` (see the module docstring).
    """
    x, w, G, ne = rs.x, rs.weights, rs.n_cells, rs.n_ev
    p = x.shape[1]
    eta = x @ beta
    r = w * np.exp(eta)
    cell_ev, cell_cens = rs.cell[:ne], rs.cell[ne:]
    r_ev = r[:ne]
    # per-cell sums of r and r x, split into the event block and the rest (events come first)
    d0g = np.bincount(cell_ev, weights=r_ev, minlength=G)
    s0g = d0g + np.bincount(cell_cens, weights=r[ne:], minlength=G)
    late = rs.late
    if late is not None:  # late entrants leave the sums of the cells before their entry
        s0g -= np.bincount(rs.late_cell, weights=r[late], minlength=G)
    s0 = _rev_cumsum_within(s0g, rs)
    d1g = np.empty((G, p))
    s1 = np.empty((G, p))
    for j in range(p):
        rxj = x[:, j] * r
        d1g[:, j] = np.bincount(cell_ev, weights=rxj[:ne], minlength=G)
        s1[:, j] = d1g[:, j] + np.bincount(cell_cens, weights=rxj[ne:], minlength=G)
        if late is not None:
            s1[:, j] -= np.bincount(rs.late_cell, weights=rxj[late], minlength=G)
    s0 = s0[rs.ecells]
    s1 = _rev_cumsum_within(s1, rs)[rs.ecells]

    frac, mw = rs.term_frac, rs.term_mw
    if not rs.efron:  # one term per event cell
        denom = s0
        minv = mw / denom
        b0 = minv
        loglik = float(rs.ev_w @ eta[:ne] - mw @ np.log(denom))
        score = rs.ev_wx - s1.T @ b0
        if not want_info:
            return Evaluation(loglik, score, np.empty((p, p)))
        a0 = minv / denom
    else:  # terms are contiguous per event cell: repeat and reduceat, no gathers
        nt, starts = rs.term_count, rs.term_start
        d0 = d0g[rs.ecells]
        d1 = d1g[rs.ecells]
        denom = np.repeat(s0, nt) - frac * np.repeat(d0, nt)
        inv = 1.0 / denom
        minv = mw * inv
        minv2 = minv * inv
        sums = np.add.reduceat(
            np.stack([minv, minv * frac, minv2, minv2 * frac, minv2 * frac * frac]), starts, axis=1
        )
        b0, b1, a0, a1, a2 = sums
        loglik = float(rs.ev_w @ eta[:ne] - mw @ np.log(denom))
        score = rs.ev_wx - s1.T @ b0 + d1.T @ b1
        if not want_info:
            return Evaluation(loglik, score, np.empty((p, p)))
    cg = np.zeros(G)
    cg[rs.ecells] = b0
    v = r * rs.at_risk_sum(cg)
    if rs.efron:  # the tied events' own x x' part: fraction sum_k m_k f_k / den_k
        v[:ne] -= b1[rs.ev_ecell] * r_ev
    info = x.T @ (x * v[:, None])
    info -= s1.T @ (s1 * a0[:, None])
    if rs.efron:
        cross = s1.T @ (d1 * a1[:, None])
        info += cross + cross.T
        info -= d1.T @ (d1 * a2[:, None])
    return Evaluation(loglik, score, info)


@dataclass(frozen=True)
class NRResult:
    beta: np.ndarray
    loglik: float
    loglik_null: float
    score_null: np.ndarray
    info_null: np.ndarray
    score: np.ndarray
    info: np.ndarray
    iterations: int
    converged: bool


def _relative_change(old: float, new: float) -> float:
    """``|1 - old / new|`` as R's coxph C code; 0 when both are 0 (all-tied degenerate data)."""
    if new == 0.0:
        return 0.0 if old == 0.0 else np.inf
    return abs(1.0 - old / new)


def newton_raphson(
    fun,
    p: int,
    *,
    scale: np.ndarray | None = None,
    eps: float = 1e-9,
    iter_max: int = 20,
    halving: str = "coxfit6",
) -> NRResult:
    """Maximise a log partial likelihood as R's ``coxph`` does (``coxph.control`` defaults).

    Start at beta = 0. Each iteration evaluates the log-likelihood ``l`` at the proposed beta;
    it stops when ``|1 - l_old / l| <= eps`` and the last step was not a halving; if ``l``
    went down, the step is shortened; otherwise a full Newton step ``beta + I^{-1} U`` is
    taken. The returned beta is the last evaluated one. Shortening as R's C code:
    ``"coxfit6"`` (right-censored data) halves, new = (new + old) / 2; ``"agfit4"``
    (counting-process data) takes new = (h old + new) / (h + 1) at the h-th successive one.
    """
    scale = np.ones(p) if scale is None else scale
    user_fun = fun

    def fun(b):  # a wild step may overflow exp(x'b): the NaN/-inf loglik triggers halving
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return user_fun(b)

    beta = np.zeros(p)
    ev = fun(beta)
    loglik_null, u0, i0 = ev.loglik, ev.score, ev.info
    best = loglik_null
    newbeta = beta + chol_solve(ev.info, ev.score, scale)
    n_halving = 0
    converged = False
    it = 0
    cur = ev
    for it in range(1, iter_max + 1):
        cur = fun(newbeta)
        if _relative_change(best, cur.loglik) <= eps and not n_halving:
            converged = True
            break
        if it == iter_max:
            break
        if cur.loglik < best or not np.isfinite(cur.loglik):
            n_halving += 1
            if halving == "agfit4":
                newbeta = (beta * n_halving + newbeta) / (n_halving + 1.0)
            else:
                newbeta = (newbeta + beta) / 2.0
        else:
            n_halving = 0
            best = cur.loglik
            beta = newbeta
            newbeta = newbeta + chol_solve(cur.info, cur.score, scale)
    if iter_max == 0:
        newbeta, cur = beta, ev
    return NRResult(
        beta=newbeta,
        loglik=float(cur.loglik),
        loglik_null=float(loglik_null),
        score_null=u0,
        info_null=i0,
        score=cur.score,
        info=cur.info,
        iterations=it,
        converged=converged,
    )
