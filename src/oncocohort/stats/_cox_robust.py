"""Robust (sandwich) variance of the Cox model: score residuals, dfbeta, clusters.

Private module of :mod:`oncocohort.stats.cox`.

The score residual of row i (R ``residuals(fit, type="score")``, Therneau & Grambsch 2000,
sec. 4.6 and 7.2; Lin & Wei 1989) splits the score into one p-vector per row. With
``risk_i = exp(x_i'b)``, and at each likelihood term k of event time t (one term per time for
Breslow, d terms for d tied events with Efron, with fraction ``f_k = k/d``) the weighted mean
``xbar_k`` and the hazard increment ``h_k = m_k / den_k`` of the partial likelihood:

    L_i = delta_i (x_i - mean_k xbar_k at t_i)
          - risk_i sum_{t: i at risk} sum_k c_ik h_k (x_i - xbar_k),

where ``c_ik = 1 - f_k`` for a row with the event at t (Efron removes that fraction of the tied
events) and 1 otherwise. Then ``sum_i w_i L_i = U(b)`` (zero at the estimate).

The robust variance (R ``coxph(robust=TRUE)`` and ``cluster()``; SAS PHREG ``COVS(AGGREGATE)``;
Stata ``vce(robust)``/``vce(cluster)``) is ``D'D`` with the dfbeta residuals
``D_c = (sum_{i in c} w_i L_i) V`` summed within each cluster c (each row its own cluster
without one) and ``V`` the model-based variance (inverse information): ``V (U_c'U_c) V``.
R's robust score test is ``u'(T'T)^{-1} u`` with T the cluster sums of the weighted score
residuals at b = 0 and ``u`` their total (the score U(0)).

Vectorised as the information in :mod:`._cox_fit`: per event cell the sums
``sum_k h_k``, ``sum_k h_k xbar_k`` (and their Efron fractions), then one cumulative sum over
the cells at which each row is at risk.
"""

from __future__ import annotations

import numpy as np

from ._cox_chol import chol_solve
from ._cox_fit import RiskSets, _rev_cumsum_within

__all__ = ["score_residuals", "cluster_sums", "sandwich", "robust_score_statistic"]


def score_residuals(x: np.ndarray, beta: np.ndarray, rs: RiskSets) -> np.ndarray:
    """Unweighted score residuals (n, p) in the row order of ``rs`` (Breslow or Efron terms).

    ``x`` holds the covariates in ``rs`` order (any centring: the residuals do not depend on
    it); ``beta`` the coefficients of its columns.
    """
    n, p = x.shape
    ne, G = rs.n_ev, rs.n_cells
    eta = x @ beta  # not compared for equality: a BLAS product is fine here
    risk = np.exp(eta - (eta.max() if n else 0.0))  # a common factor cancels in risk * h
    r = rs.weights * risk
    cell_ev = rs.cell[:ne]
    s0 = _rev_cumsum_within(rs.cell_sums(r), rs)[rs.ecells]
    s1 = np.column_stack([_rev_cumsum_within(rs.cell_sums(x[:, j] * r), rs) for j in range(p)])
    s1 = s1[rs.ecells]
    d0 = np.bincount(cell_ev, weights=r[:ne], minlength=G)[rs.ecells]
    d1 = np.column_stack(
        [np.bincount(cell_ev, weights=x[:ne, j] * r[:ne], minlength=G) for j in range(p)]
    )[rs.ecells]

    te, f, m = rs.term_e, rs.term_frac, rs.term_mw
    den = s0[te] - f * d0[te]
    mean = (s1[te] - f[:, None] * d1[te]) / den[:, None]
    h = m / den
    starts = rs.term_start

    def per_cell(a: np.ndarray) -> np.ndarray:
        return np.add.reduceat(a, starts, axis=0)

    h_cell = per_cell(h)  # sum_k h_k
    hx_cell = per_cell(h[:, None] * mean)  # sum_k h_k xbar_k
    fh_cell = per_cell(f * h)  # sum_k f_k h_k (0 for Breslow)
    fhx_cell = per_cell((f * h)[:, None] * mean)
    mean_cell = per_cell(mean) / rs.term_count[:, None]  # mean_k xbar_k

    def spread(a: np.ndarray) -> np.ndarray:
        out = np.zeros(G)
        out[rs.ecells] = a
        return rs.at_risk_sum(out)

    hc = spread(h_cell)
    hxc = np.column_stack([spread(hx_cell[:, j]) for j in range(p)])
    k = rs.ev_ecell
    hc[:ne] -= fh_cell[k]
    hxc[:ne] -= fhx_cell[k]
    resid = -risk[:, None] * (x * hc[:, None] - hxc)
    resid[:ne] += x[:ne] - mean_cell[k]
    return resid


def cluster_sums(values: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    """Row sums of ``values`` (n, p) within each cluster code (rows unchanged without one)."""
    if cluster is None:
        return values
    k = int(cluster.max()) + 1
    return np.column_stack(
        [np.bincount(cluster, weights=values[:, j], minlength=k) for j in range(values.shape[1])]
    )


def sandwich(
    x: np.ndarray, beta: np.ndarray, rs: RiskSets, var: np.ndarray, cluster: np.ndarray | None
) -> np.ndarray:
    """Robust variance ``V (U_c'U_c) V``; ``cluster`` codes in ``rs`` row order or None."""
    u = cluster_sums(rs.weights[:, None] * score_residuals(x, beta, rs), cluster)
    dfbeta = u @ var
    return dfbeta.T @ dfbeta


def robust_score_statistic(x: np.ndarray, rs: RiskSets, cluster: np.ndarray | None) -> float:
    """R's robust score test of b = 0: ``u'(T'T)^{-1} u`` (singular pivots dropped)."""
    p = x.shape[1]
    t = cluster_sums(rs.weights[:, None] * score_residuals(x, np.zeros(p), rs), cluster)
    u = t.sum(axis=0)
    return float(u @ chol_solve(t.T @ t, u, np.ones(p)))
