"""The figures of the competing-risk, landmark and time-varying analyses, drawn from the fits
the analysis keeps and printing the ARD's numbers (their tables: :mod:`.builders_cr`)."""

from __future__ import annotations

import math

import pandas as pd

from oncocohort.analysis.competing import CompetingResult
from oncocohort.analysis.keys import Analysis, Stat, Var, landmark_at_risk_category
from oncocohort.analysis.study import StudyAnalysis
from oncocohort.analysis.survival import landmark_text
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.figures.cif import CifCurve, CifFigure, compute_cif_figure
from oncocohort.report.figures.km import KmCurve, KmFigure, compute_km_figure
from oncocohort.report.format import fmt_num, fmt_p_clause
from oncocohort.report.options import ReportOptions
from oncocohort.report.wording import (
    competing_names,
    in_prose,
    sentence_case,
    status_group,
)

__all__ = ["build_cr_figures"]

_CR = Analysis.COMPETING_RISKS


def build_cr_figures(analysis: StudyAnalysis, options: ReportOptions
                     ) -> list[tuple[str, str, CifFigure | KmFigure]]:
    """``(name, caption, drawn)``: the cumulative incidence figure of each competing-risk
    endpoint, the Kaplan-Meier figure of each landmark, the Simon-Makuch figure of each
    time-varying analysis."""
    a = ArdLookup(analysis.ard)
    unit = options.conventions.time_unit
    k = options.small_cell_k
    figs: list[tuple[str, str, CifFigure | KmFigure]] = []
    for ep, res in analysis.competing.items():
        figs += _cif_figures(a, ep, res, options, _cif_variables(a, analysis, res, options))
    for res in analysis.landmark_analyses:
        spec = res.spec
        status = options.label(spec.status)
        for at, kms in res.curves.items():
            cat = landmark_text(at)
            w = {"analysis": Analysis.LANDMARK_ANALYSIS, "endpoint": spec.endpoint,
                 "group_var": spec.status, "category": cat}
            drawn = []
            for lv, km in kms.items():
                grid = [t for t in res_grid(a, w, lv, at)]
                at_risk = pd.DataFrame({"time": grid, "n_at_risk": [
                    a.get(variable=Var.AT_RISK, statistic=Stat.N_AT_RISK, group_level=lv,
                          **{**w, "category": landmark_at_risk_category(at, t)})
                    for t in grid], "n_events": [
                    a.get(variable=Var.AT_RISK, statistic=Stat.N_EVENTS, group_level=lv,
                          **{**w, "category": landmark_at_risk_category(at, t)})
                    for t in grid]})
                g = {**w, "group_level": lv, "variable": Var.MEDIAN}
                med = a.get(statistic=Stat.MEDIAN, **g)
                drawn.append(KmCurve(status_group(status, lv), km, at_risk, med,
                                     n=int(a.get(variable=Var.PATIENTS, statistic=Stat.N,
                                                 group_level=lv, **w))))
            if len({tuple(c.at_risk["time"]) for c in drawn}) != 1:
                continue
            p = a.get(variable=Var.LOGRANK, statistic=Stat.P, default=float("nan"), **w)
            fig = compute_km_figure(drawn, unit=f"{unit} from the landmark",
                                    ylabel=f"{options.label(spec.endpoint)} probability",
                                    legend_title=f"{status} by {cat} {unit}",
                                    annotation=fmt_p_clause(p, style=options.style, name="Log-rank p") or None,
                                    small_cell_k=k)
            figs.append((f"landmark_{spec.endpoint}{cat.replace('.', 'p')}",
                         f"{options.label(spec.endpoint)} from a landmark at {cat} {unit}, by "
                         f"{in_prose(status)} by then (Kaplan-Meier; patients still at risk at "
                         "the landmark). Line types and colors: groups; tick marks: censored "
                         "observations; dotted lines: median.", fig))
    for res in analysis.time_varying:
        if res.simon_makuch is None:
            continue
        spec = res.spec
        status = options.label(spec.status)
        w = {"analysis": Analysis.TIME_VARYING, "endpoint": spec.endpoint,
             "group_var": spec.status}
        drawn = []
        for lv, start in zip(("No", "Yes"), res.simon_makuch.entry, strict=True):
            times = a.values("category", variable=Var.AT_RISK, statistic=Stat.N_AT_RISK,
                             group_level=lv, **w)
            at_risk = pd.DataFrame({"time": [float(t) for t in times], **{
                col: [a.get(variable=Var.AT_RISK, category=t, statistic=stat, group_level=lv,
                            **w) for t in times]
                for col, stat in (("n_at_risk", Stat.N_AT_RISK), ("n_events", Stat.N_EVENTS))}})
            km = res.simon_makuch.curve(lv)
            drawn.append(KmCurve(status_group(status, lv), km, at_risk,
                                 km.quantile(0.5).estimate,
                                 start=start if math.isfinite(start) else 0.0))
        p = a.get(variable=Var.MANTEL_BYAR, statistic=Stat.P, **w)
        fig = compute_km_figure(drawn, unit=unit, median_lines=False,
                                ylabel=f"{options.label(spec.endpoint)} probability",
                                legend_title=f"{status} (time-dependent)",
                                annotation=fmt_p_clause(p, style=options.style, name="Mantel-Byar p") or None,
                                small_cell_k=k)
        figs.append((f"simonmakuch_{spec.endpoint}",
                     f"Simon-Makuch estimates of {in_prose(options.label(spec.endpoint))} by "
                     f"{in_prose(status)} as a time-dependent status: patients count in the 'no' "
                     "group until the status is acquired and in the 'yes' group from then on "
                     "(numbers at risk: patients in each group at each time). Tick marks: "
                     "censored observations or moves to the 'yes' group.", fig))
    return figs


def _cif_variables(a: ArdLookup, analysis: StudyAnalysis, res: CompetingResult,
                   options: ReportOptions) -> list[str]:
    """The subgroup variables whose cumulative incidence figure is drawn, as
    ``outputs.km.by_subgroup`` says for the Kaplan-Meier curves: ``"all"``, ``"none"``, or
    (``"selected"``) those that entered a multivariable Cox model of the study (the variables
    the text discusses) and those whose Gray's test passes the screen (p < threshold)."""
    if options.subgroup_curves == "none":
        return []
    chosen = {v for sub in analysis.subgroups.values() for v in sub.selected}
    out = []
    for var in res.by_variable:
        p = a.get(analysis=_CR, endpoint=res.endpoint, variable=Var.GRAY, group_var=var,
                  statistic=Stat.P, default=float("nan"))
        if (options.subgroup_curves == "all" or var in chosen
                or p < options.screen.threshold):
            out.append(var)
    return out


def _at_risk_frame(a: ArdLookup, times: list[str], **where: str) -> pd.DataFrame:
    return pd.DataFrame({"time": [float(t) for t in times], "n_at_risk": [
        a.get(variable=Var.AT_RISK, category=t, statistic=Stat.N_AT_RISK, **where)
        for t in times]})


def _cif_marks(a: ArdLookup, var: str, options: ReportOptions, **where: str) -> pd.DataFrame:
    """The landmark incidences as the table prints them (NaN ones left out)."""
    marks = [(float(t), a.get(variable=var, category=t, statistic=Stat.PCT, **where))
             for t in a.values("category", variable=var, statistic=Stat.PCT, **where)]
    marks = [(t, p) for t, p in marks if p == p]
    return pd.DataFrame({"time": [t for t, _ in marks], "cif": [p / 100 for _, p in marks],
                         "text": [f"{fmt_num(p, style=options.style)}%" for _, p in marks]})


def _cif_figures(a: ArdLookup, ep: str, res: CompetingResult, options: ReportOptions,
                 variables: list[str]) -> list[tuple[str, str, CifFigure]]:
    """The endpoint's cumulative incidence figure (the event and the competing event, all
    patients), then one per subgroup variable in ``variables``: the event's incidence per
    level, the numbers at risk per level under the ticks, that variable's Gray's p."""
    unit = options.conventions.time_unit
    k = options.small_cell_k
    event, competing = competing_names(options, ep)
    label = in_prose(options.label(ep))
    base = {"analysis": _CR, "endpoint": ep, "group_var": ""}
    times = a.values("category", variable=Var.AT_RISK, statistic=Stat.N_AT_RISK, **base)
    at_risk = _at_risk_frame(a, times, **base)
    curves = [CifCurve(sentence_case(name), res.cif.table[res.cif.table["cause"] == cause],
                       _cif_marks(a, var, options, **base))
              for cause, var, name in ((1, Var.CIF_EVENT, event),
                                       (2, Var.CIF_COMPETING, competing))]
    ylabel = f"Cumulative incidence ({label})"
    fig = compute_cif_figure(curves, at_risk, unit=unit, small_cell_k=k, ylabel=ylabel)
    n = int(a.get(variable=Var.PATIENTS, statistic=Stat.N, **base))
    out = [(f"cif_{ep}", f"Cumulative incidence of {event} and of {competing}, {label} "
            f"(Aalen-Johansen; n = {n}). Dots: landmark incidences; numbers at risk at the "
            "axis ticks below the axis.", fig)]
    for var in variables:
        fit = res.by_variable[var].table
        levels = a.values("group_level", analysis=_CR, endpoint=ep, group_var=var,
                          variable=Var.AT_RISK, statistic=Stat.N_AT_RISK)
        drawn, rows = [], []
        for lv in levels:
            w = {**base, "group_var": var, "group_level": lv}
            steps = fit[(fit["group"].astype(str) == lv) & (fit["cause"] == 1)]
            n_lv = int(a.get(variable=Var.PATIENTS, statistic=Stat.N, **w))
            drawn.append(CifCurve(f"{lv} (n = {n_lv})", steps,
                                  end=res.last_times.get(var, {}).get(lv)))
            rows.append((lv, _at_risk_frame(a, times, **w)))
        p = a.get(analysis=_CR, endpoint=ep, variable=Var.GRAY, group_var=var,
                  statistic=Stat.P)
        name = options.label(var)
        fig = compute_cif_figure(
            drawn, at_risk, unit=unit, small_cell_k=k, risk_rows=rows, legend_title=name,
            ylabel=f"Cumulative incidence of {event}",
            annotation=f"Gray's test, {fmt_p_clause(p, style=options.style)}")
        out.append((f"cif_{ep}_{var}", f"Cumulative incidence of {event} by {in_prose(name)}, "
                    f"{label} (Aalen-Johansen; {competing} as a competing event; each curve "
                    "ends at its group's last observed time). Line types and colors: groups; "
                    "numbers at risk per group at the axis ticks below the axis.", fig))
    return out


def res_grid(a: ArdLookup, w: dict, level: str, at: float) -> list[float]:
    """The times since the landmark of the landmark figure's numbers at risk."""
    prefix = landmark_at_risk_category(at, 0.0).split("|")[0] + "|"
    cats = a.values("category", analysis=w["analysis"], endpoint=w["endpoint"],
                    group_var=w["group_var"], group_level=level, variable=Var.AT_RISK,
                    statistic=Stat.N_AT_RISK)
    return [float(c.split("|")[1]) for c in cats if c.startswith(prefix)]
