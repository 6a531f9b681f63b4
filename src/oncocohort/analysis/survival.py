"""Time-to-event summaries per endpoint as ARD rows, with the Kaplan-Meier fits kept for figures.

Per endpoint (one ``paramcd`` of the stacked ``tte`` frame): ``n`` patients, ``events``,
``maturity`` (100 x events / n, %), the median and its interval (Brookmeyer & Crowley 1982 on
the spec's ``km_conf_type`` scale, R ``survfit`` default ``log-log`` here), survival at each
landmark time with its pointwise interval (in %; NaN for a landmark after the last observed
time, where R ``summary(fit, times, extend = TRUE)`` would carry the last value forward), and,
for an overall-survival endpoint only (``with_follow_up``; :func:`compute_follow_up_rows`), the
median observation time with the range of the observed times and the median follow-up by the
reverse Kaplan-Meier method (Schemper & Smith 1996): a progression-free or response endpoint
has no follow-up of its own.

Numbers at risk (``variable="at_risk"``): at each time of the at-risk grid
(:func:`at_risk_grid`: from 0 by a round step to the last observed time, and the landmark
times; these are the x ticks
of the Kaplan-Meier figure, which prints these rows under its axis) the number still under
observation (``n_at_risk``, R ``summary(fit, times)$n.risk``) and the cumulative number of
events up to and including the time (``n_events``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.keys import Analysis, Method, Stat, Var
from oncocohort.stats.kaplan_meier import KaplanMeier, follow_up, kaplan_meier

__all__ = ["EndpointFit", "compute_endpoint_fit", "compute_survival_rows",
           "compute_follow_up_rows", "landmark_text",
           "at_risk_grid", "compute_at_risk_rows"]


@dataclass(frozen=True)
class EndpointFit:
    """One endpoint's Kaplan-Meier fit and the ARD rows describing it."""

    endpoint: str
    label: str
    unit: str
    km: KaplanMeier
    rows: tuple[ArdRow, ...]


def landmark_text(t: float) -> str:
    """A landmark time as an ARD category: ``12`` for 12.0, ``6.5`` for 6.5."""
    return str(int(t)) if float(t).is_integer() else f"{t:g}"


def at_risk_grid(last: float, landmarks: Sequence[float] = ()) -> tuple[float, ...]:
    """The times of the numbers at risk: 0, then every ``step`` up to ``last`` (the last
    observed time), ``step`` a round number (1, 2, 3, 4, 5, 6 or 10 times a power of ten)
    giving about 8 intervals; and every landmark time up to ``last``, so that the figure
    prints the numbers at risk at the landmarks its rates are given for.

    Among the round steps giving 4 to 12 intervals, one that divides every landmark is
    preferred (the one nearest ``last / 8``): with landmarks at 12 and 24 months and 27 months
    of follow-up the grid is 0, 3, ..., 27 rather than 0, 5, ..., 25. A landmark no such step
    divides is added to the grid as a time of its own, and the step's times nearer to it than
    half a step are left out (0 excepted): landmarks at 90, 180, 365 and 730 days over 1022
    days of follow-up give 0, 90, 180, 365, 600, 730, 1000, not 180 next to 200 and 365 next
    to 400, whose tick labels and numbers at risk would print on top of each other.

    >>> at_risk_grid(27.0)
    (0.0, 5.0, 10.0, 15.0, 20.0, 25.0)
    >>> at_risk_grid(27.0, landmarks=(12, 24))
    (0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0, 21.0, 24.0, 27.0)
    >>> at_risk_grid(20.0, landmarks=(6.5,))
    (0.0, 3.0, 6.5, 9.0, 12.0, 15.0, 18.0)
    >>> at_risk_grid(1022.0, landmarks=(90, 180, 365, 730))
    (0.0, 90.0, 180.0, 365.0, 600.0, 730.0, 1000.0)
    >>> at_risk_grid(110.0, landmarks=(12, 36, 60))  # not 0, 12, 20, 36, 40, 60, ...
    (0.0, 12.0, 24.0, 36.0, 48.0, 60.0, 72.0, 84.0, 96.0, 108.0)
    """
    marks = [float(t) for t in landmarks if 0 < float(t) <= last]
    step = _nice_step(last)
    if marks and not _divides(step, marks):
        fits = [s for s in _round_steps(last) if 4 <= last / s <= 12 and _divides(s, marks)]
        if fits:
            step = min(fits, key=lambda s: (abs(np.log(s / (last / 8))), s))
    grid = {round(float(t), 9) for t in np.arange(0.0, last + 1e-9, step)}
    extra = [round(t, 9) for t in marks if round(t, 9) not in grid]
    grid = {t for t in grid if t == 0.0 or all(abs(t - m) >= step / 2 for m in extra)}
    return tuple(sorted(grid | set(extra)))


def _divides(step: float, times: Sequence[float]) -> bool:
    return all(abs(t / step - round(t / step)) < 1e-9 for t in times)


def _round_steps(xmax: float) -> list[float]:
    """Round steps (1, 2, 3, 4, 5, 6 times a power of ten) from ``xmax / 20`` to ``xmax``,
    and 12 and 24 (one and two years in months)."""
    if xmax <= 0:
        return [1.0]
    out = []
    for e in range(int(np.floor(np.log10(xmax / 20))), int(np.ceil(np.log10(xmax))) + 1):
        out += [m * 10.0 ** e for m in (1, 2, 3, 4, 5, 6)]
    return out + [12.0, 24.0]  # a year and two in months: landmarks at 12, 36, 60 months


def _nice_step(xmax: float) -> float:
    if xmax <= 0:
        return 1.0
    raw = xmax / 8
    mag = 10 ** np.floor(np.log10(raw))
    for m in (1, 2, 3, 5, 6, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)


def compute_at_risk_rows(km: KaplanMeier, times: Sequence[float], *, analysis: str,
                         **where: str) -> list[ArdRow]:
    """``n_at_risk`` and cumulative ``n_events`` of ``km`` at ``times`` (``category``: the
    time as :func:`landmark_text` writes it)."""
    table = km.table
    risk = km.n_at_risk_at(list(times))
    event_times = table["time"].to_numpy(float)
    cum = np.cumsum(table["n_events"].to_numpy(float))
    rows = []
    for t, n in zip(times, risk, strict=True):
        pos = int(np.searchsorted(event_times, t, side="right")) - 1
        d = float(cum[pos]) if pos >= 0 else 0.0
        cat = landmark_text(t)
        rows.append(ArdRow(analysis, Stat.N_AT_RISK, float(n), variable=Var.AT_RISK,
                           category=cat, **where))
        rows.append(ArdRow(analysis, Stat.N_EVENTS, d, variable=Var.AT_RISK, category=cat,
                           **where))
    return rows


def _one(frame: pd.DataFrame, endpoint: str) -> pd.DataFrame:
    sub = frame.loc[frame["paramcd"] == endpoint]
    if sub.empty:
        raise ValueError(f"endpoint {endpoint!r} has no rows in the time-to-event data")
    if sub["subject_id"].duplicated().any():
        raise ValueError(f"endpoint {endpoint!r} has several rows for one subject")
    return sub


def compute_follow_up_rows(time: np.ndarray, event: np.ndarray, *, unit: str,
                           conf_type: str = "log-log", conf_level: float = 0.95,
                           median_ci: str = "brookmeyer-crowley",
                           analysis: str = Analysis.SURVIVAL, **where: str) -> list[ArdRow]:
    """Two labelled summaries of follow-up, from the times of an overall-survival endpoint
    (start to death or last contact):

    * ``observation_time``: ``n``, ``median``, ``min``, ``max`` of the observed times, deaths
      included (the "median follow-up (range)" of many papers, which falls with early deaths);
    * ``follow_up``: the reverse Kaplan-Meier median (``median``, ``lower``, ``upper``;
      Schemper & Smith 1996): deaths censored, the last contacts of the living as events,
      the follow-up the study would have had without deaths.
    """
    time = np.asarray(time, float)
    fu = follow_up(time, np.asarray(event).astype(bool), conf_type=conf_type,
                   conf_level=conf_level, interval=median_ci)
    nan = float("nan")
    rows = [ArdRow(analysis, Stat.N, float(time.size), variable=Var.OBSERVATION_TIME, **where)]
    for stat, v in ((Stat.MEDIAN, float(np.median(time)) if time.size else nan),
                    (Stat.MIN, float(time.min()) if time.size else nan),
                    (Stat.MAX, float(time.max()) if time.size else nan)):
        rows.append(ArdRow(analysis, stat, v, variable=Var.OBSERVATION_TIME, unit=unit,
                           **where))
    for stat, v in ((Stat.MEDIAN, fu.estimate), (Stat.LOWER, fu.lower), (Stat.UPPER, fu.upper)):
        rows.append(ArdRow(analysis, stat, v, variable=Var.FOLLOW_UP, unit=unit, **where))
    return rows


def compute_survival_rows(
    time: np.ndarray,
    event: np.ndarray,
    *,
    endpoint: str,
    unit: str,
    landmarks: Sequence[float] = (),
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    median_ci: str = "brookmeyer-crowley",
    group_var: str = "",
    group_level: str = "",
    analysis: str = Analysis.SURVIVAL,
    with_follow_up: bool = True,
    at_risk_times: Sequence[float] | None = None,
) -> tuple[KaplanMeier, list[ArdRow]]:
    """Kaplan-Meier fit and its summary rows for one set of subjects (numbers at risk at
    ``at_risk_times``, by default :func:`at_risk_grid` of the last observed time)."""
    time = np.asarray(time, float)
    event = np.asarray(event).astype(bool)
    km = kaplan_meier(time, event, conf_type=conf_type, conf_level=conf_level)
    where = {"endpoint": endpoint, "group_var": group_var, "group_level": group_level}
    n, d = float(time.size), float(event.sum())
    rows = [ArdRow(analysis, Stat.N, n, variable=Var.PATIENTS, **where),
            ArdRow(analysis, Stat.N, d, variable=Var.EVENTS, **where),
            ArdRow(analysis, Stat.PCT, 100.0 * d / n, variable=Var.MATURITY, unit="%", **where)]
    med = km.quantile(0.5, interval=median_ci)
    rows.append(ArdRow(analysis, Stat.MEDIAN, med.estimate, variable=Var.MEDIAN, unit=unit,
                       **where))
    undefined = (km.quantile_limits_undefined(0.5) if median_ci == "brookmeyer-crowley"
                 else (False, False))
    for stat, v, ne in ((Stat.LOWER, med.lower, undefined[0]),
                        (Stat.UPPER, med.upper, undefined[1])):
        method = "" if v == v or median_ci != "brookmeyer-crowley" else (
            Method.LIMIT_NOT_ESTIMABLE if ne else Method.LIMIT_NOT_REACHED)
        rows.append(ArdRow(analysis, stat, v, variable=Var.MEDIAN, unit=unit, method=method,
                           **where))
    if landmarks:
        at = km.survival_at(list(landmarks))
        last = float(time.max()) if time.size else float("nan")
        for r in at.itertuples():
            cat = landmark_text(r.time)
            for stat, v in ((Stat.PCT, r.survival), (Stat.LOWER, r.lower),
                            (Stat.UPPER, r.upper)):
                # beyond the last observed time the curve is unknown, not flat: NaN
                v = 100.0 * v if r.time <= last else float("nan")
                rows.append(ArdRow(analysis, stat, v, variable=Var.LANDMARK, category=cat,
                                   unit="%", **where))
            rows.append(ArdRow(analysis, Stat.N_AT_RISK, float(r.n_at_risk),
                               variable=Var.LANDMARK, category=cat, **where))
    if with_follow_up:
        rows += compute_follow_up_rows(time, event, unit=unit, conf_type=conf_type,
                                       conf_level=conf_level, median_ci=median_ci,
                                       analysis=analysis, **where)
    if at_risk_times is None:
        at_risk_times = at_risk_grid(float(time.max()) if time.size else 0.0, landmarks)
    rows += compute_at_risk_rows(km, at_risk_times, analysis=analysis, **where)
    return km, rows


def compute_endpoint_fit(
    tte: pd.DataFrame,
    endpoint: str,
    *,
    landmarks: Sequence[float] = (),
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    median_ci: str = "brookmeyer-crowley",
    with_follow_up: bool = True,
) -> EndpointFit:
    """Fit one endpoint of the stacked ``tte`` frame (``paramcd``, ``aval``, ``event``); the
    follow-up rows when ``with_follow_up`` (an overall-survival endpoint)."""
    sub = _one(tte, endpoint)
    unit = str(sub["unit"].iloc[0]) if "unit" in sub else ""
    label = str(sub["param"].iloc[0]) if "param" in sub else endpoint
    km, rows = compute_survival_rows(
        sub["aval"].to_numpy(float), sub["event"].to_numpy(int), endpoint=endpoint, unit=unit,
        landmarks=landmarks, conf_type=conf_type, conf_level=conf_level, median_ci=median_ci,
        with_follow_up=with_follow_up)
    if "aval_days" in sub:  # censored on day 1: no follow-up after the start
        day1 = (sub["event"].to_numpy(int) == 0) & (sub["aval_days"].to_numpy(float) <= 1)
        rows.insert(3, ArdRow(Analysis.SURVIVAL, Stat.N, float(day1.sum()),
                              variable=Var.CENSORED_DAY1, endpoint=endpoint))
    return EndpointFit(endpoint, label, unit, km, tuple(rows))
