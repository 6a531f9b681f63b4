"""The figures of the comparisons with published arms: the overlaid Kaplan-Meier curves of the
cohort and of the rebuilt arm with the numbers at risk of both and, under them, the published
numbers at risk (their tables: :mod:`.builders_ext`)."""

from __future__ import annotations

from oncocohort.analysis.external import ExternalResult
from oncocohort.analysis.keys import Analysis, Level, Stat, Var
from oncocohort.analysis.study import StudyAnalysis
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.figures._risktable import count_text
from oncocohort.report.figures.comparison import (
    ComparisonCurve,
    ComparisonFigure,
    RiskTable,
    compute_comparison_figure,
)
from oncocohort.report.format import fmt_est_ci, fmt_num
from oncocohort.report.options import ReportOptions
from oncocohort.report.wording import in_prose

__all__ = ["build_external_figures"]

_E = Analysis.EXTERNAL
_R = Analysis.RECONSTRUCTION


def _figure(a: ArdLookup, res: ExternalResult, options: ReportOptions) -> ComparisonFigure:
    e = {"analysis": _E, "group_var": res.name, "endpoint": res.endpoint}
    levels = (str(Level.COHORT), str(Level.PUBLISHED))
    k = options.small_cell_k
    times = a.values("category", variable=Var.AT_RISK, statistic=Stat.N_AT_RISK,
                     group_level=levels[0], **e)

    def cells(lv: str) -> tuple[tuple[float, str], ...]:
        return tuple((float(t), count_text(int(a.get(variable=Var.AT_RISK, category=t,
                                                     statistic=Stat.N_AT_RISK,
                                                     group_level=lv, **e)), k))
                     for t in times)
    published = set(a.values("category", analysis=_R, group_var=res.name,
                             variable=Var.AT_RISK, statistic=Stat.PUBLISHED))
    pub_cells = tuple((float(t), fmt_num(a.get(analysis=_R, group_var=res.name,
                                               variable=Var.AT_RISK, category=t,
                                               statistic=Stat.PUBLISHED), digits=0))
                      for t in times if t in published)
    curves = [ComparisonCurve("This cohort", res.curves[levels[0]],
                              a.get(variable=Var.MEDIAN, statistic=Stat.MEDIAN,
                                    group_level=levels[0], **e)),
              ComparisonCurve("Published arm", res.curves[levels[1]],
                              a.get(variable=Var.MEDIAN, statistic=Stat.MEDIAN,
                                    group_level=levels[1], **e))]
    tables = [RiskTable("Number at risk (published arm: rebuilt data)",
                        (cells(levels[0]), cells(levels[1]))),
              RiskTable("Number at risk as published", (None, pub_cells))]
    c = {**e, "group_level": levels[0]}
    note = (f"HR {fmt_est_ci(a.get(variable=Var.HR, statistic=Stat.HR, **c), a.get(variable=Var.HR, statistic=Stat.LOWER, **c), a.get(variable=Var.HR, statistic=Stat.UPPER, **c), digits=2, style=options.style)}")  # noqa: E501
    return compute_comparison_figure(curves, tables, [float(t) for t in times],
                                     unit=options.conventions.time_unit,
                                     ylabel=f"{options.label(res.endpoint)} probability",
                                     annotation=note)


def build_external_figures(analysis: StudyAnalysis, options: ReportOptions
                           ) -> list[tuple[str, str, object]]:
    """Per published arm: the overlaid curves, as ``(name, caption, drawn)``."""
    a = ArdLookup(analysis.ard)
    return [(f"extkm_{res.name}",
             f"{options.label(res.endpoint)}: Kaplan-Meier estimates of the cohort and of the "
             f"published arm, {in_prose(res.label)}, rebuilt from its published curve and "
             f"numbers at risk (source: {res.citation}). Numbers at risk under the axis: of the cohort and of "
             "the rebuilt arm, then the arm's as published. A descriptive contrast of different populations (see "
             "the caveats under the table).", _figure(a, res, options))
            for res in analysis.external.values()]
