"""The figures of the adjusted internal comparisons: per comparison the love plot and, per
endpoint, the weighted (or matched) Kaplan-Meier curves with the sum of the weights and the
patients at risk under the axis (their tables: :mod:`.builders_cmp`)."""

from __future__ import annotations

from oncocohort.analysis.comparisons import BALANCE_SMD, ComparisonResult
from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.analysis.study import StudyAnalysis
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.figures._risktable import count_text
from oncocohort.report.figures.comparison import (
    ComparisonCurve,
    ComparisonFigure,
    RiskTable,
    compute_comparison_figure,
)
from oncocohort.report.figures.love import LoveFigure, compute_love_figure
from oncocohort.report.format import fmt_est_ci, fmt_num, fmt_p_clause
from oncocohort.report.options import ReportOptions
from oncocohort.report.prose import in_prose

__all__ = ["build_comparison_figures"]

_C = Analysis.COMPARISON


def _love(a: ArdLookup, res: ComparisonResult, options: ReportOptions) -> LoveFigure:
    w = {"analysis": Analysis.BALANCE, "group_var": res.name}
    labels, before, after = [], [], []
    for var in a.values("variable", **w):
        levels = a.values("category", variable=var, **w)
        for lv in levels:
            labels.append(options.label(var) + (f": {lv}" if lv else ""))
            before.append(a.get(variable=var, category=lv, statistic=Stat.SMD_BEFORE, **w))
            after.append(a.get(variable=var, category=lv, statistic=Stat.SMD_AFTER, **w))
    return compute_love_figure(
        labels, before, after,
        after_label="After weighting" if res.method == "weighting" else "After matching")


def _curves(a: ArdLookup, res: ComparisonResult, ep: str, options: ReportOptions
            ) -> ComparisonFigure:
    e = {"analysis": _C, "group_var": res.name, "endpoint": ep}
    levels = (res.treated, res.control)
    label = options.label(res.variable)
    times = a.values("category", variable=Var.AT_RISK, statistic=Stat.N_AT_RISK,
                     group_level=res.treated, **e)
    k = options.small_cell_k

    def row(stat: str, lv: str, fmt) -> tuple[tuple[float, str], ...]:
        return tuple((float(t), fmt(a.get(variable=Var.AT_RISK, category=t, statistic=stat,
                                          group_level=lv, **e))) for t in times)
    weighted = "weighted" if res.method == "weighting" else "matching weights"
    tables = [RiskTable(f"Number at risk ({weighted}: sum of the weights)",
                        tuple(row(Stat.N_AT_RISK_WEIGHTED, lv,
                                  lambda v: fmt_num(v, digits=0, style=options.style))
                              for lv in levels)),
              RiskTable("Number at risk (patients)",
                        tuple(row(Stat.N_AT_RISK, lv, lambda v: count_text(int(v), k))
                              for lv in levels))]
    curves = [ComparisonCurve(f"{label}: {lv}", res.endpoints[ep].curves[lv],
                              a.get(variable=Var.MEDIAN, statistic=Stat.MEDIAN, group_level=lv,
                                    **e))
              for lv in levels]
    h = {**e, "group_level": res.treated}
    note = (f"Adjusted HR {fmt_est_ci(a.get(variable=Var.HR, statistic=Stat.HR, **h), a.get(variable=Var.HR, statistic=Stat.LOWER, **h), a.get(variable=Var.HR, statistic=Stat.UPPER, **h), digits=2, style=options.style)}"  # noqa: E501
            f", {fmt_p_clause(a.get(variable=Var.HR, statistic=Stat.P, **h), style=options.style)}")
    return compute_comparison_figure(curves, tables, [float(t) for t in times],
                                     unit=options.conventions.time_unit,
                                     ylabel=f"{options.label(ep)} probability",
                                     annotation=note)


def build_comparison_figures(analysis: StudyAnalysis, options: ReportOptions
                             ) -> list[tuple[str, str, object]]:
    """Per internal comparison: the love plot and, per endpoint, the weighted curves; as
    ``(name, caption, drawn)``."""
    a = ArdLookup(analysis.ard)
    out: list[tuple[str, str, object]] = []
    for res in analysis.comparisons.values():
        how = ("weighting" if res.method == "weighting" else "matching")
        love = _love(a, res, options)
        out.append((f"love_{res.name}", f"Love plot: absolute standardized mean differences "
                    f"of the adjusters before and after {how} ({res.label}, {res.treated} vs "
                    f"{res.control}); dashed line at {BALANCE_SMD:g}.", love))
        for ep in res.endpoints:
            fig = _curves(a, res, ep, options)
            kind = "Weighted" if res.method == "weighting" else "Matched-sample"
            out.append((f"cmpkm_{res.name}__{ep}",
                        f"{kind} Kaplan-Meier estimates of "
                        f"{in_prose(options.label(ep))} by "
                        f"{in_prose(options.label(res.variable))} ({res.treated} vs "
                        f"{res.control}). Numbers at risk under the axis: the sum of the "
                        "weights and the number of patients still at risk. Dotted lines: "
                        "medians; tick marks: censored observations.", fig))
    return out
