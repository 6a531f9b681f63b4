"""One-sample log-rank test: a cohort against a reference (e.g. published) survival curve.

References
----------
Finkelstein DM, Muzikansky A, Schoenfeld DA (2003). Comparing survival of a sample to that of
a standard population. J Natl Cancer Inst 95:1434-1439.
Wu J (2015). Sample size calculation for the one-sample log-rank test. Pharm Stat 14:26-33.
Breslow NE (1975). Analysis of survival data under the proportional hazards model. Int Stat
Rev 43:45-57 (the one-sample statistic O - E).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from oncocohort.stats._dist import chi2_sf
from oncocohort.stats._km_core import check_survival_input
from oncocohort.stats._results import TestResult

__all__ = ["OneSampleLogRank", "ONE_SAMPLE_VARIANCES", "one_sample_logrank"]

ONE_SAMPLE_VARIANCES = ("finkelstein", "wu")


@dataclass(frozen=True)
class OneSampleLogRank(TestResult):
    """Result of :func:`one_sample_logrank`: a :class:`TestResult` (``statistic`` = Z²,
    ``df`` = 1, two-sided ``p_value``) with the observed and expected numbers of events, the
    signed ``z`` (positive: more events than the reference predicts) and the ``variance``
    option used."""

    observed: float
    expected: float
    z: float
    variance: str


def _step_function(reference: pd.DataFrame) -> tuple[Callable[[NDArray], NDArray], float]:
    missing = [c for c in ("time", "survival") if c not in reference.columns]
    if missing:
        raise ValueError(f"reference is missing column(s) {missing}; it needs time, survival")
    tab = reference[["time", "survival"]].astype(float)
    if tab.isna().any().any():
        raise ValueError("reference has missing time or survival values")
    tab = tab.sort_values("time", kind="stable")
    t = tab["time"].to_numpy()
    s = tab["survival"].to_numpy()
    if (t < 0).any():
        raise ValueError("reference times must be >= 0")
    if ((s < 0) | (s > 1)).any():
        raise ValueError("reference survival must lie in [0, 1]")
    if (np.diff(s) > 0).any():
        raise ValueError("reference survival must be non-increasing in time")

    def survival(x: NDArray) -> NDArray:
        # right-continuous step: the value at the last reference time <= x; 1 before the first
        idx = np.searchsorted(t, x, side="right") - 1
        return np.where(idx >= 0, s[np.maximum(idx, 0)], 1.0)

    return survival, float(t[-1])


def one_sample_logrank(
    time: ArrayLike,
    event: ArrayLike,
    reference: pd.DataFrame | Callable[[NDArray[np.float64]], ArrayLike],
    *,
    variance: str = "finkelstein",
) -> OneSampleLogRank:
    r"""One-sample log-rank test of a cohort's survival against a reference curve :math:`S_0`.

    The expected number of events under :math:`S_0` is the sum over patients of the
    reference cumulative hazard at their own follow-up time (event or censoring),
    :math:`E = \sum_i \Lambda_0(t_i) = \sum_i -\log S_0(t_i)`, against the observed
    :math:`O = \sum_i \delta_i`. Then

    * ``variance="finkelstein"`` (default; Finkelstein, Muzikansky & Schoenfeld 2003):
      :math:`Z = (O - E)/\sqrt{E}`;
    * ``variance="wu"`` (Wu 2015): :math:`Z = (O - E)/\sqrt{(O + E)/2}`, better type I error
      in small samples.

    The statistic is :math:`Z^2` on 1 df, the p-value two-sided (``chi2.sf(Z², 1)``). Z > 0
    means more events than the reference predicts (the cohort does worse).

    Parameters
    ----------
    time, event
        Follow-up times (>= 0) and event indicators (1/0 or bool) of the cohort.
    reference
        Either a DataFrame with columns ``time`` and ``survival`` read as a right-continuous
        step function (the value at the last reference time <= t; 1 before the first time;
        the last value carried forward after the last time: no extrapolation), or a callable
        ``S0(t)`` taking an array of times and returning survival probabilities (e.g. a fitted
        exponential or Weibull curve of the published arm).
    variance
        ``"finkelstein"`` or ``"wu"``.

    Returns
    -------
    OneSampleLogRank
        ``statistic``, ``df``, ``p_value``, ``observed``, ``expected``, ``z``, ``variance``.

    Warns
    -----
    UserWarning
        When patients are followed beyond the last time of a tabulated reference (their
        expected events are then understated).

    Notes
    -----
    R: no function in survival; ``OneArm2stage``/``SurvGSD`` packages or by hand (``sum(-log(
    S0(time)))``); SAS, Stata, SPSS: by hand from the same sums (Stata ``strate`` with an
    offset gives O/E).

    Examples
    --------
    >>> import numpy as np
    >>> res = one_sample_logrank([2.0, 4.0, 6.0], [1, 1, 0], lambda t: np.exp(-0.1 * t))
    >>> round(res.expected, 6), round(res.z, 4)
    (1.2, 0.7303)
    """
    if variance not in ONE_SAMPLE_VARIANCES:
        raise ValueError(
            f"unknown variance {variance!r}; choose one of {', '.join(ONE_SAMPLE_VARIANCES)}"
        )
    t, e, _ = check_survival_input(time, event)
    if isinstance(reference, pd.DataFrame):
        s0_fun, last_time = _step_function(reference)
        beyond = int((t > last_time).sum())
        if beyond:
            warnings.warn(
                f"{beyond} patient(s) are followed beyond the last reference time "
                f"{last_time:g}; the reference survival is carried forward "
                "there, which understates their expected events",
                UserWarning,
                stacklevel=2,
            )
        s0 = s0_fun(t)
    elif callable(reference):
        s0 = np.asarray(reference(t), dtype=float)
        if s0.shape != t.shape:
            raise ValueError(
                f"reference(t) returned shape {s0.shape} for {t.size} times; it must return "
                "one survival probability per time"
            )
        if not np.isfinite(s0).all() or ((s0 < 0) | (s0 > 1)).any():
            raise ValueError("reference(t) must return survival probabilities in [0, 1]")
    else:
        raise TypeError("reference must be a DataFrame (time, survival) or a callable S0(t)")
    if (s0 <= 0).any():
        raise ValueError(
            f"the reference survival is 0 at the follow-up time of {int((s0 <= 0).sum())} "
            "patient(s): the expected number of events is infinite"
        )
    observed = float(e.sum())
    expected = float(np.sum(-np.log(s0)))
    if expected <= 0:
        raise ValueError("the expected number of events is 0: the reference is flat at 1")
    var = expected if variance == "finkelstein" else (observed + expected) / 2.0
    z = (observed - expected) / math.sqrt(var)
    stat = z * z
    return OneSampleLogRank(
        statistic=stat,
        df=1.0,
        p_value=float(chi2_sf(stat, 1)),
        observed=observed,
        expected=expected,
        z=z,
        variance=variance,
    )
