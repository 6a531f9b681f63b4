"""Display tables and figures of the adjusted internal comparisons, from the ARD (the curves
are drawn from the fits the analysis keeps; every number printed is an ARD row).

Per comparison: the balance table (signed SMD and variance ratio of every adjuster before and
after), the love plot, the outcome table (per endpoint and group: patients and events, the
effective sample size, the weighted median and landmark rates; the adjusted hazard ratio with
its robust interval, the unadjusted one, the E-values), and per endpoint the weighted (or
matched) Kaplan-Meier curves with two tables under the axis: the sum of the weights at risk
and the number of patients at risk. Footnotes state each row's method as the ARD records it.
"""

from __future__ import annotations

import numpy as np

from oncocohort.analysis.comparisons import BALANCE_SMD, ComparisonResult, unbalanced
from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.analysis.study import StudyAnalysis
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.builders import _Counts, _finish
from oncocohort.report.format import MINUS, count_text, fmt_est_ci, fmt_num, fmt_p
from oncocohort.report.options import ReportOptions
from oncocohort.report.prose import in_prose
from oncocohort.report.tables import DisplayTable
from oncocohort.report.wording import ci_label, method_prose

__all__ = ["build_comparison_tables", "comparison_anchor",
           "comparison_methods"]

_C = Analysis.COMPARISON


def _method(a: ArdLookup, **where: str) -> str:
    """The ``method`` the ARD records on the rows of ``where`` (one text), its codes in
    words (:func:`~oncocohort.report.wording.method_prose`)."""
    return method_prose("; ".join(m for m in a.values("method", **where) if m))


def _unit1(unit: str) -> str:
    return unit[:-1] if unit.endswith("s") else unit


def _imbalance(a: ArdLookup, res: ComparisonResult) -> list[tuple[str, float, float]]:
    """Per adjuster whose largest |SMD| after the adjustment exceeds ``BALANCE_SMD`` as
    printed (the analysis's note, from the ARD): the variable, that |SMD| and its level's
    |SMD| before."""
    w = {"analysis": Analysis.BALANCE, "group_var": res.name}
    out = []
    for var in a.values("variable", **w):
        pairs = [(abs(a.get(variable=var, category=lv, statistic=Stat.SMD_AFTER, **w)),
                  abs(a.get(variable=var, category=lv, statistic=Stat.SMD_BEFORE, **w)))
                 for lv in a.values("category", variable=var, **w)]
        pairs = [p for p in pairs if np.isfinite(p[0])]
        if pairs and unbalanced(max(pairs)[0]):
            out.append((var, *max(pairs)))
    return out


def _imbalance_footnote(a: ArdLookup, res: ComparisonResult, options: ReportOptions,
                        where: str) -> tuple[str, ...]:
    """``"Residual imbalance after matching: |SMD| above 0.1 for sex 0.103 (0.098 before),
    ..."``, or nothing when every adjuster is balanced."""
    over = _imbalance(a, res)
    if not over:
        return ()
    done = "weighting" if res.method == "weighting" else "matching"
    st = options.style
    listed = ", ".join(f"{in_prose(options.label(v))} {fmt_num(x, digits=3, style=st)} "
                       f"({fmt_num(b, digits=3, style=st)} before)" for v, x, b in over)
    return (f"Residual imbalance after {done}: |SMD| above {BALANCE_SMD:g} for {listed}; "
            f"{where}",)


def _balance_table(a: ArdLookup, res: ComparisonResult,
                   options: ReportOptions) -> DisplayTable:
    style = options.style
    w = {"analysis": Analysis.BALANCE, "group_var": res.name}
    after = "weighting" if res.method == "weighting" else "matching"
    rows: list[tuple[str, ...]] = []
    for var in a.values("variable", **w):
        levels = a.values("category", variable=var, **w)

        def cells(level: str) -> tuple[str, ...]:
            return tuple(fmt_num(a.get(variable=var, category=level, statistic=s, **w),
                                 digits=3, missing="", style=style)
                         for s in (Stat.SMD_BEFORE, Stat.SMD_AFTER, Stat.VR_BEFORE,
                                   Stat.VR_AFTER))
        if levels == [""]:
            rows.append((options.label(var), *cells("")))
        else:
            rows.append((f"## {options.label(var)}",))
            rows += [(f"  {lv}", *cells(lv)) for lv in levels]
    return DisplayTable(
        f"balance_{res.name}", f"Covariate balance before and after {after}: {res.label}, "
        f"{res.treated} vs {res.control}",
        ("Variable", "SMD before", f"SMD after {after}", "Variance ratio before",
         f"Variance ratio after {after}"),
        tuple(rows),
        footnotes=(
            "SMD: standardized mean difference, (mean of the "
            f"{res.treated} group {MINUS} mean of the {res.control} group) / pooled SD of the "
            "unweighted sample (each level of a categorical variable as a 0/1 indicator); "
            f"|SMD| < {BALANCE_SMD:g} is the usual mark of balance (Austin 2009). Variance "
            "ratio: treated over control (not given for 0/1 indicators).",
            *_imbalance_footnote(a, res, options, f"{after} did not balance these "
                                 "variables."),
            f"Method: {_method(a, **w)}.",
        ))


def _outcome_table(a: ArdLookup, res: ComparisonResult,
                   options: ReportOptions) -> DisplayTable:
    style = options.style
    ci = ci_label(options)
    unit = options.conventions.time_unit
    cells = _Counts(options.small_cell_k, style)
    base = {"analysis": _C, "group_var": res.name}
    levels = (res.treated, res.control)
    rows: list[list] = []
    n_row = ["Patients (complete cases)"]
    ess_row = ["Effective sample size"]
    for lv in levels:
        n_row.append(cells.add(a.get(variable=Var.PATIENTS, statistic=Stat.N, group_level=lv,
                                     **base)))
        ess_row.append(fmt_num(a.get(variable=Var.WEIGHTS, statistic=Stat.N_EFFECTIVE,
                                     group_level=lv, **base), digits=1, style=style))
    rows += [n_row + [""], ess_row + [""]]
    dropped = Var.TRIMMED if res.method == "weighting" else Var.UNMATCHED
    rows.append(["Left out by trimming (weight 0)" if res.method == "weighting"
                 else "Unmatched (weight 0)",
                 *(cells.add(a.get(variable=dropped, statistic=Stat.N, group_level=lv, **base))
                   for lv in levels), ""])
    hr_methods = []
    for ep in res.endpoints:
        e = {**base, "endpoint": ep}
        rows.append([f"## {options.label(ep)}"])
        rows.append(["  Patients with a positive weight (events)",
                     *(f"{count_text(int(a.get(variable=Var.PATIENTS, statistic=Stat.N, group_level=lv, **e)), options.small_cell_k)} "  # noqa: E501
                       f"({count_text(int(a.get(variable=Var.EVENTS, statistic=Stat.N, group_level=lv, **e)), options.small_cell_k)})"  # noqa: E501
                       for lv in levels), ""])
        rows.append([f"  Median, {unit} ({ci})",
                     *(fmt_est_ci(a.get(variable=Var.MEDIAN, statistic=Stat.MEDIAN,
                                        group_level=lv, **e),
                                  a.get(variable=Var.MEDIAN, statistic=Stat.LOWER,
                                        group_level=lv, **e),
                                  a.get(variable=Var.MEDIAN, statistic=Stat.UPPER,
                                        group_level=lv, **e), style=style)
                       for lv in levels), ""])
        for t in a.values("category", variable=Var.LANDMARK, statistic=Stat.PCT,
                          group_level=res.treated, **e):
            rows.append([f"  {t}-{_unit1(unit)} rate, % ({ci})",
                         *(fmt_est_ci(a.get(variable=Var.LANDMARK, statistic=Stat.PCT,
                                            category=t, group_level=lv, **e),
                                      a.get(variable=Var.LANDMARK, statistic=Stat.LOWER,
                                            category=t, group_level=lv, **e),
                                      a.get(variable=Var.LANDMARK, statistic=Stat.UPPER,
                                            category=t, group_level=lv, **e), style=style)
                           for lv in levels), ""])
        h = {**e, "group_level": res.treated}

        def hr(var: str) -> str:
            return fmt_est_ci(a.get(variable=var, statistic=Stat.HR, **h),
                              a.get(variable=var, statistic=Stat.LOWER, **h),
                              a.get(variable=var, statistic=Stat.UPPER, **h), digits=2,
                              style=style)
        rows.append([f"  Hazard ratio, adjusted ({ci}, robust SE)", "", "", hr(Var.HR)])
        rows.append(["  p", "", "", fmt_p(a.get(variable=Var.HR, statistic=Stat.P, **h),
                                          style=style)])
        rows.append([f"  Hazard ratio, unadjusted ({ci})", "", "", hr(Var.HR_UNADJUSTED)])
        rows.append(["  E-value, estimate (CI limit)", "", "",
                     f"{fmt_num(a.get(variable=Var.HR, statistic=Stat.E_VALUE, **h), digits=2, style=style)} "  # noqa: E501
                     f"({fmt_num(a.get(variable=Var.HR, statistic=Stat.E_VALUE_CI, **h), digits=2, style=style)})"])  # noqa: E501
        hr_methods.append(f"{options.label(ep)}: " + _method(a, variable=Var.HR,
                                                              statistic=Stat.HR, **h))
    first = {**base, "endpoint": next(iter(res.endpoints), ""), "group_level": res.treated}
    km = _method(a, variable=Var.MEDIAN, statistic=Stat.MEDIAN, **first)
    ev = _method(a, variable=Var.HR, statistic=Stat.E_VALUE, **first)
    label = options.label(res.variable)
    return DisplayTable(
        f"comparison_{res.name}", f"Adjusted comparison: {res.label}, {res.treated} vs "
        f"{res.control}",
        ("", f"{label}: {res.treated}", f"{label}: {res.control}",
         f"{res.treated} vs {res.control}"),
        _finish(rows, cells),
        footnotes=tuple(f for f in (
            f"Curves and rates: {km}." if km else "",
            "Hazard ratios of the " + res.treated + " group against the " + res.control
            + " group. " + " ".join(m + "." for m in hr_methods),
            "Effective sample size: (sum of the weights)² / sum of the squared weights "
            "(Kish).",
            f"E-value: the minimum strength of association (risk ratio scale) an unmeasured "
            f"confounder would need with both the group and the outcome to explain the hazard "
            f"ratio away; in brackets, for the confidence limit closest to 1 (1: the interval "
            f"already includes 1). {ev}.",
            "A non-randomized comparison: adjusted for the variables listed in the balance "
            "table only.",
            *_imbalance_footnote(a, res, options, "the adjusted hazard ratios may still be "
                                 "confounded by these variables."),
        ) if f))


def build_comparison_tables(analysis: StudyAnalysis, options: ReportOptions
                            ) -> list[DisplayTable]:
    """Per internal comparison: the balance table, then the outcome table."""
    a = ArdLookup(analysis.ard)
    out = []
    for res in analysis.comparisons.values():
        out.append(_balance_table(a, res, options))
        out.append(_outcome_table(a, res, options))
    return out


def comparison_anchor(figure: str) -> str | None:
    """The table a comparison figure follows in the report (``None``: not one of them)."""
    if figure.startswith("love_"):
        return "balance_" + figure.removeprefix("love_")
    if figure.startswith("cmpkm_"):
        return "comparison_" + figure.removeprefix("cmpkm_").rsplit("__", 1)[0]
    return None


def comparison_methods(analysis: StudyAnalysis, options: ReportOptions) -> str:
    """Methods sentences of the internal and external comparisons (empty when none)."""
    parts = []
    for res in analysis.comparisons.values():
        adjusted = ", ".join(in_prose(options.label(v)) for v in _adjusters(analysis, res))
        how = ("inverse probability of treatment weighting" if res.method == "weighting"
               else "greedy nearest-neighbor matching on the logit of the score")
        parts.append(
            f"{options.label(res.variable)} ({res.treated} vs {res.control}) was compared "
            f"adjusting for {adjusted} by {how}, with a propensity score from logistic "
            "regression; balance was checked by standardized mean differences; survival was "
            "estimated by weighted Kaplan-Meier curves and compared by Cox regression with "
            "robust (sandwich) standard errors, with E-values for unmeasured confounding "
            "(VanderWeele and Ding 2017).")
    for res in analysis.external.values():
        parts.append(
            f"{options.label(res.endpoint)} of the cohort was set beside {res.label} "
            f"({res.citation}), whose patient data were rebuilt from the published "
            "Kaplan-Meier curve and numbers at risk (Guyot et al. 2012), by the hazard ratio, "
            "the difference in restricted mean survival time and the one-sample log-rank test; "
            "these descriptive contrasts between different populations are not treatment "
            "effects.")
    return " ".join(parts)


def _adjusters(analysis: StudyAnalysis, res: ComparisonResult) -> list[str]:
    return ArdLookup(analysis.ard).values("variable", analysis=Analysis.BALANCE,
                                          group_var=res.name)
