"""Analyses by a status acquired during follow-up (e.g. tumour response) as ARD rows.

Comparing patients by a status they acquire during follow-up as if it were known at time 0
credits them with the time they had to survive to acquire it (guarantee-time bias). The spec
asks for two remedies (``group_var``: the status's named date, e.g. ``first_response``;
``group_level``: ``Yes`` / ``No``, the status acquired or not):

``analysis="landmark_analysis"`` (:class:`~oncocohort.analysis.options.LandmarkAnalysis`), per
landmark time ``at`` (``category``): the patients still at risk after ``at``, grouped by the
status at ``at``, the clock restarted at ``at`` (:func:`oncocohort.stats.landmark.landmark`):
``excluded`` (patients with the event or censored by ``at``), per group ``patients``,
``events`` and the Kaplan-Meier median from the landmark; the log-rank test (``logrank``) and
the Cox hazard ratio of ``Yes`` against ``No`` (``hr``); the numbers at risk under the figure
(``at_risk``, ``category``: :func:`landmark_at_risk_category` of the landmark and the time
since it).

``analysis="time_varying"`` (:class:`~oncocohort.analysis.options.TimeVarying`): the Cox
hazard ratio of the status as a time-varying covariate on counting-process (start, stop]
rows (``hr``; R ``coxph(Surv(tstart, tstop, event) ~ status)`` on ``tmerge`` rows), the
Mantel-Byar test (``mantel_byar``), the patients who acquired the status during follow-up
(``patients``, level ``Yes``), and the Simon-Makuch estimates at the landmark times
(``landmark``, ``pct``, ``lower``, ``upper``) with their numbers at risk and cumulative events
(``at_risk``).

Every row carries its ``method``. Patients with a time of 0 cannot enter (start, stop] rows
and are left out of the time-varying analyses (a note says how many).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.keys import Analysis, Method, Stat, Var, landmark_at_risk_category
from oncocohort.analysis.notes import AnalysisNote, NoteKind
from oncocohort.analysis.options import LandmarkAnalysis, TimeVarying
from oncocohort.analysis.survival import at_risk_grid, compute_at_risk_rows, landmark_text
from oncocohort.stats.cox import cox
from oncocohort.stats.kaplan_meier import KaplanMeier
from oncocohort.stats.landmark import SimonMakuch, landmark, mantel_byar, simon_makuch, status_at

__all__ = ["LandmarkResult", "TimeVaryingResult", "compute_landmark_rows",
           "compute_time_varying_rows", "status_frame", "YES", "NO"]

YES, NO = "Yes", "No"


@dataclass(frozen=True)
class LandmarkResult:
    """One landmark analysis: rows, and per landmark time the Kaplan-Meier fit per group."""

    spec: LandmarkAnalysis
    rows: tuple[ArdRow, ...]
    curves: dict[float, dict[str, KaplanMeier]] = field(default_factory=dict)
    notes: tuple[AnalysisNote, ...] = ()


@dataclass(frozen=True)
class TimeVaryingResult:
    """One time-varying analysis: rows and the Simon-Makuch curves (``No``, ``Yes``)."""

    spec: TimeVarying
    rows: tuple[ArdRow, ...]
    simon_makuch: SimonMakuch | None = None
    notes: tuple[str, ...] = ()


def status_frame(tte: pd.DataFrame, status_times: pd.DataFrame, endpoint: str,
                 status: str) -> pd.DataFrame:
    """The endpoint's ``subject_id``, ``aval``, ``event`` and ``status_time`` (NaN: no
    status date; a date before the endpoint's start counts from the start)."""
    sub = tte.loc[tte["paramcd"] == endpoint, ["subject_id", "aval", "event"]]
    st = status_times.loc[(status_times["paramcd"] == endpoint)
                          & (status_times["status"] == status), ["subject_id", "status_time"]]
    out = sub.merge(st, on="subject_id", how="left", validate="one_to_one")
    out["status_time"] = out["status_time"].astype(float).clip(lower=0.0)
    return out.sort_values("subject_id", kind="stable").reset_index(drop=True)


def compute_landmark_rows(tte: pd.DataFrame, status_times: pd.DataFrame,
                          spec: LandmarkAnalysis, *, conf_type: str = "log-log",
                          conf_level: float = 0.95, median_ci: str = "brookmeyer-crowley",
                          ties: str = "efron") -> LandmarkResult:
    """The rows of one landmark analysis (see the module docstring)."""
    d = status_frame(tte, status_times, spec.endpoint, spec.status)
    unit = str(tte.loc[tte["paramcd"] == spec.endpoint, "unit"].iloc[0]) if len(d) else ""
    a = Analysis.LANDMARK_ANALYSIS
    rows: list[ArdRow] = []
    curves: dict[float, dict[str, KaplanMeier]] = {}
    notes: list[AnalysisNote] = []
    for at in spec.at:
        cat = landmark_text(at)
        base = {"endpoint": spec.endpoint, "group_var": spec.status}
        about = {"endpoint": spec.endpoint, "variable": spec.status, "at": cat,
                 "label": spec.label}
        groups = np.where(status_at(d["status_time"].to_numpy(float), at), YES, NO)
        groups = pd.Categorical(groups, categories=[NO, YES])
        try:
            lm = landmark(d["aval"].to_numpy(float), d["event"].to_numpy(int), at=at,
                          groups=groups)
        except ValueError as exc:
            notes.append(AnalysisNote(NoteKind.LANDMARK, str(exc), **about))
            continue
        rows.append(ArdRow(a, Stat.N, float(lm.n_excluded), variable=Var.EXCLUDED,
                           category=cat, method=Method.LANDMARK_EXCLUDED, **base))
        kms = lm.kaplan_meier(conf_type=conf_type, conf_level=conf_level)
        curves[float(at)] = {str(g): km for g, km in kms.items()}
        grid = at_risk_grid(float(lm.data["time"].max()))
        for g, km in kms.items():
            w = {**base, "group_level": str(g)}
            sel = lm.data["group"] == g
            rows += [ArdRow(a, Stat.N, float(sel.sum()), variable=Var.PATIENTS, category=cat,
                            method=Method.COUNT, **w),
                     ArdRow(a, Stat.N, float(lm.data.loc[sel, "event"].sum()),
                            variable=Var.EVENTS, category=cat, method=Method.COUNT, **w)]
            med = km.quantile(0.5, interval=median_ci)
            for stat, v in ((Stat.MEDIAN, med.estimate), (Stat.LOWER, med.lower),
                            (Stat.UPPER, med.upper)):
                rows.append(ArdRow(a, stat, float(v), variable=Var.MEDIAN, category=cat,
                                   unit=unit, method=Method.LANDMARK_KM, **w))
            for r in compute_at_risk_rows(km, grid, analysis=a, **w):
                rows.append(ArdRow(r.analysis, r.statistic, r.value, variable=r.variable,
                                   category=landmark_at_risk_category(at, float(r.category)),
                                   method=(Method.LANDMARK_AT_RISK
                                           if r.statistic == Stat.N_AT_RISK
                                           else Method.CUMULATIVE_EVENTS), **w))
        if len(lm.groups) < 2:
            notes.append(AnalysisNote(NoteKind.LANDMARK, "one group only among the patients "
                                      "at risk; no test", **about))
            continue
        lr = lm.logrank()
        for stat, v in ((Stat.STATISTIC, lr.statistic), (Stat.DF, lr.df), (Stat.P, lr.p_value)):
            rows.append(ArdRow(a, stat, float(v), variable=Var.LOGRANK, category=cat,
                               method=Method.LANDMARK_LOGRANK, **base))
        rows += _hr_rows(lambda: lm.cox(ties=ties, conf_level=conf_level, reference=NO),
                         "group[Yes]", a, {**base, "category": cat}, Method.LANDMARK_COX,
                         notes, AnalysisNote(NoteKind.LANDMARK_COX, "", **about))
    return LandmarkResult(spec, tuple(rows), curves, tuple(notes))


def _hr_rows(fit_fn, term: str, analysis: str, where: dict, method: str,
             notes: list[AnalysisNote], what: AnalysisNote) -> list[ArdRow]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = fit_fn()
    notes += [replace(what, detail=str(w.message)) for w in caught]
    r = fit.table.loc[term]
    return [ArdRow(analysis, stat, float(r[col]), variable=Var.HR, group_level=YES,
                   method=method, **where)
            for stat, col in ((Stat.HR, "hr"), (Stat.LOWER, "hr_lower"),
                              (Stat.UPPER, "hr_upper"), (Stat.P, "p"))]


def counting_process_rows(d: pd.DataFrame) -> pd.DataFrame:
    """(start, stop] rows as R ``tmerge(..., tdc(status_time))``: status 0 on
    (0, min(s, T)], 1 on (s, T]; the event on the last row; an empty (0, 0] row dropped."""
    t = d["aval"].to_numpy(float)
    e = d["event"].to_numpy(int)
    s = d["status_time"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        acquired = s < t
    switch = np.where(acquired, s, t)
    before = switch > 0
    ids = d["subject_id"].to_numpy()
    first = pd.DataFrame({"id": ids[before], "start": 0.0, "stop": switch[before],
                          "event": np.where(acquired[before], 0, e[before]), "status": 0})
    second = pd.DataFrame({"id": ids[acquired], "start": s[acquired], "stop": t[acquired],
                           "event": e[acquired], "status": 1})
    return pd.concat([first, second], ignore_index=True)


def compute_time_varying_rows(tte: pd.DataFrame, status_times: pd.DataFrame,
                              spec: TimeVarying, *, landmarks: Sequence[float] = (),
                              conf_type: str = "log-log", conf_level: float = 0.95,
                              ties: str = "efron") -> TimeVaryingResult:
    """The rows of one time-varying analysis (see the module docstring)."""
    d = status_frame(tte, status_times, spec.endpoint, spec.status)
    notes: list[AnalysisNote] = []
    about = {"endpoint": spec.endpoint, "variable": spec.status, "label": spec.label}
    zero = d["aval"] <= 0
    if zero.any():
        notes.append(AnalysisNote(NoteKind.TIME_VARYING, f"{int(zero.sum())} patient(s) "
                                  "with a time of 0 left out", **about))
        d = d.loc[~zero]
    a = Analysis.TIME_VARYING
    base = {"endpoint": spec.endpoint, "group_var": spec.status}
    t, e, s = (d["aval"].to_numpy(float), d["event"].to_numpy(int),
               d["status_time"].to_numpy(float))
    with np.errstate(invalid="ignore"):
        acquired = s < t
    count = {"method": Method.COUNT, **base}
    rows = [ArdRow(a, Stat.N, float(len(d)), variable=Var.PATIENTS, **count),
            ArdRow(a, Stat.N, float(e.sum()), variable=Var.EVENTS, **count),
            ArdRow(a, Stat.N, float(acquired.sum()), variable=Var.PATIENTS, group_level=YES,
                   **count)]
    if not acquired.any() or acquired.all():
        notes.append(AnalysisNote(NoteKind.TIME_VARYING, "the status does not change "
                                  "during follow-up; no model", **about))
        return TimeVaryingResult(spec, tuple(rows), None, tuple(notes))
    cp = counting_process_rows(d)
    rows += _hr_rows(lambda: cox(cp, time="stop", start="start", event="event",
                                 covariates=["status"], ties=ties, conf_level=conf_level),
                     "status", a, base, Method.TV_COX, notes,
                     AnalysisNote(NoteKind.TIME_VARYING_COX, "", **about))
    mb = mantel_byar(t, e, s, labels=(NO, YES))
    for stat, v in ((Stat.STATISTIC, mb.statistic), (Stat.DF, mb.df), (Stat.P, mb.p_value)):
        rows.append(ArdRow(a, stat, float(v), variable=Var.MANTEL_BYAR,
                           method=Method.MANTEL_BYAR, **base))
    sm = simon_makuch(t, e, s, labels=(NO, YES), conf_type=conf_type, conf_level=conf_level)
    grid = at_risk_grid(float(t.max()))
    for g in (NO, YES):
        km = sm.curve(g)
        w = {**base, "group_level": g}
        if landmarks:
            at = km.survival_at(list(landmarks))
            last = float(km.table["time"].max()) if len(km.table) else float("nan")
            for r in at.itertuples():
                for stat, v in ((Stat.PCT, r.survival), (Stat.LOWER, r.lower),
                                (Stat.UPPER, r.upper)):
                    v = 100.0 * v if r.time <= last else float("nan")
                    rows.append(ArdRow(a, stat, v, variable=Var.LANDMARK,
                                       category=landmark_text(r.time), unit="%",
                                       method=Method.SIMON_MAKUCH, **w))
        ev_t = km.table["time"].to_numpy(float)
        cum = np.cumsum(km.table["n_events"].to_numpy(float))
        for time in grid:
            # in the group at the time: rows starting before it and ending at or after it
            n = float(_in_group_at(d, g, time))
            pos = int(np.searchsorted(ev_t, time, side="right")) - 1
            rows.append(ArdRow(a, Stat.N_AT_RISK, n, variable=Var.AT_RISK,
                               category=landmark_text(time), method=Method.STATUS_AT_RISK,
                               **w))
            rows.append(ArdRow(a, Stat.N_EVENTS, float(cum[pos]) if pos >= 0 else 0.0,
                               variable=Var.AT_RISK, category=landmark_text(time),
                               method=Method.CUMULATIVE_EVENTS, **w))
    return TimeVaryingResult(spec, tuple(rows), sm, tuple(notes))


def _in_group_at(d: pd.DataFrame, group: str, time: float) -> int:
    """Patients in ``group`` at ``time`` (at risk: follow-up >= time; "Yes" once the status
    was acquired strictly before ``time``, as the Simon-Makuch risk sets count them)."""
    t = d["aval"].to_numpy(float)
    s = d["status_time"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        has = (s < time) & (s < t)
    at_risk = t >= time
    if time == 0:  # at the origin, a status from time 0 counts as held
        with np.errstate(invalid="ignore"):
            has = s <= 0
    return int((at_risk & (has if group == YES else ~has)).sum())
