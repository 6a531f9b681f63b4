"""Kaplan-Meier estimator, its quantiles (median survival) and median follow-up.

``kaplan_meier`` returns an immutable :class:`KaplanMeier` holding the
product-limit table; quantiles, survival at landmark times and the median are
read off that table. ``follow_up`` gives the median follow-up (reverse
Kaplan-Meier or observed). The numerical kernels live in ``_km_core``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from numbers import Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from oncocohort.stats._dist import norm_isf
from oncocohort.stats._km_core import (
    CONF_TYPES,
    QUANTILE_TOL,
    check_survival_input,
    compute_conf_band,
    compute_curve_quantile,
    compute_greenwood,
    compute_ij_variance,
    compute_km_counts,
)
from oncocohort.stats._results import Estimate

__all__ = ["CONF_TYPES", "QUANTILE_INTERVALS", "KaplanMeier", "follow_up", "kaplan_meier"]

#: Intervals of :meth:`KaplanMeier.quantile`: Brookmeyer-Crowley on the band's scale (R, SAS,
#: Stata), or symmetric about the estimate (SPSS).
QUANTILE_INTERVALS: tuple[str, ...] = ("brookmeyer-crowley", "symmetric")

TABLE_COLUMNS = (
    "time", "n_at_risk", "n_events", "n_censored", "survival", "std_err", "lower", "upper"
)
# SPSS / Collett: the density at the quantile is estimated over the times where
# S(t) is at least 0.05 above and below 1 - p.
SYMMETRIC_DENSITY_BAND = 0.05


def _check_conf_level(conf_level: float) -> float:
    if not isinstance(conf_level, Real) or not 0 < float(conf_level) < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}")
    return float(conf_level)


def _check_times(times: ArrayLike) -> NDArray[np.float64]:
    t_req = np.atleast_1d(np.asarray(times, dtype=float))
    if t_req.ndim != 1 or not np.isfinite(t_req).all():
        raise ValueError("times must be a one-dimensional array of finite numbers")
    return t_req


def _check_conf_type(conf_type: str) -> str:
    if conf_type not in CONF_TYPES:
        raise ValueError(f"unknown conf_type {conf_type!r}; choose one of {', '.join(CONF_TYPES)}")
    return conf_type


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not objects
class KaplanMeier:
    r"""Result of :func:`kaplan_meier`.

    Attributes
    ----------
    table
        One row per distinct observed time (event or censoring), as R
        ``survfit``: ``time``, ``n_at_risk``, ``n_events``, ``n_censored`` (float
        columns always; weighted sums when weights were given), ``survival``
        :math:`\hat S(t)`, ``std_err``
        (standard error **of** :math:`\hat S(t)`, i.e. R ``summary(fit)$std.err``:
        Greenwood, or the robust infinitesimal jackknife when ``robust``; R's
        ``fit$std.err`` is that of :math:`\log \hat S`, equal to ``std_err / survival``,
        unless robust), ``lower``/``upper`` (pointwise band).
    conf_type, conf_level
        The confidence-interval transform and level used for ``lower``/``upper``
        and for quantile intervals.
    n, n_events
        (Weighted) number of subjects and of events.
    robust
        Whether ``std_err`` (and the band) is the robust infinitesimal-jackknife one.
    """

    table: pd.DataFrame = field(repr=False)
    conf_type: str
    conf_level: float
    n: float
    n_events: float
    robust: bool = False

    def to_frame(self) -> pd.DataFrame:
        """The product-limit table (a copy)."""
        return self.table.copy()

    @property
    def median(self) -> Estimate:
        """Median survival time with its confidence interval (``quantile(0.5)``)."""
        return self.quantile(0.5)

    @cached_property
    def _arrays(self) -> tuple[NDArray[np.float64], ...]:
        """The table's columns (:data:`TABLE_COLUMNS`) as float arrays, read once: the
        quantiles, the limits and the numbers at risk each read them."""
        tab = self.table
        return tuple(tab[c].to_numpy(dtype=float) for c in TABLE_COLUMNS)

    def quantile(self, p: float, interval: str = "brookmeyer-crowley") -> Estimate:
        r"""Time by which a fraction ``p`` has had the event (``p = 0.5``: median).

        Point estimate (R ``quantile.survfit``, SAS LIFETEST): the smallest time
        with :math:`\hat S(t) \le 1 - p`; when :math:`\hat S(t) = 1 - p` exactly on a
        stretch :math:`[t_i, t_{i+1})`, the midpoint :math:`(t_i + t_{i+1})/2` (with the
        last observed time if the curve stays flat to the end). NaN if not reached.

        Interval (Brookmeyer & Crowley 1982, as R does it): the same rule applied to
        the lower and upper pointwise band curves on the ``conf_type`` scale; the
        lower limit is the quantile of the lower band, the upper limit that of the
        upper band (NaN when that band never reaches :math:`1 - p`).

        With ``interval="symmetric"`` (SPSS ``KM``) the interval is instead
        :math:`\hat t_p \pm z\,\widehat{SE}(\hat t_p)` with (Collett 2015, sec. 2.4;
        IBM SPSS Statistics Algorithms, "Kaplan-Meier: percentiles")

        .. math:: \widehat{SE}(\hat t_p) = \frac{\widehat{SE}\{\hat S(\hat t_p)\}}
                  {\hat f(\hat t_p)},\qquad
                  \hat f(\hat t_p) = \frac{\hat S(\hat u_p) - \hat S(\hat l_p)}
                  {\hat l_p - \hat u_p},

        :math:`\hat u_p = \max\{t_j: \hat S(t_j) \ge 1 - p + 0.05\}` and
        :math:`\hat l_p = \min\{t_j: \hat S(t_j) \le 1 - p - 0.05\}` over the event
        times :math:`t_j` and the origin (:math:`\hat S(0) = 1`); Greenwood SE. NaN
        when :math:`\hat l_p` does not exist. Bounds are not truncated at 0. The standard
        error of :math:`\hat S` is the table's ``std_err`` (Greenwood, or robust), whatever
        the band's ``conf_type``.
        """
        if not isinstance(p, Real) or not 0 < float(p) < 1:
            raise ValueError(f"p must be a fraction in (0, 1), got {p!r}")
        if interval not in QUANTILE_INTERVALS:
            raise ValueError(f"interval must be one of {', '.join(QUANTILE_INTERVALS)}, "
                             f"not {interval!r}")
        p = float(p)
        time, _, n_events, _, surv, std_err, lower, upper = self._arrays
        estimate = compute_curve_quantile(time, surv, p)
        if interval == "symmetric":
            lo, hi = self._symmetric_interval(p, estimate, time, n_events, surv, std_err)
        else:
            lo = compute_curve_quantile(time, lower, p)
            hi = compute_curve_quantile(time, upper, p)
        return Estimate(estimate, lo, hi, self.conf_level)

    def quantile_limits_undefined(self, p: float = 0.5) -> tuple[bool, bool]:
        r"""Whether each Brookmeyer-Crowley limit of :meth:`quantile` is missing because its
        band is undefined where the curve has reached :math:`1 - p` (*not estimable*, NE),
        rather than because the band stays above :math:`1 - p` wherever it is defined (*not
        reached*, NR).

        The log-log and log bands are undefined where :math:`\hat S(t) = 0` (R: ``NA``): a
        curve that falls to 0 at its last event (one patient, or a level whose last patient
        has the event) has a median but a band with no value there. R prints ``NA`` for both
        kinds of missing limit; the report distinguishes them.

        >>> km = kaplan_meier([3.9], [1])
        >>> km.median.estimate, km.median.lower, km.quantile_limits_undefined()
        (3.9, nan, (True, True))
        >>> kaplan_meier([1.0, 2.0, 5.0], [0, 1, 0]).quantile_limits_undefined()
        (False, False)
        """
        time, _, _, _, surv, _, lower, upper = self._arrays
        reached = surv <= 1 - float(p) + QUANTILE_TOL
        return tuple(  # type: ignore[return-value]
            bool(np.isnan(compute_curve_quantile(time, band, p))
                 and np.isnan(band[reached]).any())
            for band in (lower, upper))

    def _symmetric_interval(
        self,
        p: float,
        estimate: float,
        time: NDArray[np.float64],
        n_events: NDArray[np.float64],
        surv: NDArray[np.float64],
        std_err: NDArray[np.float64],
    ) -> tuple[float, float]:
        nan = float("nan")
        if np.isnan(estimate):
            return nan, nan
        is_event = n_events > 0
        t_ev = np.concatenate(([0.0], time[is_event]))
        s_ev = np.concatenate(([1.0], surv[is_event]))
        above = s_ev >= 1 - p + SYMMETRIC_DENSITY_BAND
        below = s_ev <= 1 - p - SYMMETRIC_DENSITY_BAND
        if not below.any():
            return nan, nan
        iu = int(np.flatnonzero(above)[-1])
        il = int(np.flatnonzero(below)[0])
        density = (s_ev[iu] - s_ev[il]) / (t_ev[il] - t_ev[iu])
        row = int(np.searchsorted(time, estimate, side="right")) - 1
        se_surv = std_err[row] if row >= 0 else 0.0
        half = float(norm_isf((1 - self.conf_level) / 2)) * se_surv / density
        return estimate - half, estimate + half

    def survival_at(self, times: ArrayLike) -> pd.DataFrame:
        """Survival, band and number at risk at given times.

        As R ``summary(fit, times=, extend=TRUE)``.

        The curve is carried forward from the last table row at or before each
        time (before the first row: survival 1, ``std_err`` 0, band (1, 1)).
        ``n_at_risk`` is the (weighted) number still under observation at the time
        (those with time >= t), 0 after the last observation.

        Returns a DataFrame with columns ``time``, ``survival``, ``std_err``,
        ``lower``, ``upper``, ``n_at_risk`` in the order of ``times``.
        """
        t_req = _check_times(times)
        time, _, _, _, surv, std_err, lower, upper = self._arrays
        row = np.searchsorted(time, t_req, side="right") - 1
        before = row < 0
        safe = np.where(before, 0, row)
        return pd.DataFrame(
            {
                "time": t_req,
                "survival": np.where(before, 1.0, surv[safe]),
                "std_err": np.where(before, 0.0, std_err[safe]),
                "lower": np.where(before, 1.0, lower[safe]),
                "upper": np.where(before, 1.0, upper[safe]),
                "n_at_risk": self.n_at_risk_at(t_req),
            }
        )

    def n_at_risk_at(self, times: ArrayLike) -> NDArray[np.float64]:
        """The ``n_at_risk`` column of :meth:`survival_at` alone (no frame): the (weighted)
        number still under observation at each time, 0 after the last observation."""
        t_req = _check_times(times)
        time, n_at_risk = self._arrays[:2]
        nxt = np.searchsorted(time, t_req, side="left")
        return np.where(nxt < time.size, n_at_risk[np.minimum(nxt, time.size - 1)], 0.0)


def kaplan_meier(
    time: ArrayLike,
    event: ArrayLike,
    *,
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    weights: ArrayLike | None = None,
    robust: bool | None = None,
    cluster: ArrayLike | None = None,
) -> KaplanMeier:
    r"""Kaplan-Meier (product-limit) estimate of the survival function.

    Parameters
    ----------
    time
        Observed time (event or censoring), finite and >= 0.
    event
        1 (or True) for an event, 0 (or False) for censoring.
    conf_type
        Transform for the pointwise band and the quantile intervals:
        ``"log-log"`` (default; SAS ``CONFTYPE=LOGLOG``, Stata ``sts list``,
        lifelines), ``"log"`` (R ``survfit`` default), ``"plain"`` (linear; tern
        ``"plain"``, SAS ``LINEAR``) or ``"arcsin"`` (SAS ``ASINSQRT``). The SPSS median
        interval (median :math:`\pm z\,SE`) is not a band but a choice of
        :meth:`KaplanMeier.quantile` (``interval="symmetric"``).
    conf_level
        Two-sided confidence level.
    weights
        Optional non-negative case weights (R ``survfit(weights=)``): counts become
        weighted sums, and Greenwood's formula uses the weighted counts.
    robust
        Variance of :math:`\hat S`: ``True`` the robust infinitesimal jackknife (IJ),
        ``False`` (weighted) Greenwood. ``None`` (default) follows R survival >= 3: IJ
        when ``cluster`` is given or a weight is not a whole number (sampling,
        inverse-probability or propensity weights, for which weighted Greenwood is not
        valid), Greenwood otherwise (so unweighted and whole-number weights are unchanged).
    cluster
        Optional labels grouping correlated rows (e.g. matched pairs): the IJ influences
        are summed within each group before squaring (R ``survfit(cluster=)``). Implies
        ``robust``.

    Returns
    -------
    KaplanMeier

    Notes
    -----
    At distinct times :math:`t_i` with :math:`n_i` at risk and :math:`d_i` events
    (a subject censored at :math:`t_i` is at risk at :math:`t_i`):

    .. math:: \hat S(t) = \prod_{t_i \le t} (1 - d_i/n_i), \qquad
              \widehat{\mathrm{Var}}\{\log \hat S(t)\} = \sigma^2(t)
              = \sum_{t_i \le t} \frac{d_i}{n_i (n_i - d_i)} \ \text{(Greenwood)}.

    ``std_err`` :math:`= \hat S(t)\,\sigma(t)`. Robust (IJ): see
    :func:`oncocohort.stats._km_core.compute_ij_variance`; the bands use
    :math:`\sigma =` ``std_err`` :math:`/\hat S`, as R (whose IJ SE is 0 where
    :math:`\hat S = 0`, so its plain band is (0, 0) there).
    Bands with :math:`z = \Phi^{-1}(1-\alpha/2)`:
    plain :math:`\hat S \pm z \hat S \sigma` (clipped to [0, 1]); log
    :math:`\hat S e^{\pm z\sigma}` (upper capped at 1); log-log
    :math:`\hat S^{\exp(\pm z\sigma/\log \hat S)}`; arcsin
    :math:`\sin^2\{\arcsin\sqrt{\hat S} \pm \tfrac12 z\sigma\sqrt{\hat S/(1-\hat S)}\}`
    (angle clipped to :math:`[0, \pi/2]`). As in R, bounds are NaN at
    :math:`\hat S = 0`, and for log-log and arcsin also where :math:`\hat S = 1`.

    References
    ----------
    Kaplan & Meier (1958) JASA 53:457. Greenwood (1926) Rep. Public Health Med.
    Subj. 33. Kalbfleisch & Prentice (2002), sec. 1.4. Therneau, R ``survival``
    ``survfit.formula`` documentation.

    Examples
    --------
    >>> km = kaplan_meier([1, 2, 3, 3, 5], [1, 1, 0, 1, 1])
    >>> km.table["survival"].round(4).tolist()
    [0.8, 0.6, 0.4, 0.0]
    >>> km.median.estimate
    3.0
    """
    conf_type = _check_conf_type(conf_type)
    conf_level = _check_conf_level(conf_level)
    t, e, w = check_survival_input(time, event, weights)
    codes = _cluster_codes(cluster, t.size)
    robust = _use_robust(robust, w, codes)
    times, n_at_risk, n_events, n_censored = compute_km_counts(t, e, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n_events > 0, 1.0 - n_events / n_at_risk, 1.0)
    surv = np.cumprod(factor)
    if robust:
        w1 = np.ones(t.size) if w is None else w
        var = compute_ij_variance(t, e, w1, codes, times, n_at_risk, n_events, surv)
        std_err = np.sqrt(var)
        with np.errstate(divide="ignore", invalid="ignore"):
            se_log = np.where(surv > 0, std_err / surv, np.inf)
    else:
        se_log = np.sqrt(compute_greenwood(n_at_risk, n_events))
        with np.errstate(invalid="ignore"):
            std_err = se_log * surv  # inf * 0 -> NaN where the curve has reached 0 (as R)
    z = float(norm_isf((1 - conf_level) / 2))
    lower, upper = compute_conf_band(surv, se_log, conf_type, z)
    if robust and conf_type == "plain":  # R: the IJ SE is 0 where S = 0
        lower[surv == 0] = upper[surv == 0] = 0.0
    columns = (times, n_at_risk, n_events, n_censored, surv, std_err, lower, upper)
    # copy=False: the arrays are fresh, and a 1e7-row table is not copied again
    table = pd.DataFrame(dict(zip(TABLE_COLUMNS, columns, strict=True)), copy=False)
    return KaplanMeier(
        table=table,
        conf_type=conf_type,
        conf_level=conf_level,
        n=float(n_at_risk[0]),
        n_events=float(n_events.sum()),
        robust=robust,
    )


def _cluster_codes(cluster: ArrayLike | None, n: int) -> NDArray[np.int64] | None:
    if cluster is None:
        return None
    values = pd.Series(np.asarray(cluster))
    if values.size != n:
        raise ValueError(f"cluster must have the same length as time ({values.size} != {n})")
    if values.isna().any():
        raise ValueError(
            f"cluster has {int(values.isna().sum())} missing value(s) (first at position "
            f"{int(np.flatnonzero(values.isna())[0])})"
        )
    return pd.factorize(values)[0].astype(np.int64)


def _use_robust(robust: bool | None, w: NDArray[np.float64] | None, codes) -> bool:
    """R survfit's rule: robust when asked, or by default with a cluster or fractional weights."""
    if robust is None:
        return codes is not None or (w is not None and bool(np.any(w != np.floor(w))))
    if robust not in (True, False):
        raise ValueError(f"robust must be True, False or None, not {robust!r}")
    if codes is not None and not robust:
        raise ValueError("cluster asks for the clustered robust variance: not with robust=False")
    return bool(robust)


def follow_up(
    time: ArrayLike,
    event: ArrayLike,
    *,
    method: str = "reverse-km",
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    interval: str = "brookmeyer-crowley",
) -> Estimate:
    r"""Median follow-up time.

    Parameters
    ----------
    time, event
        As for :func:`kaplan_meier` (``event`` = 1 for the clinical event).
    method
        ``"reverse-km"`` (default; Schemper & Smith 1996): the Kaplan-Meier median
        of the *censoring* distribution, i.e. the roles of event and censoring
        swapped, with a confidence interval as for :meth:`KaplanMeier.quantile`.
        ``"observed"``: the plain median of all observation times (events and
        censorings), with NaN bounds.
    conf_type, conf_level, interval
        Interval options for ``"reverse-km"`` (``interval``: as for
        :meth:`KaplanMeier.quantile`).

    Notes
    -----
    Ties: the reverse KM is exactly R ``survfit(Surv(time, 1 - status) ~ 1)``. A
    subject with the clinical event at :math:`t` is "censored" at :math:`t` and
    therefore still at risk for the censorings at :math:`t` (censorings at a tied
    time are counted as at risk, as in any Kaplan-Meier). Subjects who had the
    event stop contributing follow-up at their event time.

    References
    ----------
    Schemper & Smith (1996) Control Clin Trials 17:343.
    """
    if method == "reverse-km":
        t, e, _ = check_survival_input(time, event)
        km = kaplan_meier(t, ~e, conf_type=conf_type, conf_level=conf_level)
        return km.quantile(0.5, interval=interval)
    if method == "observed":
        conf_level = _check_conf_level(conf_level)
        t, _, _ = check_survival_input(time, event)
        return Estimate(float(np.median(t)), float("nan"), float("nan"), conf_level)
    raise ValueError(f"unknown method {method!r}; choose 'reverse-km' or 'observed'")
