"""Test of proportional hazards for a Cox fit, as R ``cox.zph`` (survival >= 3.0).

The model is extended with time-varying coefficients ``beta_j(t) = beta_j + gamma_j g(t)``, i.e.
extra covariates ``g(t) x_j``, and the hypothesis ``gamma = 0`` is tested with a score test at
``(beta_hat, 0)`` (Grambsch and Therneau 1994; Therneau and Grambsch 2000, section 6.2):

* ``g(t)`` is the transformed event time, centred on its mean over the events: ``"km"``
  (default) uses ``1 - S(t-)``, the left-continuous Kaplan-Meier of all subjects pooled
  (unweighted, ignoring strata; with counting-process rows ``(start, stop]`` the Kaplan-Meier
  of those rows, at risk when ``start < t <= stop``); ``"identity"``, ``"rank"`` (of all the
  rows' stop times) and ``"log"`` as in R.
* With counting-process rows the risk sets below are the ``(start, stop]`` ones (R ``zph2``).
* The score for gamma is ``U_g = sum_t m_t g(t) (x_i - xbar_t)`` summed over the likelihood terms
  (Efron terms for an Efron fit; Breslow terms otherwise, as R also does for ``ties="exact"``)
  and the information of ``(beta, gamma)`` has blocks ``sum V_t``, ``sum g V_t`` and
  ``sum g^2 V_t``, with ``V_t`` the weighted covariance of x over the risk set of term t.
* For each variable (all its indicator columns together, R's ``terms=TRUE``) the statistic is
  ``u' I_k^{-1} u`` with ``u = (0, U_g[k])`` and ``I_k`` the information restricted to all
  beta and the gamma of that variable; df = number of columns. ``GLOBAL`` uses all gammas.

References
----------
Grambsch PM, Therneau TM (1994). Proportional hazards tests and diagnostics based on weighted
residuals. Biometrika 81:515-526.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._cox_fit import _rev_cumsum_within, prepare
from ._dist import chi2_sf
from ._results import TestResult

__all__ = ["CoxZph", "compute_cox_zph"]

TRANSFORMS = ("km", "identity", "rank", "log")


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not results
class CoxZph:
    """Result of :func:`compute_cox_zph`: ``table`` indexed by variable and ``GLOBAL`` with
    columns ``chisq, df, p``."""

    table: pd.DataFrame
    transform: str

    @property
    def global_test(self):
        row = self.table.loc["GLOBAL"]
        return TestResult(float(row["chisq"]), float(row["df"]), float(row["p"]))

    def to_frame(self) -> pd.DataFrame:
        out = self.table.reset_index(names="term")
        out["transform"] = self.transform
        return out


def _km_left(time: np.ndarray, event: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """``1 - S(t-)`` at each row's time, S the pooled unweighted Kaplan-Meier.

    With ``start``, rows ``(start, time]`` are at risk at t when ``start < t <= time``.
    """
    ut, inv = np.unique(time, return_inverse=True)
    d = np.bincount(inv, weights=event.astype(float), minlength=len(ut))
    c = np.bincount(inv, minlength=len(ut)).astype(float)
    at_risk = c[::-1].cumsum()[::-1]
    if start is not None:  # less the rows not yet entered: start >= t
        at_risk -= len(start) - np.searchsorted(np.sort(start), ut, side="left")
    with np.errstate(divide="ignore", invalid="ignore"):  # no one at risk: no event either
        surv = np.cumprod(np.where(d > 0, 1.0 - d / at_risk, 1.0))
    s_left = np.r_[1.0, surv[:-1]]
    return 1.0 - s_left[inv]


def _transform(time, event, transform, start=None):
    if transform == "km":
        return _km_left(time, event, start)
    if transform == "identity":
        return time.astype(float)
    if transform == "rank":
        return pd.Series(time).rank(method="average").to_numpy()
    if transform == "log":
        return np.log(time)
    raise ValueError(f"transform must be one of {TRANSFORMS}, not {transform!r}")


def compute_cox_zph(fit, *, transform: str = "km") -> CoxZph:
    """Score test of proportional hazards per variable and globally (R ``cox.zph(fit)``)."""
    d = fit._data
    if d is None:
        raise ValueError("the Cox result holds no data for the PH test")
    time, event, w = d.time, d.event, d.weights
    tt = _transform(time, event, transform, d.start)
    g_row = tt - tt[event].mean()
    ties = "efron" if fit.ties == "efron" else "breslow"
    rs = prepare(d.x, time, event, w, d.strata, ties, start=d.start)
    beta = fit.table["coef"].dropna().to_numpy()
    x, G, ne = rs.x, rs.n_cells, rs.n_ev
    p = x.shape[1]
    r = rs.weights * np.exp(x @ beta)
    g_perm = g_row[rs.perm]

    def cell_sums(values: np.ndarray, rows=None) -> np.ndarray:
        if rows is None:  # risk-set sums: late entrants are removed before their entry
            return rs.cell_sums(values)
        return np.bincount(rs.cell[rows], weights=values[rows], minlength=G)

    s0 = _rev_cumsum_within(cell_sums(r), rs)
    s1 = _rev_cumsum_within(np.column_stack([cell_sums(x[:, j] * r) for j in range(p)]), rs)
    s2 = np.empty((G, p, p))
    for j in range(p):
        for k in range(j, p):
            s2[:, j, k] = s2[:, k, j] = cell_sums(x[:, j] * x[:, k] * r)
    s2 = _rev_cumsum_within(s2.reshape(G, p * p), rs).reshape(G, p, p)
    ev = slice(0, ne)
    d0 = cell_sums(r, ev)
    d1 = np.column_stack([cell_sums(x[:, j] * r, ev) for j in range(p)])
    d2 = np.empty((G, p, p))
    for j in range(p):
        for k in range(j, p):
            d2[:, j, k] = d2[:, k, j] = cell_sums(x[:, j] * x[:, k] * r, ev)

    tc = rs.ecells[rs.term_e]
    f, mw = rs.term_frac, rs.term_mw
    den = s0[tc] - f * d0[tc]
    mean = (s1[tc] - f[:, None] * d1[tc]) / den[:, None]
    var = (s2[tc] - f[:, None, None] * d2[tc]) / den[:, None, None] - mean[:, :, None] * mean[
        :, None, :
    ]
    # g(t) of each term: all events of a cell share the time, hence g
    g_cell = np.zeros(G)
    g_cell[rs.cell[:ne]] = g_perm[:ne]
    gt = g_cell[tc]
    u_g = (x[:ne] * (rs.ev_w * g_perm[:ne])[:, None]).sum(axis=0) - (mw * gt) @ mean
    wv = mw[:, None, None] * var
    i11 = wv.sum(axis=0)
    i12 = np.tensordot(gt, wv, axes=1)
    i22 = np.tensordot(gt * gt, wv, axes=1)
    imat = np.block([[i11, i12], [i12.T, i22]])

    variables = list(dict.fromkeys(d.term_variable))
    cols = {v: [j for j, tv in enumerate(d.term_variable) if tv == v] for v in variables}
    rows = []
    for v in variables:
        jj = cols[v]
        kk = list(range(p)) + [p + j for j in jj]
        u = np.r_[np.zeros(p), u_g[jj]]
        stat = float(u @ np.linalg.solve(imat[np.ix_(kk, kk)], u))
        rows.append((v, stat, len(jj)))
    u = np.r_[np.zeros(p), u_g]
    rows.append(("GLOBAL", float(u @ np.linalg.solve(imat, u)), p))
    table = pd.DataFrame(
        [{"term": t, "chisq": s, "df": float(k), "p": float(chi2_sf(s, k))} for t, s, k in rows]
    ).set_index("term")
    return CoxZph(table=table, transform=transform)
