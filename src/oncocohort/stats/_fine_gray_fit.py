"""Fine-Gray pseudo-likelihood, its derivatives, Newton-Raphson and the sandwich variance.

Private module of :mod:`oncocohort.stats.fine_gray`. The same quantities as R
``cmprsk::crr`` (Fortran ``crrfsv``, ``crrvv``), computed in O(n p^2) per iteration from
cumulative sums over the distinct times instead of crr's O(n^2) loops.

Notation: subjects sorted by time; ``status`` 1 = the cause of interest, 2 = another cause,
0 = censored. :math:`G(t-)` is the Kaplan-Meier of the censoring distribution just before
:math:`t` (censorings are the "events"; a subject failing at :math:`t` is at risk for a
censoring at :math:`t`). At a distinct failure time :math:`T_m` of cause 1 (:math:`d_m`
failures) the risk set holds everyone with time :math:`\\ge T_m` with weight 1 and everyone who
failed of another cause at :math:`t_j < T_m` with weight :math:`G(T_m-)/G(t_j-)`, so with
:math:`r = e^{x'\\beta}`:

.. math:: S_0(T_m) = \\sum_{t_j \\ge T_m} r_j
          + G(T_m-) \\sum_{t_j < T_m,\\ \\text{status}_j = 2} r_j / G(t_j-),

and the log pseudo-likelihood (Breslow ties, as crr) is
:math:`\\sum_{\\text{status}_i = 1} x_i'\\beta - \\sum_m d_m \\log S_0(T_m)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FGData", "prepare_fg", "evaluate_fg", "fit_fg", "sandwich_fg", "singular_terms"]


@dataclass(frozen=True)
class FGData:
    """Sorted arrays and the time-cell structure; computed once per fit."""

    x: np.ndarray  # (n, p) centred covariates, rows sorted by time (Fortran order)
    status: np.ndarray  # (n,) 0/1/2
    cell: np.ndarray  # (n,) index of the subject's distinct time
    n_cells: int
    g_minus: np.ndarray  # (n_cells,) censoring KM just before each distinct time
    at_risk: np.ndarray  # (n_cells,) number with time >= t (unweighted)
    n_cens: np.ndarray  # (n_cells,) censorings at t
    fail: np.ndarray  # indices of the cells with a cause-1 failure
    d: np.ndarray  # failures of cause 1 in those cells
    is1: np.ndarray  # (n,) bool
    is2: np.ndarray  # (n,) bool
    inv_g2: np.ndarray  # (n,) 1 / G(t_i-) for status 2, else 0
    sum_x1: np.ndarray  # (p,) sum of x over the cause-1 failures


def prepare_fg(x: np.ndarray, time: np.ndarray, status: np.ndarray) -> FGData:
    """Sort by time (stably), centre the covariates, and build the censoring KM."""
    order = np.argsort(time, kind="stable")
    ts = time[order]
    st = status[order]
    new = np.empty(ts.size, dtype=bool)
    new[0] = True
    np.not_equal(ts[1:], ts[:-1], out=new[1:])
    cell = np.cumsum(new) - 1
    n_cells = int(cell[-1]) + 1
    n_total = np.bincount(cell, minlength=n_cells).astype(float)
    n_cens = np.bincount(cell[st == 0], minlength=n_cells).astype(float)
    at_risk = np.cumsum(n_total[::-1])[::-1]
    g_after = np.cumprod(1.0 - n_cens / at_risk)
    g_minus = np.concatenate(([1.0], g_after[:-1]))
    is1, is2 = st == 1, st == 2
    d_all = np.bincount(cell[is1], minlength=n_cells).astype(float)
    fail = np.flatnonzero(d_all)
    xs = np.empty(x.shape, order="F")
    for j in range(x.shape[1]):
        col = np.take(x[:, j], order)
        xs[:, j] = col - col.mean()
    inv_g2 = np.where(is2, 1.0 / g_minus[cell], 0.0)
    return FGData(
        x=xs, status=st, cell=cell, n_cells=n_cells, g_minus=g_minus, at_risk=at_risk,
        n_cens=n_cens, fail=fail, d=d_all[fail], is1=is1, is2=is2, inv_g2=inv_g2,
        sum_x1=xs[is1].sum(axis=0),
    )


def _rev_cumsum(a: np.ndarray) -> np.ndarray:
    return np.cumsum(a[::-1], axis=0)[::-1]


def _excl_cumsum(a: np.ndarray) -> np.ndarray:
    c = np.cumsum(a, axis=0)
    return np.concatenate([np.zeros((1,) + a.shape[1:]), c[:-1]])


@dataclass(frozen=True)
class FGEval:
    loglik: float
    score: np.ndarray
    info: np.ndarray
    s0: np.ndarray  # (M,) at the failure cells
    xbar: np.ndarray  # (M, p)
    r: np.ndarray  # (n,)


def _risk_sums(fg: FGData, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S0 and S1 at the failure cells."""
    g, cell, p = fg.n_cells, fg.cell, fg.x.shape[1]
    rq = r * fg.inv_g2  # type-2 subjects carried forward with weight 1 / G(t_j-)
    at = _rev_cumsum(np.bincount(cell, weights=r, minlength=g))
    carried = _excl_cumsum(np.bincount(cell, weights=rq, minlength=g))
    s0 = (at + fg.g_minus * carried)[fg.fail]
    s1 = np.empty((fg.fail.size, p))
    for j in range(p):
        xj = fg.x[:, j]
        at_j = _rev_cumsum(np.bincount(cell, weights=r * xj, minlength=g))
        car_j = _excl_cumsum(np.bincount(cell, weights=rq * xj, minlength=g))
        s1[:, j] = (at_j + fg.g_minus * car_j)[fg.fail]
    return s0, s1


def _weight_sums(fg: FGData, per_fail: np.ndarray) -> np.ndarray:
    """For each subject, sum over failure times of ``per_fail`` times its risk-set weight.

    Weight 1 while the subject's time is >= T_m; G(T_m-)/G(t_i-) for a cause-2 subject with
    t_i < T_m. ``per_fail`` is (M,) or (M, k); returns (n,) or (n, k).
    """
    g = fg.n_cells
    shape = (g,) + per_fail.shape[1:]
    on_cells = np.zeros(shape)
    on_cells[fg.fail] = per_fail
    upto = np.cumsum(on_cells, axis=0)  # failures at or before each cell
    g_cells = np.zeros(shape)
    g_cells[fg.fail] = per_fail * (fg.g_minus[fg.fail] if per_fail.ndim == 1
                                   else fg.g_minus[fg.fail][:, None])
    later = _rev_cumsum(g_cells) - g_cells  # strictly later failures, times G(T_m-)
    own = upto[fg.cell]
    extra = later[fg.cell]
    if per_fail.ndim == 1:
        return own + fg.inv_g2 * extra
    return own + fg.inv_g2[:, None] * extra


def evaluate_fg(beta: np.ndarray, fg: FGData, *, want_info: bool = True) -> FGEval:
    """Log pseudo-likelihood, score and information (Breslow ties) at ``beta``."""
    eta = fg.x @ beta
    r = np.exp(eta)
    s0, s1 = _risk_sums(fg, r)
    xbar = s1 / s0[:, None]
    loglik = float(eta[fg.is1].sum() - fg.d @ np.log(s0))
    score = fg.sum_x1 - fg.d @ xbar
    if not want_info:
        return FGEval(loglik, score, np.empty(0), s0, xbar, r)
    c = _weight_sums(fg, fg.d / s0)
    info = fg.x.T @ (fg.x * (r * c)[:, None]) - xbar.T @ (xbar * fg.d[:, None])
    return FGEval(loglik, score, info, s0, xbar, r)


@dataclass(frozen=True)
class FGFit:
    beta: np.ndarray
    loglik: float
    loglik_null: float
    iterations: int
    converged: bool
    final: FGEval


def fit_fg(fg: FGData, *, tol: float = 1e-10, iter_max: int = 50) -> FGFit:
    """Newton-Raphson from beta = 0 with step halving, to full convergence.

    Stops when the largest Newton step is below ``tol * max(1, |beta|)`` and the relative
    change of the log pseudo-likelihood is below 1e-14 (crr's default rule, a gradient test
    with ``gtol = 1e-6``, stops about 1e-6 relative short of the maximum).
    """
    p = fg.x.shape[1]
    beta = np.zeros(p)
    cur = evaluate_fg(beta, fg)
    loglik_null = cur.loglik
    converged = False
    it = 0
    for it in range(1, iter_max + 1):
        try:
            step = np.linalg.solve(cur.info, cur.score)
        except np.linalg.LinAlgError:  # information lost (a coefficient running off)
            break
        halvings = 0
        while True:
            with np.errstate(over="ignore", invalid="ignore"):
                cand = evaluate_fg(beta + step, fg)
            if np.isfinite(cand.loglik) and cand.loglik >= cur.loglik - 1e-12 * abs(cur.loglik):
                break
            step = step / 2.0
            halvings += 1
            if halvings > 30:
                return FGFit(beta, cur.loglik, loglik_null, it, False, cur)
        change = abs(cand.loglik - cur.loglik) / max(abs(cand.loglik), 1.0)
        small = np.max(np.abs(step) / np.maximum(1.0, np.abs(beta)), initial=0.0) < tol
        beta = beta + step
        cur = cand
        if small and change < 1e-14:
            converged = True
            break
    return FGFit(beta, cur.loglik, loglik_null, it, converged, cur)


def singular_terms(fg: FGData, ev: FGEval, tol: float = 1e-10) -> np.ndarray:
    """Terms whose information is (numerically) zero or collinear within the risk sets.

    A term is singular when its diagonal information is at most ``tol`` times its scale
    (failures times the mean square of the centred covariate: the information it would carry
    if every risk set held the whole cohort), or when the information scaled to unit diagonal
    has an eigenvalue below ``tol`` (then every term of that eigenvector with a weight above
    0.1 is named). The information then has no inverse and the sandwich variance is not
    computable (R ``crr`` stops with "system is exactly singular").
    """
    info = ev.info
    p = info.shape[0]
    out = np.zeros(p, dtype=bool)
    if not np.all(np.isfinite(info)):
        return np.ones(p, dtype=bool)
    scale = float(fg.d.sum()) * np.mean(fg.x**2, axis=0)
    diag = np.diag(info)
    out |= ~(diag > tol * scale)
    keep = np.flatnonzero(~out)
    if keep.size:
        sub = info[np.ix_(keep, keep)]
        dk = np.sqrt(np.diag(sub))
        vals, vecs = np.linalg.eigh(sub / np.outer(dk, dk))
        for k in np.flatnonzero(vals < tol):
            out[keep[np.abs(vecs[:, k]) > 0.1]] = True
    return out


def sandwich_fg(fg: FGData, ev: FGEval) -> np.ndarray:
    """crr's robust variance I^-1 (sum_i (eta_i + psi_i)(eta_i + psi_i)') I^-1.

    ``eta_i`` is subject i's score residual: ``x_i - xbar(t_i)`` if it failed of cause 1, minus
    ``r_i sum_m w_i(T_m) d_m (x_i - xbar_m) / S0_m``. ``psi_i`` accounts for the estimated
    censoring weights (Fine & Gray 1999, sec. 3): with
    ``q(u) = sum_{T_m >= u} (d_m G(T_m-) / S0_m) sum_{status_j = 2, t_j < u} (r_j / G(t_j-))
    (x_j - xbar_m)`` at the censoring times u, ``psi_i = [i censored] q(t_i) / Y(t_i)
    - sum_{u <= t_i} q(u) c(u) / Y(u)^2`` (c = censorings at u, Y = number at risk).
    """
    x, r = fg.x, ev.r
    p = x.shape[1]
    w_fail = fg.d / ev.s0
    a_i = _weight_sums(fg, w_fail)
    b_i = _weight_sums(fg, ev.xbar * w_fail[:, None])
    eta = -(r[:, None] * (x * a_i[:, None] - b_i))
    fail_pos = np.full(fg.n_cells, -1)
    fail_pos[fg.fail] = np.arange(fg.fail.size)
    own = fg.is1
    eta[own] += x[own] - ev.xbar[fail_pos[fg.cell[own]]]

    # q(u) = C(u) P(u) - D(u) Q(u) at every cell u
    g = fg.n_cells
    gm = fg.g_minus[fg.fail]
    pm = np.zeros(g)
    pm[fg.fail] = w_fail * gm
    qm = np.zeros((g, p))
    qm[fg.fail] = ev.xbar * (w_fail * gm)[:, None]
    big_p = _rev_cumsum(pm)  # failures at or after u
    big_q = _rev_cumsum(qm)
    rq = r * fg.inv_g2
    big_d = _excl_cumsum(np.bincount(fg.cell, weights=rq, minlength=g))  # cause 2 before u
    big_c = np.empty((g, p))
    for j in range(p):
        big_c[:, j] = _excl_cumsum(np.bincount(fg.cell, weights=rq * x[:, j], minlength=g))
    q = big_c * big_p[:, None] - big_d[:, None] * big_q
    y = fg.at_risk
    drift = np.cumsum(q * (fg.n_cens / y**2)[:, None], axis=0)
    psi = -drift[fg.cell]
    cens = fg.status == 0
    psi[cens] += q[fg.cell[cens]] / y[fg.cell[cens]][:, None]
    u = eta + psi
    meat = u.T @ u
    try:
        inv = np.linalg.inv(ev.info)
    except np.linalg.LinAlgError:  # no information left (an infinite coefficient)
        return np.full((p, p), np.nan)
    return inv @ meat @ inv
