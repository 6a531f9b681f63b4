"""The results summary: sentences with the study's key numbers, rendered from the ARD only.

Counts below the small-cell threshold ``k`` read ``"<k"`` (and their percentages are left out),
as in the tables.
"""

from __future__ import annotations

import pandas as pd

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


def results_sentences(ard: pd.DataFrame, options: ReportOptions) -> list[str]:
    """Sentences for the cohort, response, each time-to-event endpoint and safety."""
    a = ArdLookup(ard)
    k = options.small_cell_k
    ci = ci_label(options)
    unit = options.conventions.time_unit
    out = []
    n = a.get(analysis="population", variable="patients", statistic="n")
    text = f"{fmt_num(n, 0)} patients were included."
    age = {"analysis": "baseline", "variable": "age"}
    if a.has(statistic="median", **age):
        text += (f" Their median age was {fmt_num(a.get(statistic='median', **age))} years "
                 f"(range {fmt_num(a.get(statistic='min', **age))}-"
                 f"{fmt_num(a.get(statistic='max', **age))}).")
    out.append(text)
    r = {"analysis": "response"}
    if a.has(variable="orr", statistic="pct", **r):
        def rate(name: str) -> str:
            cnt = a.get(variable=name, statistic="n", **r)
            if k is not None and 0 < cnt < k:
                return f"<{k} patients"
            return (fmt_est_ci(a.get(variable=name, statistic="pct", **r),
                               a.get(variable=name, statistic="lower", **r),
                               a.get(variable=name, statistic="upper", **r))
                    .replace(" (", f"% ({ci} ", 1).replace(")", "%)"))
        d = ard.loc[(ard.analysis == "response") & (ard.variable == "orr"), "denominator"]
        out.append(f"The objective response rate was {rate('orr')} and the disease control "
                   f"rate {rate('dcr')}, of {fmt_num(float(d.iloc[0]), 0)} patients.")
    for ep in a.values("endpoint", analysis="survival"):
        w = {"analysis": "survival", "endpoint": ep}
        label = options.label(ep)
        med = {"variable": "median", **w}
        est = a.get(statistic="median", **med)
        median = ("was not reached" if est != est else "was " + fmt_est_ci(
            est, a.get(statistic="lower", **med), a.get(statistic="upper", **med),
            missing="NR").replace(" (", f" {unit} ({ci} ", 1))
        text = (f"{label}: {_count(a.get(variable='events', statistic='n', **w), k)} events in "
                f"{_count(a.get(variable='patients', statistic='n', **w), k)} patients "
                f"({fmt_num(a.get(variable='maturity', statistic='pct', **w))}% maturity); "
                f"the median {median}")
        for t in a.values("category", variable="landmark", **w):
            lw = {"variable": "landmark", "category": t, **w}
            pct = a.get(statistic="pct", **lw)
            text += f"; at {t} {unit} " + ("not estimable" if pct != pct else fmt_est_ci(
                pct, a.get(statistic="lower", **lw), a.get(statistic="upper", **lw))
                .replace(" (", f"% ({ci} ", 1).replace(")", "%)"))
        fw = {"variable": "follow_up", **w}
        text += (f"; median follow-up {fmt_num(a.get(statistic='median', **fw), missing='NR')} "
                 f"{unit} (reverse Kaplan-Meier).")
        out.append(text)
    s = {"analysis": "safety", "group_var": "population", "group_level": "TRAE",
         "variable": "Any TRAE"}
    if a.has(category="any grade", statistic="n", **s):
        any_, high = (_n_pct(a.get(category=c, statistic="n", **s),
                             a.get(category=c, statistic="pct", **s), k)
                      for c in ("any grade", "grade >=3"))
        out.append(f"Treatment-related adverse events of any grade occurred in {any_} and of "
                   f"grade 3 or higher in {high}.")
    return out
