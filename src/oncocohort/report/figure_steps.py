"""The report's figures from a :class:`~oncocohort.analysis.study.StudyAnalysis`, one step each
in report order (:func:`report_figure_steps`): what each draws, from the fits the analysis
keeps and the numbers of the ARD, and its caption. Importing this module loads matplotlib and
the figure modules: the figure workers (:mod:`.figure_workers`) list and draw the steps; the
process that writes the tables and the reports never imports it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd
from matplotlib.figure import Figure

from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.analysis.study import StudyAnalysis
from oncocohort.problems import Problems
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.assemble import (
    ReportFigure,
    flowchart_rows,
    forest_rows,
    km_caption,
    subgroup_annotation,
    swimmer_omitted,
)
from oncocohort.report.builders_survival import median_limits
from oncocohort.report.content import ReportContent, build_report
from oncocohort.report.figure_workers import FigureBuild
from oncocohort.report.figures.cif import CifFigure
from oncocohort.report.figures.comparison import ComparisonFigure
from oncocohort.report.figures.flowchart import FlowchartFigure, compute_flowchart_figure
from oncocohort.report.figures.forest import ForestFigure, compute_forest_figure
from oncocohort.report.figures.km import KmCurve, KmFigure, compute_km_figure
from oncocohort.report.figures.love import LoveFigure
from oncocohort.report.figures.marks import apply_decimal_mark
from oncocohort.report.figures.sizes import FigureColumn
from oncocohort.report.figures.swimmer import SwimmerFigure, compute_swimmer_figure
from oncocohort.report.figures.waterfall import WaterfallFigure, compute_waterfall_figure
from oncocohort.report.figures_cmp import build_comparison_figures
from oncocohort.report.figures_cr import build_cr_figures
from oncocohort.report.figures_ext import build_external_figures
from oncocohort.report.format import DEFAULT_STYLE, MINUS, HouseStyle, fmt_num
from oncocohort.report.options import ReportOptions
from oncocohort.report.prose import in_prose
from oncocohort.stats.kaplan_meier import KaplanMeier

__all__ = ["DrawnFigure", "FigureStep", "build_report_figures", "build_drawn_report",
           "report_figure_steps", "report_figure_builds", "km_curve"]

#: What a figure step draws: the figure and the numbers it printed.
DrawnFigure = (FlowchartFigure | WaterfallFigure | KmFigure | ForestFigure | SwimmerFigure
               | CifFigure | LoveFigure | ComparisonFigure)


def km_curve(a: ArdLookup, label: str, km: KaplanMeier, *, style: HouseStyle = DEFAULT_STYLE,
             ci_label: str = "95% CI", time_digits: int = 1, **where: str) -> KmCurve:
    """A Kaplan-Meier figure's curve: the fit ``km`` to draw, and from the ARD rows of
    ``where`` the numbers at risk, the number of patients, the median with its interval and
    the landmark survival it prints (in the journal ``style``; ``ci_label`` names the
    interval; ``time_digits`` the median's decimals)."""
    times = a.values("category", variable=Var.AT_RISK, statistic=Stat.N_AT_RISK, **where)
    at_risk = pd.DataFrame({
        "time": [float(t) for t in times],
        "n_at_risk": [a.get(variable=Var.AT_RISK, category=t, statistic=Stat.N_AT_RISK,
                            **where) for t in times],
        "n_events": [a.get(variable=Var.AT_RISK, category=t, statistic=Stat.N_EVENTS, **where)
                     for t in times]})
    marks = a.values("category", variable=Var.LANDMARK, statistic=Stat.PCT, **where)
    pcts = [a.get(variable=Var.LANDMARK, category=t, statistic=Stat.PCT, **where)
            for t in marks]
    landmarks = pd.DataFrame({"time": [float(t) for t in marks],
                              "survival": [p / 100 for p in pcts]})
    med = {"variable": Var.MEDIAN, **where}
    median = a.get(statistic=Stat.MEDIAN, **med)
    if median == median:
        lo_missing, hi_missing = median_limits(a, **where)
        lo = fmt_num(a.get(statistic=Stat.LOWER, **med), time_digits, missing=lo_missing,
                     style=style)
        hi = fmt_num(a.get(statistic=Stat.UPPER, **med), time_digits, missing=hi_missing,
                     style=style)
        median_text = (f"{fmt_num(median, time_digits, style=style)} "
                       f"({style.ci_words(ci_label)} {lo}{style.ci_sep}{hi})")
    else:
        median_text = "not reached"
    n = a.get(variable=Var.PATIENTS, statistic=Stat.N, default=float("nan"), **where)
    return KmCurve(label, km, at_risk, median, landmarks,
                   n=int(n) if n == n else None, median_text=median_text,
                   landmark_texts=tuple(f"{fmt_num(p, style=style)}%" for p in pcts))


def _km_options(options: ReportOptions) -> dict:
    """The Kaplan-Meier figure options of the report (``outputs.km``, the journal style)."""
    return {"unit": options.conventions.time_unit, "ci_band": options.km_ci_band,
            "show_events": options.km_cumulative_events, "small_cell_k": options.small_cell_k}


def _ci_label(options: ReportOptions) -> str:
    return f"{100 * float(options.conventions.conf_level):g}% CI"


@dataclass(frozen=True)
class FigureStep:
    """One figure of the report, not drawn yet: its file stem, the column it is drawn for
    and ``draw``, which draws it and returns its caption and what it drew. Listing the steps
    (:func:`report_figure_steps`) is cheap; drawing is matplotlib work, which the figure
    workers do (:mod:`~oncocohort.report.figure_workers`), each drawing the figures it
    renders."""

    name: str
    draw: Callable[[], tuple[str, DrawnFigure]]
    column: FigureColumn = "double"

    def build(self, decimal_mark: str = ".") -> ReportFigure:
        """The figure drawn, with ``decimal_mark`` on its numbers (drawn anew at each call:
        a figure worker that takes over another's figure builds it again, to the same
        bytes)."""
        caption, drawn = self.draw()
        apply_decimal_mark(drawn.figure, decimal_mark)  # tick labels and its own numbers
        return ReportFigure(self.name, caption, drawn.figure, drawn, column=self.column)


def build_report_figures(analysis: StudyAnalysis, options: ReportOptions) -> list[ReportFigure]:
    """Every figure of the report drawn here, in report order (:func:`report_figure_steps`)."""
    mark = options.style.decimal_mark
    return [step.build(mark) for step in report_figure_steps(analysis, options)]


def build_drawn_report(analysis: StudyAnalysis, options: ReportOptions,
                       problems: Problems) -> ReportContent:
    """The report of ``analysis`` with its figures drawn here (where no figure workers draw
    them: :func:`~oncocohort.report.content.build_report`)."""
    return build_report(analysis, options, problems,
                        figures=build_report_figures(analysis, options))


def report_figure_builds(analysis: StudyAnalysis, options: ReportOptions
                         ) -> list[FigureBuild]:
    """The report's figures as the figure workers take them
    (:data:`~oncocohort.report.figure_workers.REPORT_FIGURES`): name, column and a call that
    draws the figure (with the journal style's decimal mark) and gives its caption and the
    matplotlib figure."""
    mark = options.style.decimal_mark
    return [(step.name, step.column, partial(_caption_and_figure, step, mark))
            for step in report_figure_steps(analysis, options)]


def _caption_and_figure(step: FigureStep, mark: str) -> tuple[str, Figure]:
    drawn = step.build(mark)
    return drawn.caption, drawn.figure


def report_figure_steps(analysis: StudyAnalysis, options: ReportOptions) -> list[FigureStep]:
    """Flowchart, waterfall, Kaplan-Meier per endpoint, Kaplan-Meier by subgroup, forest plot
    per endpoint with subgroups, the competing-risk, comparison and external figures, swimmer
    plot: one step each, in report order, none drawn (but the competing-risk, comparison and
    external figures, drawn as they are listed).

    ``options.subgroup_curves``: ``"selected"`` (default) draws the curves by the subgroup
    variables that passed the screen (those the text discusses; a figure per
    variable per endpoint would be dozens of figures), ``"all"`` every variable, ``"none"``
    none.
    """
    subgroup_curves = options.subgroup_curves
    steps: list[FigureStep] = []
    shown = analysis.sections
    if "flowchart" in shown and analysis.attrition is not None and len(analysis.attrition):
        steps.append(FigureStep("flowchart", lambda: _flowchart_figure(analysis, options)))
    best = analysis.best_response
    if ("response" in shown and best is not None and "best_pct_change" in best
            and best["best_pct_change"].notna().any()):
        steps.append(FigureStep("waterfall", lambda: _waterfall_figure(analysis)))
    a = ArdLookup(analysis.ard)
    for name in analysis.endpoints if "survival" in shown else ():
        steps.append(FigureStep(f"km_{name}",
                                lambda name=name: _km_figure(a, analysis, options, name)))
    for endpoint, res in analysis.subgroups.items() if "subgroups" in shown else ():
        label = options.label(endpoint)
        if subgroup_curves != "none":
            for var, curves in res.curves.items():
                if len(curves) < 2 or (subgroup_curves == "selected"
                                       and var not in res.selected):
                    continue
                steps.append(FigureStep(
                    f"km_{endpoint}_{var}",
                    lambda endpoint=endpoint, var=var, label=label, curves=curves:
                    _subgroup_km_figure(a, analysis, options, endpoint, var, label, curves)))
        steps += _forest_steps(analysis, options, endpoint, label)
    for name, caption, drawn in build_cr_figures(analysis, options) if "survival" in shown else ():
        steps.append(FigureStep(name, lambda caption=caption, drawn=drawn: (caption, drawn)))
    for name, caption, drawn in ((build_comparison_figures(analysis, options)
                                  + build_external_figures(analysis, options))
                                 if "survival" in shown else ()):
        steps.append(FigureStep(name, lambda caption=caption, drawn=drawn: (caption, drawn),
                                column="single" if name.startswith("love_") else "double"))
    if ("exposure" in shown and analysis.swimmer is not None and len(analysis.swimmer)
            and not swimmer_omitted(analysis)):
        steps.append(FigureStep("swimmer", lambda: _swimmer_figure(analysis, options)))
    return steps


def _flowchart_figure(analysis: StudyAnalysis, options: ReportOptions
                      ) -> tuple[str, FlowchartFigure]:
    discontinued, sets = flowchart_rows(analysis)
    fc = compute_flowchart_figure(analysis.attrition, discontinued=discontinued,
                                  analysis_sets=sets, small_cell_k=options.small_cell_k)
    return ("Study flowchart: patient selection"
            + (", treatment disposition at the data cut-off" if discontinued is not None else "")
            + " and analysis sets.", fc)


def _waterfall_figure(analysis: StudyAnalysis) -> tuple[str, WaterfallFigure]:
    best = analysis.best_response
    n_bars = ArdLookup(analysis.ard).get(
        analysis=Analysis.RESPONSE, variable=Var.BEST_PCT_CHANGE, statistic=Stat.N,
        default=float("nan"))
    wf = compute_waterfall_figure(best, response="best_response",
                                  n=int(n_bars) if n_bars == n_bars else None)
    left_out = len(best) - len(wf.bars)
    marked = int(wf.bars["new_lesion"].sum())
    return (f"Best percentage change from baseline in the sum of target "
            f"lesions, by best overall response ({len(wf.bars)} patients with a post-baseline "
            f"measurement; {left_out} without). Dashed lines: +20% and {MINUS}30%."
            + (f" Black triangle{'s' if marked > 1 else ''} over a bar: progression by a "
               f"new lesion ({marked} patient{'s' if marked > 1 else ''})." if marked
               else ""), wf)


def _km_figure(a: ArdLookup, analysis: StudyAnalysis, options: ReportOptions,
               name: str) -> tuple[str, KmFigure]:
    fit = analysis.endpoints[name]
    where = {"analysis": Analysis.SURVIVAL, "endpoint": name}
    n = a.get(variable=Var.PATIENTS, statistic=Stat.N, **where)
    curve = km_curve(a, fit.label, fit.km, style=options.style,
                     ci_label=_ci_label(options), time_digits=options.time_digits, **where)
    km = compute_km_figure([curve], ylabel=f"{fit.label} probability", **_km_options(options))
    return (f"Kaplan-Meier estimate of {in_prose(fit.label)} (n = {int(n)}). "
            + km_caption(a, options, **where)
            + _km_key(options, landmarks=bool(len(km.landmarks))), km)


def _subgroup_km_figure(a: ArdLookup, analysis: StudyAnalysis, options: ReportOptions,
                        endpoint: str, var: str, label: str,
                        curves: dict[str, KaplanMeier]) -> tuple[str, KmFigure]:
    where = {"analysis": Analysis.SUBGROUP, "endpoint": endpoint, "group_var": var}
    drawn = [km_curve(a, level, fit, style=options.style, ci_label=_ci_label(options),
                      time_digits=options.time_digits, group_level=level, **where)
             for level, fit in curves.items()]
    km = compute_km_figure(drawn, ylabel=f"{label} probability",
                           legend_title=options.label(var),
                           annotation=subgroup_annotation(
                               analysis.ard, endpoint, var, style=options.style,
                               ci_label=_ci_label(options)),
                           **_km_options(options))
    medians = "; ".join(
        f"{level}: " + km_caption(a, options, landmarks=False, group_level=level,
                                  **where).removeprefix("Median ").rstrip(".")
        for level in curves)
    return (f"{label} by {in_prose(options.label(var))}. Median by group, {medians}."
            + _km_key(options, groups=True), km)


def _swimmer_figure(analysis: StudyAnalysis, options: ReportOptions
                    ) -> tuple[str, SwimmerFigure]:
    sw = compute_swimmer_figure(analysis.swimmer, unit=options.conventions.time_unit,
                                show_ids=options.small_cell_k is None)
    return (f"Treatment duration of each of the {len(sw.lanes)} treated patients, "
            "longest first, colored by best overall response; triangles: first response; "
            "crosses: progression; bars: end of treatment; circles: death; arrows: on "
            "treatment at the data cut-off"
            + ("" if sw.labelled else " (patients not labeled)") + ".", sw)


def _km_key(options: ReportOptions, *, groups: bool = False, landmarks: bool = False) -> str:
    """What the marks of a Kaplan-Meier figure mean (its caption says it)."""
    parts = ["line types and colors: groups"] if groups else []
    parts += ["tick marks: censored observations", "dotted lines: median"]
    if options.km_ci_band:
        parts.append(f"shaded: pointwise {_ci_label(options)}")
    if landmarks:
        parts.append("dots: landmark rates")
    parts.append("numbers at risk" + (" and cumulative events" if options.km_cumulative_events
                                      else "") + " at the axis ticks below the axis")
    text = "; ".join(parts)
    return " " + text[0].upper() + text[1:] + "."


def _forest_steps(analysis: StudyAnalysis, options: ReportOptions, endpoint: str,
                  label: str) -> list[FigureStep]:
    """The forest plots of one endpoint: the univariable models, then the multivariable model
    when variables entered it (its rows read from the ARD now, drawn by the step)."""
    a = ArdLookup(analysis.ard)
    ci = _ci_label(options)
    out = []
    for model, name, words in ((Analysis.COX_UNIVARIABLE, f"forest_{endpoint}", "univariable"),
                               (Analysis.COX_MULTIVARIABLE, f"forest_{endpoint}_multivariable",
                                "multivariable")):
        rows = forest_rows(analysis.ard, endpoint, options, analysis=model)
        if not rows["hr"].notna().any():
            continue
        n = a.get(analysis=model, endpoint=endpoint, variable=Var.PATIENTS, statistic=Stat.N,
                  default=float("nan"))
        n_words = f" (n = {int(n)})" if n == n else ""
        caption = (f"Hazard ratios for {in_prose(label)}, {words} Cox model"
                   + ("s (one per variable)" if model == Analysis.COX_UNIVARIABLE else
                      f"{n_words} of the variables that passed the screen")
                   + f": squares, hazard ratio; lines, {ci} (log scale). A hazard ratio below 1 "
                   "is a lower hazard in the level shown than in its variable's reference "
                   "level.")
        if model == Analysis.COX_UNIVARIABLE:
            caption += " Patients/events: per level."
        out.append(FigureStep(name, lambda rows=rows, caption=caption:
                              (caption, compute_forest_figure(rows, ci_label=ci))))
    return out
