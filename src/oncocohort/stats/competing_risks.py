r"""Cumulative incidence with competing risks (Aalen-Johansen) and Gray's test.

``cumulative_incidence`` returns an immutable :class:`CumulativeIncidence` holding one long table
(one row per group, cause and event time of that cause); ``.at(times)`` reads it at arbitrary
times. ``gray_test`` compares the cumulative incidence of one cause between groups. The kernels
live in ``_cr_core`` (estimator, variances) and ``_gray`` (the test).

For a subject, ``cause`` is 0 when censored and 1, 2, ... for the type of the first event; an
event of another type than the one studied is a *competing* event: it makes the event of
interest impossible, so :math:`1 - \text{KM}` (which treats it as censoring) overestimates the
probability of the event of interest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from oncocohort.stats._cr_core import (
    CrCounts,
    check_cause_input,
    compute_aalen_johansen,
    compute_aalen_variance,
    compute_cr_counts,
    compute_ij_terms,
    compute_ij_variance,
    group_codes,
)
from oncocohort.stats._dist import chi2_sf, norm_isf
from oncocohort.stats._gray import gray_stratum
from oncocohort.stats._results import TestResult

__all__ = [
    "CIF_CONF_TYPES",
    "CIF_VARIANCES",
    "CumulativeIncidence",
    "cumulative_incidence",
    "gray_test",
]

CIF_CONF_TYPES: tuple[str, ...] = ("log-log", "plain", "log")
CIF_VARIANCES: tuple[str, ...] = ("aalen", "ij")
TABLE_COLUMNS = (
    "cause", "time", "n_at_risk", "n_events", "cif", "std_err", "lower", "upper"
)


def _check_conf_level(conf_level: float) -> float:
    if not isinstance(conf_level, Real) or not 0 < float(conf_level) < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}")
    return float(conf_level)


def compute_cif_band(
    cif: NDArray[np.float64], std_err: NDArray[np.float64], conf_type: str, z: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Pointwise band for a cumulative incidence :math:`F`, as R's multi-state ``survfit``.

    ``plain``: :math:`F \pm z\,SE` clipped to [0, 1]; ``log``: :math:`F e^{\pm z SE/F}`, upper
    capped at 1; ``log-log`` (transform :math:`\log(-\log F)`):
    :math:`F^{\exp(\mp z\,SE/(F \log F))}` (NaN at :math:`F = 1`, as R). Where :math:`F = 0`
    both bounds are 0 (R gives NA there for ``log`` and ``log-log``).
    """
    f = np.asarray(cif, dtype=float)
    se = np.asarray(std_err, dtype=float)
    zero = f == 0.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            lower = np.maximum(f - z * se, 0.0)
            upper = np.minimum(f + z * se, 1.0)
        elif conf_type == "log":
            factor = np.exp(z * se / f)
            lower = f / factor
            upper = np.minimum(f * factor, 1.0)
        elif conf_type == "log-log":
            log_f = np.log(f)
            factor = np.exp(z * se / (f * log_f))
            lower = np.exp(log_f / factor)
            upper = np.exp(log_f * factor)
            lower[f == 1.0] = np.nan
            upper[f == 1.0] = np.nan
        else:
            raise ValueError(
                f"unknown conf_type {conf_type!r}; choose one of {', '.join(CIF_CONF_TYPES)}"
            )
    lower[zero] = 0.0
    upper[zero] = 0.0
    return lower, upper


@dataclass(frozen=True)
class _Curve:
    """One group's risk sets and, per cause, the cause's event rows (for ``at``)."""

    times: NDArray[np.float64]
    n_at_risk: NDArray[np.float64]
    rows: dict[int, pd.DataFrame]


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not objects
class CumulativeIncidence:
    r"""Result of :func:`cumulative_incidence`.

    Attributes
    ----------
    table
        Long table, one row per (group, cause, distinct event time of that cause), sorted by
        group, cause and time: ``group`` (only when groups were given), ``cause``, ``time``,
        ``n_at_risk`` (in the group, all causes, those with time >= t), ``n_events`` (of that
        cause at t), ``cif`` :math:`\hat F_k(t)`, ``std_err`` (of :math:`\hat F_k(t)`),
        ``lower``, ``upper``. Counts are weighted sums when weights were given.
    causes
        The event types present in the data (sorted); every group has all of them.
    groups
        Group labels in order (sorted, or category order), or ``None`` without groups.
    conf_type, conf_level, variance
        Options used.
    n
        (Weighted) number of subjects.
    """

    table: pd.DataFrame = field(repr=False)
    causes: tuple[int, ...]
    groups: tuple | None
    conf_type: str
    conf_level: float
    variance: str
    n: float
    _curves: tuple[_Curve, ...] = field(repr=False, compare=False, default=())

    def to_frame(self) -> pd.DataFrame:
        """The long table (a copy) with the options as columns."""
        out = self.table.copy()
        out["variance"] = self.variance
        out["conf_type"] = self.conf_type
        out["conf_level"] = self.conf_level
        return out

    def at(self, times: ArrayLike) -> pd.DataFrame:
        """The table's columns at given times, as R ``summary(fit, times, extend=TRUE)``.

        ``times`` are sorted (as R does). For each group and cause the curve is carried
        forward from its last event at or before each time (before the first: 0, with
        ``std_err`` 0 and bounds 0); past the group's last observation it keeps its last
        value. ``n_at_risk`` is the number still under observation at the time (time >= t; 0
        after the last observation); ``n_events`` the events of that cause in
        (previous requested time, t] (the first interval starts at 0), as R.
        """
        t_req = np.sort(np.atleast_1d(np.asarray(times, dtype=float)))
        if t_req.ndim != 1 or not np.isfinite(t_req).all():
            raise ValueError("times must be a one-dimensional array of finite numbers")
        frames = []
        for gi, curve in enumerate(self._curves):
            nxt = np.searchsorted(curve.times, t_req, side="left")
            size = curve.times.size
            risk = np.where(nxt < size, curve.n_at_risk[np.minimum(nxt, size - 1)], 0.0)
            for cause in self.causes:
                rows = curve.rows[cause]
                ev_t = rows["time"].to_numpy()
                idx = np.searchsorted(ev_t, t_req, side="right") - 1
                before = idx < 0
                safe = np.where(before, 0, idx)
                cum = np.concatenate(([0.0], np.cumsum(rows["n_events"].to_numpy())))
                events = np.diff(np.concatenate(([0.0], cum[idx + 1])))
                cols = {"cause": cause, "time": t_req, "n_at_risk": risk, "n_events": events}
                for name in ("cif", "std_err", "lower", "upper"):
                    values = rows[name].to_numpy()
                    picked = values[safe] if values.size else np.zeros(t_req.size)
                    cols[name] = np.where(before, 0.0, picked)
                frame = pd.DataFrame(cols)
                if self.groups is not None:
                    frame.insert(0, "group", [self.groups[gi]] * t_req.size)
                frames.append(frame)
        return pd.concat(frames, ignore_index=True)


def _group_curve(
    counts: CrCounts,
    causes: tuple[int, ...],
    variance: str,
    conf_type: str,
    z: float,
) -> tuple[_Curve, list[pd.DataFrame]]:
    s_before, s_after, cif = compute_aalen_johansen(counts)
    rows: dict[int, pd.DataFrame] = {}
    for k, cause in enumerate(causes):
        if variance == "aalen":
            var = compute_aalen_variance(counts, s_before, s_after, cif, k)
        else:
            terms = compute_ij_terms(counts, s_before, s_after, cif, k)
            var = compute_ij_variance(counts, cif, terms, k)
        at = counts.d[:, k] > 0
        std_err = np.sqrt(np.maximum(var[at], 0.0))
        lower, upper = compute_cif_band(cif[at, k], std_err, conf_type, z)
        rows[cause] = pd.DataFrame(
            {
                "cause": cause,
                "time": counts.times[at],
                "n_at_risk": counts.n_at_risk[at],
                "n_events": counts.d[at, k],
                "cif": cif[at, k],
                "std_err": std_err,
                "lower": lower,
                "upper": upper,
            }
        )
    curve = _Curve(counts.times, counts.n_at_risk, rows)
    return curve, [rows[c] for c in causes]


def cumulative_incidence(
    time: ArrayLike,
    cause: ArrayLike,
    *,
    group: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    conf_level: float = 0.95,
    conf_type: str = "log-log",
    variance: str = "aalen",
) -> CumulativeIncidence:
    r"""Aalen-Johansen estimate of the cumulative incidence of each cause.

    Parameters
    ----------
    time
        Time to the first event or to censoring, finite and >= 0.
    cause
        0 for censored, 1, 2, ... for the type of the event (whole numbers).
    group
        Optional group label per subject: a separate estimate per group (sorted labels, or the
        category order of a pandas Categorical).
    weights
        Optional case weights >= 0 (R ``survfit(weights=)``; sampling weights). Only with
        ``variance="ij"``: cmprsk has no weights.
    conf_level
        Two-sided level of the pointwise band.
    conf_type
        ``"log-log"`` (default; R multi-state ``survfit``'s transform :math:`\log(-\log F)`),
        ``"plain"`` or ``"log"``; see :func:`compute_cif_band`.
    variance
        ``"aalen"`` (default): R ``cmprsk::cuminc``'s variance (delta method with Gray's
        correction for tied events), computed within each group. ``"ij"``: the infinitesimal
        jackknife, R survival's multi-state ``survfit(Surv(time, factor(cause)) ~ 1)``
        ``std.err``.

    Returns
    -------
    CumulativeIncidence

    Notes
    -----
    At the distinct times :math:`t_j` (within a group) with :math:`Y_j` at risk (a subject
    censored at :math:`t_j` is at risk at :math:`t_j`), :math:`d_{kj}` events of cause
    :math:`k` and :math:`d_j` events of any cause:

    .. math:: \hat S(t) = \prod_{t_j \le t} (1 - d_j/Y_j), \qquad
              \hat F_k(t) = \sum_{t_j \le t} \hat S(t_{j-1})\, d_{kj} / Y_j,

    so :math:`\hat S + \sum_k \hat F_k = 1`. Variances: see
    :func:`oncocohort.stats._cr_core.compute_aalen_variance` (``"aalen"``) and
    :func:`oncocohort.stats._cr_core.compute_ij_terms` (``"ij"``). Without weights and ties the
    two differ only in that the IJ variance subtracts the multinomial covariance of the
    increments at each time. Equivalents: SAS ``PROC LIFETEST ... / EVENTCODE=k`` (Gray's
    variance: ``"aalen"``), Stata ``stcompet``; SPSS has no competing-risks estimator.

    References
    ----------
    Aalen & Johansen (1978) Scand J Stat 5:141. Kalbfleisch & Prentice (2002) sec. 8.2.
    Gray (1988) Ann Stat 16:1141 (the variance in cmprsk). Therneau, R ``survival`` vignette
    "Multi-state models and competing risks".

    Examples
    --------
    >>> ci = cumulative_incidence([1, 2, 3, 4, 5], [1, 2, 1, 0, 1])
    >>> ci.table[["cause", "time", "cif"]].round(4).values.tolist()
    [[1.0, 1.0, 0.2], [1.0, 3.0, 0.4], [1.0, 5.0, 0.8], [2.0, 2.0, 0.2]]
    """
    if conf_type not in CIF_CONF_TYPES:
        raise ValueError(
            f"unknown conf_type {conf_type!r}; choose one of {', '.join(CIF_CONF_TYPES)}"
        )
    if variance not in CIF_VARIANCES:
        raise ValueError(f"unknown variance {variance!r}; choose one of {', '.join(CIF_VARIANCES)}")
    if weights is not None and variance == "aalen":
        raise ValueError(
            "weights need variance='ij': the Aalen (cmprsk) variance has no weighted form"
        )
    conf_level = _check_conf_level(conf_level)
    t, c, w = check_cause_input(time, cause, weights)
    causes = tuple(int(x) for x in np.unique(c[c > 0]))
    if not causes:
        raise ValueError("no events: every subject is censored (cause 0)")
    if group is None:
        codes, labels = np.zeros(t.size, dtype=np.intp), [None]
    else:
        codes, labels = group_codes(group, "group", t.size)
    z = float(norm_isf((1 - conf_level) / 2))
    curves, frames = [], []
    for gi, label in enumerate(labels):
        sel = codes == gi if len(labels) > 1 else slice(None)
        counts = compute_cr_counts(t[sel], c[sel], causes, None if w is None else w[sel])
        curve, group_frames = _group_curve(counts, causes, variance, conf_type, z)
        curves.append(curve)
        for frame in group_frames:
            if group is not None:
                frame = frame.copy()
                frame.insert(0, "group", [label] * len(frame))
            frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    return CumulativeIncidence(
        table=table,
        causes=causes,
        groups=None if group is None else tuple(labels),
        conf_type=conf_type,
        conf_level=conf_level,
        variance=variance,
        n=float(t.size if w is None else w.sum()),
        _curves=tuple(curves),
    )


def gray_test(
    time: ArrayLike,
    cause: ArrayLike,
    group: ArrayLike,
    *,
    cause_of_interest: int = 1,
    strata: ArrayLike | None = None,
    rho: float = 0.0,
) -> TestResult:
    r"""Gray's test of equal cumulative incidence of one cause across groups.

    Parameters
    ----------
    time, cause
        As for :func:`cumulative_incidence`.
    group
        Group label per subject (at least two groups).
    cause_of_interest
        The cause whose incidence is compared; every other cause competes.
    strata
        Optional stratum label per subject: scores and variances are summed over strata
        (R ``cuminc(strata=)``).
    rho
        Power of the weight :math:`(1 - \hat F^-(t))^\rho` (pooled incidence, left-continuous);
        0 (default) is the log-rank-like test, R ``cuminc(rho=)``.

    Returns
    -------
    TestResult
        Statistic :math:`s^\top V^{-1} s` over the scores of the first :math:`g - 1` groups,
        df :math:`= g - 1`, ``p_value = chi2.sf`` (cmprsk's ``1 - pchisq`` loses the digits of
        tiny p-values). NaN statistic when the variance matrix is singular (cmprsk: -1).

    Notes
    -----
    The score of group :math:`g` compares its subdistribution hazard with the pooled one,
    :math:`s_g = \int w(t)\,\{d\hat\Lambda_{1g}(t) - d\hat\Lambda_{1}^0(t)\}\,\hat R_g(t)` with
    :math:`\hat R_g = Y_g (1 - \hat F_g^-)/\hat S_g^-` (Gray 1988, eq. 2.3). Variance: Gray's
    asymptotic formula with cmprsk's corrections for tied events. Equal to R
    ``cmprsk::cuminc(time, cause, group, strata, rho)$Tests`` for the cause. SAS ``PROC
    LIFETEST ... / EVENTCODE=`` prints the same test; Stata has none built in (user-written
    ``stcompet`` gives curves only); SPSS has no competing-risks test.

    References
    ----------
    Gray RJ (1988). A class of K-sample tests for comparing the cumulative incidence of a
    competing risk. Ann Stat 16:1141-1154.
    """
    t, c, _ = check_cause_input(time, cause)
    if not isinstance(rho, Real) or not np.isfinite(rho):
        raise ValueError(f"rho must be a finite number, got {rho!r}")
    if not (c == cause_of_interest).any():
        present = sorted(int(x) for x in np.unique(c[c > 0]))
        raise ValueError(
            f"cause_of_interest {cause_of_interest!r} does not occur; causes present: {present}"
        )
    codes, labels = group_codes(group, "group", t.size)
    n_groups = len(labels)
    if n_groups < 2:
        raise ValueError(f"group must have at least two distinct values, got {n_groups}")
    status = np.where(c == 0, 0, np.where(c == cause_of_interest, 1, 2))
    if strata is None:
        s_codes, n_strata = np.zeros(t.size, dtype=np.intp), 1
    else:
        s_codes, s_labels = group_codes(strata, "strata", t.size)
        n_strata = len(s_labels)
    score = np.zeros(n_groups - 1)
    var = np.zeros((n_groups - 1, n_groups - 1))
    for s in range(n_strata):  # strata are few
        rows = s_codes == s
        sc, v = gray_stratum(t[rows], status[rows], codes[rows], n_groups, float(rho))
        score += sc
        var += v
    if np.linalg.matrix_rank(var, tol=1e-7 * max(np.abs(var).max(), 1e-300)) < n_groups - 1:
        return TestResult(float("nan"), float(n_groups - 1), float("nan"))
    stat = float(score @ np.linalg.solve(var, score))
    return TestResult(stat, float(n_groups - 1), float(chi2_sf(stat, n_groups - 1)))
