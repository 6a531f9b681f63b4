"""The report's tables and figures from a :class:`~oncocohort.analysis.study.StudyAnalysis`:
the display tables (from the ARD only) and the figures (with the numbers they print), in report
order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncocohort.analysis.keys import Analysis, Category, Group, Stat, Var
from oncocohort.analysis.study import StudyAnalysis
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.builders import (
    build_baseline_table,
    build_exposure_table,
    build_response_table,
    build_safety_overview_table,
    build_safety_table,
)
from oncocohort.report.builders_cmp import (
    build_comparison_figures,
    build_comparison_tables,
    comparison_anchor,
)
from oncocohort.report.builders_cr import (
    build_competing_tables,
    build_cr_figures,
    build_landmark_tables,
    build_rmst_table,
    build_time_varying_tables,
)
from oncocohort.report.builders_ext import (
    build_external_figures,
    build_external_tables,
    external_anchor,
)
from oncocohort.report.builders_survival import (
    build_subgroup_table,
    build_survival_table,
    median_limits,
    per_text,
    reference_level,
    not_estimable_reason,
)
from oncocohort.report.figures._risktable import count_text
from oncocohort.report.figures._style import FigureColumn
from oncocohort.report.figures.cif import CifFigure
from oncocohort.report.figures.comparison import ComparisonFigure
from oncocohort.report.figures.flowchart import FlowchartFigure, compute_flowchart_figure
from oncocohort.report.figures.forest import ForestFigure, compute_forest_figure
from oncocohort.report.figures.km import KmCurve, KmFigure, compute_km_figure
from oncocohort.report.figures.love import LoveFigure
from oncocohort.report.figures.marks import apply_decimal_mark
from oncocohort.report.figures.swimmer import (
    MAX_SWIMMER_PATIENTS,
    SwimmerFigure,
    compute_swimmer_figure,
)
from oncocohort.report.figures.waterfall import WaterfallFigure, compute_waterfall_figure
from oncocohort.report.format import (DEFAULT_STYLE, MINUS, HouseStyle, fmt_est_ci, fmt_num, fmt_p,
                                      fmt_p_clause)
from oncocohort.report.options import ReportOptions
from oncocohort.report.prose import in_prose
from oncocohort.report.tables import DisplayTable
from oncocohort.report.wording import NOT_ESTIMABLE_SHORT
from oncocohort.stats.kaplan_meier import KaplanMeier

__all__ = ["DrawnFigure", "FigureStep", "ReportFigure", "build_report_tables",
           "build_report_figures", "report_figure_steps",
           "swimmer_omitted",
           "forest_rows", "flowchart_rows", "km_curve", "km_caption", "subgroup_annotation", "report_order",
           "number_report"]


DrawnFigure = (FlowchartFigure | WaterfallFigure | KmFigure | ForestFigure | SwimmerFigure
               | CifFigure | LoveFigure | ComparisonFigure)


@dataclass(frozen=True)
class ReportFigure:
    """A figure of the report: file stem, caption, the figure and what its builder drew (the
    numbers it printed; both ``None`` where the figure is drawn in another process, which
    gave the caption); ``label`` is its number as the report cites it ("Figure 3", given by
    :func:`number_report`), ``column`` the width it is drawn for and placed at (a journal's
    single or double column, :data:`~oncocohort.report.figures._style.COLUMN_MM`)."""

    name: str
    caption: str
    figure: Figure | None
    drawn: DrawnFigure | None
    label: str = ""
    column: FigureColumn = "double"


def swimmer_omitted(analysis: StudyAnalysis) -> int:
    """The number of treated patients when there are too many for a swimmer plot (more than
    :data:`MAX_SWIMMER_PATIENTS`, the report then leaves it out and says why), else 0."""
    sw = analysis.swimmer
    n = 0 if sw is None or not len(sw) else int(sw["duration"].notna().sum())
    return n if n > MAX_SWIMMER_PATIENTS else 0


def build_report_tables(analysis: StudyAnalysis, options: ReportOptions) -> list[DisplayTable]:
    """Every display table of the sections analyzed (``analysis.sections``), in report order
    (Table 1, exposure, response, survival, Table 2 per endpoint, Table 3)."""
    ard = analysis.ard
    shown = analysis.sections
    tables = []
    if "baseline" in shown:
        tables.append(build_baseline_table(ard, options))
    if "exposure" in shown:
        table = build_exposure_table(ard, options)
        omitted = swimmer_omitted(analysis)
        tables.append(replace(table, footnotes=table.footnotes + (
            f"No swimmer plot: {omitted} treated patients, more than the "
            f"{MAX_SWIMMER_PATIENTS} whose lanes a page can show apart (one lane per "
            f"patient would be thinner than a hairline).",)) if omitted else table)
    if "response" in shown:
        tables.append(build_response_table(ard, options))
    if "survival" in shown and (ard["analysis"] == Analysis.SURVIVAL).any():
        tables.append(build_survival_table(ard, options))
    for endpoint in analysis.subgroups if "subgroups" in shown else ():
        tables.append(build_subgroup_table(ard, endpoint, options))
    if "survival" in shown:  # competing risks, RMST, landmark and time-varying analyses
        tables += build_competing_tables(analysis, options)
        rmst = build_rmst_table(ard, options)
        tables += [rmst] if rmst is not None else []
        tables += build_landmark_tables(analysis, options)
        tables += build_time_varying_tables(analysis, options)
        tables += build_comparison_tables(analysis, options)
        tables += build_external_tables(analysis, options)
    if "safety" in shown:
        tables.append(build_safety_overview_table(ard, options))
        tables.append(build_safety_table(ard, options))
    return tables


def forest_rows(ard: pd.DataFrame, endpoint: str, options: ReportOptions,
                analysis: str = Analysis.COX_UNIVARIABLE) -> pd.DataFrame:
    """Forest-plot rows of one endpoint's Cox model (``analysis``: univariable or
    multivariable), from the ARD: a heading row per variable (NaN hr), then its levels in
    order, the reference level marked (``reference``) and the others with their hazard ratio
    (``label``, ``hr``, ``lower``, ``upper``, ``p``). ``hr_text`` and ``p_text`` are what
    the plot prints, in the journal style of ``options``; ``n_text`` the patients/events of
    the level (``"30/17"``, small counts as ``<k``) for the univariable models, whose
    patients are those of the level (the multivariable model's are its complete cases). A
    level whose hazard ratio is not estimable has NaN ``hr`` and its reason in ``note``
    (printed as its ``hr_text``)."""
    a = ArdLookup(ard)
    k = options.small_cell_k
    rows = []
    for var in a.values("group_var", analysis=analysis, endpoint=endpoint, variable=Var.HR):
        with_hr = a.values("group_level", analysis=analysis, endpoint=endpoint, group_var=var,
                           variable=Var.HR)
        levels = [lv for lv in a.values("group_level", analysis=Analysis.SUBGROUP,
                                        endpoint=endpoint, group_var=var,
                                        variable=Var.PATIENTS, statistic=Stat.N) if lv]
        levels += [lv for lv in with_hr if lv not in levels]
        rows.append({"label": options.label(var), "hr": np.nan, "lower": np.nan,
                     "upper": np.nan, "p": np.nan, "reference": False, "n_text": ""})
        ref_done = False
        for level in levels:
            counts = {"analysis": Analysis.SUBGROUP, "endpoint": endpoint, "group_var": var,
                      "group_level": level, "statistic": Stat.N}
            n_text = ""
            if analysis == Analysis.COX_UNIVARIABLE and a.has(variable=Var.PATIENTS, **counts):
                n_text = "/".join(count_text(int(a.get(variable=v, **counts)), k)
                                  for v in (Var.PATIENTS, Var.EVENTS))
            if level not in with_hr:
                if ref_done:
                    continue  # a level the model could not estimate is not shown
                ref_done = True
                rows.append({"label": f"{level} (reference)", "hr": np.nan, "lower": np.nan,
                             "upper": np.nan, "p": np.nan, "reference": True,
                             "n_text": n_text})
                continue
            w = {"analysis": analysis, "endpoint": endpoint, "group_var": var,
                 "group_level": level, "variable": Var.HR}
            label = level if level else per_text(  # a continuous term
                a.get(analysis=Analysis.SUBGROUP, endpoint=endpoint, group_var=var,
                      variable=Var.HR, statistic=Stat.PER),
                options.display(var).unit, options.style).capitalize()
            why = not_estimable_reason(a, **w)
            if why is not None:  # no point drawn: the reason where the estimate would be
                rows.append({"label": label, "hr": np.nan, "lower": np.nan, "upper": np.nan,
                             "p": np.nan, "reference": False, "n_text": n_text,
                             "note": NOT_ESTIMABLE_SHORT[why]})
                continue
            rows.append({"label": label, "hr": a.get(statistic=Stat.HR, **w),
                         "lower": a.get(statistic=Stat.LOWER, **w),
                         "upper": a.get(statistic=Stat.UPPER, **w),
                         "p": a.get(statistic=Stat.P, **w), "reference": False,
                         "n_text": n_text, "note": ""})
    frame = pd.DataFrame(rows, columns=["label", "hr", "lower", "upper", "p", "reference",
                                        "n_text", "note"])
    frame["note"] = frame["note"].fillna("")
    st = options.style
    frame["hr_text"] = [fmt_est_ci(r.hr, r.lower, r.upper, digits=2, style=st)
                        if np.isfinite(r.hr) else r.note for r in frame.itertuples()]
    frame["p_text"] = [fmt_p(p, style=st) if np.isfinite(p) else "" for p in frame["p"]]
    return frame


def flowchart_rows(analysis: StudyAnalysis) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """The flowchart's counts after selection, from the ARD: the reasons for discontinuing
    treatment (``label``, ``n``; ``None`` without disposition rows) and the analysis sets
    of the sections analyzed (all patients analyzed, evaluable for response, responders, the
    safety population)."""
    a = ArdLookup(analysis.ard)
    shown = analysis.sections
    status = {"analysis": Analysis.DISPOSITION, "variable": Var.STATUS, "statistic": Stat.N}
    discontinued = None
    if a.has(category=Category.ON_TREATMENT, **status):
        reasons = [c for c in a.values("category", **status) if c != Category.ON_TREATMENT]
        # the most frequent first, "not recorded" last
        reasons.sort(key=lambda c: (c == Category.NOT_RECORDED, -a.get(category=c, **status)))
        discontinued = pd.DataFrame({
            "label": ["reason not recorded" if c == Category.NOT_RECORDED else c
                      for c in reasons],
            "n": [int(a.get(category=c, **status)) for c in reasons]})
    sets = [("analyzed", a.get(analysis=Analysis.POPULATION, variable=Var.PATIENTS,
                               statistic=Stat.N))]
    if "response" in shown and a.has(analysis=Analysis.RESPONSE, variable=Var.EVALUABLE,
                                     statistic=Stat.N):
        sets.append(("evaluable for response", a.get(
            analysis=Analysis.RESPONSE, variable=Var.EVALUABLE, statistic=Stat.N)))
        sets.append(("responders (complete or partial response)", a.get(
            analysis=Analysis.RESPONSE, variable=Var.ORR, statistic=Stat.N)))
    if "safety" in shown:
        safety = a.values("group_level", analysis=Analysis.SAFETY, variable=Var.PATIENTS,
                          statistic=Stat.N)
        if safety:
            sets.append(("in the safety analysis", a.get(
                analysis=Analysis.SAFETY, variable=Var.PATIENTS, statistic=Stat.N,
                group_var=Group.POPULATION, group_level=safety[0])))
    return discontinued, pd.DataFrame({"label": [s for s, _ in sets],
                                       "n": [int(n) for _, n in sets]})


def subgroup_annotation(ard: pd.DataFrame, endpoint: str, var: str, *,
                        style: HouseStyle = DEFAULT_STYLE, ci_label: str = "95% CI") -> str:
    """``"Log-rank p = 0.011\\nHR 1-2 vs 0 (95% CI): 1.59 (1.10-2.30)"`` from the ARD."""
    a = ArdLookup(ard)
    p = a.get(analysis=Analysis.SUBGROUP, endpoint=endpoint, group_var=var,
              variable=Var.LOGRANK, statistic=Stat.P, default=float("nan"))
    lines = [fmt_p_clause(p, style=style, name="Log-rank p") or "Log-rank p = NE"]
    levels = [lv for lv in a.values("group_level", analysis=Analysis.SUBGROUP, endpoint=endpoint,
                                    group_var=var, variable=Var.PATIENTS, statistic=Stat.N) if lv]
    ref = reference_level(a, endpoint, var, levels)
    for level in levels:
        w = {"analysis": Analysis.COX_UNIVARIABLE, "endpoint": endpoint, "group_var": var,
             "group_level": level, "variable": Var.HR}
        why = not_estimable_reason(a, **w) if level != ref else None
        if why is not None:
            lines.append(f"HR {level} vs {ref}: {NOT_ESTIMABLE_SHORT[why]}")
        elif level != ref and a.has(statistic=Stat.HR, **w):
            lines.append(f"HR {level} vs {ref} ({ci_label}): " + fmt_est_ci(
                a.get(statistic=Stat.HR, **w), a.get(statistic=Stat.LOWER, **w),
                a.get(statistic=Stat.UPPER, **w), digits=2, style=style))
    return "\n".join(lines)


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
    (:func:`report_figure_steps`) is cheap; drawing is matplotlib work, which
    :func:`~oncocohort.report.figures.render.render_figure_steps` does in the processes that
    render the files."""

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
                   + (f"s (one per variable)" if model == Analysis.COX_UNIVARIABLE else
                      f"{n_words} of the variables that passed the screen")
                   + f": squares, hazard ratio; lines, {ci} (log scale). A hazard ratio below 1 "
                   "is a lower hazard in the level shown than in its variable's reference "
                   "level.")
        if model == Analysis.COX_UNIVARIABLE:
            caption += " Patients/events: per level."
        out.append(FigureStep(name, lambda rows=rows, caption=caption:
                              (caption, compute_forest_figure(rows, ci_label=ci))))
    return out


def km_caption(a: ArdLookup, options: ReportOptions, *, landmarks: bool = True,
               **where: str) -> str:
    """What a Kaplan-Meier figure's caption states, from the ARD rows of ``where``: the events,
    the median with its confidence interval and (``landmarks``) each landmark rate with its
    interval, in the journal style of ``options``:
    ``"Median 11.1 months (95% CI 7.7-17.6); 12-month rate 48.5% (95% CI 37.4-58.8)."``"""
    st = options.style
    unit = options.conventions.time_unit
    label = f"{100 * float(options.conventions.conf_level):g}% CI"
    ci = st.ci_words(label)

    def interval(stat_where: dict, missing: tuple[str, str], digits: int = 1) -> str:
        lower, upper = (a.get(statistic=s, **stat_where) for s in (Stat.LOWER, Stat.UPPER))
        if lower != lower and upper != upper:  # a 100% survival before any event
            return f"({label} not estimable)"
        lo = fmt_num(a.get(statistic=Stat.LOWER, **stat_where), digits, missing=missing[0],
                     style=st)
        hi = fmt_num(a.get(statistic=Stat.UPPER, **stat_where), digits, missing=missing[1],
                     style=st)
        return f"({ci} {lo}{st.ci_sep}{hi})"

    med = {"variable": Var.MEDIAN, **where}
    est = a.get(statistic=Stat.MEDIAN, **med)
    limits = median_limits(a, **where)
    td = options.time_digits
    parts = [f"Median {fmt_num(est, td, style=st)} {unit} {interval(med, limits, td)}"
             if est == est else "Median not reached"]
    if landmarks:
        single = unit[:-1] if unit.endswith("s") else unit
        for t in a.values("category", variable=Var.LANDMARK, statistic=Stat.PCT, **where):
            lw = {"variable": Var.LANDMARK, "category": t, **where}
            pct = a.get(statistic=Stat.PCT, **lw)
            parts.append(f"{t}-{single} rate " + (
                "not estimable" if pct != pct else
                f"{fmt_num(pct, style=st)}% {interval(lw, ('NE', 'NE'))}"))
    return "; ".join(parts) + "."


def report_order(tables: Sequence[str], figures: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The report's order of tables and figures, ``("table" | "figure", name)``: flowchart
    first, then each table followed by its figures (swimmer after exposure, waterfall after
    response, Kaplan-Meier curves after the survival table, subgroup curves and forest plot
    after that endpoint's Table 2); figures without an anchor at the end."""
    def anchor(fig: str) -> str:
        if comparison_anchor(fig) is not None:
            return comparison_anchor(fig)
        if external_anchor(fig) is not None:
            return external_anchor(fig)
        if fig in _AFTER:
            return _AFTER[fig]
        for prefix, table in (("cif_", "competing_"), ("landmark_", "landmark_"),
                              ("simonmakuch_", "time_varying_")):
            # a figure of builders_cr after its table (the endpoint's; landmark_os3 -> the
            # first landmark table of os)
            if fig.startswith(prefix):
                rest = fig.removeprefix(prefix)
                hits = [t for t in tables if t.startswith(table) and (
                    t == table + rest or rest.startswith(t.removeprefix(table).split("_")[0]))]
                return hits[0] if hits else "survival"
        if fig.startswith("forest_") or fig.count("_") >= 2:
            return "subgroups_" + fig.split("_")[1]
        return "survival"

    out: list[tuple[str, str]] = []
    figs = [f for f in figures if f != "flowchart"]
    if "flowchart" in figures:
        out.append(("figure", "flowchart"))
    for t in tables:
        out.append(("table", t))
        out += [("figure", f) for f in figs if anchor(f) == t]
    placed = {n for k, n in out if k == "figure"}
    out += [("figure", f) for f in figs if f not in placed]
    return tuple(out)


_AFTER = {"flowchart": "baseline", "waterfall": "response", "swimmer": "exposure"}


def number_report(tables: Sequence[DisplayTable], figures: Sequence[ReportFigure],
                  order: Sequence[tuple[str, str]]
                  ) -> tuple[tuple[DisplayTable, ...], tuple[ReportFigure, ...]]:
    """Every table and figure numbered once, in the order the report shows them (``order``):
    ``label`` "Table 1", "Table 2", ... and "Figure 1", ...; tables and figures keep their
    order."""
    numbers: dict[tuple[str, str], str] = {}
    for kind, name in order:
        count = sum(1 for k in numbers if k[0] == kind) + 1
        numbers[(kind, name)] = f"{kind.capitalize()} {count}"
    return (tuple(replace(t, label=numbers[("table", t.name)]) for t in tables),
            tuple(replace(f, label=numbers[("figure", f.name)]) for f in figures))
