"""Display tables, figures and methods text of the competing-risk, RMST, landmark and
time-varying analyses, from the ARD (the figures draw their curves from the fits the analysis
keeps, and print the ARD's numbers).

Tables: per competing-risk endpoint the cumulative incidence of the event and of the
competing event at the landmark times, the restricted mean time lost, Gray's test and the
Fine-Gray subdistribution hazard ratios by subgroup; restricted mean survival time by
subgroup with the difference and ratio against the reference level; one table per landmark
analysis; one per time-varying analysis. Each footnote says which variance, which tau and
why, which landmark and why.
"""

from __future__ import annotations

import math

import pandas as pd

from oncocohort.analysis.competing import CompetingResult
from oncocohort.analysis.keys import Analysis, Stat, Var, landmark_at_risk_category
from oncocohort.analysis.study import StudyAnalysis
from oncocohort.analysis.survival import landmark_text
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.builders import _Counts, _finish
from oncocohort.report.figures.cif import CifCurve, CifFigure, compute_cif_figure
from oncocohort.report.figures.km import KmCurve, KmFigure, compute_km_figure
from oncocohort.report.format import fmt_count, fmt_est_ci, fmt_num, fmt_p, fmt_p_clause
from oncocohort.report.options import ReportOptions
from oncocohort.report.tables import DisplayTable
from oncocohort.report.wording import (
    COX_TIES_NAMES,
    ci_label,
    competing_names,
    in_prose,
    sentence_case,
    status_group,
    suppression_footnote,
)

__all__ = ["build_competing_tables", "build_rmst_table", "build_landmark_tables",
           "build_time_varying_tables", "build_cr_figures", "cr_methods", "rmst_survival_rows"]

_CR = Analysis.COMPETING_RISKS


def _unit1(unit: str) -> str:
    return unit[:-1] if unit.endswith("s") else unit


def _ci(a: ArdLookup, options: ReportOptions, est: str = Stat.PCT, digits: int = 1,
        **w: str) -> str:
    return fmt_est_ci(a.get(statistic=est, **w), a.get(statistic=Stat.LOWER, **w),
                      a.get(statistic=Stat.UPPER, **w), digits=digits, style=options.style)


def build_competing_tables(analysis: StudyAnalysis, options: ReportOptions
                           ) -> list[DisplayTable]:
    """Per competing-risk endpoint: the incidence table (overall and by subgroup level, with
    Gray's p) and the Fine-Gray table."""
    a = ArdLookup(analysis.ard)
    ci = ci_label(options)
    unit = options.conventions.time_unit
    out = []
    for ep in analysis.competing:
        label = options.label(ep)
        event, competing = competing_names(options, ep)
        cells = _Counts(options.small_cell_k, options.style)
        base = {"analysis": _CR, "endpoint": ep}
        times = a.values("category", variable=Var.CIF_EVENT, statistic=Stat.PCT, group_var="",
                         **base)
        header = ("", "Patients", "Events", "Competing events",
                  *(f"{t}-{_unit1(unit)} incidence of {event}, % ({ci})" for t in times),
                  *(f"{t}-{_unit1(unit)} incidence of {competing}, % ({ci})"
                    for t in times), "Gray's test p")
        rows: list[list] = []

        def line(name: str, gray: str, **w: str) -> list:
            return [name, cells.add(a.get(variable=Var.PATIENTS, statistic=Stat.N, **w)),
                    cells.add(a.get(variable=Var.EVENTS, statistic=Stat.N, **w)),
                    cells.add(a.get(variable=Var.COMPETING_EVENTS, statistic=Stat.N, **w)),
                    *(_ci(a, options, variable=Var.CIF_EVENT, category=t, **w) for t in times),
                    *(_ci(a, options, variable=Var.CIF_COMPETING, category=t, **w)
                      for t in times), gray]

        rows.append(line("All patients", "", **base))
        for var in a.values("group_var", **base):
            if not var:
                continue
            p = a.get(variable=Var.GRAY, statistic=Stat.P, group_var=var, default=float("nan"),
                      **base)
            rows.append([f"## {options.label(var)}"])
            levels = a.values("group_level", variable=Var.PATIENTS, group_var=var, **base)
            for i, lv in enumerate(levels):
                rows.append(line(f"  {lv}", fmt_p(p, style=options.style) if i == 0 else "",
                                 group_var=var, group_level=lv, **base))
        body = _finish(rows, cells)
        body = tuple(r if len(r) == len(header) else (r[0], *[""] * (len(header) - 1))
                     for r in body)
        not_estimable = any(str(c).startswith("NE") for r in body for c in r[4:])
        notes = (
            f"Events: {event}; competing events: {competing}, which ends "
            f"{in_prose(label)} when it comes first. Cumulative incidence by the "
            "Aalen-Johansen estimator, which treats the competing event as an event, not as "
            "a censoring (1 − Kaplan-Meier would overstate the incidence); variance as R "
            f"cmprsk cuminc (Aalen type, with its correction for ties); {ci} on the "
            f"{options.conventions.km_conf_type} scale.",
            f"Gray's test (rho = 0) compares the cumulative incidence of {event} across the "
            "levels (R cmprsk cuminc $Tests).",
        ) + ((f"NE: not estimable, the time lies beyond the last follow-up (event or "
              f"censoring) of the patients of that row, where the incidence is not known.",)
             if not_estimable else ()) + suppression_footnote(options, cells.used)
        out.append(DisplayTable(f"competing_{ep}", f"{label}: cumulative incidence with "
                                "competing events", header, body, notes))
        fg = _fine_gray_table(a, ep, label, options)
        if fg is not None:
            out.append(fg)
    return out


def _fine_gray_table(a: ArdLookup, ep: str, label: str, options: ReportOptions
                     ) -> DisplayTable | None:
    w = {"analysis": Analysis.FINE_GRAY, "endpoint": ep}
    variables = a.values("group_var", **w)
    if not variables:
        return None
    ci = ci_label(options)
    rows = []
    for var in variables:
        rows.append((f"## {options.label(var)}", "", ""))
        fitted = a.values("group_level", group_var=var, **w)
        shown = [lv for lv in a.values("group_level", analysis=Analysis.COMPETING_RISKS,
                                       endpoint=ep, group_var=var) if lv] or fitted
        for lv in shown:  # every level in its order, the reference (no rows) said so
            v = {"variable": Var.SHR, "group_var": var, "group_level": lv, **w}
            rows.append((f"  {lv}", _ci(a, options, est=Stat.HR, digits=2, **v),
                         fmt_p(a.get(statistic=Stat.P, **v), style=options.style))
                        if lv in fitted else (f"  {lv}", "1 (reference)", ""))
    return DisplayTable(
        f"fine_gray_{ep}", f"{label}: univariable Fine-Gray subdistribution hazard ratios",
        ("", f"Subdistribution HR ({ci})", "p"), tuple(rows),
        ("Fine-Gray proportional subdistribution hazards model, one variable at a time, each "
         "level against the reference level (as in the Cox models); R cmprsk crr run to full "
         "convergence, Breslow ties, robust (sandwich) standard errors accounting for the "
         "estimated censoring weights; Wald intervals and p-values. A subdistribution hazard "
         "ratio describes the cumulative incidence, not the cause-specific hazard.",))


def rmst_survival_rows(ard: pd.DataFrame, options: ReportOptions, endpoints: list[str]
                       ) -> tuple[list[list[str]], tuple[str, ...]]:
    """Rows for the survival table (one per tau): the RMST (CI) of each endpoint column, or
    blank; and their footnote."""
    a = ArdLookup(ard)
    unit = options.conventions.time_unit
    ci = ci_label(options)
    taus = a.values("category", analysis=Analysis.RMST, variable=Var.RMST, group_var="")
    rows = []
    for tau in taus:
        row = [f"RMST to {tau} {unit}, {unit} ({ci})"]
        for ep in endpoints:
            w = {"analysis": Analysis.RMST, "endpoint": ep, "variable": Var.RMST,
                 "category": tau}
            row.append(_ci(a, options, est=Stat.ESTIMATE, digits=2, **w)
                       if a.has(statistic=Stat.ESTIMATE, **w) else "")
        rows.append(row)
    notes = (() if not taus else (
        "RMST: restricted mean survival time, the area under the Kaplan-Meier curve up to tau "
        "(the mean event-free time within tau); standard error by the delta method with "
        "Greenwood's variance (R survfit rmean), Wald interval. tau "
        f"({' and '.join(f'{t} {unit}' for t in taus)}) was chosen before the analysis, "
        "within the follow-up of every patient group.",))
    return rows, notes


def build_rmst_table(ard: pd.DataFrame, options: ReportOptions) -> DisplayTable | None:
    """Restricted mean survival time (or time lost) by subgroup level, with the difference
    and ratio against the reference level (survRM2 rmst2)."""
    a = ArdLookup(ard)
    base = {"analysis": Analysis.RMST}
    endpoints = a.values("endpoint", **base)
    if not endpoints:
        return None
    ci = ci_label(options)
    unit = options.conventions.time_unit
    rows: list[tuple[str, ...]] = []
    for ep in endpoints:
        w = {**base, "endpoint": ep}
        var_kind = Var.RMTL if a.has(variable=Var.RMTL, statistic=Stat.ESTIMATE, **w,
                                     category=a.values("category", **w)[0]) else Var.RMST
        what = (f"restricted mean time lost to {competing_names(options, ep)[0]}"
                if var_kind == Var.RMTL else "RMST")
        for tau in a.values("category", **w):
            rows.append((f"## {options.label(ep)}: {what} by {tau} {unit}", "", "", ""))
            overall = {**w, "variable": var_kind, "category": tau}
            rows.append(("All patients", _ci(a, options, est=Stat.ESTIMATE, digits=2,
                                             **overall), "", ""))
            for var in a.values("group_var", **overall):
                if not var:
                    continue
                rows.append((f"  {options.label(var)}", "", "", ""))
                for lv in a.values("group_level", group_var=var, **overall):
                    d = {**w, "variable": Var.RMST_DIFFERENCE, "category": tau,
                         "group_var": var, "group_level": lv}
                    r = {**d, "variable": Var.RMST_RATIO}
                    has = a.has(statistic=Stat.ESTIMATE, **d)
                    rows.append((
                        f"    {lv}", _ci(a, options, est=Stat.ESTIMATE, digits=2,
                                         **{**overall, "group_var": var, "group_level": lv}),
                        (_ci(a, options, est=Stat.ESTIMATE, digits=2, **d) + "; "
                         + fmt_p_clause(a.get(statistic=Stat.P, **d), style=options.style))
                        if has else "reference",
                        _ci(a, options, est=Stat.ESTIMATE, digits=2, **r) if has else ""))
    return DisplayTable(
        "rmst", "Restricted mean survival time by subgroup",
        ("", f"Restricted mean, {unit} ({ci})",
         f"Difference, level \u2212 reference, {unit} ({ci}); p",
         f"Ratio, level / reference ({ci})"), tuple(rows),
        ("Restricted mean survival time (RMST): the area under the Kaplan-Meier curve up to "
         "tau, delta-method (Greenwood) standard error, as R survfit rmean; for an endpoint "
         "with competing events the restricted mean time lost to the event, the area under "
         "its Aalen-Johansen cumulative incidence, with an infinitesimal-jackknife standard "
         "error. Difference (level minus reference) on the natural scale with "
         "se = √(se₁² + se₀²); ratio on the log scale by the delta method (survRM2 "
         "rmst2). tau was chosen before the analysis and lies within the follow-up of every "
         "level; the RMST does not assume proportional hazards.",))


def build_landmark_tables(analysis: StudyAnalysis, options: ReportOptions
                          ) -> list[DisplayTable]:
    a = ArdLookup(analysis.ard)
    ci = ci_label(options)
    unit = options.conventions.time_unit
    out = []
    for res in analysis.landmark_analyses:
        spec = res.spec
        label, status = options.label(spec.endpoint), options.label(spec.status)
        cells = _Counts(options.small_cell_k, options.style)
        rows: list[list] = []
        notes = []
        for at in spec.at:
            cat = fmt_num(at, digits=0 if float(at).is_integer() else 1, style=options.style)
            w = {"analysis": Analysis.LANDMARK_ANALYSIS, "endpoint": spec.endpoint,
                 "group_var": spec.status, "category": landmark_text(at)}
            if not a.has(variable=Var.EXCLUDED, statistic=Stat.N, **w):
                continue  # no patient at risk after this landmark (an analysis note says so)
            hr = {**w, "variable": Var.HR, "group_level": "Yes"}
            rows.append([f"## Landmark at {cat} {unit}"])
            for lv in ("No", "Yes"):
                g = {**w, "group_level": lv}
                if not a.has(variable=Var.PATIENTS, statistic=Stat.N, **g):
                    continue
                rows.append([f"  {status_group(status, lv)} by {cat} {unit}",
                             cells.add(a.get(variable=Var.PATIENTS, statistic=Stat.N, **g)),
                             cells.add(a.get(variable=Var.EVENTS, statistic=Stat.N, **g)),
                             fmt_est_ci(a.get(variable=Var.MEDIAN, statistic=Stat.MEDIAN, **g),
                                        a.get(variable=Var.MEDIAN, statistic=Stat.LOWER, **g),
                                        a.get(variable=Var.MEDIAN, statistic=Stat.UPPER, **g),
                                        options.time_digits, missing="NR", style=options.style),
                             ("1 (reference)" if lv == "No" else
                              _ci(a, options, est=Stat.HR, digits=2, **hr)
                              if a.has(statistic=Stat.HR, **hr) else ""),
                             fmt_p(a.get(variable=Var.LOGRANK, statistic=Stat.P,
                                         default=float("nan"), **w), style=options.style)
                             if lv == "No" else ""])
            excluded = a.get(variable=Var.EXCLUDED, statistic=Stat.N, **w)
            notes.append(f"Landmark at {cat} {unit}: {fmt_count(excluded, 'patient')} with the "
                         "event or censored by then "
                         f"{'is' if int(round(excluded)) == 1 else 'are'} left out.")
        body = _finish(rows, cells)
        body = tuple(r if len(r) == 6 else (r[0], "", "", "", "", "") for r in body)
        out.append(DisplayTable(
            f"landmark_{spec.endpoint}_{spec.status}",
            f"{label} by {in_prose(status)} at a landmark",
            ("", "Patients", "Events", f"Median from the landmark, {unit} ({ci})",
             f"HR ({ci})", "Log-rank p"), body,
            (f"Landmark analysis (Anderson, Cain & Gelber 1983): patients still at risk at the "
             f"landmark are grouped by {in_prose(status)} by then and followed from the "
             "landmark (the clock restarts there), so that no patient is credited with the "
             "time needed to acquire the status (guarantee-time bias). The landmark was chosen "
             "before the analysis. Kaplan-Meier medians; log-rank test; Cox hazard ratio "
             f"({COX_TIES_NAMES[options.conventions.cox_ties]} ties) of the patients with "
             f"{in_prose(status)} against those without.",
             *notes) + suppression_footnote(options, cells.used)))
    return out


def build_time_varying_tables(analysis: StudyAnalysis, options: ReportOptions
                              ) -> list[DisplayTable]:
    a = ArdLookup(analysis.ard)
    ci = ci_label(options)
    out = []
    for res in analysis.time_varying:
        spec = res.spec
        label, status = options.label(spec.endpoint), options.label(spec.status)
        w = {"analysis": Analysis.TIME_VARYING, "endpoint": spec.endpoint,
             "group_var": spec.status}
        hr = {**w, "variable": Var.HR, "group_level": "Yes"}
        mb = {**w, "variable": Var.MANTEL_BYAR}
        rows = [("Patients", fmt_num(a.get(variable=Var.PATIENTS, statistic=Stat.N, **w), 0)),
                (f"  with {in_prose(status)} during follow-up",
                 fmt_num(a.get(variable=Var.PATIENTS, statistic=Stat.N, group_level="Yes", **w),
                         0)),
                ("Events", fmt_num(a.get(variable=Var.EVENTS, statistic=Stat.N, **w), 0))]
        if a.has(statistic=Stat.HR, **hr):
            rows += [(f"HR of {in_prose(status)}, time-varying ({ci})",
                      _ci(a, options, est=Stat.HR, digits=2, **hr)),
                     ("  p (Wald)", fmt_p(a.get(statistic=Stat.P, **hr), style=options.style)),
                     ("Mantel-Byar test p", fmt_p(a.get(statistic=Stat.P, **mb),
                                                  style=options.style))]
        for t in a.values("category", variable=Var.LANDMARK, statistic=Stat.PCT, **w):
            for lv in ("No", "Yes"):
                g = {**w, "variable": Var.LANDMARK, "category": t, "group_level": lv}
                rows.append((f"Simon-Makuch {t}-{_unit1(options.conventions.time_unit)} "
                             f"estimate, {in_prose(status_group(status, lv))}, % ({ci})",
                             _ci(a, options, **g)))
        out.append(DisplayTable(
            f"time_varying_{spec.endpoint}_{spec.status}",
            f"{label} and {in_prose(status)} as a time-varying covariate", ("", "Value"),
            tuple(rows),
            (f"{status} enters as a time-varying covariate: 0 from the start, 1 from its date "
             "(counting-process (start, stop] rows, R coxph(Surv(tstart, tstop, event) ~ "
             f"status) on tmerge data, {COX_TIES_NAMES[options.conventions.cox_ties]} ties, "
             "Wald interval). "
             "Mantel-Byar test: the log-rank test with patients moving between groups when "
             "the status is acquired (the exact partial likelihood score test). Simon-Makuch "
             "estimates: product-limit curves with those time-dependent risk sets; the 'yes' "
             "curve describes patients with the status from the start under the hazard of "
             "those with it, not the survival of the responders.",)))
    return out


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


def cr_methods(analysis: StudyAnalysis, options: ReportOptions) -> str:
    """Methods sentences for the analyses present (empty when none)."""
    parts = []
    if analysis.competing:
        names = ", ".join(in_prose(options.label(e)) for e in analysis.competing)
        parts.append(
            f"For {names}, an endpoint with a competing event, the cumulative incidence was "
            "estimated by the Aalen-Johansen method with the variance of R cmprsk cuminc, "
            "compared across groups by Gray's test, and modeled by Fine-Gray "
            "subdistribution hazards regression (cmprsk crr, robust standard errors).")
    parts += _rmst_methods(ArdLookup(analysis.ard), options)
    for res in analysis.landmark_analyses:
        s = res.spec
        parts.append(
            f"To avoid guarantee-time bias, {in_prose(options.label(s.endpoint))} was compared "
            f"by {in_prose(options.label(s.status))} in a landmark analysis at "
            f"{', '.join(f'{t:g}' for t in s.at)} {options.conventions.time_unit} "
            "(patients at risk at the landmark, followed from it).")
    for res in analysis.time_varying:
        s = res.spec
        parts.append(
            f"{options.label(s.status)} was also analyzed as a time-varying covariate of "
            f"{in_prose(options.label(s.endpoint))} (Cox regression on counting-process data, "
            "the Mantel-Byar test and Simon-Makuch curves).")
    return " ".join(parts)



def _rmst_methods(a: ArdLookup, options: ReportOptions) -> list[str]:
    """The RMST sentence (Kaplan-Meier area, Greenwood delta-method SE) for the endpoints
    without competing events, the RMTL sentence (Aalen-Johansen area, infinitesimal-jackknife
    SE) for those with, and how groups were compared."""
    unit = options.conventions.time_unit
    rmst, rmtl = [], []
    for e in a.values("endpoint", analysis=Analysis.RMST):
        taus = ", ".join(a.values("category", analysis=Analysis.RMST, endpoint=e,
                                  group_var=""))
        if Var.RMTL in a.values("variable", analysis=Analysis.RMST, endpoint=e):
            event, competing = competing_names(options, e)
            rmtl.append(
                f"For {in_prose(options.label(e))}, the restricted mean time lost to {event} "
                "(RMTL) was estimated as the area under the Aalen-Johansen cumulative "
                f"incidence of {event}, {competing} being a competing event, up to a horizon "
                f"tau chosen before the analysis within the follow-up ({taus} {unit}), with an "
                "infinitesimal-jackknife standard error (R multi-state survfit rmean).")
        else:
            rmst.append(f"{in_prose(options.label(e))} to {taus} {unit}")
    parts = []
    if rmst:
        parts.append(
            "Restricted mean survival time (RMST) was estimated as the area under the "
            "Kaplan-Meier curve up to a horizon tau chosen before the analysis within the "
            f"follow-up ({'; '.join(rmst)}), with delta-method standard errors from "
            "Greenwood's variance (R survfit rmean).")
    parts += rmtl
    if parts:
        parts.append("Groups were compared by the difference and ratio of these restricted "
                     "means (survRM2 rmst2: difference on the natural scale, ratio on the log "
                     "scale by the delta method).")
    return parts
