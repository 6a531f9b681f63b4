"""The results summary: sentences with the study's key numbers, rendered from the ARD only.

Counts below the small-cell threshold ``k`` read ``"<k"`` (and their percentages are left out),
as in the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from oncocohort.analysis.keys import Analysis, Category, Group, Level, Stat, Var
from oncocohort.canon.sections import SECTIONS
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.format import fmt_est_ci, fmt_num
from oncocohort.report.options import ReportOptions
from oncocohort.report.wording import ci_label

__all__ = ["results_sentences"]


def _count(n: float, k: int | None) -> str:
    return f"<{k}" if k is not None and 0 < n < k else fmt_num(n, 0)


def _n_pct(n: float, pct: float, k: int | None) -> str:
    if k is not None and 0 < n < k:
        return f"<{k} patients"
    return f"{fmt_num(n, 0)} patients ({fmt_num(pct)}%)"


def results_sentences(ard: pd.DataFrame, options: ReportOptions,
                      sections: Sequence[str] = SECTIONS) -> list[str]:
    """Sentences for the cohort, response, each time-to-event endpoint and safety (of the
    ``sections`` analysed only: nothing is said about data the study was not given)."""
    a = ArdLookup(ard)
    k = options.small_cell_k
    ci = ci_label(options)
    unit = options.conventions.time_unit
    out = []
    n = a.get(analysis=Analysis.POPULATION, variable=Var.PATIENTS, statistic=Stat.N)
    text = f"{fmt_num(n, 0)} patients were included."
    age = {"analysis": Analysis.BASELINE, "variable": "age"}
    if a.has(statistic=Stat.MEDIAN, **age):
        text += (f" Their median age was {fmt_num(a.get(statistic=Stat.MEDIAN, **age))} years "
                 f"(range {fmt_num(a.get(statistic=Stat.MIN, **age))}-"
                 f"{fmt_num(a.get(statistic=Stat.MAX, **age))}).")
    out.append(text)
    r = {"analysis": Analysis.RESPONSE}
    if "response" in sections and a.has(variable=Var.ORR, statistic=Stat.PCT, **r):
        def rate(name: str) -> str:
            cnt = a.get(variable=name, statistic=Stat.N, **r)
            if k is not None and 0 < cnt < k:
                return f"<{k} patients"
            return (fmt_est_ci(a.get(variable=name, statistic=Stat.PCT, **r),
                               a.get(variable=name, statistic=Stat.LOWER, **r),
                               a.get(variable=name, statistic=Stat.UPPER, **r))
                    .replace(" (", f"% ({ci} ", 1).replace(")", "%)"))
        d = a.denominator(variable=Var.ORR, statistic=Stat.N, **r)
        out.append(f"The objective response rate was {rate(Var.ORR)} and the disease control "
                   f"rate {rate(Var.DCR)}, of {fmt_num(d, 0)} patients.")
    for ep in a.values("endpoint", analysis=Analysis.SURVIVAL) if "survival" in sections else ():
        w = {"analysis": Analysis.SURVIVAL, "endpoint": ep}
        label = options.label(ep)
        med = {"variable": Var.MEDIAN, **w}
        est = a.get(statistic=Stat.MEDIAN, **med)
        median = ("was not reached" if est != est else "was " + fmt_est_ci(
            est, a.get(statistic=Stat.LOWER, **med), a.get(statistic=Stat.UPPER, **med),
            missing="NR").replace(" (", f" {unit} ({ci} ", 1))
        text = (f"{label}: {_count(a.get(variable=Var.EVENTS, statistic=Stat.N, **w), k)} "
                f"events in {_count(a.get(variable=Var.PATIENTS, statistic=Stat.N, **w), k)} "
                f"patients ({fmt_num(a.get(variable=Var.MATURITY, statistic=Stat.PCT, **w))}% "
                f"maturity); "
                f"the median {median}")
        for t in a.values("category", variable=Var.LANDMARK, **w):
            lw = {"variable": Var.LANDMARK, "category": t, **w}
            pct = a.get(statistic=Stat.PCT, **lw)
            text += f"; at {t} {unit} " + ("not estimable" if pct != pct else fmt_est_ci(
                pct, a.get(statistic=Stat.LOWER, **lw), a.get(statistic=Stat.UPPER, **lw))
                .replace(" (", f"% ({ci} ", 1).replace(")", "%)"))
        fw = {"variable": Var.FOLLOW_UP, **w}
        text += (f"; median follow-up {fmt_num(a.get(statistic=Stat.MEDIAN, **fw), missing='NR')} "
                 f"{unit} (reverse Kaplan-Meier).")
        out.append(text)
    s = {"analysis": Analysis.SAFETY, "group_var": Group.POPULATION, "group_level": Level.TRAE,
         "variable": f"Any {Level.TRAE}"}
    if "safety" in sections and a.has(category=Category.ANY_GRADE, statistic=Stat.N, **s):
        any_, high = (_n_pct(a.get(category=c, statistic=Stat.N, **s),
                             a.get(category=c, statistic=Stat.PCT, **s), k)
                      for c in (Category.ANY_GRADE, Category.GRADE_3_PLUS))
        out.append(f"Treatment-related adverse events of any grade occurred in {any_} and of "
                   f"grade 3 or higher in {high}.")
    return out
