"""The report's tables and figures from a :class:`~oncocohort.analysis.study.StudyAnalysis`:
the display tables (from the ARD only) and the figures (with the numbers they print), in report
order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncocohort.analysis.study import StudyAnalysis
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.builders import (
    build_baseline_table,
    build_exposure_table,
    build_response_table,
    build_safety_table,
)
from oncocohort.report.builders_survival import build_subgroup_table, build_survival_table
from oncocohort.report.figures.flowchart import FlowchartFigure, compute_flowchart_figure
from oncocohort.report.figures.forest import ForestFigure, compute_forest_figure
from oncocohort.report.figures.km import KmFigure, compute_km_figure
from oncocohort.report.figures.swimmer import SwimmerFigure, compute_swimmer_figure
from oncocohort.report.figures.waterfall import WaterfallFigure, compute_waterfall_figure
from oncocohort.report.format import fmt_est_ci, fmt_p
from oncocohort.report.options import ReportOptions
from oncocohort.report.tables import DisplayTable

__all__ = ["DrawnFigure", "ReportFigure", "build_report_tables", "build_report_figures",
           "forest_rows", "subgroup_annotation"]


DrawnFigure = FlowchartFigure | WaterfallFigure | KmFigure | ForestFigure | SwimmerFigure


@dataclass(frozen=True)
class ReportFigure:
    """A figure of the report: file stem, caption, the figure and what its builder drew (the
    numbers it printed)."""

    name: str
    caption: str
    figure: Figure
    drawn: DrawnFigure


def build_report_tables(analysis: StudyAnalysis, options: ReportOptions) -> list[DisplayTable]:
    """Every display table, in report order (Table 1, exposure, response, survival, Table 2 per
    endpoint, Table 3)."""
    ard = analysis.ard
    tables = [build_baseline_table(ard, options),
              build_exposure_table(ard, options),
              build_response_table(ard, options)]
    if (ard["analysis"] == "survival").any():
        tables.append(build_survival_table(ard, options))
    for endpoint in analysis.subgroups:
        tables.append(build_subgroup_table(ard, endpoint, options))
    tables.append(build_safety_table(ard, options))
    return tables


def forest_rows(ard: pd.DataFrame, endpoint: str, options: ReportOptions,
                analysis: str = "cox_univariable") -> pd.DataFrame:
    """Forest-plot rows (label, hr, lower, upper, p) of one endpoint's Cox models, from the ARD:
    a heading row per variable (NaN hr) then one row per non-reference level."""
    a = ArdLookup(ard)
    rows = []
    for var in a.values("group_var", analysis=analysis, endpoint=endpoint, variable="hr"):
        levels = a.values("group_level", analysis=analysis, endpoint=endpoint, group_var=var,
                          variable="hr")
        ref = a.values("group_level", analysis="subgroup", endpoint=endpoint, group_var=var,
                       variable="patients", statistic="n")
        ref = [r for r in ref if r and r not in levels]
        rows.append({"label": options.label(var), "hr": np.nan, "lower": np.nan,
                     "upper": np.nan, "p": np.nan})
        for level in levels:
            w = {"analysis": analysis, "endpoint": endpoint, "group_var": var,
                 "group_level": level, "variable": "hr"}
            rows.append({"label": f"  {level} vs {ref[0] if ref else 'reference'}",
                         "hr": a.get(statistic="hr", **w), "lower": a.get(statistic="lower", **w),
                         "upper": a.get(statistic="upper", **w), "p": a.get(statistic="p", **w)})
    return pd.DataFrame(rows, columns=["label", "hr", "lower", "upper", "p"])


def subgroup_annotation(ard: pd.DataFrame, endpoint: str, var: str) -> str:
    """``"Log-rank p = 0.011\\nHR 1-2 vs 0: 1.59 (1.10-2.30)"`` from the ARD."""
    a = ArdLookup(ard)
    p = a.get(analysis="subgroup", endpoint=endpoint, group_var=var, variable="logrank",
              statistic="p")
    lines = [f"Log-rank p = {fmt_p(p)}"]
    levels = [lv for lv in a.values("group_level", analysis="subgroup", endpoint=endpoint,
                                    group_var=var, variable="patients", statistic="n") if lv]
    for level in levels[1:]:
        w = {"analysis": "cox_univariable", "endpoint": endpoint, "group_var": var,
             "group_level": level, "variable": "hr"}
        if a.has(statistic="hr", **w):
            lines.append(f"HR {level} vs {levels[0]}: " + fmt_est_ci(
                a.get(statistic="hr", **w), a.get(statistic="lower", **w),
                a.get(statistic="upper", **w), digits=2))
    return "\n".join(lines)


def build_report_figures(analysis: StudyAnalysis, options: ReportOptions) -> list[ReportFigure]:
    """Flowchart, waterfall, Kaplan-Meier per endpoint, Kaplan-Meier by subgroup, forest plot
    per endpoint with subgroups, swimmer plot.

    ``options.subgroup_curves``: ``"selected"`` (default) draws the curves by the subgroup
    variables that entered the multivariable model (those the text discusses; a figure per
    variable per endpoint would be dozens of figures), ``"all"`` every variable, ``"none"``
    none.
    """
    subgroup_curves = options.subgroup_curves
    k = options.small_cell_k
    figs: list[ReportFigure] = []
    unit = options.conventions.time_unit
    if analysis.attrition is not None and len(analysis.attrition):
        fc = compute_flowchart_figure(analysis.attrition, small_cell_k=k)
        figs.append(ReportFigure("flowchart", "Figure 1. Patient selection.", fc.figure, fc))
    best = analysis.best_response
    if best is not None and "best_pct_change" in best:
        wf = compute_waterfall_figure(best, response="best_response")
        left_out = len(best) - len(wf.bars)
        figs.append(ReportFigure(
            "waterfall", f"Figure 2. Best percentage change from baseline in the sum of target "
            f"lesions, by best overall response ({len(wf.bars)} patients with a post-baseline "
            f"measurement; {left_out} without). Dashed lines: +20% and -30%.", wf.figure, wf))
    for name, fit in analysis.endpoints.items():
        km = compute_km_figure({fit.label: fit.km}, unit=unit,
                               landmarks=analysis.options.landmarks, title=fit.label,
                               small_cell_k=k)
        figs.append(ReportFigure(
            f"km_{name}", f"Kaplan-Meier estimate of {fit.label.lower()} (n = {int(fit.km.n)}). "
            f"Tick marks: censored observations; dotted lines: median; numbers at risk below "
            f"the axis.", km.figure, km))
    for endpoint, res in analysis.subgroups.items():
        label = options.label(endpoint)
        if subgroup_curves != "none":
            for var, curves in res.curves.items():
                if len(curves) < 2 or (subgroup_curves == "selected"
                                       and var not in res.selected):
                    continue
                km = compute_km_figure(curves, unit=unit, title=f"{label} by "
                                       f"{options.label(var)}",
                                       annotation=subgroup_annotation(analysis.ard, endpoint, var),
                                       small_cell_k=k)
                figs.append(ReportFigure(f"km_{endpoint}_{var}", f"{label} by "
                                         f"{options.label(var)}.", km.figure, km))
        rows = forest_rows(analysis.ard, endpoint, options)
        if rows["hr"].notna().any():
            fo = compute_forest_figure(rows, title=f"{label}: univariable hazard ratios")
            figs.append(ReportFigure(f"forest_{endpoint}", f"Univariable hazard ratios for "
                                     f"{label.lower()} (log scale).", fo.figure, fo))
    if analysis.swimmer is not None and len(analysis.swimmer):
        sw = compute_swimmer_figure(analysis.swimmer, unit=unit, show_ids=k is None)
        shown = len(sw.lanes)
        figs.append(ReportFigure(
            "swimmer", f"Treatment duration per patient, coloured by best overall response "
            f"({shown} of {len(analysis.swimmer)} patients shown, longest first).",
            sw.figure, sw))
    return figs
