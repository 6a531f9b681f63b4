"""Display tables and figures of the comparisons with published arms, from the ARD (curves
drawn from the fits the analysis keeps; every number printed is an ARD row).

Per arm: the comparison table (patients, events, median and landmark rates of the cohort and
of the rebuilt arm; the hazard ratio, the difference in restricted mean survival time, the
one-sample log-rank test), with the citation and a caveats paragraph in its footnotes; the QC
table of the reconstruction (published vs rebuilt numbers at risk, survival, median, events);
the overlaid Kaplan-Meier curves with the numbers at risk of both (the cohort's and the rebuilt
arm's) and, under them, the published numbers at risk.
"""

from __future__ import annotations

import numpy as np

from oncocohort.analysis.external import ExternalResult
from oncocohort.analysis.keys import Analysis, Level, Stat, Var
from oncocohort.analysis.study import StudyAnalysis
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.builders_cmp import _method
from oncocohort.report.format import MINUS, count_text, fmt_est_ci, fmt_num, fmt_p
from oncocohort.report.options import ReportOptions
from oncocohort.report.tables import DisplayTable
from oncocohort.report.wording import ci_label, in_prose

__all__ = ["build_external_tables", "external_anchor", "CAVEATS"]

_E = Analysis.EXTERNAL
_R = Analysis.RECONSTRUCTION

#: What every comparison with a published arm must say next to its numbers.
CAVEATS = (
    "Caveats: the published arm is a different population, selected by a trial's eligibility "
    "criteria (performance status, organ function, comorbidities, prior therapies), treated "
    "in another line of therapy and era, and followed on a trial's assessment schedule, "
    "while the cohort is a real-world one with its own selection and follow-up; the arm's "
    "patient data are rebuilt from a figure, not observed. These contrasts are descriptive: "
    "they are not adjusted for any difference between the populations and are not treatment "
    "effects.")


def _unit1(unit: str) -> str:
    return unit[:-1] if unit.endswith("s") else unit


def _comparison_table(a: ArdLookup, analysis: StudyAnalysis, res: ExternalResult,
                      options: ReportOptions) -> DisplayTable:
    style = options.style
    ci = ci_label(options)
    unit = options.conventions.time_unit
    k = options.small_cell_k
    e = {"analysis": _E, "group_var": res.name, "endpoint": res.endpoint}
    levels = (str(Level.COHORT), str(Level.PUBLISHED))
    rows: list[tuple[str, ...]] = []
    rows.append(("Patients", *(count_text(int(a.get(variable=Var.PATIENTS, statistic=Stat.N,
                                                     group_level=lv, **e)), k)
                               for lv in levels)))
    rows.append(("Events", *(count_text(int(a.get(variable=Var.EVENTS, statistic=Stat.N,
                                                   group_level=lv, **e)), k)
                             for lv in levels)))

    def est(var: str, stat: str = Stat.MEDIAN, digits: int = 1, **w: str) -> str:
        return fmt_est_ci(a.get(variable=var, statistic=stat, **w),
                          a.get(variable=var, statistic=Stat.LOWER, **w),
                          a.get(variable=var, statistic=Stat.UPPER, **w), digits=digits,
                          style=style)
    rows.append((f"Median, {unit} ({ci})", *(est(Var.MEDIAN, group_level=lv, **e)
                                              for lv in levels)))
    for t in a.values("category", variable=Var.LANDMARK, statistic=Stat.PCT,
                      group_level=levels[0], **e):
        rows.append((f"{t}-{_unit1(unit)} rate, % ({ci})",
                     *(est(Var.LANDMARK, Stat.PCT, category=t, group_level=lv, **e)
                       for lv in levels)))
    c = {**e, "group_level": levels[0]}
    rows.append((f"Hazard ratio, cohort vs arm ({ci})", est(Var.HR, Stat.HR, 2, **c), ""))
    rows.append(("  p", fmt_p(a.get(variable=Var.HR, statistic=Stat.P, **c), style=style), ""))
    tau = a.values("category", variable=Var.RMST_DIFFERENCE, statistic=Stat.DIFFERENCE, **c)[0]
    # a restricted mean is a time: its unit, its interval and one decimal, as the medians
    rows.append((f"RMST to {tau} {unit}, {unit} ({ci})",
                 *(est(Var.RMST, Stat.ESTIMATE, 1, category=tau, group_level=lv, **e)
                   for lv in levels)))
    rows.append((f"  Difference, cohort {MINUS} arm, {unit} ({ci})",
                 est(Var.RMST_DIFFERENCE, Stat.DIFFERENCE, 1, category=tau, **c), ""))
    rows.append(("  p", fmt_p(a.get(variable=Var.RMST_DIFFERENCE, statistic=Stat.P,
                                    category=tau, **c),
                              style=style), ""))
    o = {"variable": Var.ONE_SAMPLE_LOGRANK, **c}
    rows.append(("One-sample log-rank: observed / expected events",
                 f"{fmt_num(a.get(statistic=Stat.OBSERVED, **o), digits=0, style=style)} / "
                 f"{fmt_num(a.get(statistic=Stat.EXPECTED, **o), digits=1, style=style)}", ""))
    rows.append(("  z; p", f"{fmt_num(a.get(statistic=Stat.Z, **o), digits=2, style=style)}; "
                 f"{fmt_p(a.get(statistic=Stat.P, **o), style=style)}", ""))
    return DisplayTable(
        f"external_{res.name}", f"{options.label(res.endpoint)}: the cohort and {res.label}",
        ("", "This cohort", res.label), tuple(rows),
        footnotes=(
            f"Published arm: {res.label}. Source: {res.citation}.",
            "Methods: " + "; ".join(dict.fromkeys(part for m in (
                _method(a, variable=Var.MEDIAN, statistic=Stat.MEDIAN, group_level=levels[1],
                        **e),
                _method(a, variable=Var.HR, statistic=Stat.HR, **c),
                _method(a, variable=Var.RMST_DIFFERENCE, statistic=Stat.DIFFERENCE, **c),
                _method(a, statistic=Stat.Z, **o)) for part in m.split("; ") if part))
            + ". A negative z: fewer deaths in "
            "the cohort than the arm's curve predicts.",
            CAVEATS,
        ))


def _qc_table(a: ArdLookup, res: ExternalResult, options: ReportOptions) -> DisplayTable:
    style = options.style
    unit = options.conventions.time_unit
    w = {"analysis": _R, "group_var": res.name}
    rows: list[tuple[str, ...]] = [("## Numbers at risk",)]

    def line(label: str, digits: int, **x: str) -> tuple[str, ...]:
        pub = a.get(statistic=Stat.PUBLISHED, **x, **w)
        rec = a.get(statistic=Stat.RECONSTRUCTED, **x, **w)
        diff = rec - pub if np.isfinite(pub) and np.isfinite(rec) else float("nan")
        return (label, fmt_num(pub, digits=digits, missing="not given", style=style),
                fmt_num(rec, digits=digits, missing="NR", style=style),
                fmt_num(diff, digits=digits, missing="", style=style))
    for t in a.values("category", variable=Var.AT_RISK, statistic=Stat.PUBLISHED, **w):
        rows.append(line(f"  {t} {unit}", 0, variable=Var.AT_RISK, category=t))
    rows.append(("## Survival, %",))
    for t in a.values("category", variable=Var.LANDMARK, statistic=Stat.PUBLISHED, **w):
        rows.append(line(f"  {t} {unit}", 1, variable=Var.LANDMARK, category=t))
    rows.append(line(f"Median, {unit}", 1, variable=Var.MEDIAN))
    rows.append(line("Total events", 0, variable=Var.TOTAL_EVENTS))
    return DisplayTable(
        f"reconstruction_{res.name}",
        f"Reconstruction of {in_prose(res.label)}: published and rebuilt",
        ("", "Published (digitized)", "Rebuilt", "Difference"), tuple(rows),
        footnotes=(
            "Patient data rebuilt from the digitized Kaplan-Meier curve and the published "
            "numbers at risk (Guyot et al. 2012, deaths capped by the at-risk table): an "
            "approximation of the trial's patient data. Survival and median of the "
            "published arm: the digitized curve read as a step function.",
            "Difference: rebuilt minus published, computed from the unrounded estimates, so "
            "it can differ from the difference of the rounded values shown.",
            f"Source: {res.citation}.",
        ))


def build_external_tables(analysis: StudyAnalysis, options: ReportOptions
                          ) -> list[DisplayTable]:
    """Per published arm: the comparison table, then the reconstruction QC table."""
    a = ArdLookup(analysis.ard)
    out = []
    for res in analysis.external.values():
        out += [_comparison_table(a, analysis, res, options), _qc_table(a, res, options)]
    return out


def external_anchor(figure: str) -> str | None:
    """The table an external comparison's figure follows (``None``: not one of them)."""
    if figure.startswith("extkm_"):
        return "external_" + figure.removeprefix("extkm_")
    return None
