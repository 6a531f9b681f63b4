"""The report's tables from a :class:`~oncocohort.analysis.study.StudyAnalysis` (from the ARD
only), what its figures print that the tables also need, and the report's order and numbering
of tables and figures. The figures themselves are listed and drawn by :mod:`.figure_steps`, in
the processes that render them (:mod:`.figure_workers`): nothing here imports matplotlib's
drawing modules, so the process that writes the tables never loads them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

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
from oncocohort.report.builders_cmp import build_comparison_tables, comparison_anchor
from oncocohort.report.builders_cr import (
    build_competing_tables,
    build_landmark_tables,
    build_rmst_table,
    build_time_varying_tables,
)
from oncocohort.report.builders_ext import build_external_tables, external_anchor
from oncocohort.report.builders_survival import (
    build_subgroup_table,
    build_survival_table,
    median_limits,
    not_estimable_reason,
    per_text,
    reference_level,
)
from oncocohort.report.figures.sizes import MAX_SWIMMER_PATIENTS, FigureColumn
from oncocohort.report.format import (
    DEFAULT_STYLE,
    HouseStyle,
    count_text,
    fmt_ci,
    fmt_est_ci,
    fmt_num,
    fmt_p,
    fmt_p_clause,
)
from oncocohort.report.options import ReportOptions
from oncocohort.report.tables import DisplayTable
from oncocohort.report.wording import NOT_ESTIMABLE_SHORT, ci_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ReportFigure", "build_report_tables", "swimmer_omitted", "forest_rows",
           "flowchart_rows", "km_caption", "subgroup_annotation", "report_order",
           "number_report"]


@dataclass(frozen=True)
class ReportFigure:
    """A figure of the report: file stem, caption, the figure and what its builder drew (the
    numbers it printed: a :data:`~oncocohort.report.figure_steps.DrawnFigure`; both ``None``
    where the figure is drawn in another process, which gave the caption); ``label`` is its
    number as the report cites it ("Figure 3", given by :func:`number_report`), ``column``
    the width it is drawn for and placed at (a journal's single or double column,
    :data:`~oncocohort.report.figures.sizes.COLUMN_MM`)."""

    name: str
    caption: str
    figure: Figure | None
    drawn: object | None
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


def km_caption(a: ArdLookup, options: ReportOptions, *, landmarks: bool = True,
               **where: str) -> str:
    """What a Kaplan-Meier figure's caption states, from the ARD rows of ``where``: the events,
    the median with its confidence interval and (``landmarks``) each landmark rate with its
    interval, in the journal style of ``options``:
    ``"Median 11.1 months (95% CI 7.7-17.6); 12-month rate 48.5% (95% CI 37.4-58.8)."``"""
    st = options.style
    unit = options.conventions.time_unit

    def interval(stat_where: dict, missing: tuple[str, str], digits: int = 1) -> str:
        return fmt_ci(a.get(statistic=Stat.LOWER, **stat_where),
                      a.get(statistic=Stat.UPPER, **stat_where), ci_label(options), digits,
                      style=st, limits=missing)

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
