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

import pandas as pd

from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.analysis.study import StudyAnalysis
from oncocohort.analysis.survival import landmark_text
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.builders import _Counts, _finish
from oncocohort.report.format import fmt_count, fmt_est_ci, fmt_num, fmt_p, fmt_p_clause
from oncocohort.report.options import ReportOptions
from oncocohort.report.tables import DisplayTable
from oncocohort.report.wording import (
    COX_TIES_NAMES,
    ci_label,
    competing_names,
    in_prose,
    status_group,
    suppression_footnote,
)

__all__ = ["build_competing_tables", "build_rmst_table", "build_landmark_tables",
           "build_time_varying_tables", "cr_methods", "rmst_survival_rows"]

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
        ) + (("NE: not estimable, the time lies beyond the last follow-up (event or "
              "censoring) of the patients of that row, where the incidence is not known.",)
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
