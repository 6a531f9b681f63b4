"""The results summary: sentences with the study's key numbers, rendered from the ARD only.

Counts below the small-cell threshold ``k`` read ``"<k"`` (and their percentages are left out),
as in the tables.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from oncocohort.analysis.comparisons import BALANCE_SMD
from oncocohort.analysis.keys import Analysis, Category, Group, Level, Stat, Var
from oncocohort.analysis.notes import AnalysisNote, NoteKind
from oncocohort.canon.sections import SECTIONS
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.builders import summary_digits
from oncocohort.report.builders_survival import median_limits
from oncocohort.report.format import fmt_ci, fmt_count, fmt_num, fmt_p_clause, fmt_range
from oncocohort.report.options import ReportOptions
from oncocohort.report.wording import ci_label, competing_names, in_prose

__all__ = ["results_sentences", "missing_data_notes", "analysis_notes"]


def _count(n: float, k: int | None) -> str:
    return f"<{k}" if k is not None and 0 < n < k else fmt_num(n, 0)


def _n_pct(n: float, pct: float, k: int | None, options: ReportOptions) -> str:
    if k is not None and 0 < n < k:
        return f"<{k} patients"
    return f"{fmt_num(n, 0)} patients ({fmt_num(pct, style=options.style)}%)"


def _with_ci(estimate: str, lower: float, upper: float, options: ReportOptions,
             suffix: str = "", missing: str = "NE",
             limits: tuple[str, str] | None = None, digits: int = 1) -> str:
    """``"21.8% (95% CI 13.7-32.0%)"``: ``estimate`` (already formatted) and its interval,
    named and separated as the journal style says (``"(95% CI, 13.7 to 32.0%)"``); an
    interval not estimable at either end (a survival of 100% before any event) is
    ``"100.0% (95% CI not estimable)"``, never ``"(95% CI NE-NE%)"``."""
    return estimate + " " + fmt_ci(lower, upper, ci_label(options), digits, missing,
                                   style=options.style, limits=limits, suffix=suffix)


def _response_detail_sentences(a: ArdLookup, options: ReportOptions) -> list[str]:
    """Time to response and the mean best change of the target lesions, when analyzed."""
    st, k = options.style, options.small_cell_k
    out = []
    ttr = {"analysis": Analysis.RESPONSE, "variable": Var.TIME_TO_RESPONSE}
    if a.has(statistic=Stat.MEDIAN, **ttr) and not (
            k is not None and a.get(statistic=Stat.N, **ttr) < k):
        span = fmt_range(a.get(statistic=Stat.MIN, **ttr), a.get(statistic=Stat.MAX, **ttr),
                         options.time_digits, style=st)
        out.append(
            f"Among the {fmt_num(a.get(statistic=Stat.N, **ttr), 0)} responders, the median "
            f"time to response was "
            f"{fmt_num(a.get(statistic=Stat.MEDIAN, **ttr), options.time_digits, style=st)} "
            f"{options.conventions.time_unit} (range {span}).")
    chg = {"analysis": Analysis.RESPONSE, "variable": Var.BEST_PCT_CHANGE}
    if a.has(statistic=Stat.MEAN, **chg):
        out.append(
            f"The mean best change in the sum of target lesions was "
            f"{fmt_num(a.get(statistic=Stat.MEAN, **chg), style=st)}% in "
            f"{fmt_num(a.get(statistic=Stat.N, **chg), 0)} patients with a post-baseline "
            f"measurement.")
    return out


def _follow_up_sentence(a: ArdLookup, options: ReportOptions, **w: str) -> str:
    """``"The median observation time was 9.8 months (range 0.8-32.5); the median follow-up
    by the reverse Kaplan-Meier method was 26.5 months (95% CI 17.9-29.7)."``"""
    st, unit, td = options.style, options.conventions.time_unit, options.time_digits
    ow = {"variable": Var.OBSERVATION_TIME, **w}
    fw = {"variable": Var.FOLLOW_UP, **w}
    span = fmt_range(a.get(statistic=Stat.MIN, **ow), a.get(statistic=Stat.MAX, **ow), td,
                     style=st)
    est = a.get(statistic=Stat.MEDIAN, **fw)
    reverse = ("was not reached: the reverse Kaplan-Meier curve, in which a censoring is the "
               "event, does not fall to 50% (few patients were censored)"
               if est != est else "was " + _with_ci(
        f"{fmt_num(est, td, style=st)} {unit}", a.get(statistic=Stat.LOWER, **fw),
        a.get(statistic=Stat.UPPER, **fw), options, missing="NR", digits=td))
    return (f"The median observation time (to death or last contact) was "
            f"{fmt_num(a.get(statistic=Stat.MEDIAN, **ow), td, style=st)} {unit} "
            f"(range {span}); "
            f"the median follow-up by the reverse Kaplan-Meier method {reverse}.")


def _compared_variable(a: ArdLookup) -> str | None:
    """The variable a two-group study compares: the one Table 1 is split by (``baseline_by``,
    its by-group rows in the ARD) when it has exactly two groups; ``None`` otherwise."""
    base = {"analysis": Analysis.BASELINE, "variable": Var.PATIENTS, "statistic": Stat.N}
    for var in a.values("group_var", **base):
        if var and len([lv for lv in a.values("group_level", group_var=var, **base) if lv]) == 2:
            return var
    return None


def _comparison_sentence(a: ArdLookup, options: ReportOptions, endpoint: str,
                         var: str) -> str | None:
    """``"By treatment, the median overall survival was 3.4 months (95% CI 1.8-4.1) for
    Standard and 1.7 months (95% CI 1.4-3.0) for Test (HR for Test versus Standard 1.02, 95% CI
    0.71-1.45; log-rank p = 0.93)."``: the endpoint's medians of the two groups of ``var``
    (its subgroup rows), the univariable Cox hazard ratio of the other group against the
    reference (the level without a hazard ratio; left out when no model was fitted) and the
    log-rank p. ``None`` when the endpoint was not analyzed by ``var`` in two groups."""
    st, unit = options.style, options.conventions.time_unit
    w = {"analysis": Analysis.SUBGROUP, "endpoint": endpoint, "group_var": var}
    levels = [lv for lv in a.values("group_level", variable=Var.MEDIAN, statistic=Stat.MEDIAN,
                                    **w) if lv]
    if len(levels) != 2:
        return None
    hr = {"analysis": Analysis.COX_UNIVARIABLE, "endpoint": endpoint, "group_var": var,
          "variable": Var.HR}
    compared = [lv for lv in levels if a.has(group_level=lv, statistic=Stat.HR, **hr)]
    if len(compared) == 1:
        levels = [lv for lv in levels if lv not in compared] + compared  # reference first

    def median(level: str) -> str:
        m = {"group_level": level, "variable": Var.MEDIAN, **w}
        est = a.get(statistic=Stat.MEDIAN, **m)
        if est != est:
            return f"not reached for {level}"
        limits = median_limits(a, **{k: v for k, v in m.items() if k != "variable"})
        return _with_ci(f"{fmt_num(est, options.time_digits, style=st)} {unit}",
                        a.get(statistic=Stat.LOWER, **m), a.get(statistic=Stat.UPPER, **m),
                        options, limits=limits, digits=options.time_digits) + f" for {level}"

    tests = []
    if len(compared) == 1:
        h = {"group_level": compared[0], **hr}
        value = a.get(statistic=Stat.HR, **h)
        if value == value:
            ci = fmt_range(a.get(statistic=Stat.LOWER, **h), a.get(statistic=Stat.UPPER, **h),
                           2, style=st, sep=st.ci_sep)
            tests.append(f"HR for {compared[0]} versus {levels[0]} {fmt_num(value, 2, style=st)}"
                         f", {st.ci_words(ci_label(options))} {ci}")
    p = fmt_p_clause(a.get(default=float("nan"), variable=Var.LOGRANK, statistic=Stat.P, **w),
                     style=st, name="log-rank p")
    if p:
        tests.append(p)
    return (f"By {in_prose(options.label(var))}, the median {in_prose(options.label(endpoint))}"
            f" was {median(levels[0])} and {median(levels[1])}"
            + (f" ({'; '.join(tests)})" if tests else "") + ".")


def results_sentences(ard: pd.DataFrame, options: ReportOptions,
                      sections: Sequence[str] = SECTIONS) -> list[str]:
    """Sentences for the cohort, response, each time-to-event endpoint (in a study whose
    Table 1 is split into two groups, with the endpoint compared between them) and safety (of
    the ``sections`` analyzed only: nothing is said about data the study was not given)."""
    a = ArdLookup(ard)
    k = options.small_cell_k
    unit = options.conventions.time_unit
    out = []
    n = a.get(analysis=Analysis.POPULATION, variable=Var.PATIENTS, statistic=Stat.N)
    text = f"{fmt_num(n, 0)} patients were included."
    age = {"analysis": Analysis.BASELINE, "variable": "age"}
    if a.has(statistic=Stat.MEDIAN, **age):
        # as Table 1 shows it (whole numbers when the data are whole, else one decimal)
        d = summary_digits(a, "median_range", options.display("age").digits, **age)
        span = fmt_range(a.get(statistic=Stat.MIN, **age), a.get(statistic=Stat.MAX, **age), d,
                         style=options.style)
        text += (f" Their median age was "
                 f"{fmt_num(a.get(statistic=Stat.MEDIAN, **age), d, style=options.style)} "
                 f"years (range {span}).")
    out.append(text)
    r = {"analysis": Analysis.RESPONSE}
    if "response" in sections and a.has(variable=Var.ORR, statistic=Stat.PCT, **r):
        def rate(name: str) -> str:
            cnt = a.get(variable=name, statistic=Stat.N, **r)
            if k is not None and 0 < cnt < k:
                return f"<{k} patients"
            return _with_ci(
                fmt_num(a.get(variable=name, statistic=Stat.PCT, **r), style=options.style)
                + "%", a.get(variable=name, statistic=Stat.LOWER, **r),
                a.get(variable=name, statistic=Stat.UPPER, **r), options, "%")
        d = a.denominator(variable=Var.ORR, statistic=Stat.N, **r)
        out.append(f"The objective response rate was {rate(Var.ORR)} and the disease control "
                   f"rate {rate(Var.DCR)}, of {fmt_num(d, 0)} patients.")
        out += _response_detail_sentences(a, options)
    compared = _compared_variable(a)  # the same for every endpoint
    for ep in a.values("endpoint", analysis=Analysis.SURVIVAL) if "survival" in sections else ():
        w = {"analysis": Analysis.SURVIVAL, "endpoint": ep}
        label = options.label(ep)
        med = {"variable": Var.MEDIAN, **w}
        est = a.get(statistic=Stat.MEDIAN, **med)
        median = ("was not reached" if est != est else "was " + _with_ci(
            f"{fmt_num(est, options.time_digits, style=options.style)} {unit}",
            a.get(statistic=Stat.LOWER, **med), a.get(statistic=Stat.UPPER, **med), options,
            limits=median_limits(a, **w), digits=options.time_digits))
        maturity = fmt_num(a.get(variable=Var.MATURITY, statistic=Stat.PCT, **w),
                           style=options.style)
        text = (f"{label}: {_count(a.get(variable=Var.EVENTS, statistic=Stat.N, **w), k)} "
                f"events in {_count(a.get(variable=Var.PATIENTS, statistic=Stat.N, **w), k)} "
                f"patients ({maturity}% "
                f"maturity); "
                f"the median {median}")
        for t in a.values("category", variable=Var.LANDMARK, **w):
            lw = {"variable": Var.LANDMARK, "category": t, **w}
            pct = a.get(statistic=Stat.PCT, **lw)
            text += f"; at {t} {unit} " + ("not estimable" if pct != pct else _with_ci(
                fmt_num(pct, style=options.style) + "%", a.get(statistic=Stat.LOWER, **lw),
                a.get(statistic=Stat.UPPER, **lw), options, "%"))
        out.append(text + ".")
        if a.has(variable=Var.FOLLOW_UP, statistic=Stat.MEDIAN, **w):
            out.append(_follow_up_sentence(a, options, **w))
        sentence = None if compared is None else _comparison_sentence(a, options, ep, compared)
        if sentence is not None:
            out.append(sentence)
    s = {"analysis": Analysis.SAFETY, "group_var": Group.POPULATION, "group_level": Level.TRAE,
         "variable": f"Any {Level.TRAE}"}
    if "safety" in sections and a.has(category=Category.ANY_GRADE, statistic=Stat.N, **s):
        any_, high = (_n_pct(a.get(category=c, statistic=Stat.N, **s),
                             a.get(category=c, statistic=Stat.PCT, **s), k, options)
                      for c in (Category.ANY_GRADE, Category.GRADE_3_PLUS))
        out.append(f"Treatment-related adverse events of any grade occurred in {any_} and of "
                   f"grade 3 or higher in {high}.")
    return out


def _patients(n: float) -> str:
    return f"{fmt_num(n, 0)} patient{'' if n == 1 else 's'}"


def _ne_reasons(reasons: list[tuple[str, float]]) -> str:
    """The reasons for NE as a reader says them: one reason alone (``no post-baseline
    assessment``), several with their counts (``no post-baseline assessment (4) and SD too
    early (1)``)."""
    if len(reasons) == 1:
        return reasons[0][0]
    parts = [f"{c} ({fmt_num(n, 0)})" for c, n in reasons]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def missing_data_notes(ard: pd.DataFrame, options: ReportOptions) -> list[str]:
    """The data-quality section's count of each kind of missing data, from the ARD: baseline
    values, variables left out of the multivariable model, best responses not evaluable (by
    reason), adverse events without a grade, and patients censored on day 1 of an endpoint."""
    a = ArdLookup(ard)
    out = []
    base = {"analysis": Analysis.BASELINE}
    missing = [(v, a.get(variable=v, statistic=Stat.N_MISSING, **base))
               for v in a.values("variable", statistic=Stat.N_MISSING, **base)]
    missing = [(v, n) for v, n in missing if n > 0]
    if missing:
        out.append("Missing baseline values: " + "; ".join(
            f"{in_prose(options.label(v))}, {_patients(n)}" for v, n in missing)
            + " (shown as Missing in Table 1; left out of that variable's subgroup analyses).")
    for ep in a.values("endpoint", analysis=Analysis.COX_MULTIVARIABLE, variable=Var.PATIENTS,
                       statistic=Stat.N_MISSING):
        n = a.get(analysis=Analysis.COX_MULTIVARIABLE, endpoint=ep, variable=Var.PATIENTS,
                  statistic=Stat.N_MISSING)
        if n > 0:
            out.append(f"{options.label(ep)}: {_patients(n)} left out of the multivariable "
                       f"model for a missing value of one of its variables.")
    r = {"analysis": Analysis.RESPONSE, "variable": Var.NE_REASON, "statistic": Stat.N}
    reasons = [(c, a.get(category=c, **r)) for c in a.values("category", **r)]
    if reasons:
        total = sum(n for _, n in reasons)
        out.append(f"Best overall response not evaluable (NE) for {_patients(total)}: "
                   + _ne_reasons(reasons) + ".")
    s = {"analysis": Analysis.SAFETY, "group_var": Group.POPULATION, "group_level": Level.TRAE,
         "variable": f"Any {Level.TRAE}", "category": Category.GRADE_MISSING,
         "statistic": Stat.N}
    if a.get(default=0.0, **s) > 0:
        out.append(f"Treatment-related adverse events without a recorded grade: "
                   f"{_patients(a.get(**s))} (their worst grade is missing).")
    for ep in a.values("endpoint", analysis=Analysis.SURVIVAL, variable=Var.CENSORED_DAY1):
        n = a.get(analysis=Analysis.SURVIVAL, endpoint=ep, variable=Var.CENSORED_DAY1,
                  statistic=Stat.N)
        if n > 0:
            out.append(f"{options.label(ep)}: {_patients(n)} censored on day 1 (no follow-up "
                       f"for this endpoint after its start, e.g. no tumor assessment).")
    return out + _short_follow_up_notes(a, options)


def _short_follow_up_notes(a: ArdLookup, options: ReportOptions) -> list[str]:
    """Per endpoint, tau and subgroup variable whose RMST (or RMTL) was not estimated: the
    levels followed for less than tau, with their last observed time (``last_time`` rows)."""
    out = []
    unit = options.conventions.time_unit
    for ep in a.values("endpoint", analysis=Analysis.RMST, variable=Var.LAST_TIME):
        w = {"analysis": Analysis.RMST, "endpoint": ep}
        what = (f"restricted mean time lost to {competing_names(options, ep)[0]}"
                if Var.RMTL in a.values("variable", **w) else "restricted mean survival time")
        for tau in a.values("category", variable=Var.LAST_TIME, **w):
            t = {**w, "variable": Var.LAST_TIME, "category": tau, "statistic": Stat.MAX}
            for var in a.values("group_var", **t):
                short = "; ".join(
                    f"{lv} followed for "
                    f"{fmt_num(a.get(group_var=var, group_level=lv, **t), style=options.style)}"
                    f" {unit}" for lv in a.values("group_level", group_var=var, **t))
                out.append(f"{options.label(ep)}: {what} by {tau} {unit} not estimated by "
                           f"{in_prose(options.label(var))}, as a level was followed for less "
                           f"than tau ({short} only).")
    return out


_TERM = re.compile(r"(?<![\w\[])([A-Za-z_]\w*)(?:\[([^\[\]]+)\])?")


def _in_words(detail: str, note: AnalysisNote, options: ReportOptions) -> str:
    """``detail`` with the model terms named as the report names them: ``ecog_group[1-2]``
    -> ``ECOG performance status 1-2``, ``ecog_group`` -> ``ECOG performance status`` (a bare
    name only when it is an identifier with ``_``, never an English word), a landmark model's
    ``group[Yes]`` -> ``response yes``, a comparison's ``_t`` -> the comparison."""
    by_status = note.kind in (NoteKind.LANDMARK, NoteKind.LANDMARK_COX)

    def name(m: re.Match) -> str:
        var, level = m.group(1), m.group(2)
        if by_status and var == "group" and level is not None:
            label = note.label or options.label(note.variable)
        elif var == "_t" and note.label:
            label = note.label
        elif (var in options.labels or var == note.variable) and (
                level is not None or "_" in var):
            label = options.label(var)
        else:
            return m.group(0)
        return in_prose(label) + (f" {level.lower() if by_status else level}"
                                  if level is not None else "")

    return _TERM.sub(name, detail)


def _ph_words(note: AnalysisNote, options: ReportOptions) -> str:
    """A failed proportional-hazards test: ``"proportional hazards not supported by the
    scaled Schoenfeld residuals (global p = 0.031; cell type p = 0.031); ..."``."""
    st = options.style
    ps = "; ".join(fmt_p_clause(p, style=st, name=(in_prose(options.label(term)) + " p"
                                                    if term else "global p"))
                   for term, p in note.values)
    return (f"proportional hazards not supported by the test of the scaled Schoenfeld "
            f"residuals ({ps}); its hazard ratios average effects that change over time")


def imbalance_text(values: Sequence[tuple[str, float]], options: ReportOptions) -> str:
    """``"sex 0.128, number of metastatic sites 0.316"``: each adjuster by its label in prose
    with its largest |SMD| after the adjustment, as the balance table prints it."""
    return ", ".join(f"{in_prose(options.label(v))} "
                     f"{fmt_num(x, digits=3, style=options.style)}" for v, x in values)


def _imbalance_words(note: AnalysisNote, options: ReportOptions) -> str:
    """A comparison whose adjustment left an |SMD| above 0.1: the residual imbalance."""
    done = "weighting" if note.detail == "weighting" else "matching"
    return (f"residual imbalance after {done}, |SMD| above {BALANCE_SMD:g} for "
            f"{imbalance_text(note.values, options)}; its adjusted hazard ratios may still be "
            f"confounded by these variables")


def _note_subject(note: AnalysisNote, options: ReportOptions) -> str:
    """What a note is about, in words: ``"Fine-Gray model of time to progression by ECOG
    performance status"``."""
    ep = in_prose(options.label(note.endpoint))
    by = in_prose(note.label or options.label(note.variable))
    at = f"{note.at} {options.conventions.time_unit}"
    label = in_prose(note.label)
    return {
        NoteKind.NO_EVENTS: options.label(note.endpoint),
        NoteKind.COX_UNIVARIABLE: f"Univariable Cox model of {ep} by {by}",
        NoteKind.COX_MULTIVARIABLE: f"Multivariable Cox model of {ep}",
        NoteKind.PROPORTIONAL_HAZARDS: (f"Univariable Cox model of {ep} by {by}"
                                        if note.variable else f"Multivariable Cox model of {ep}"),
        NoteKind.BALANCE: f"Adjusted comparison by {label}",
        NoteKind.FINE_GRAY: f"Fine-Gray model of {ep} by {by}",
        NoteKind.LANDMARK: f"Landmark analysis of {ep} by {by} at {at}",
        NoteKind.LANDMARK_COX: f"Landmark Cox model of {ep} by {by} at {at}",
        NoteKind.TIME_VARYING: f"Time-varying analysis of {ep} by {by}",
        NoteKind.TIME_VARYING_COX: f"Time-varying Cox model of {ep} by {by}",
        NoteKind.PROPENSITY: f"Propensity model of {label}",
        NoteKind.COMPARISON_COX: f"Cox model of {ep}, {label}",
        NoteKind.ONE_SAMPLE_LOGRANK: f"One-sample log-rank test of {ep} against {label}",
    }[note.kind]


_BEYOND_REFERENCE = re.compile(r"(\d+) patient\(s\) are followed beyond the last reference "
                               r"time ([0-9.eE+-]+);")


def _one_sample_words(detail: str, options: ReportOptions) -> str:
    """The one-sample log-rank test's warning with its count and time as the report prints
    them: ``10 patients are followed beyond the end of the reference curve (28.4 months)``,
    not ``10 patient(s) ... the last reference time 28.3847``."""
    def words(m: re.Match) -> str:
        n = int(m.group(1))
        return (f"{fmt_count(n, 'patient')} {'is' if n == 1 else 'are'} followed beyond the "
                f"end of the reference curve ({fmt_num(float(m.group(2)), 1, style=options.style)}"
                f" {options.conventions.time_unit});")
    return _BEYOND_REFERENCE.sub(words, detail)


def analysis_notes(notes: Sequence[AnalysisNote], options: ReportOptions) -> list[str]:
    """The analyses' notes (a model that warned, an analysis not run) as the data-quality
    section states them: what was fitted, of which endpoint and by which variable, in the
    study's labels and time unit, then the detail, its model terms named as the tables name
    them. ``"Fine-Gray model of time to progression by ECOG performance status: ..."``."""
    out = []
    for note in notes:
        detail = (_ph_words(note, options) if note.kind == NoteKind.PROPORTIONAL_HAZARDS
                  else _imbalance_words(note, options) if note.kind == NoteKind.BALANCE
                  else _one_sample_words(note.detail, options)
                  if note.kind == NoteKind.ONE_SAMPLE_LOGRANK
                  else _in_words(note.detail, note, options))
        text = f"{_note_subject(note, options)}: {detail}"
        out.append(text if text.endswith(".") else text + ".")
    return out
