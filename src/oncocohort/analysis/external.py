"""The cohort against a published trial arm known from its Kaplan-Meier figure, as ARD rows.

For each arm (:class:`~oncocohort.analysis.comparison_options.ExternalArm`) and its digitised
data (:class:`~oncocohort.analysis.comparison_options.PublishedArm`, times converted to the
study's unit):

1. the arm's patient data rebuilt from the curve and its numbers at risk (Guyot et al. 2012,
   :func:`~oncocohort.stats.reconstruct_ipd`, with the published total of events when given),
   and the QC of the reconstruction (``analysis="reconstruction"``): published vs rebuilt
   numbers at risk at each table time, the digitised vs rebuilt survival there, both medians,
   total events (:func:`~oncocohort.stats.reconstruction_qc`);
2. ``analysis="external"`` (``group_var`` = the arm's name): per curve (``group_level``
   ``cohort`` or ``published arm``) patients, events, median and interval, landmark survival,
   numbers at risk on a common grid; the hazard ratio of the cohort against the rebuilt arm
   (Cox, Wald interval); the difference in restricted mean survival time to tau (the
   ``rmst_tau`` of the spec, or the earlier of the two curves' last times rounded down to a
   whole time unit), cohort minus arm;
   the one-sample log-rank test of the cohort against the rebuilt arm's Kaplan-Meier curve
   (Finkelstein et al. 2003: observed and expected events, z, p).

Every row states its method. The populations, lines of therapy and assessment schedules of a
trial and a real-world cohort differ: these are descriptive contrasts, not effects (the report
says so).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.comparison_options import ExternalArm, PublishedArm
from oncocohort.analysis.keys import Analysis, Level, Stat, Var
from oncocohort.analysis.notes import AnalysisNote, NoteKind
from oncocohort.analysis.survival import at_risk_grid, landmark_text
from oncocohort.stats.cox import cox
from oncocohort.stats.kaplan_meier import KaplanMeier, kaplan_meier
from oncocohort.stats.one_sample import one_sample_logrank
from oncocohort.stats.reconstruct import reconstruct_ipd, reconstruction_qc
from oncocohort.stats.rmst import rmst

__all__ = ["ExternalResult", "compute_external"]

_E = Analysis.EXTERNAL
_R = Analysis.RECONSTRUCTION
_GUYOT = ("patient data rebuilt from the digitised curve and its numbers at risk (Guyot et al. "
          "2012; deaths capped by the at-risk table)")


@dataclass(frozen=True)
class ExternalResult:
    """One external comparison: rows, the two Kaplan-Meier fits and the rebuilt data."""

    name: str
    label: str
    citation: str
    endpoint: str
    rows: tuple[ArdRow, ...]
    curves: dict[str, KaplanMeier]  # Level.COHORT / Level.PUBLISHED -> fit
    ipd: pd.DataFrame
    at_risk_times: tuple[float, ...]
    notes: tuple[AnalysisNote, ...] = ()


def _km_rows(time, event, *, where, method, landmarks, conf_type, conf_level, median_ci, grid,
             unit) -> tuple[KaplanMeier, list[ArdRow]]:
    km = kaplan_meier(time, event, conf_type=conf_type, conf_level=conf_level)
    rows = [ArdRow(_E, Stat.N, float(time.size), variable=Var.PATIENTS, method=method, **where),
            ArdRow(_E, Stat.N, float(event.sum()), variable=Var.EVENTS, method=method, **where)]
    med = km.quantile(0.5, interval=median_ci)
    for stat, v in ((Stat.MEDIAN, med.estimate), (Stat.LOWER, med.lower),
                    (Stat.UPPER, med.upper)):
        rows.append(ArdRow(_E, stat, float(v), variable=Var.MEDIAN, unit=unit,
                           method=f"{method}; Kaplan-Meier, {median_ci} interval, {conf_type}",
                           **where))
    last = float(time.max())
    for r in km.survival_at(list(landmarks)).itertuples() if landmarks else ():
        for stat, v in ((Stat.PCT, r.survival), (Stat.LOWER, r.lower), (Stat.UPPER, r.upper)):
            rows.append(ArdRow(_E, stat, 100.0 * v if r.time <= last else float("nan"),
                               variable=Var.LANDMARK, category=landmark_text(r.time), unit="%",
                               method=f"{method}; Kaplan-Meier, {conf_type} interval",
                               **where))
    risk = km.n_at_risk_at(list(grid))
    for g, n in zip(grid, risk, strict=True):
        d = float((event & (time <= g)).sum())
        rows += [ArdRow(_E, Stat.N_AT_RISK, float(n), variable=Var.AT_RISK,
                        category=landmark_text(g), method=method, **where),
                 ArdRow(_E, Stat.N_EVENTS, d, variable=Var.AT_RISK, category=landmark_text(g),
                        method=method, **where)]
    return km, rows


def _grid(published: np.ndarray, last: float) -> tuple[float, ...]:
    """The at-risk times: the published table's (the figure's ticks, where both tables can be
    printed), continued at its step up to ``last``; a table of one time: the usual grid."""
    if published.size < 2:
        return at_risk_grid(last)
    step = float(np.median(np.diff(published)))
    times = [float(t) for t in published if t <= last]
    while times[-1] + step <= last + 1e-9:
        times.append(times[-1] + step)
    return tuple(times)


def _qc_rows(name: str, qc, unit: str) -> list[ArdRow]:
    w = {"group_var": name}
    m = "reconstruction QC: published (digitised) vs rebuilt"
    rows = []
    for r in qc.at_risk.itertuples():
        cat = landmark_text(r.time)
        rows += [ArdRow(_R, Stat.PUBLISHED, float(r.published), variable=Var.AT_RISK,
                        category=cat, method=m, **w),
                 ArdRow(_R, Stat.RECONSTRUCTED, float(r.reconstructed), variable=Var.AT_RISK,
                        category=cat, method=m, **w)]
    for r in qc.landmarks.itertuples():
        cat = landmark_text(r.time)
        rows += [ArdRow(_R, Stat.PUBLISHED, 100 * float(r.digitised), variable=Var.LANDMARK,
                        category=cat, unit="%", method=m, **w),
                 ArdRow(_R, Stat.RECONSTRUCTED, 100 * float(r.reconstructed),
                        variable=Var.LANDMARK, category=cat, unit="%", method=m, **w)]
    rows += [ArdRow(_R, Stat.PUBLISHED, qc.median_digitised, variable=Var.MEDIAN, unit=unit,
                    method=m, **w),
             ArdRow(_R, Stat.RECONSTRUCTED, qc.median_reconstructed, variable=Var.MEDIAN,
                    unit=unit, method=m, **w),
             ArdRow(_R, Stat.PUBLISHED, qc.total_events_published, variable=Var.TOTAL_EVENTS,
                    method=m, **w),
             ArdRow(_R, Stat.RECONSTRUCTED, float(qc.total_events_reconstructed),
                    variable=Var.TOTAL_EVENTS, method=m, **w)]
    return rows


def compute_external(
    tte: pd.DataFrame,
    arm: ExternalArm,
    published: PublishedArm,
    *,
    landmarks: Sequence[float] = (),
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    median_ci: str = "brookmeyer-crowley",
    ties: str = "efron",
) -> ExternalResult:
    """The rows of one external comparison (see the module docstring)."""
    sub = tte.loc[tte["paramcd"] == arm.endpoint]
    unit = str(sub["unit"].iloc[0]) if len(sub) else ""
    curve = published.curve.assign(time=published.curve["time"] * arm.time_factor)
    table = published.at_risk.assign(time=published.at_risk["time"] * arm.time_factor)
    ipd = reconstruct_ipd(curve, table, total_events=arm.total_events)
    qc = reconstruction_qc(ipd, curve, table, total_events=arm.total_events)
    rows = _qc_rows(arm.name, qc, unit)

    t_c = sub["aval"].to_numpy(float)
    e_c = sub["event"].to_numpy(int).astype(bool)
    t_p = ipd["time"].to_numpy(float)
    e_p = ipd["event"].to_numpy(int).astype(bool)
    grid = _grid(table["time"].to_numpy(float), max(float(t_c.max()), float(t_p.max())))
    curves = {}
    for level, t, e, method in ((Level.COHORT, t_c, e_c, "the study's cohort"),
                                (Level.PUBLISHED, t_p, e_p, _GUYOT)):
        km, r = _km_rows(t, e, where={"endpoint": arm.endpoint, "group_var": arm.name,
                                      "group_level": str(level)},
                         method=method, landmarks=landmarks, conf_type=conf_type,
                         conf_level=conf_level, median_ci=median_ci, grid=grid, unit=unit)
        curves[str(level)] = km
        rows += r
    where = {"endpoint": arm.endpoint, "group_var": arm.name, "group_level": str(Level.COHORT)}
    both = pd.DataFrame({"time": np.concatenate([t_c, t_p]),
                         "event": np.concatenate([e_c, e_p]).astype(int),
                         "cohort": np.r_[np.ones(t_c.size), np.zeros(t_p.size)]})
    fit = cox(both, time="time", event="event", covariates=["cohort"], ties=ties,
              conf_level=conf_level)
    r = fit.table.loc["cohort"]
    m = f"Cox, cohort vs the rebuilt arm, Wald interval, ties {ties}; {_GUYOT}"
    rows += [ArdRow(_E, stat, float(r[col]), variable=Var.HR, method=m, **where)
             for stat, col in ((Stat.HR, "hr"), (Stat.LOWER, "hr_lower"),
                               (Stat.UPPER, "hr_upper"), (Stat.P, "p"))]
    last = min(float(t_c.max()), float(t_p.max()))
    tau = arm.rmst_tau if arm.rmst_tau is not None else (
        float(np.floor(last)) if last >= 1 else last)
    res = rmst(both["time"], both["event"], tau,
               group=np.where(both["cohort"] == 1, "cohort", "arm"), reference="arm",
               conf_level=conf_level)
    diff = res.difference
    m = (f"restricted mean survival time to {tau:g} {unit}, cohort minus rebuilt arm "
         "(survRM2 rmst2, Greenwood delta-method SE)")
    cat = landmark_text(tau)
    rows += [ArdRow(_E, stat, float(v), variable=Var.RMST_DIFFERENCE, category=cat, unit=unit,
                    method=m, **where)
             for stat, v in ((Stat.DIFFERENCE, diff.estimate), (Stat.LOWER, diff.lower),
                             (Stat.UPPER, diff.upper), (Stat.P, diff.p_value))]
    for lab, level in (("cohort", Level.COHORT), ("arm", Level.PUBLISHED)):
        row = res.table.loc[res.table["group"] == lab].iloc[0]
        rows += [ArdRow(_E, stat, float(row[col]), variable=Var.RMST, category=cat, unit=unit,
                        method=m, endpoint=arm.endpoint, group_var=arm.name,
                        group_level=str(level))
                 for stat, col in ((Stat.ESTIMATE, "rmst"), (Stat.LOWER, "lower"),
                                   (Stat.UPPER, "upper"))]
    ref = pd.DataFrame({"time": curves[str(Level.PUBLISHED)].table["time"],
                        "survival": curves[str(Level.PUBLISHED)].table["survival"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        osl = one_sample_logrank(t_c, e_c, ref)
    notes = tuple(AnalysisNote(NoteKind.ONE_SAMPLE_LOGRANK, str(w.message),
                               endpoint=arm.endpoint, label=arm.label or arm.name)
                  for w in caught)
    m = ("one-sample log-rank test of the cohort against the rebuilt arm's Kaplan-Meier curve "
         "(Finkelstein, Muzikansky & Schoenfeld 2003: Z = (O − E) / √E)")
    rows += [ArdRow(_E, stat, float(v), variable=Var.ONE_SAMPLE_LOGRANK, method=m, **where)
             for stat, v in ((Stat.OBSERVED, osl.observed), (Stat.EXPECTED, osl.expected),
                             (Stat.Z, osl.z), (Stat.STATISTIC, osl.statistic),
                             (Stat.P, osl.p_value))]
    return ExternalResult(arm.name, arm.label, arm.citation, arm.endpoint, tuple(rows),
                          curves, ipd, tuple(grid), notes)
