r"""Landmark analysis, the Mantel-Byar test and Simon-Makuch curves for a status acquired
during follow-up (e.g. tumour response, transplant).

Comparing "responders" with "non-responders" as if the status were known at time 0 gives the
responders the time they had to survive to respond (guarantee-time, or immortal-time, bias).
Three remedies:

* :func:`landmark`: keep the subjects still at risk at a fixed time ``at``, classify them by
  their status at ``at``, and restart the clock there (Anderson, Cain & Gelber 1983).
* :func:`mantel_byar`: a log-rank test in which each subject counts in the "without" group
  until the status is acquired and in the "with" group after (Mantel & Byar 1974).
* :func:`simon_makuch`: Kaplan-Meier type curves with those time-dependent risk sets
  (Simon & Makuch 1984), the picture that goes with the Mantel-Byar test.

Conventions for the status time :math:`s` of a subject followed to :math:`T` (the R
``tmerge(..., tdc(s))`` counting-process form): the subject is in the "without" group on
:math:`(0, \min(s, T)]` and in the "with" group on :math:`(s, T]`. An event at :math:`s`
itself counts in the "without" group; :math:`s = 0` puts the subject in the "with" group from
the start; :math:`s \ge T`, NaN or infinite means never acquired during follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from oncocohort.stats._cr_core import group_codes
from oncocohort.stats._dist import chi2_sf, norm_isf
from oncocohort.stats._km_core import (
    CONF_TYPES,
    check_survival_input,
    compute_conf_band,
    compute_greenwood,
)
from oncocohort.stats._results import TestResult
from oncocohort.stats.cox import cox
from oncocohort.stats.kaplan_meier import KaplanMeier, kaplan_meier
from oncocohort.stats.logrank import LogRank, logrank

__all__ = [
    "Landmark",
    "MantelByar",
    "SimonMakuch",
    "landmark",
    "mantel_byar",
    "simon_makuch",
    "status_at",
]

KM_COLUMNS = (
    "time", "n_at_risk", "n_events", "n_censored", "survival", "std_err", "lower", "upper"
)


# ----------------------------------------------------------------------------- landmark


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not objects
class Landmark:
    """Result of :func:`landmark`: the landmark data set and what the analyses need.

    Attributes
    ----------
    data
        One row per subject still at risk after ``at``: ``row`` (position in the input),
        ``time`` (since the landmark: ``time - at``), ``event``, ``group`` (status at the
        landmark).
    table
        One row per group: ``group``, ``n``, ``n_events`` (after the landmark).
    at
        The landmark time.
    groups
        Group labels in order (sorted, or category order).
    n_excluded, n_events_before
        Subjects left out (event or censoring at or before ``at``) and how many of them had
        the event by then.
    """

    data: pd.DataFrame = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    at: float
    groups: tuple
    n_excluded: int
    n_events_before: int

    def to_frame(self) -> pd.DataFrame:
        """The landmark data set (a copy)."""
        return self.data.copy()

    def kaplan_meier(
        self, *, conf_type: str = "log-log", conf_level: float = 0.95
    ) -> dict[object, KaplanMeier]:
        """Kaplan-Meier curve of each group, on the time since the landmark."""
        out = {}
        for g in self.groups:
            rows = self.data[self.data.group == g]
            out[g] = kaplan_meier(
                rows.time.to_numpy(), rows.event.to_numpy(), conf_type=conf_type,
                conf_level=conf_level,
            )
        return out

    def logrank(self, **options) -> LogRank:
        """Log-rank test between the groups (options as :func:`~oncocohort.stats.logrank`)."""
        d = self.data
        return logrank(d.time.to_numpy(), d.event.to_numpy(), d.group, **options)

    def cox(self, *, ties: str = "efron", conf_level: float = 0.95, reference=None):
        """Cox model of the group (hazard ratios against ``reference``, default the first)."""
        d = self.data.assign(group=self.data.group.astype(str))
        ref = {"group": str(reference)} if reference is not None else None
        return cox(d, time="time", event="event", covariates=["group"], ties=ties,
                   conf_level=conf_level, reference=ref)


def status_at(status_time: ArrayLike, at: float) -> NDArray[np.bool_]:
    """True where the status was acquired at or before ``at`` (NaN: never acquired)."""
    s = np.asarray(status_time, dtype=float)
    with np.errstate(invalid="ignore"):
        return s <= at


def _check_at(at: float) -> float:
    if not isinstance(at, Real) or not np.isfinite(at) or at < 0:
        raise ValueError(f"at must be a finite number >= 0, got {at!r}")
    return float(at)


def landmark(time: ArrayLike, event: ArrayLike, *, at: float, groups: ArrayLike) -> Landmark:
    r"""Landmark data set at time ``at``: subjects still at risk, clock restarted.

    Parameters
    ----------
    time, event
        As for :func:`~oncocohort.stats.kaplan_meier.kaplan_meier`.
    at
        The landmark (in the unit of ``time``), chosen before looking at the results.
    groups
        Each subject's status *at the landmark* (labels), e.g.
        ``status_at(response_time, at)`` for "responded by ``at``".

    Returns
    -------
    Landmark

    Notes
    -----
    Subjects with time :math:`\le` ``at`` (an event or censoring at or before the landmark)
    are left out; the others enter at ``at`` with time ``time - at``. The analyses then run
    on that data set: ``.kaplan_meier()``, ``.logrank()``, ``.cox()``. R: ``d2 <- subset(d,
    time > at); d2$time <- d2$time - at`` then ``survfit``/``survdiff``/``coxph`` by group;
    SAS and Stata: the same subsetting (Stata ``stset ..., enter(time at)`` keeps the original
    clock instead: the same test and hazard ratio, curves conditional on reaching ``at``).

    References
    ----------
    Anderson JR, Cain KC, Gelber RD (1983). Analysis of survival by tumor response. J Clin Oncol
    1:710-719. Dafni U (2011). Landmark analysis at the 25-year landmark point. Circ Cardiovasc
    Qual Outcomes 4:363-371.
    """
    t, e, _ = check_survival_input(time, event)
    at = _check_at(at)
    codes, labels = group_codes(groups, "groups", t.size)
    keep = t > at
    if not keep.any():
        raise ValueError(f"no subject is still at risk after the landmark at = {at:g}")
    label_arr = np.asarray(labels, dtype=object)
    data = pd.DataFrame(
        {
            "row": np.flatnonzero(keep),
            "time": t[keep] - at,
            "event": e[keep].astype(int),
            "group": label_arr[codes[keep]],
        }
    )
    present = [g for i, g in enumerate(labels) if (codes[keep] == i).any()]
    table = pd.DataFrame(
        {
            "group": present,
            "n": [int((data.group == g).sum()) for g in present],
            "n_events": [int(data.event[data.group == g].sum()) for g in present],
        }
    )
    return Landmark(
        data=data,
        table=table,
        at=at,
        groups=tuple(present),
        n_excluded=int((~keep).sum()),
        n_events_before=int(e[~keep].sum()),
    )


# ----------------------------------------------------------------------------- time-dependent


@dataclass(frozen=True)
class _Rows:
    """Counting-process rows (start, stop], event, of one status group, sorted by stop."""

    start: NDArray[np.float64]
    stop: NDArray[np.float64]
    event: NDArray[np.bool_]


def _split(time: ArrayLike, event: ArrayLike, status_time: ArrayLike):
    t, e, _ = check_survival_input(time, event)
    if (t <= 0).any():
        raise ValueError(
            f"time must be > 0 with a time-dependent status ({int((t <= 0).sum())} value(s) "
            f"are not; first at position {int(np.flatnonzero(t <= 0)[0])})"
        )
    s = np.asarray(status_time, dtype=float)
    if s.shape != t.shape:
        raise ValueError(
            f"status_time must have the same length as time ({s.size} != {t.size})"
        )
    if (s < 0).any():
        raise ValueError(
            f"status_time has {int((s < 0).sum())} negative value(s) (first at position "
            f"{int(np.flatnonzero(s < 0)[0])})"
        )
    with np.errstate(invalid="ignore"):
        acquired = s < t  # NaN compares False: never acquired
    switch = np.where(acquired, s, t)
    before = switch > 0  # an empty (0, 0] row is dropped (status from the start)
    rows0 = _Rows(np.zeros(int(before.sum())), switch[before], e[before] & ~acquired[before])
    rows1 = _Rows(s[acquired], t[acquired], e[acquired])
    return rows0, rows1


def _at_risk(rows: _Rows, at_times: NDArray[np.float64]) -> NDArray[np.float64]:
    """Number of rows with start < t <= stop at each t."""
    stop = np.sort(rows.stop)
    start = np.sort(rows.start)
    n_stop = stop.size - np.searchsorted(stop, at_times, side="left")  # stop >= t
    n_start = start.size - np.searchsorted(start, at_times, side="left")  # start >= t
    return (n_stop - n_start).astype(float)


def _events_at(rows: _Rows, at_times: NDArray[np.float64]) -> NDArray[np.float64]:
    ev = np.sort(rows.stop[rows.event])
    return (np.searchsorted(ev, at_times, side="right")
            - np.searchsorted(ev, at_times, side="left")).astype(float)


@dataclass(frozen=True, eq=False)
class MantelByar:
    """Result of :func:`mantel_byar`.

    Attributes
    ----------
    statistic, df, p_value
        :math:`(O - E)^2 / V` on 1 df, ``chi2.sf``.
    table
        Two rows (``group`` = the labels without / with the status): ``observed``
        (events while in the group), ``expected``, ``o_minus_e``.
    variance
        :math:`V`, the hypergeometric variance of :math:`O - E`.
    labels
        The two group labels.
    """

    statistic: float
    df: float
    p_value: float
    table: pd.DataFrame = field(repr=False)
    variance: float
    labels: tuple[str, str]

    @property
    def test(self) -> TestResult:
        return TestResult(self.statistic, self.df, self.p_value)

    def to_frame(self) -> pd.DataFrame:
        """The two-row table with the test columns repeated on each row."""
        out = self.table.copy()
        out["statistic"], out["df"], out["p_value"] = self.statistic, self.df, self.p_value
        return out


def mantel_byar(
    time: ArrayLike,
    event: ArrayLike,
    status_time: ArrayLike,
    *,
    labels: tuple[str, str] = ("without", "with"),
) -> MantelByar:
    r"""Mantel-Byar test: log-rank with a status acquired during follow-up.

    Parameters
    ----------
    time, event
        Follow-up time (> 0) and event indicator.
    status_time
        Time at which the status was acquired (NaN, infinite or >= ``time``: never during
        follow-up; 0: from the start).
    labels
        Names of the two groups (without, with the status).

    Returns
    -------
    MantelByar

    Notes
    -----
    At each distinct event time :math:`t`, :math:`n_1(t)` subjects are at risk *with* the
    status (acquired strictly before :math:`t`) and :math:`n_0(t)` without; :math:`d_1, d_0`
    events; :math:`n = n_0 + n_1`, :math:`d = d_0 + d_1`:

    .. math:: O - E = \sum_t \Bigl(d_1 - d\,\frac{n_1}{n}\Bigr), \qquad
              V = \sum_t \frac{d (n - d)}{n - 1}\,\frac{n_1 n_0}{n^2}.

    The statistic :math:`(O - E)^2/V` equals the score test of a Cox model with the status as
    a time-dependent covariate and the exact (discrete) partial likelihood: R
    ``coxph(Surv(tstart, tstop, event) ~ status, data = tmerge(...), ties = "exact")$score``.
    Without tied event times the Efron and Breslow score tests equal it too; with ties they
    do not (Breslow's uses the variance :math:`\sum d\, n_1 n_0 / n^2`). SAS: ``PROC PHREG``
    with a programming statement for the status, ``TIES=DISCRETE``, score test; Stata:
    ``stcox`` with a time-varying covariate on ``stsplit`` data, ``exactp``; SPSS: ``COXREG``
    with a time-dependent covariate (score test).

    References
    ----------
    Mantel N, Byar DP (1974). Evaluation of response-time data involving transient states: an
    illustration using heart-transplant data. JASA 69:81-86.
    """
    rows0, rows1 = _split(time, event, status_time)
    ev_times = np.unique(np.concatenate([rows0.stop[rows0.event], rows1.stop[rows1.event]]))
    n0, n1 = _at_risk(rows0, ev_times), _at_risk(rows1, ev_times)
    d0, d1 = _events_at(rows0, ev_times), _events_at(rows1, ev_times)
    n, d = n0 + n1, d0 + d1
    e1 = d * n1 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(n > 1, d * (n - d) / (n - 1) * n1 * n0 / n**2, 0.0)
    u = float((d1 - e1).sum())
    var = float(v.sum())
    stat = u * u / var if var > 0 else float("nan")
    table = pd.DataFrame(
        {
            "group": list(labels),
            "observed": [float(d0.sum()), float(d1.sum())],
            "expected": [float((d - e1).sum()), float(e1.sum())],
        }
    )
    table["o_minus_e"] = table.observed - table.expected
    p = float(chi2_sf(stat, 1)) if np.isfinite(stat) else float("nan")
    return MantelByar(stat, 1.0, p, table, var, tuple(labels))


@dataclass(frozen=True, eq=False)
class SimonMakuch:
    """Result of :func:`simon_makuch`: the data for the Simon-Makuch plot.

    Attributes
    ----------
    table
        Long table, one row per group and distinct time at which a row of that group ends
        (an event, a censoring, or the switch out of the "without" group, counted in
        ``n_censored``): ``group``, ``time``, ``n_at_risk`` (in the group at that time),
        ``n_events``, ``n_censored``, ``survival``, ``std_err`` (Greenwood, of S),
        ``lower``, ``upper``.
    labels, conf_type, conf_level
        Group labels (without, with the status) and band options.
    entry
        Per group (as ``labels``), the first time anyone is in it, where its curve begins
        at 1: 0 for the group without the status (when someone starts without it), the
        earliest acquisition time for the group with it (NaN: the group is empty). Before
        it the group has no patient and its curve is not defined.
    """

    table: pd.DataFrame = field(repr=False)
    labels: tuple[str, str]
    conf_type: str
    conf_level: float
    entry: tuple[float, float]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def curve(self, group: str) -> KaplanMeier:
        """One group's curve as a :class:`KaplanMeier` (for ``survival_at``, quantiles)."""
        if group not in self.labels:
            raise ValueError(f"unknown group {group!r}; groups: {list(self.labels)}")
        rows = self.table[self.table.group == group].drop(columns="group")
        rows = rows.reset_index(drop=True)
        return KaplanMeier(
            table=rows,
            conf_type=self.conf_type,
            conf_level=self.conf_level,
            n=float(rows.n_at_risk.iloc[0]) if len(rows) else 0.0,
            n_events=float(rows.n_events.sum()),
        )

    def survival_at(self, times: ArrayLike) -> pd.DataFrame:
        """Both curves at given times (as :meth:`KaplanMeier.survival_at`), long."""
        frames = []
        for g in self.labels:
            frame = self.curve(g).survival_at(times)
            frame.insert(0, "group", g)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)


def _sm_curve(rows: _Rows, conf_type: str, z: float) -> dict[str, NDArray]:
    times = np.unique(rows.stop)
    y = _at_risk(rows, times)
    d = _events_at(rows, times)
    ends = np.sort(rows.stop)
    n_end = (np.searchsorted(ends, times, side="right")
             - np.searchsorted(ends, times, side="left")).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(np.where(d > 0, 1.0 - d / y, 1.0))
    se_log = np.sqrt(compute_greenwood(y, d))
    with np.errstate(invalid="ignore"):
        std_err = se_log * surv
    lower, upper = compute_conf_band(surv, se_log, conf_type, z)
    values = (times, y, d, n_end - d, surv, std_err, lower, upper)
    return dict(zip(KM_COLUMNS, values, strict=True))


def simon_makuch(
    time: ArrayLike,
    event: ArrayLike,
    status_time: ArrayLike,
    *,
    labels: tuple[str, str] = ("without", "with"),
    conf_type: str = "log-log",
    conf_level: float = 0.95,
) -> SimonMakuch:
    r"""Simon-Makuch estimates: product-limit curves with time-dependent risk sets.

    Parameters
    ----------
    time, event, status_time, labels
        As for :func:`mantel_byar`.
    conf_type, conf_level
        Pointwise band, as :func:`~oncocohort.stats.kaplan_meier.kaplan_meier`.

    Returns
    -------
    SimonMakuch

    Notes
    -----
    For each group :math:`g`, :math:`\hat S_g(t) = \prod_{u \le t} \{1 - d_g(u)/n_g(u)\}`
    where :math:`n_g(u)` counts the subjects in group :math:`g` *at* :math:`u` (a subject
    joins the "with" group when it acquires the status) and :math:`d_g(u)` their events;
    Greenwood's variance. The "with" curve estimates survival for a subject who has the
    status from the time origin, given the hazard of those with it; it is descriptive (it is
    not the survival of the responders). R: ``survfit(Surv(tstart, tstop, event) ~ status,
    data = tmerge(...))``. SAS, Stata and SPSS: no built-in procedure (by hand from
    counting-process data).

    References
    ----------
    Simon R, Makuch RW (1984). A non-parametric graphical representation of the relationship
    between survival and the occurrence of an event: application to responder versus
    non-responder bias. Stat Med 3:35-44.
    """
    if conf_type not in CONF_TYPES:
        raise ValueError(f"unknown conf_type {conf_type!r}; choose one of {', '.join(CONF_TYPES)}")
    if not isinstance(conf_level, Real) or not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}")
    rows0, rows1 = _split(time, event, status_time)
    z = float(norm_isf((1 - conf_level) / 2))
    frames = []
    for label, rows in zip(labels, (rows0, rows1), strict=True):
        frame = pd.DataFrame(_sm_curve(rows, conf_type, z))
        frame.insert(0, "group", label)
        frames.append(frame)
    return SimonMakuch(
        table=pd.concat(frames, ignore_index=True),
        labels=tuple(labels),
        conf_type=conf_type,
        conf_level=float(conf_level),
        entry=tuple(float(rows.start.min()) if rows.start.size else float("nan")
                    for rows in (rows0, rows1)),
    )
