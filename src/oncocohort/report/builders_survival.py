"""Survival summary and subgroup (Table 2) display tables, from the ARD only."""

from __future__ import annotations

import pandas as pd

from oncocohort.analysis.keys import Analysis, Method, Stat, Var
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.builders import _Counts, _finish
from oncocohort.report.builders_cr import rmst_survival_rows
from oncocohort.report.format import (HouseStyle, fmt_est_ci, fmt_median_range, fmt_num, fmt_p,
                                      fmt_p_clause)
from oncocohort.report.options import ReportOptions
from oncocohort.report.tables import DisplayTable, Spanner
from oncocohort.report.wording import (
    SCREEN_TEST_NAMES,
    ci_label,
    convention_footnotes,
    follow_up_footnotes,
    in_prose,
    km_abbreviation_footnotes,
    not_estimable_footnotes,
    suppression_footnote,
)

__all__ = ["build_survival_table", "build_subgroup_table", "median_limits", "median_text",
           "not_estimable_reason", "per_text", "reference_level"]


def median_limits(a: ArdLookup, **where: str) -> tuple[str, str]:
    """How each missing limit of a median's interval prints: ``NE`` (not estimable) when the
    ARD row says its band is undefined where the curve has fallen to 0.5 (a level of one
    patient, a curve falling to 0), else ``NR`` (the band does not fall to 0.5: not
    reached)."""
    w = {"variable": Var.MEDIAN, **where}
    return tuple(  # type: ignore[return-value]
        "NE" if a.method(statistic=s, **w) == Method.LIMIT_NOT_ESTIMABLE else "NR"
        for s in (Stat.LOWER, Stat.UPPER))


def median_text(a: ArdLookup, options: ReportOptions, **where: str) -> str:
    """``"5.5 (4.1-6.9)"`` with ``NR`` for a median or bound not reached and ``NE`` for a
    bound not estimable (:func:`median_limits`), in the journal style of ``options``."""
    w = {"variable": Var.MEDIAN, **where}
    return fmt_est_ci(a.get(statistic=Stat.MEDIAN, **w), a.get(statistic=Stat.LOWER, **w),
                      a.get(statistic=Stat.UPPER, **w), options.time_digits, missing="NR",
                      style=options.style, limits=median_limits(a, **where))


def build_survival_table(ard: pd.DataFrame, options: ReportOptions) -> DisplayTable:
    """One column per endpoint: patients, events (maturity), median (CI), landmark rates (CI);
    for the overall-survival endpoint the median observation time (range) and the median
    follow-up by the reverse Kaplan-Meier method (CI), each labeled (blank for the others)."""
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
    ne_reasons: list[str] = []
    for ep in endpoints:
        w = {"analysis": Analysis.SURVIVAL, "endpoint": ep}
        n = a.get(variable=Var.PATIENTS, statistic=Stat.N, **w)
        d = a.get(variable=Var.EVENTS, statistic=Stat.N, **w)
        rows[0].append(cells.add(n))
        rows[1].append(cells.add(d, a.get(variable=Var.MATURITY, statistic=Stat.PCT, **w)))
        rows[2].append(median_text(a, options, **w))
        if "NE" in median_limits(a, **w):
            ne_reasons.append("median_limit")
        for j, t in enumerate(landmarks):
            lw = {"variable": Var.LANDMARK, "category": t, **w}
            if a.get(statistic=Stat.PCT, **lw) != a.get(statistic=Stat.PCT, **lw):
                ne_reasons.append("after_end")
            elif all(a.get(statistic=s, **lw) != a.get(statistic=s, **lw)
                     for s in (Stat.LOWER, Stat.UPPER)):
                ne_reasons.append("no_event")
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
                                         a.get(statistic=Stat.MAX, **ow), options.time_digits,
                                         style=options.style))
        fw = {"variable": Var.FOLLOW_UP, **w}
        rows[-1].append(fmt_est_ci(a.get(statistic=Stat.MEDIAN, **fw),
                                   a.get(statistic=Stat.LOWER, **fw),
                                   a.get(statistic=Stat.UPPER, **fw), options.time_digits,
                                   missing="NR", style=options.style))
    rmst_rows, rmst_notes = rmst_survival_rows(ard, options, endpoints)
    rows += rmst_rows
    body = _finish(rows, cells)
    body = tuple((r[0], *(("" if isinstance(c, float) else c) for c in r[1:])) for r in body)
    notes = (convention_footnotes(options, "km", "time")
             + km_abbreviation_footnotes([c for r in body for c in r[1:]],
                                         sorted(set(ne_reasons), key=ne_reasons.index))
             + rmst_notes)
    if with_fu:
        notes += follow_up_footnotes(options)
    return DisplayTable(
        "survival", "Time-to-event outcomes", ("", *(options.label(e) for e in endpoints)),
        body, notes + suppression_footnote(options, cells.used))


_DAGGER = "\u2020"  # marks a factor's global p, printed on its reference level


def not_estimable_reason(a: ArdLookup, **where: str) -> str | None:
    """The reason a hazard ratio is not estimable (its ``not_estimable`` row), or ``None``."""
    found = a.values("category", statistic=Stat.NOT_ESTIMABLE, **where)
    return found[0] if found else None


def _not_estimable_shown(a: ArdLookup, endpoint: str) -> list[str]:
    """The reasons of the NE cells Table 2 prints: every univariable one, and the
    multivariable ones (the model's rows exist only for the variables it holds)."""
    return [r for analysis in (Analysis.COX_UNIVARIABLE, Analysis.COX_MULTIVARIABLE)
            for r in a.values("category", analysis=analysis, endpoint=endpoint,
                              variable=Var.HR, statistic=Stat.NOT_ESTIMABLE)]


def _cox_cells(a: ArdLookup, options: ReportOptions, analysis: str, endpoint: str, var: str,
               level: str, first: bool, n_levels: int) -> list[str]:
    """HR (CI) and p of one level in one model (``level`` ``""``: a continuous term); on the
    reference level (``first``) ``1 (reference)`` and, for a factor of 3 or more levels, its
    global Wald p marked with a dagger."""
    st = options.style
    if first:
        glob = a.get(analysis=analysis, endpoint=endpoint, group_var=var,
                     variable=Var.GLOBAL_WALD, statistic=Stat.P, default=float("nan"))
        p = fmt_p(glob, style=st) + _DAGGER if n_levels >= 3 and glob == glob else ""
        return ["1 (reference)", p]
    hw = {"analysis": analysis, "endpoint": endpoint, "group_var": var, "group_level": level,
          "variable": Var.HR}
    if not a.has(statistic=Stat.HR, **hw):  # a level the model could not estimate
        return ["NE", ""]
    return [fmt_est_ci(a.get(statistic=Stat.HR, **hw), a.get(statistic=Stat.LOWER, **hw),
                       a.get(statistic=Stat.UPPER, **hw), digits=2, style=st),
            fmt_p(a.get(statistic=Stat.P, **hw), style=st)]


def _multivariable_fitted(a: ArdLookup, endpoint: str) -> bool:
    return a.has(analysis=Analysis.COX_MULTIVARIABLE, endpoint=endpoint,
                 variable=Var.PATIENTS, statistic=Stat.N)


def _screened_in(a: ArdLookup, endpoint: str) -> list[str]:
    """The variables that passed the screen (the multivariable model's when it was fitted)."""
    w = {"analysis": Analysis.COX_MULTIVARIABLE, "endpoint": endpoint,
         "variable": Var.SCREEN, "statistic": Stat.SELECTED}
    return [v for v in a.values("group_var", **w) if a.get(group_var=v, **w) == 1]


_NO_MODEL = "\u2014"  # the multivariable cells of a variable screened in alone: no model


def _variable_rows(a: ArdLookup, cells: _Counts, options: ReportOptions, endpoint: str,
                   var: str) -> tuple[list[list], int]:
    """A variable's heading and level rows, and its number of levels."""
    sub = {"analysis": Analysis.SUBGROUP, "endpoint": endpoint}
    rows: list[list] = [[f"## {options.label(var)}"] + [""] * 8]
    levels = [lv for lv in a.values("group_level", group_var=var, variable=Var.PATIENTS,
                                    statistic=Stat.N, **sub) if lv]
    selected = a.get(analysis=Analysis.COX_MULTIVARIABLE, endpoint=endpoint, group_var=var,
                     variable=Var.SCREEN, statistic=Stat.SELECTED) == 1
    # screened in alone, no multivariable model: its cells say so (a footnote says why)
    no_model = [_NO_MODEL, ""] if selected and not _multivariable_fitted(a, endpoint) else None
    if a.has(group_var=var, variable=Var.HR, statistic=Stat.PER, **sub):  # continuous
        per = a.get(group_var=var, variable=Var.HR, statistic=Stat.PER, **sub)
        w = {"group_var": var, "statistic": Stat.N, **sub}
        row = [f"  {per_text(per, options.display(var).unit, options.style).capitalize()}",
               cells.add(a.get(variable=Var.PATIENTS, **w)),
               cells.add(a.get(variable=Var.EVENTS, **w)), "", ""]
        row += _cox_cells(a, options, Analysis.COX_UNIVARIABLE, endpoint, var, "", False, 1)
        row += (no_model or _cox_cells(a, options, Analysis.COX_MULTIVARIABLE, endpoint, var,
                                       "", False, 1) if selected else ["", ""])
        rows.append(row)
        missing = a.get(group_var=var, variable=Var.PATIENTS, statistic=Stat.N_MISSING,
                        default=0.0, **sub)
        if missing > 0:
            rows.append(["  Missing (left out)", cells.add(missing)] + [""] * 7)
        return rows, 1
    ref = reference_level(a, endpoint, var, levels)
    # no log-rank test for a variable observed at one level only
    lr_p = fmt_p(a.get(group_var=var, variable=Var.LOGRANK, statistic=Stat.P,
                       default=float("nan"), **sub), style=options.style)
    n_idx, d_idx = [], []
    for j, level in enumerate(levels):
        lw = {"group_var": var, "group_level": level, **sub}
        n_idx.append(cells.add(a.get(variable=Var.PATIENTS, statistic=Stat.N, **lw)))
        d_idx.append(cells.add(a.get(variable=Var.EVENTS, statistic=Stat.N, **lw)))
        row = [f"  {level}", n_idx[-1], d_idx[-1], median_text(a, options, **lw),
               lr_p if j == 0 else ""]
        is_ref = level == ref if ref else j == 0
        row += _cox_cells(a, options, Analysis.COX_UNIVARIABLE, endpoint, var, level, is_ref,
                          len(levels))
        row += (no_model or _cox_cells(a, options, Analysis.COX_MULTIVARIABLE, endpoint, var,
                                       level, is_ref, len(levels)) if selected else ["", ""])
        rows.append(row)
    missing = a.get(group_var=var, variable=Var.PATIENTS, statistic=Stat.N_MISSING, default=0.0,
                    **sub)
    if missing > 0:
        n_idx.append(cells.add(missing))
        rows.append(["  Missing (left out)", n_idx[-1]] + [""] * 7)
    cells.block(n_idx)
    cells.block(d_idx)
    return rows, len(levels)


def _subgroup_footnotes(a: ArdLookup, options: ReportOptions, endpoint: str,
                        n_levels_max: int) -> tuple[str, ...]:
    """The multivariable model's patients and events, the global test and the
    proportional-hazards check."""
    st = options.style
    m = {"analysis": Analysis.COX_MULTIVARIABLE, "endpoint": endpoint}
    n_all = a.get(analysis=Analysis.SURVIVAL, endpoint=endpoint, variable=Var.PATIENTS,
                  statistic=Stat.N)
    notes = []
    if n_levels_max >= 3:
        notes.append(f"{_DAGGER} Global p of a factor with three or more levels (all its "
                     f"levels jointly; Wald test), on its reference level.")
    screened = _screened_in(a, endpoint)
    if not _multivariable_fitted(a, endpoint) and a.values(
            "group_var", variable=Var.SCREEN, statistic=Stat.SELECTED, **m):
        rule = (f"univariable p < {st.mark(str(options.screen.threshold))}, "
                f"{SCREEN_TEST_NAMES[options.screen.p_from]} test")
        who = (f"Only {in_prose(options.label(screened[0]))} met" if screened
               else "No variable met")
        notes.append(f"{_NO_MODEL + ' ' if screened else ''}{who} the screening threshold "
                     f"({rule}); no multivariable model was fitted.")
        u = {"analysis": Analysis.COX_UNIVARIABLE, "endpoint": endpoint,
             "variable": Var.PH_TEST, "statistic": Stat.P}
        for v in screened:
            if a.has(group_var=v, **u):
                notes.append(f"Proportional hazards in the univariable model of "
                             f"{in_prose(options.label(v))} (scaled Schoenfeld residuals "
                             f"against the Kaplan-Meier transform of time, as R cox.zph): "
                             f"{fmt_p_clause(a.get(group_var=v, **u), style=st)}.")
    if a.has(variable=Var.PATIENTS, statistic=Stat.N, **m):
        n = a.get(variable=Var.PATIENTS, statistic=Stat.N, **m)
        left = a.get(variable=Var.PATIENTS, statistic=Stat.N_MISSING, **m)
        events = a.get(variable=Var.EVENTS, statistic=Stat.N, **m)
        notes.append(f"Multivariable model: {fmt_num(n, 0)} of {fmt_num(n_all, 0)} patients "
                     f"with every variable of the model recorded (complete cases; "
                     f"{fmt_num(left, 0)} left out for a missing value), {fmt_num(events, 0)} "
                     f"events; adjusted HR: hazard ratio adjusted for the other variables "
                     f"of the model.")
        if a.has(variable=Var.PH_TEST, statistic=Stat.P, **m):
            terms = [v for v in a.values("group_var", variable=Var.PH_TEST, statistic=Stat.P,
                                         **m) if v]
            per = "; ".join(f"{in_prose(options.label(v))} " + fmt_p_clause(
                a.get(group_var=v, variable=Var.PH_TEST, statistic=Stat.P, **m), style=st)
                for v in terms)
            glob = fmt_p_clause(a.get(variable=Var.PH_TEST, statistic=Stat.P, **m), style=st,
                                name="global p")
            notes.append(f"Proportional hazards in the multivariable model (scaled Schoenfeld "
                         f"residuals against the Kaplan-Meier transform of time, as R "
                         f"cox.zph): {glob}; {per}.")
    return tuple(notes)


def per_text(per: float, unit: str, style: HouseStyle) -> str:
    """``"per 10 years"``, ``"per year"``, ``"per 10 units"``: the units of a continuous Cox
    term's hazard ratio."""
    unit = unit or "units"
    if per == 1:
        return f"per {unit[:-1] if unit.endswith('s') else unit}"
    return f"per {style.mark(f'{per:g}')} {unit}"


def reference_level(a: ArdLookup, endpoint: str, var: str, levels: list[str]) -> str:
    """The reference level of a variable's Cox terms: the level with no hazard ratio in the
    univariable model (``""`` when there is no model)."""
    w = {"analysis": Analysis.COX_UNIVARIABLE, "endpoint": endpoint, "group_var": var,
         "variable": Var.HR, "statistic": Stat.HR}
    if not any(a.has(group_level=lv, **w) for lv in levels):
        return ""
    return next((lv for lv in levels if not a.has(group_level=lv, **w)), "")


def build_subgroup_table(ard: pd.DataFrame, endpoint: str,
                         options: ReportOptions) -> DisplayTable:
    """Table 2 for one endpoint: per variable and level the patients, events, median (CI),
    log-rank p, then under the spanners "Univariable" and "Multivariable" the Cox HR (CI) and
    p (``1 (reference)`` on the reference level, with the global p of a factor of 3 or more
    levels), the multivariable columns for variables that passed the screen; a "Missing" row
    when patients were left out; ``NE`` for a hazard ratio that is not estimable. Footnotes:
    the multivariable model's patients and events, its proportional-hazards check, and why
    each NE is not estimable. A continuous variable has one row, its hazard ratio per its
    units (``per 10 years``)."""
    a = ArdLookup(ard)
    k = options.small_cell_k
    ci = ci_label(options)
    unit = options.conventions.time_unit
    cells = _Counts(k, options.style)
    rows: list[list] = []
    reasons: list[str] = []
    sub = {"analysis": Analysis.SUBGROUP, "endpoint": endpoint}
    n_levels_max = 0
    for var in a.values("group_var", **sub):
        more, n_levels = _variable_rows(a, cells, options, endpoint, var)
        n_levels_max = max(n_levels_max, n_levels)
        rows += more
    body = tuple((r[0], *(cells.text(c, with_pct=False) if isinstance(c, int) else c
                          for c in r[1:])) for r in rows)
    title = options.label(endpoint)
    return DisplayTable(
        f"subgroups_{endpoint}", f"{title} by baseline characteristics",
        ("Characteristic", "Patients", "Events", f"Median, {unit} ({ci})", "Log-rank p",
         f"HR ({ci})", "p", f"Adjusted HR ({ci})", "Adjusted p"), body,
        convention_footnotes(options, "cox", "km", per_units=any(
            a.has(group_var=var, variable=Var.HR, statistic=Stat.PER, **sub)
            for var in a.values("group_var", **sub)))
        + km_abbreviation_footnotes([r[3] for r in body],
                                    ["median_limit"] if any("NE" in r[3] for r in body) else [])
        + _subgroup_footnotes(a, options, endpoint, n_levels_max)
        + not_estimable_footnotes(_not_estimable_shown(a, endpoint))
        + suppression_footnote(options, cells.used),
        spanners=(Spanner("Univariable", 5, 7), Spanner("Multivariable", 7, 9)))
