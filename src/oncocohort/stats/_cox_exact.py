"""Exact partial likelihood for tied event times (R ``ties="exact"``, SAS ``TIES=DISCRETE``).

Private module of :mod:`oncocohort.stats.cox`.

For a time with ``d`` tied events among a risk set R of size m, the term is the conditional
probability that exactly those ``d`` subjects fail, given that ``d`` of R fail:

    L_t = exp(sum_{i in D} eta_i) / B(d, R),  B(d, R) = sum_{|S| = d, S in R} prod_{j in S} r_j

with r_j = exp(eta_j). ``B`` is computed with the recursion of Gail, Lubin and Rubinstein
(1981), ``B(k, m) = B(k, m-1) + r_m B(k-1, m-1)``, which unrolls to a cumulative sum over
the risk set for each k = 1..d; its first and second derivatives in beta follow the same recursion.
With counting-process rows ``(start, stop]`` the risk set holds the rows with start < t <= stop
(R ``agexact.fit``).
Cost is O(d m p^2) per tied time: fine for trial-sized data, slow for very large tied sets.
"""

from __future__ import annotations

import numpy as np

from ._cox_fit import Evaluation, RiskSets, evaluate

__all__ = ["evaluate_exact", "tied_risk_rows"]


def tied_risk_rows(rs: RiskSets) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each cell with tied events: (rows at risk, rows with the event), in ``rs`` order."""
    order = np.argsort(rs.cell, kind="stable")
    bounds = np.searchsorted(rs.cell[order], np.arange(rs.n_cells + 1))
    out = []
    for g in rs.tie_cells:
        at_risk = order[bounds[g] : bounds[rs.strat_next[g]]]
        if rs.entry is not None:  # (start, stop] rows: only those already entered
            at_risk = at_risk[rs.entry[at_risk] <= g]
        deaths = order[bounds[g] : bounds[g + 1]]
        deaths = deaths[rs.event[deaths]]
        out.append((at_risk, deaths))
    return out


def _tied_term(eta: np.ndarray, x: np.ndarray, d: int):
    """log B(d, R), its gradient and Hessian for one tied time (rows of the risk set)."""
    m, p = x.shape
    c = eta.max()
    a = np.exp(eta - c)  # scaled risk; c is held constant, so derivatives of log B are exact
    f = np.ones(m + 1)  # B(k-1, first j items), j = 0..m
    g = np.zeros((m + 1, p))
    h = np.zeros((m + 1, p, p))
    for _k in range(1, d + 1):
        fp, gp, hp = f[:-1], g[:-1], h[:-1]
        inc_f = a * fp
        inc_g = a[:, None] * (gp + x * fp[:, None])
        xg = x[:, :, None] * gp[:, None, :]
        inc_h = a[:, None, None] * (
            hp
            + xg
            + np.transpose(xg, (0, 2, 1))
            + x[:, :, None] * x[:, None, :] * fp[:, None, None]
        )
        f = np.concatenate([[0.0], np.cumsum(inc_f)])
        g = np.concatenate([np.zeros((1, p)), np.cumsum(inc_g, axis=0)])
        h = np.concatenate([np.zeros((1, p, p)), np.cumsum(inc_h, axis=0)])
    b, b1, b2 = f[-1], g[-1], h[-1]
    mean = b1 / b
    return np.log(b) + d * c, mean, b2 / b - np.outer(mean, mean)


def evaluate_exact(beta: np.ndarray, rs: RiskSets, tied: list, *, want_info: bool = True):
    """Log partial likelihood, score and information with exact terms at tied times."""
    base = evaluate(beta, rs, want_info=want_info)
    if not tied:
        return base
    eta = rs.x @ beta
    loglik, score = base.loglik, base.score.copy()
    info = base.info.copy()
    for at_risk, deaths in tied:
        logb, mean, var = _tied_term(eta[at_risk], rs.x[at_risk], len(deaths))
        loglik -= logb
        score -= mean
        if want_info:
            info += var
    return Evaluation(float(loglik), score, info)
