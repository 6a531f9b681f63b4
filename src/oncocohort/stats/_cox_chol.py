"""Cholesky solve and inverse with R survival's singularity rule (``cholesky2``/``chsolve2``).

Private module of :mod:`oncocohort.stats.cox`.

The information matrix is factored as L D L' on the scale R uses internally: covariates that
are not 0/1 are multiplied by s = 1 / (weighted mean absolute deviation), so the information
becomes ``I_jk s_j s_k`` and the score ``U_j s_j``. A pivot below ``toler * max diagonal``
(``toler = eps^0.75``, R ``coxph.control(toler.chol)``) is set to zero: that coefficient gets
a zero Newton step and zero rows and columns in the inverse, and R reports it as ``NA``
("X matrix deemed to be singular"). Without singular pivots the results equal the ordinary
solve and inverse.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TOLER_CHOL", "chol_scale", "chol_solve", "chol_inverse"]

TOLER_CHOL = float(np.finfo(float).eps ** 0.75)


def chol_scale(x: np.ndarray, weights: np.ndarray, centred: np.ndarray | None = None):
    """R coxfit6 scale factors: 1 / weighted mean |x - mean| for non-0/1 columns, else 1.

    ``centred`` may hold ``x`` already centred on its mean (any row order, with ``weights`` in
    that order) to save a pass; the 0/1 check is made on ``x``.
    """
    n, p = x.shape
    s = np.ones(p)
    wsum = weights.sum()
    for j in range(p):
        col = x[:, j]
        if np.count_nonzero(col == 0.0) + np.count_nonzero(col == 1.0) == n:
            continue
        if centred is None:
            dev = np.abs(col - weights @ col / wsum)
        else:
            dev = np.abs(centred[:, j])
        mad = weights @ dev / wsum
        s[j] = 1.0 / mad if mad > 0 else 1.0
    return s


def _ldl(a: np.ndarray, toler: float) -> tuple[np.ndarray, np.ndarray]:
    """L D L' of a symmetric matrix; zero pivots below ``toler * max(diag)`` (cholesky2)."""
    m = a.copy()
    n = m.shape[0]
    diag = np.diag(m)
    eps = toler * (diag.max() if n and np.isfinite(diag).all() else 0.0)
    zero = np.zeros(n, dtype=bool)
    for i in range(n):
        pivot = m[i, i]
        if not np.isfinite(pivot) or pivot <= eps or pivot <= 0:
            m[i, i] = 0.0
            m[i + 1 :, i] = 0.0
            zero[i] = True
            continue
        col = m[i + 1 :, i] / pivot
        m[i + 1 :, i] = col
        # update the trailing lower triangle: m[k, j] -= col_k * col_j * pivot
        m[i + 1 :, i + 1 :] -= np.outer(col, col) * pivot
    return m, zero


def chol_solve(info: np.ndarray, u: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Newton step ``I^{-1} u`` with zero components for singular pivots (R chsolve2)."""
    a = info * np.outer(scale, scale)  # information of the scaled covariates x * scale
    m, zero = _ldl(a, TOLER_CHOL)
    y = u * scale
    n = len(y)
    for i in range(n):  # forward: unit lower triangular
        y[i] -= m[i, :i] @ y[:i]
    d = np.diag(m)
    y = np.where(zero, 0.0, y / np.where(zero, 1.0, d))
    for i in range(n - 1, -1, -1):  # backward: L'
        y[i] = 0.0 if zero[i] else y[i] - m[i + 1 :, i] @ y[i + 1 :]
    return y * scale


def chol_inverse(info: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of the information with zero rows/columns for singular pivots (R chinv2).

    Returns (inverse, singular flags).
    """
    a = info * np.outer(scale, scale)
    _, zero = _ldl(a, TOLER_CHOL)
    inv = np.zeros_like(a)
    keep = ~zero
    if keep.any():
        inv[np.ix_(keep, keep)] = np.linalg.inv(a[np.ix_(keep, keep)])
    return inv * np.outer(scale, scale), zero
