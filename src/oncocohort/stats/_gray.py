"""Gray's (1988) k-sample test of equal cumulative incidence (private kernel).

Score and variance within one stratum, as R ``cmprsk::cuminc``'s Fortran routine ``crst``,
vectorised over the distinct event times (arrays of times x groups x groups; the number of
groups is small). Notation follows Gray (1988) and the Fortran: at each distinct time with an
event, per group :math:`g`: :math:`Y_g` at risk, :math:`d_{1g}` events of the cause of
interest, :math:`d_{2g}` of other causes, the group's left-continuous all-cause Kaplan-Meier
:math:`S_g^-` and cause-1 incidence :math:`F_g^-`; pooled
:math:`R = \\sum_g Y_g / S_g^-` (the sum of the :math:`\\hat h_r`),
:math:`Q = \\sum_g Y_g (1 - F_g^-)/S_g^-`, and the pooled incidence
:math:`F = F^- + d_1/R`.

Reference: Gray RJ (1988). A class of K-sample tests for comparing the cumulative incidence of a
competing risk. Ann Stat 16:1141-1154.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["gray_stratum"]


def _group_tables(time, status, group, n_groups):
    """Distinct times with an event: at risk, cause-1 and other-cause events per group."""
    times, inverse = np.unique(time, return_inverse=True)
    m = times.size
    cell = inverse * n_groups + group
    size = m * n_groups
    leaving = np.bincount(cell, minlength=size).reshape(m, n_groups).astype(float)
    d1 = np.bincount(cell[status == 1], minlength=size).reshape(m, n_groups).astype(float)
    d2 = np.bincount(cell[status == 2], minlength=size).reshape(m, n_groups).astype(float)
    at_risk = np.cumsum(leaving[::-1], axis=0)[::-1]
    keep = (d1 + d2).sum(axis=1) > 0
    return at_risk[keep], d1[keep], d2[keep]


def gray_stratum(
    time: NDArray[np.float64],
    status: NDArray[np.int64],
    group: NDArray[np.intp],
    n_groups: int,
    rho: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Scores of groups ``0..n_groups-2`` and their variance matrix within one stratum.

    ``status``: 0 censored, 1 the cause of interest, 2 any other cause.
    """
    y, d1, d2 = _group_tables(time, status, group, n_groups)
    g1 = n_groups - 1
    if y.shape[0] == 0:
        return np.zeros(g1), np.zeros((g1, g1))
    live = y > 0
    td = d1 + d2
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(live, (y - td) / y, 1.0)
        s_after = np.cumprod(factor, axis=0)
        s_before = np.vstack([np.ones((1, n_groups)), s_after[:-1]])
        jump = np.where(live, s_before * d1 / y, 0.0)
    f_after = np.cumsum(jump, axis=0)
    f_before = np.vstack([np.zeros((1, n_groups)), f_after[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(live, y / s_before, 0.0)  # t1 of the Fortran, 0 for empty groups
        r = h.sum(axis=1)
        q = np.where(live, y * (1.0 - f_before) / s_before, 0.0).sum(axis=1)
    n1 = d1.sum(axis=1)
    n2 = d2.sum(axis=1)
    f_pool = np.cumsum(n1 / r)
    f_pool_before = np.concatenate(([0.0], f_pool[:-1]))
    weight = (1.0 - f_pool_before) ** rho
    # a_t = weight (diag(h) - h h' / R); c = running sum of a_t d1 / (R (1 - F^-))
    a = weight[:, None, None] * (
        h[:, :, None] * np.eye(n_groups)[None] - h[:, :, None] * h[:, None, :] / r[:, None, None]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(n1 > 0, n1 / (r * (1.0 - f_pool_before)), 0.0)
    c = np.cumsum(a * step[:, None, None], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(live, n1[:, None] * y * (1.0 - f_before) / (s_before * q[:, None]), 0)
    score = (weight[:, None] * (d1 - expected)).sum(axis=0)[:g1]

    v = np.zeros((g1, g1))
    v2 = np.zeros((g1, n_groups))
    v3 = np.zeros(n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        # cause-of-interest part (times with d1 > 0, groups at risk)
        use = live & (n1 > 0)[:, None]
        s_after_pos = s_after > 0
        t4 = np.where(s_after_pos, 1.0 - (1.0 - f_pool[:, None]) / s_after, 1.0)
        n1c = n1[:, None]
        tie = np.where(n1c > 1, 1.0 - (n1c - 1.0) / (r[:, None] * s_before - 1.0), 1.0)
        t3 = np.where(use, tie * s_before * n1[:, None] / (r[:, None] * y), 0.0)
        t4 = np.where(use, t4, 0.0)
        t1 = a[:, :g1, :] - t4[:, None, :] * c[:, :g1, :]  # (T, i, k)
        v += np.einsum("tik,tjk,tk->ij", t1, t1, t3)
        v2 += np.einsum("tik,tk->ik", t1, t4 * t3)
        v3 += (t4 * t4 * t3).sum(axis=0)
        # other causes (groups with an other-cause event and S_g > 0)
        use2 = live & s_after_pos & (d2 > 0) & (n2 > 0)[:, None]
        u4 = np.where(use2, (1.0 - f_pool[:, None]) / s_after, 0.0)
        tie2 = np.where(d2 > 1, 1.0 - (d2 - 1.0) / (y - 1.0), 1.0)
        u3 = np.where(use2, tie2 * s_before**2 * d2 / y**2, 0.0)
    u1 = u4[:, None, :] * c[:, :g1, :]
    v += np.einsum("tik,tjk,tk->ij", u1, u1, u3)
    v2 -= np.einsum("tik,tk->ik", u1, u4 * u3)
    v3 += (u4 * u4 * u3).sum(axis=0)
    c_end = c[-1, :g1, :]
    v += (c_end * v3) @ c_end.T + c_end @ v2.T + v2 @ c_end.T
    return score, v
