"""Array kernels behind :mod:`oncocohort.stats.kaplan_meier` (private).

``compute_km_counts`` (risk sets from raw rows), ``compute_greenwood``,
``compute_ij_variance`` (robust, infinitesimal-jackknife variance of S(t), optionally clustered),
``compute_conf_band`` (pointwise band for S(t) on a transformed scale) and
``compute_curve_quantile`` (R ``quantile.survfit`` inversion rule). All are
vectorised: no Python loop runs over subjects or distinct times.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CONF_TYPES",
    "check_survival_input",
    "compute_conf_band",
    "compute_curve_quantile",
    "compute_greenwood",
    "compute_ij_variance",
    "compute_km_counts",
]

CONF_TYPES: tuple[str, ...] = ("log-log", "log", "plain", "arcsin")

# R quantile.survfit default: tolerance = sqrt(.Machine$double.eps)
QUANTILE_TOL = float(np.sqrt(np.finfo(float).eps))


def _as_1d_float(values: ArrayLike, name: str) -> NDArray[np.float64]:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def check_survival_input(
    time: ArrayLike, event: ArrayLike, weights: ArrayLike | None = None
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64] | None]:
    """Validate ``time``/``event``/``weights`` and return them as arrays.

    Raises
    ------
    ValueError
        Empty input, length mismatch, a missing/infinite/negative time, an event
        indicator other than 0/1 (or False/True), a negative or non-finite weight.
    """
    t = _as_1d_float(time, "time")
    e = _as_1d_float(event, "event")
    if t.shape != e.shape:
        raise ValueError(f"time and event must have the same length ({t.size} != {e.size})")
    if t.size == 0:
        raise ValueError("time is empty: need at least one observation")
    bad = ~np.isfinite(t)
    if bad.any():
        raise ValueError(
            f"time has {int(bad.sum())} missing or infinite value(s) (first at position "
            f"{int(np.flatnonzero(bad)[0])})"
        )
    if (t < 0).any():
        raise ValueError(
            f"time has {int((t < 0).sum())} negative value(s) (first at position "
            f"{int(np.flatnonzero(t < 0)[0])})"
        )
    bad = (e != 0) & (e != 1)  # NaN compares unequal to both
    if bad.any():
        raise ValueError(
            f"event must be 0 (censored) or 1 (event); {int(bad.sum())} other value(s), "
            f"first at position {int(np.flatnonzero(bad)[0])}"
        )
    w = None
    if weights is not None:
        w = _as_1d_float(weights, "weights")
        if w.shape != t.shape:
            raise ValueError(
                f"weights must have the same length as time ({w.size} != {t.size})"
            )
        if not np.isfinite(w).all() or (w < 0).any():
            raise ValueError("weights must be finite and non-negative")
    return t, e.astype(bool), w


def _run_starts(sorted_values: NDArray) -> NDArray[np.intp]:
    """Positions where a new value starts in a sorted array."""
    flag = np.empty(sorted_values.size, dtype=bool)
    flag[0] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=flag[1:])
    return np.flatnonzero(flag)


def compute_km_counts(
    time: NDArray[np.float64],
    event: NDArray[np.bool_],
    weights: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], ...]:
    """Distinct times with (weighted) number at risk, events and censorings.

    Returns ``(times, n_at_risk, n_events, n_censored)``, one entry per distinct
    observed time. A subject censored at ``t`` is at risk at ``t`` (it leaves the
    risk set just after ``t``), the usual Kaplan-Meier convention.

    Unweighted input needs one plain sort of a packed (time, event) key, no
    argsort; weighted input one stable argsort (slower, about 3x).
    """
    n_rows = time.size
    if weights is None:
        # One sort of a packed key: the bits of a non-negative double sort like the
        # double itself, so (bits << 1) | event sorts by time, censorings first.
        key = ((time + 0.0).view(np.uint64) << np.uint64(1)) | event.astype(np.uint64)
        key.sort()
        ev_sorted = (key & np.uint64(1)).astype(float)
        key >>= np.uint64(1)
        starts = _run_starts(key)
        times = key[starts].view(np.float64)
        n_total = np.diff(np.append(starts, n_rows)).astype(float)
        n_events = np.add.reduceat(ev_sorted, starts)
    else:
        order = np.argsort(time, kind="stable")
        ts = time[order]
        starts = _run_starts(ts)
        times = ts[starts]
        ws = weights[order]
        n_total = np.add.reduceat(ws, starts)
        n_events = np.add.reduceat(np.where(event[order], ws, 0.0), starts)
    # at risk at t_i: everyone with time >= t_i. A reverse cumulative sum keeps the
    # last risk set exactly equal to its own (weighted) count, so d = n there gives
    # S = 0 exactly rather than a rounding residue.
    n_at_risk = np.cumsum(n_total[::-1])[::-1]
    return times, n_at_risk, n_events, n_total - n_events


def compute_greenwood(
    n_at_risk: NDArray[np.float64], n_events: NDArray[np.float64]
) -> NDArray[np.float64]:
    r"""Cumulative Greenwood sum :math:`\sum_{t_i \le t} d_i / (n_i (n_i - d_i))`.

    This is :math:`\widehat{\mathrm{Var}}(\log \hat S(t))`; it is infinite from the
    first time where everyone at risk has the event (:math:`d_i = n_i`).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(n_events > 0, n_events / (n_at_risk * (n_at_risk - n_events)), 0.0)
    term = np.where((n_events > 0) & (n_at_risk <= n_events), np.inf, term)
    return np.cumsum(term)


def compute_ij_variance(
    time: NDArray[np.float64],
    event: NDArray[np.bool_],
    weights: NDArray[np.float64],
    cluster: NDArray[np.int64] | None,
    times: NDArray[np.float64],
    n_at_risk: NDArray[np.float64],
    n_events: NDArray[np.float64],
    surv: NDArray[np.float64],
) -> NDArray[np.float64]:
    r"""Infinitesimal-jackknife (robust) variance of :math:`\hat S(t)` at each table time.

    As R ``survfit(robust=TRUE)`` (survival >= 3, the default with non-integer weights or a
    cluster). The influence of unit k (a row, or a cluster of rows) on :math:`\hat S(t)` is
    :math:`\hat S(t) A_k(t)`, with, over the event times :math:`t_j \le t`,

    .. math:: A_k(t) = \sum_{i \in k} w_i \Big[\sum_{t_j \le \min(t, T_i)} g_j
              - \delta_i 1\{T_i \le t\} / (n_{T_i} - d_{T_i})\Big],
              \qquad g_j = rac{d_j}{n_j (n_j - d_j)},

    (weighted :math:`n_j, d_j`), and :math:`\widehat{\mathrm{Var}}\,\hat S(t) = \hat S(t)^2
    \sum_k A_k(t)^2`. Writing :math:`G(t) = \sum_{t_j \le t} g_j`, a cluster's rows still at
    risk after t weigh :math:`W_c(t)` and those already ended contribute the constant
    :math:`a_c(t) = \sum w_i (G(T_i) - \delta_i / (n_{T_i} - d_{T_i}))`, so
    :math:`\sum_c A_c^2 = G^2 \sum_c W_c^2 + 2G \sum_c W_c a_c + \sum_c a_c^2`; the three sums
    change only when a row ends, which is one cumulative sum in time order. Zero where
    :math:`\hat S = 0` (as R).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        alive = n_at_risk - n_events
        step = (n_events > 0) & (alive > 0)
        g = np.where(step, n_events / (n_at_risk * alive), 0.0)
        c = np.where(step, 1.0 / alive, 0.0)
    G = np.cumsum(g)
    j = np.searchsorted(times, time)  # each row's table time
    a = weights * (G[j] - np.where(event, c[j], 0.0))
    nt = times.size
    if cluster is None:  # each row its own cluster: W a = 0 once the row has ended
        q1_drop = np.bincount(j, weights=weights * weights, minlength=nt)
        q1 = float(weights @ weights) - np.cumsum(q1_drop)
        q2 = np.zeros(nt)
        q3 = np.cumsum(np.bincount(j, weights=a * a, minlength=nt))
    else:
        order = np.lexsort((j, cluster))  # by cluster, then time: rows end in this order
        cl, w_o, a_o = cluster[order], weights[order], a[order]
        starts = np.flatnonzero(np.r_[True, cl[1:] != cl[:-1]])
        size = np.diff(np.r_[starts, cl.size])

        def before(v: NDArray[np.float64]) -> NDArray[np.float64]:
            """Sum of ``v`` over the earlier rows of the same cluster."""
            cs = np.cumsum(v) - v
            return cs - np.repeat(cs[starts], size)

        total_w = np.repeat(np.add.reduceat(w_o, starts), size)
        w_prev = total_w - before(w_o)  # at risk in the cluster just before this row ends
        a_prev = before(a_o)
        w_next, a_next = w_prev - w_o, a_prev + a_o
        d1 = w_next * w_next - w_prev * w_prev
        d2 = w_next * a_next - w_prev * a_prev
        d3 = a_next * a_next - a_prev * a_prev
        jo = j[order]
        q1 = float(np.sum(np.add.reduceat(w_o, starts) ** 2)) + np.cumsum(
            np.bincount(jo, weights=d1, minlength=nt)
        )
        q2 = np.cumsum(np.bincount(jo, weights=d2, minlength=nt))
        q3 = np.cumsum(np.bincount(jo, weights=d3, minlength=nt))
    total = np.maximum(G * G * q1 + 2.0 * G * q2 + q3, 0.0)  # >= 0 up to rounding
    return np.where(surv > 0, surv * surv * total, 0.0)


def compute_conf_band(
    surv: NDArray[np.float64],
    se_log: NDArray[np.float64],
    conf_type: str,
    z: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Pointwise confidence band for :math:`S(t)`, as R ``survfit(conf.type=)``.

    ``se_log`` is the standard error of :math:`\log \hat S` (square root of the
    Greenwood sum). Bounds are NaN where the transform is undefined: at
    :math:`S = 0` for every type, and also at :math:`S = 1` (before the first event)
    for ``log-log`` and ``arcsin``, exactly as R (``survfit`` gives NA/NaN there).
    """
    s = np.asarray(surv, dtype=float)
    undefined = s == 0.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = z * se_log * s
            lower = np.maximum(s - half, 0.0)
            upper = np.minimum(s + half, 1.0)
        elif conf_type == "log":
            factor = np.exp(z * se_log)
            lower = s / factor
            upper = np.minimum(s * factor, 1.0)
        elif conf_type == "log-log":
            # exp(-exp(log(-log S) -+ z se / log S)) = S ** exp(-+ z se / log S)
            log_s = np.log(s)
            factor = np.exp(z * se_log / log_s)
            lower = np.exp(log_s / factor)
            upper = np.exp(log_s * factor)
            undefined |= s == 1.0
        elif conf_type == "arcsin":
            ang = np.arcsin(np.sqrt(s))
            half = 0.5 * z * se_log * np.sqrt(s / (1.0 - s))
            lower = np.sin(np.maximum(0.0, ang - half)) ** 2
            upper = np.sin(np.minimum(np.pi / 2, ang + half)) ** 2
            undefined |= s == 1.0
        else:
            raise ValueError(
                f"unknown conf_type {conf_type!r}; choose one of {', '.join(CONF_TYPES)}"
            )
    lower[undefined] = np.nan
    upper[undefined] = np.nan
    return lower, upper


def _first_occurrences(
    y: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.intp], float]:
    """Distinct non-NaN values of ``y`` (ascending), the index where each first
    occurs, and the last element of ``y`` with repeats removed (R ``y[!duplicated(y)]``,
    NaN counting as one value)."""
    is_nan = np.isnan(y)
    finite_idx = np.flatnonzero(~is_nan)
    yf = y[finite_idx]
    first_nan = int(np.argmax(is_nan)) if is_nan.any() else -1
    if (yf[1:] >= yf[:-1]).all():  # monotone: no sort needed (always so for S itself)
        new = np.concatenate(([True], yf[1:] != yf[:-1]))
        values, first = yf[new], finite_idx[new]
    else:
        values, pos = np.unique(yf, return_index=True)
        first = finite_idx[pos]
    last_kept = max(int(first.max()), first_nan)
    return values, first, float(y[last_kept])


def compute_curve_quantile(
    times: NDArray[np.float64],
    curve: NDArray[np.float64],
    p: float,
    tol: float = QUANTILE_TOL,
) -> float:
    r"""Time at which a survival-type curve reaches ``1 - p``, R ``quantile.survfit`` rule.

    The curve is a right-continuous step function with value ``curve[i]`` from
    ``times[i]`` on and 1 before ``times[0]`` (the origin is time 0). With
    :math:`F = 1 - \text{curve}`:

    * the quantile is the first time where :math:`F \ge p` (within ``tol``);
    * if :math:`F = p` (within ``tol``) on a stretch, it is the midpoint between the
      start of the stretch and the next time the curve changes; if the curve stays
      at :math:`1 - p` to the end, the midpoint with the last observed time;
    * NaN if the curve never reaches :math:`1 - p`.

    NaN points of the curve (e.g. an undefined band) are skipped. For a
    non-monotone curve (a confidence band can be one) the first time reaching the
    smallest attained :math:`F \ge p - \text{tol}` is used, as R does.
    """
    x = np.concatenate(([0.0], np.asarray(times, dtype=float)))
    y = np.concatenate(([0.0], 1.0 - np.asarray(curve, dtype=float)))
    if np.isnan(y).all() or np.nanmax(y) < p:
        return float("nan")
    x_last = x[-1]
    values, first, y_last_kept = _first_occurrences(y)

    def smallest_at_least(level: float) -> float:
        j = int(np.searchsorted(values, level, side="left"))
        return float(x[first[j]]) if j < values.size else float("nan")

    lo = smallest_at_least(p - tol) if p >= tol else float("nan")
    hi = smallest_at_least(p + tol)
    if not np.isnan(y_last_kept) and abs(p - y_last_kept) < tol:
        return (lo + float(x_last)) / 2
    return (lo + hi) / 2
