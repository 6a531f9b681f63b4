"""Array kernels for competing risks (private): input checks, counts, Aalen-Johansen, variances.

Used by :mod:`oncocohort.stats.competing_risks` and :mod:`oncocohort.stats.rmst`. Everything is
vectorised over distinct times; no Python loop runs over subjects or times (only over groups and
causes, which are few).

Notation (one group): distinct observed times :math:`t_1 < \\dots < t_m`, (weighted) number at
risk :math:`Y_j`, events of cause :math:`k` :math:`d_{kj}`, all events :math:`d_j`, the overall
Kaplan-Meier :math:`S_j = S(t_j)` and :math:`S_{j-} = S(t_{j-1})`, and the cumulative incidence
of cause :math:`k`, :math:`F_{kj} = \\sum_{i \\le j} S_{i-} d_{ki} / Y_i`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CrCounts",
    "check_cause_input",
    "group_codes",
    "compute_cr_counts",
    "compute_aalen_johansen",
    "compute_aalen_variance",
    "compute_ij_terms",
    "compute_ij_variance",
    "compute_ij_rmtl_variance",
]


def _as_1d_float(values: ArrayLike, name: str) -> NDArray[np.float64]:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def _first_bad(mask: NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(mask)[0])


def check_cause_input(
    time: ArrayLike, cause: ArrayLike, weights: ArrayLike | None = None
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64] | None]:
    """Validate ``time``, ``cause`` (0 = censored, 1, 2, ... = event types) and ``weights``.

    Raises ``ValueError`` naming the first offending position: empty input, unequal lengths, a
    missing, infinite or negative time, a cause that is not a whole number >= 0, a negative or
    non-finite weight.
    """
    t = _as_1d_float(time, "time")
    c = _as_1d_float(cause, "cause")
    if t.shape != c.shape:
        raise ValueError(f"time and cause must have the same length ({t.size} != {c.size})")
    if t.size == 0:
        raise ValueError("time is empty: need at least one observation")
    bad = ~np.isfinite(t)
    if bad.any():
        raise ValueError(
            f"time has {int(bad.sum())} missing or infinite value(s) (first at position "
            f"{_first_bad(bad)})"
        )
    if (t < 0).any():
        raise ValueError(
            f"time has {int((t < 0).sum())} negative value(s) (first at position "
            f"{_first_bad(t < 0)})"
        )
    bad = ~np.isfinite(c) | (c < 0) | (c != np.floor(c))
    if bad.any():
        raise ValueError(
            "cause must be 0 (censored) or a whole number >= 1 (the event type); "
            f"{int(bad.sum())} other value(s), first at position {_first_bad(bad)}"
        )
    w = None
    if weights is not None:
        w = _as_1d_float(weights, "weights")
        if w.shape != t.shape:
            raise ValueError(f"weights must have the same length as time ({w.size} != {t.size})")
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            raise ValueError(
                f"weights must be finite and >= 0; {int(bad.sum())} value(s) are not (first at "
                f"position {_first_bad(bad)})"
            )
    return t, c.astype(np.int64), w


def group_codes(values: ArrayLike, name: str, n: int) -> tuple[NDArray[np.intp], list]:
    """Integer codes 0..g-1 and the labels: sorted, or the category order of a Categorical."""
    ser = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(values)
    if len(ser) != n:
        raise ValueError(f"{name} must have the same length as time ({len(ser)} != {n})")
    if ser.isna().any():
        raise ValueError(
            f"{name} has {int(ser.isna().sum())} missing value(s) (first at position "
            f"{_first_bad(ser.isna().to_numpy())})"
        )
    if isinstance(ser.dtype, pd.CategoricalDtype):
        ser = ser.cat.remove_unused_categories()
        return ser.cat.codes.to_numpy().astype(np.intp), list(ser.cat.categories)
    try:
        codes, uniques = pd.factorize(ser, sort=True)
    except TypeError as exc:
        raise ValueError(f"{name} values cannot be ordered: {exc}") from None
    return codes.astype(np.intp), list(uniques)


def _run_starts(sorted_values: NDArray) -> NDArray[np.intp]:
    flag = np.empty(sorted_values.size, dtype=bool)
    flag[0] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=flag[1:])
    return np.flatnonzero(flag)


@dataclass(frozen=True)
class CrCounts:
    """Risk-set counts of one group at its distinct observed times.

    ``d[:, k]`` holds the (weighted) events of the ``k``-th cause of ``causes``; ``w2[:, 0]`` the
    sum of squared weights of the censored and ``w2[:, 1 + k]`` of the cause-``k`` events (equal
    to the counts without weights), used by the infinitesimal-jackknife variance.
    """

    times: NDArray[np.float64]
    n_at_risk: NDArray[np.float64]
    d: NDArray[np.float64]  # (m, K)
    w2: NDArray[np.float64]  # (m, K + 1)


def _cell_sums_unweighted(t, c, causes):
    ts = np.sort(t)
    starts = _run_starts(ts)
    times = ts[starts]
    n_total = np.diff(np.append(starts, ts.size)).astype(float)
    d = np.zeros((times.size, len(causes)))
    for k, code in enumerate(causes):
        tk = np.sort(t[c == code])
        if tk.size == 0:
            continue
        sk = _run_starts(tk)
        pos = np.searchsorted(times, tk[sk])
        d[pos, k] = np.diff(np.append(sk, tk.size))
    censored = n_total - d.sum(axis=1)
    return times, n_total, d, np.column_stack([censored, d])


def _cell_sums_weighted(t, c, w, causes):
    order = np.argsort(t, kind="stable")
    ts = t[order]
    starts = _run_starts(ts)
    times = ts[starts]
    ws, cs = w[order], c[order]
    n_total = np.add.reduceat(ws, starts)
    d = np.empty((times.size, len(causes)))
    w2 = np.empty((times.size, len(causes) + 1))
    w2[:, 0] = np.add.reduceat(np.where(cs == 0, ws * ws, 0.0), starts)
    for k, code in enumerate(causes):
        is_k = cs == code
        d[:, k] = np.add.reduceat(np.where(is_k, ws, 0.0), starts)
        w2[:, 1 + k] = np.add.reduceat(np.where(is_k, ws * ws, 0.0), starts)
    return times, n_total, d, w2


def compute_cr_counts(
    time: NDArray[np.float64],
    cause: NDArray[np.int64],
    causes: tuple[int, ...],
    weights: NDArray[np.float64] | None = None,
) -> CrCounts:
    """Distinct times, number at risk (those with time >= t) and events per cause.

    A subject censored at ``t`` is at risk at ``t``. Without weights one plain sort of the times
    and one of each cause's times are needed; with weights one stable argsort.
    """
    if weights is None:
        times, n_total, d, w2 = _cell_sums_unweighted(time, cause, causes)
    else:
        times, n_total, d, w2 = _cell_sums_weighted(time, cause, weights, causes)
    # reverse cumulative sum: the last risk set equals its own count exactly
    n_at_risk = np.cumsum(n_total[::-1])[::-1]
    return CrCounts(times, n_at_risk, d, w2)


def compute_aalen_johansen(
    counts: CrCounts,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Overall Kaplan-Meier before and at each time, and the cumulative incidences.

    Returns ``(s_before, s_after, cif)`` with ``cif[:, k]`` :math:`= F_k(t_j)`.
    """
    y, d = counts.n_at_risk, counts.d
    d_all = d.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(d_all > 0, (y - d_all) / y, 1.0)
        hazard = np.where(y[:, None] > 0, d / y[:, None], 0.0)
    s_after = np.cumprod(factor)
    s_before = np.concatenate(([1.0], s_after[:-1]))
    cif = np.cumsum(s_before[:, None] * hazard, axis=0)
    return s_before, s_after, cif


def _tie_factor(d: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """cmprsk's correction for tied events: 1 - (d - 1) / (Y - 1) when d > 1, else 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 1, 1.0 - (d - 1.0) / (y - 1.0), 1.0)


def compute_aalen_variance(
    counts: CrCounts,
    s_before: NDArray[np.float64],
    s_after: NDArray[np.float64],
    cif: NDArray[np.float64],
    k: int,
) -> NDArray[np.float64]:
    r"""Variance of :math:`\hat F_k(t_j)` as R ``cmprsk::cuminc`` (Gray's Fortran ``cinc``).

    With :math:`d_1 = d_{kj}`, :math:`d_2 = d_j - d_{kj}`, tie factors
    :math:`\tau_i = 1 - (d_i - 1)/(Y_j - 1)` (1 when :math:`d_i \le 1`) and
    :math:`c_i = S_{j-}^2 \tau_i d_i / Y_j^2`,

    .. math:: \widehat{V}(t) = \sum_{t_j \le t} \Bigl[
        c_1 \Bigl(1 + \frac{F_{kj} - F_k(t)}{S_j}\Bigr)^2
        + c_2 \Bigl(\frac{F_{kj} - F_k(t)}{S_j}\Bigr)^2 \Bigr],

    where the second term is left out when :math:`S_j = 0` and :math:`1/S_j` is read as 0 in
    the first. Computed, as ``cinc`` does, from three running sums
    (:math:`v_1 + F^2 v_3 - 2 F v_2`). Returned at every time (only meaningful, and only
    reported, at the event times of cause ``k``, where it changes).
    """
    y, d = counts.n_at_risk, counts.d
    d1 = d[:, k]
    d2 = d.sum(axis=1) - d1
    f = cif[:, k]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_s = np.where(s_after > 0, 1.0 / s_after, 0.0)
        c1 = np.where(d1 > 0, s_before**2 * _tie_factor(d1, y) * d1 / y**2, 0.0)
        c2 = np.where((d2 > 0) & (s_after > 0), s_before**2 * _tie_factor(d2, y) * d2 / y**2, 0.0)
    a2 = f * inv_s  # competing causes: t4 = F_j / S_j, t3 = 1 / S_j
    a1 = 1.0 + a2  # cause of interest: t4 = 1 + F_j / S_j
    v1 = np.cumsum(a2 * a2 * c2 + a1 * a1 * c1)
    v2 = np.cumsum(inv_s * (a2 * c2 + a1 * c1))
    v3 = np.cumsum(inv_s * inv_s * (c2 + c1))
    return v1 + f * f * v3 - 2.0 * f * v2


@dataclass(frozen=True)
class IJTerms:
    """Per-time pieces of the infinitesimal-jackknife influence of :math:`\\hat F_k`.

    For a subject with time :math:`T` and cause :math:`e` the influence (per unit of weight) is
    :math:`A(t) - F_k(t) B(t)` with :math:`A(t) = -H_\\alpha(\\min(t, T)) + [T \\le t] a_e`
    and :math:`B(t) = -H_\\beta(\\min(t, T)) + [T \\le t] b_e`; see :func:`compute_ij_terms`.
    """

    h_alpha: NDArray[np.float64]  # (m,)
    h_beta: NDArray[np.float64]  # (m,)
    jump_a: NDArray[np.float64]  # (m, K + 1): column 0 (censored) is 0
    jump_b: NDArray[np.float64]  # (m, K + 1)


def compute_ij_terms(
    counts: CrCounts,
    s_before: NDArray[np.float64],
    s_after: NDArray[np.float64],
    cif: NDArray[np.float64],
    k: int,
) -> IJTerms:
    r"""Influence of each subject on :math:`\hat F_k` (exact derivative, as R ``survfit``).

    The increments :math:`\Delta\Lambda_e(t_j) = d_{ej}/Y_j` have influence
    :math:`(\delta_{i,e}(t_j) - Y_i(t_j)\,\Delta\Lambda_e(t_j))/Y_j`, and

    .. math:: \frac{\partial F_k(t)}{\partial \Delta\Lambda_e(t_j)} = S_{j-}\,[e = k]
        - \frac{F_k(t) - F_{kj}}{1 - \Delta\Lambda(t_j)} \quad (t_j \le t),

    so the influence is :math:`A(t) - F_k(t) B(t)` with, per time,
    :math:`\alpha_j = (S_{j-}\Delta\Lambda_k + b_j F_{kj} \Delta\Lambda)/Y_j` and
    :math:`\beta_j = b_j \Delta\Lambda/Y_j`, :math:`b_j = 1/(1 - \Delta\Lambda(t_j))` (0 where
    everyone at risk has an event: no later increments then), and jumps at the subject's own
    event time :math:`a_e = (S_{j-}[e = k] + b_j F_{kj})/Y_j`, :math:`b_e = b_j / Y_j`.
    """
    y, d = counts.n_at_risk, counts.d
    d_all = d.sum(axis=1)
    f = cif[:, k]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam_k = d[:, k] / y
        lam = d_all / y
        b = np.where(s_after > 0, s_before / s_after, 0.0)
        inv_y = 1.0 / y
    alpha = (s_before * lam_k + b * f * lam) * inv_y
    beta = b * lam * inv_y
    n_causes = d.shape[1]
    jump_a = np.zeros((y.size, n_causes + 1))
    jump_b = np.zeros((y.size, n_causes + 1))
    common = b * f * inv_y
    for e in range(n_causes):
        jump_a[:, 1 + e] = common + (s_before * inv_y if e == k else 0.0)
        jump_b[:, 1 + e] = b * inv_y
    return IJTerms(np.cumsum(alpha), np.cumsum(beta), jump_a, jump_b)


def compute_ij_variance(counts: CrCounts, cif: NDArray[np.float64], terms: IJTerms, k: int):
    r"""Infinitesimal-jackknife variance :math:`\sum_i w_i^2 \{A_i(t) - F_k(t) B_i(t)\}^2`.

    Subjects whose time is at or before :math:`t` contribute constants (cumulative sums over
    time cells, expanded as a quadratic in :math:`F_k(t)`); those still at risk all share
    :math:`-H_\alpha(t) + F_k(t) H_\beta(t)`. Equal to R ``survfit``'s multi-state std.err
    squared (sampling weights: :math:`w_i^2`).
    """
    f = cif[:, k]
    ca = terms.jump_a - terms.h_alpha[:, None]
    cb = terms.jump_b - terms.h_beta[:, None]
    w2 = counts.w2
    p_aa = np.cumsum((w2 * ca * ca).sum(axis=1))
    p_ab = np.cumsum((w2 * ca * cb).sum(axis=1))
    p_bb = np.cumsum((w2 * cb * cb).sum(axis=1))
    w2_cell = w2.sum(axis=1)
    alive = np.cumsum(w2_cell[::-1])[::-1] - w2_cell  # strictly later times
    still = -terms.h_alpha + f * terms.h_beta
    var = p_aa - 2.0 * f * p_ab + f * f * p_bb + alive * still * still
    return np.maximum(var, 0.0)


def _step_integral(times: NDArray[np.float64], values: NDArray[np.float64], at: float):
    """Integral from 0 to each ``times[j]`` and to ``at`` of the right-continuous step function
    equal to ``values[j]`` on ``[times[j], times[j+1])`` and 0 before ``times[0]``."""
    widths = np.diff(times, append=times[-1])
    cum = np.concatenate(([0.0], np.cumsum(values[:-1] * widths[:-1])))
    j = int(np.searchsorted(times, at, side="right")) - 1
    total = 0.0 if j < 0 else cum[j] + values[j] * (at - times[j])
    return cum, total


def compute_ij_rmtl_variance(
    counts: CrCounts, cif: NDArray[np.float64], terms: IJTerms, k: int, tau: float
) -> float:
    r"""IJ variance of the restricted mean time lost :math:`\int_0^\tau F_k(t)\,dt`.

    The influence of a subject is :math:`\int_0^\tau \{A(t) - F_k(t) B(t)\} dt`, a sum of step
    integrals evaluated at the subject's own time; the variance is the sum over time cells of
    :math:`w^2` times its square (R ``summary(survfit(..., influence=TRUE), rmean=tau)``).
    """
    times, f = counts.times, cif[:, k]
    g1, g1_tau = _step_integral(times, terms.h_alpha, tau)
    g2, g2_tau = _step_integral(times, f * terms.h_beta, tau)
    g3, g3_tau = _step_integral(times, f, tau)
    ca = terms.jump_a - terms.h_alpha[:, None]
    cb = terms.jump_b - terms.h_beta[:, None]
    rest = (tau - times)[:, None]
    early = (-g1 + g2)[:, None] + ca * rest - cb * (g3_tau - g3)[:, None]
    late = -g1_tau + g2_tau
    influence = np.where((times <= tau)[:, None], early, late)
    return float((counts.w2 * influence * influence).sum())
