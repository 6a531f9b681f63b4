"""Survival summary and subgroup (Table 2) display tables, from the ARD only."""

from __future__ import annotations

import pandas as pd

from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.builders import _Counts, _finish
from oncocohort.report.builders_cr import rmst_survival_rows
from oncocohort.report.format import fmt_est_ci, fmt_median_range, fmt_num, fmt_p
from oncocohort.report.options import ReportOptions
from oncocohort.report.tables import DisplayTable
from oncocohort.report.wording import (
    ci_label,
    convention_footnotes,
    follow_up_footnotes,
    suppression_footnote,
)

__all__ = ["build_survival_table", "build_subgroup_table", "median_text"]


def median_text(a: ArdLookup, options: ReportOptions, **where: str) -> str:
    """``"5.5 (4.1-6.9)"`` with ``NR`` for a median or bound not reached, in the journal style
    of ``options``."""
    w = {"variable": Var.MEDIAN, **where}
    return fmt_est_ci(a.get(statistic=Stat.MEDIAN, **w), a.get(statistic=Stat.LOWER, **w),
                      a.get(statistic=Stat.UPPER, **w), missing="NR", style=options.style)


def build_survival_table(ard: pd.DataFrame, options: ReportOptions) -> DisplayTable:
    """One column per endpoint: patients, events (maturity), median (CI), landmark rates (CI);
    for the overall-survival endpoint the median observation time (range) and the median
    follow-up by the reverse Kaplan-Meier method (CI), each labelled (blank for the others)."""
    a = ArdLookup(ard)
    k = options.small_cell_k
    endpoints = a.values("endpoint", analysis=Analysis.SURVIVAL)
    ci = ci_label(options)
    unit = options.conventions.time_unit
    cells = _Counts(k, options.style)
    rows: list[list] = [["Patients"], ["Events (maturity, %)"], [f"Median, {unit} ({ci})"]]
    landmarks = a.values("category", analysis=Analysis.SURVIVAL, variable=Var.LANDMARK)
    rows += [[f"{t}-{unit[:-1] if unit.endswith('s') else unit} rate, % ({ci})"]
             for t in landmarks]
    with_fu = [ep for ep in endpoints if a.has(analysis=Analysis.SURVIVAL, endpoint=ep,
                                               variable=Var.FOLLOW_UP, statistic=Stat.MEDIAN)]
    if with_fu:
        rows += [[f"Median observation time, {unit} (range)"],
                 [f"Median follow-up, reverse Kaplan-Meier, {unit} ({ci})"]]
    for ep in endpoints:
        w = {"analysis": Analysis.SURVIVAL, "endpoint": ep}
        n = a.get(variable=Var.PATIENTS, statistic=Stat.N, **w)
        d = a.get(variable=Var.EVENTS, statistic=Stat.N, **w)
        rows[0].append(cells.add(n))
        rows[1].append(cells.add(d, a.get(variable=Var.MATURITY, statistic=Stat.PCT, **w)))
        rows[2].append(median_text(a, options, **w))
        for j, t in enumerate(landmarks):
            lw = {"variable": Var.LANDMARK, "category": t, **w}
            rows[3 + j].append(fmt_est_ci(a.get(statistic=Stat.PCT, **lw),
                                          a.get(statistic=Stat.LOWER, **lw),
                                          a.get(statistic=Stat.UPPER, **lw),
                                          style=options.style))
        if not with_fu:
            continue
        if ep not in with_fu:  # follow-up is a property of the study, given once (OS)
            rows[-2].append("")
            rows[-1].append("")
            continue
        ow = {"variable": Var.OBSERVATION_TIME, **w}
        rows[-2].append(fmt_median_range(a.get(statistic=Stat.MEDIAN, **ow),
                                         a.get(statistic=Stat.MIN, **ow),
                                         a.get(statistic=Stat.MAX, **ow), style=options.style))
        fw = {"variable": Var.FOLLOW_UP, **w}
        rows[-1].append(fmt_est_ci(a.get(statistic=Stat.MEDIAN, **fw),
                                   a.get(statistic=Stat.LOWER, **fw),
                                   a.get(statistic=Stat.UPPER, **fw), missing="NR",
                                   style=options.style))
    rmst_rows, rmst_notes = rmst_survival_rows(ard, options, endpoints)
    rows += rmst_rows
    body = _finish(rows, cells)
    body = tuple((r[0], *(("" if isinstance(c, float) else c) for c in r[1:])) for r in body)
    notes = convention_footnotes(options, "km", "time") + rmst_notes
    if with_fu:
        notes += follow_up_footnotes(options)
    return DisplayTable(
        "survival", "Time-to-event outcomes", ("", *(options.label(e) for e in endpoints)),
        body, notes + suppression_footnote(options, cells.used))


def build_subgroup_table(ard: pd.DataFrame, endpoint: str,
                         options: ReportOptions) -> DisplayTable:
    """Table 2 for one endpoint: per variable and level the patients, median (CI), log-rank p,
    univariable HR (CI) and p, and multivariable HR (CI) and p for variables that passed the
    screen (``1 (reference)`` on the reference level)."""
    a = ArdLookup(ard)
    k = options.small_cell_k
    ci = ci_label(options)
    unit = options.conventions.time_unit
    cells = _Counts(k, options.style)
    rows: list[list] = []
    sub = {"analysis": Analysis.SUBGROUP, "endpoint": endpoint}
    for var in a.values("group_var", **sub):
        rows.append([f"## {options.label(var)}"] + [""] * 7)
        levels = [lv for lv in a.values("group_level", group_var=var, variable=Var.PATIENTS,
                                        statistic=Stat.N, **sub) if lv]
        selected = a.get(analysis=Analysis.COX_MULTIVARIABLE, endpoint=endpoint, group_var=var,
                         variable=Var.SCREEN, statistic=Stat.SELECTED) == 1
        # no log-rank test for a variable observed at one level only
        lr_p = fmt_p(a.get(group_var=var, variable=Var.LOGRANK, statistic=Stat.P,
                           default=float("nan"), **sub), style=options.style)
        idx = []
        for j, level in enumerate(levels):
            lw = {"group_var": var, "group_level": level, **sub}
            i = cells.add(a.get(variable=Var.PATIENTS, statistic=Stat.N, **lw))
            idx.append(i)
            row = [f"  {level}", i, median_text(a, options, **lw), lr_p if j == 0 else ""]
            for analysis in (Analysis.COX_UNIVARIABLE, Analysis.COX_MULTIVARIABLE):
                hw = {"analysis": analysis, "endpoint": endpoint, "group_var": var,
                      "group_level": level, "variable": Var.HR}
                if analysis == Analysis.COX_MULTIVARIABLE and not selected:
                    row += ["", ""]
                elif j == 0:
                    row += ["1 (reference)", ""]
                else:
                    row += [fmt_est_ci(a.get(statistic=Stat.HR, **hw),
                                       a.get(statistic=Stat.LOWER, **hw),
                                       a.get(statistic=Stat.UPPER, **hw), digits=2,
                                       style=options.style),
                            fmt_p(a.get(statistic=Stat.P, **hw), style=options.style)]
            rows.append(row)
        cells.block(idx)
    body = tuple((r[0], *(cells.text(c, with_pct=False) if isinstance(c, int) else c
                          for c in r[1:])) for r in rows)
    title = options.label(endpoint)
    return DisplayTable(
        f"subgroups_{endpoint}", f"{title} by baseline characteristics",
        ("Characteristic", "Patients", f"Median, {unit} ({ci})", "Log-rank p",
         f"HR ({ci})", "p", f"Multivariable HR ({ci})", "p"), body,
        convention_footnotes(options, "cox", "km") + suppression_footnote(options, cells.used))
