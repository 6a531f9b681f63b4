"""How the report words the conventions: every footnote and the methods paragraph.

One module reads :class:`~oncocohort.report.options.ReportOptions` (its conventions and
screen, the study's cut-off and index date) and says, in the report's words, which method
each number comes from. Each allowed value of a convention
(:mod:`oncocohort.canon.conventions`) has its wording here; a test checks that none is
missing.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata

import pandas as pd

from oncocohort.analysis.keys import Analysis, NotEstimable, Stat, Var
from oncocohort.canon.codes import DISEASE_CONTROL
from oncocohort.canon.sections import SECTIONS
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.options import ReportOptions
from oncocohort.report.prose import in_prose

__all__ = ["NOT_ESTIMABLE_SHORT", "not_estimable_footnotes", "km_abbreviation_footnotes",
           "method_prose", "status_group",
           "KM_NOT_ESTIMABLE", "PROPORTION_CI_NAMES",
           "MEDIAN_CI_NAMES", "COX_TIES_NAMES", "SCREEN_TEST_NAMES", "ci_label",
           "convention_footnotes", "follow_up_footnotes",
           "in_prose", "competing_names", "sentence_case",
           "suppression_footnote", "methods_paragraph", "software_versions"]

#: ``proportion_ci`` -> (footnote name, methods phrase).
PROPORTION_CI_NAMES: Mapping[str, tuple[str, str]] = {
    "clopper-pearson": ("Clopper-Pearson exact", "the Clopper-Pearson exact method"),
    "wilson": ("Wilson score", "the Wilson score method"),
    "wilson-cc": ("Wilson score with continuity correction",
                  "the Wilson score method with continuity correction"),
    "jeffreys": ("Jeffreys", "the Jeffreys method"),
    "agresti-coull": ("Agresti-Coull", "the Agresti-Coull method"),
    "wald": ("Wald", "the Wald method"),
}

#: ``median_ci`` -> (footnote words, methods phrase).
MEDIAN_CI_NAMES: Mapping[str, tuple[str, str]] = {
    "brookmeyer-crowley": ("Brookmeyer-Crowley", "by the method of Brookmeyer and Crowley"),
    "symmetric": ("symmetric, median ± z·SE as SPSS prints it",
                  "symmetric about the median (median ± z·SE, with the standard error of "
                  "Collett, as SPSS prints it)"),
}

#: ``cox_ties`` -> how a sentence names the tie handling (a person's name capitalised).
COX_TIES_NAMES: Mapping[str, str] = {"efron": "Efron", "breslow": "Breslow", "exact": "exact"}

_ESTIMANDS: Mapping[str, str] = {
    "ATE": "the average treatment effect (ATE)",
    "ATT": "the average treatment effect in the treated (ATT)",
    "ATO": "the average treatment effect in the overlap population (ATO)"}
_KM_SCALES: Mapping[str, str] = {"log-log": "log-log", "log": "log", "plain": "linear",
                                 "arcsin": "arcsine square-root"}
_METHOD_CODES = (
    (re.compile(r"\bties (efron|breslow|exact)\b"), lambda m: f"{COX_TIES_NAMES[m[1]]} ties"),
    (re.compile(r"\b(efron|breslow|exact) ties\b"), lambda m: f"{COX_TIES_NAMES[m[1]]} ties"),
    (re.compile(r"\b(brookmeyer-crowley|symmetric) interval, (log-log|log|plain|arcsin)\b"),
     lambda m: f"median interval {MEDIAN_CI_NAMES[m[1]][1]}, on the "
               f"{_KM_SCALES[m[2]]} scale"),
    (re.compile(r"\bIPW (ATE|ATT|ATO), (stabilised|unstabilised)\b"),
     lambda m: f"inverse probability weights for {_ESTIMANDS[m[1]]}, "
               f"{'stabilized' if m[2] == 'stabilised' else 'unstabilized'}"),
    # the ARD's methods are written in British spelling; the report's prose is American
    (re.compile(r"\b(neighbour|digitised|standardised)"),
     lambda m: {"neighbour": "neighbor", "digitised": "digitized",
                "standardised": "standardized"}[m[1]]),
)


def method_prose(text: str) -> str:
    """An ARD ``method`` text as a footnote says it: its codes in words (``ties efron`` ->
    ``Efron ties``, ``brookmeyer-crowley interval, log-log`` -> ``median interval by the
    method of Brookmeyer and Crowley, on the log-log scale``, ``IPW ATE, stabilised`` ->
    ``inverse probability weights for the average treatment effect (ATE), stabilized``).

    >>> method_prose("weighted Cox, robust sandwich SE; IPW ATE, stabilised; ties efron")
    'weighted Cox, robust sandwich SE; inverse probability weights for the average treatment \
effect (ATE), stabilized; Efron ties'
    """
    for pattern, words in _METHOD_CODES:
        text = pattern.sub(words, text)
    return text


#: ``screen.p_from`` -> how a sentence names the screening test.
SCREEN_TEST_NAMES: Mapping[str, str] = {"wald": "Wald", "lr": "likelihood-ratio",
                                        "logrank": "log-rank"}

_PACKAGES = ("numpy", "scipy", "pandas", "matplotlib", "oncocohort")


#: Why a hazard ratio is not estimable (ARD ``not_estimable`` rows), as a figure prints it.
NOT_ESTIMABLE_SHORT: dict[str, str] = {
    NotEstimable.NO_EVENTS: "NE (no events)",
    NotEstimable.MONOTONE: "NE (monotone likelihood)",
    NotEstimable.NO_INFORMATION: "NE (no information)",
}

_NOT_ESTIMABLE_LONG: dict[str, str] = {
    NotEstimable.NO_EVENTS: "no patient had an event, so no Cox model can be fitted "
                            "(no hazard ratio or test of the variable; none enters the "
                            "multivariable model).",
    NotEstimable.MONOTONE: "the Cox likelihood is monotone (in one group no patient, or every "
                           "patient at risk, had an event), so the hazard ratio is infinite "
                           "or zero and has no finite confidence interval (Heinze and "
                           "Schemper, Biometrics 2001; Firth's penalized likelihood gives a "
                           "finite estimate).",
    NotEstimable.NO_INFORMATION: "the term is constant or collinear with others, or the risk "
                                 "sets hold no information on it (R: NA coefficient).",
}


def not_estimable_footnotes(reasons: Sequence[str]) -> tuple[str, ...]:
    """One footnote per reason a table shows NE for, in the order given."""
    return tuple(f"NE, not estimable: {_NOT_ESTIMABLE_LONG[r]}" for r in dict.fromkeys(reasons))


#: Why a Kaplan-Meier cell reads NE, in the words of a table's footnote.
KM_NOT_ESTIMABLE: dict[str, str] = {
    "median_limit": "a limit of a median's confidence interval where the curve has fallen to "
                    "0 at its last event, so the band around 50% is undefined "
                    "(Brookmeyer-Crowley).",
    "after_end": "a rate at a time after the curve ends (no patient followed that long).",
    "no_event": "the interval of a survival of 100% (no event by then).",
}

_NR = re.compile(r"\bNR\b")


def km_abbreviation_footnotes(cells: Iterable[str],
                              ne_reasons: Sequence[str] = ()) -> tuple[str, ...]:
    """The footnotes defining the abbreviations of Kaplan-Meier cells that a table uses, as
    its ``cells`` show them: ``NR`` when a cell holds it, and one ``NE`` footnote per reason in
    ``ne_reasons`` (keys of :data:`KM_NOT_ESTIMABLE`; the builder gives the reasons of the NE
    cells it printed), nothing for an abbreviation the table does not use.

    >>> km_abbreviation_footnotes(["6.0 (2.9-NE)", "11.1 (7.7-17.6)"], ["median_limit"])[0][:30]
    'NE, not estimable: a limit of '
    >>> km_abbreviation_footnotes(["9.0 (5.1-NR)"])
    ('NR: not reached (the curve or the confidence band of its median does not fall to 50%).',)
    """
    out = []
    if any(_NR.search(c) for c in cells):
        out.append("NR: not reached (the curve or the confidence band of its median does not "
                   "fall to 50%).")
    out += [f"NE, not estimable: {KM_NOT_ESTIMABLE[r]}" for r in dict.fromkeys(ne_reasons)]
    return tuple(out)


def ci_label(options: ReportOptions) -> str:
    """``"95% CI"`` at the study's confidence level (``"97·5% CI"`` in the Lancet's style)."""
    return options.style.mark(f"{100 * float(options.conventions.conf_level):g}% CI")


#: The disease control rate's best responses, as the analysis counts them
#: (canon.codes.DISEASE_CONTROL), in the words of the methods and the response table.
DCR_DEFINITION = " + ".join("non-CR/non-PD" if code == "NON-CR/NON-PD" else code
                            for code in DISEASE_CONTROL)


def _month_days(options: ReportOptions) -> str:
    """`` (1 month = 30.4375 days)`` after a time unit of months; nothing for days, weeks or
    years (a month definition has no use when no time is in months)."""
    c = options.conventions
    return (f" (1 month = {_n(options, c.days_per_month)} days)" if c.time_unit == "months"
            else "")


def _n(options: ReportOptions, value: object) -> str:
    """A number of a convention (``30.4375``, ``0.05``) with the style's decimal mark."""
    return options.style.mark(str(value))


def _km_intervals(options: ReportOptions) -> str:
    c = options.conventions
    if c.median_ci == "brookmeyer-crowley":
        return (f"pointwise and median confidence intervals on the {c.km_conf_type} scale "
                f"(median: {MEDIAN_CI_NAMES[c.median_ci][0]})")
    return (f"pointwise confidence intervals on the {c.km_conf_type} scale, median confidence "
            f"intervals {MEDIAN_CI_NAMES[c.median_ci][0]}")


_TRUNCATED_NOTE = " (data truncated at the data cut-off)"


def convention_footnotes(options: ReportOptions, *which: str,
                         per_units: bool = False) -> tuple[str, ...]:
    """Footnotes stating the conventions a table depends on (``which`` picks them:
    ``proportion``, ``km``, ``time``, ``cox``, ``denominator`` (a derived best response),
    ``recorded`` (a recorded one), ``safety``, ``baseline``); ``per_units``: the table has
    hazard ratios of continuous variables (per their units), which the ``cox`` note then
    mentions."""
    c, screen = options.conventions, options.screen
    denominator = ("all treated patients" if c.response.denominator == "all"
                   else "evaluable patients (best response not NE)")
    notes = {
        "proportion": f"Confidence intervals of proportions: "
                      f"{PROPORTION_CI_NAMES[c.proportion_ci][0]} method.",
        "km": f"Kaplan-Meier estimates; {_km_intervals(options)}.",
        "time": (f"Times in {c.time_unit}{_month_days(options)} "
                 f"from {options.time_origins_text()}; data cut-off {options.data_cutoff}"
                 f"{_TRUNCATED_NOTE if options.records_after_cutoff == 'truncate' else ''}."),
        "cox": (f"Hazard ratios from Cox proportional-hazards models (ties: "
                f"{COX_TIES_NAMES[c.cox_ties]}), "
                "Wald confidence intervals and p-values; hazard ratios against the level "
                "marked 1 (reference)"
                + (", and per the units shown for continuous variables. " if per_units
                   else ". ") +
                f"Variables with univariable p < {_n(options, screen.threshold)} "
                f"({SCREEN_TEST_NAMES[screen.p_from]} test) entered the multivariable "
                f"model, fitted when at least two did."),
        "denominator": (f"Percentages of {denominator}; "
                        f"best overall response per RECIST 1.1, "
                        f"{'confirmed' if c.response.confirmation else 'unconfirmed'}."),
        "recorded": (f"Percentages of {denominator}; best overall response as recorded by "
                     f"the investigators, not derived from lesion measurements (no recorded "
                     f"response: NE)."),
        "safety": (f"Patients by worst CTCAE v5.0 grade of treatment-related, treatment-emergent "
                   f"events (onset up to {c.treatment_emergent_days} days after the end "
                   f"of treatment); percentages of all treated patients."),
        "baseline": "Percentages of all patients; missing values counted separately.",
    }
    return tuple(notes[w] for w in which)


def follow_up_footnotes(options: ReportOptions) -> tuple[str, ...]:
    """What the two follow-up rows are (of the overall-survival endpoint only)."""
    return (f"Observation time: from the {options.index_date_label} to death or the last "
            f"contact, in every patient, deaths included; the range is that of these observed "
            f"times. Follow-up by the reverse Kaplan-Meier method: the same times with deaths "
            f"censored and the last contacts of living patients as events (Schemper and Smith "
            f"1996); it is longer because early deaths do not shorten it.",)


def suppression_footnote(options: ReportOptions, used: bool) -> tuple[str, ...]:
    """The small-cell footnote, when a table suppressed a count."""
    k = options.small_cell_k
    if k is None or not used:
        return ()
    return (f"Counts between 1 and {k - 1} are shown as <{k}; cells marked * are suppressed so "
            f"that a small count cannot be recovered by subtraction.",)


def software_versions() -> dict[str, str]:
    """Python and the numerical packages the results depend on (installed versions)."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out


#: How the methods name the named dates of an endpoint rule (``canon.codes.NAMED_DATES``).
DATE_WORDS: Mapping[str, str] = {
    "index": "the index date", "death": "death", "last_alive": "the last contact",
    "progression": "progression", "first_response": "the first response",
    "last_adequate_assessment": "the last adequate tumor assessment",
    "last_assessment": "the last tumor assessment", "new_therapy": "a new anticancer therapy",
    "eot": "the end of treatment", "data_cutoff": "the data cut-off",
    "last_adequate_before_progression": "the last adequate assessment before progression",
    "last_adequate_before_new_therapy": "the last adequate assessment before a new therapy",
}


def _date_words(name: str, options: ReportOptions | None) -> str:
    """A named date in words: :data:`DATE_WORDS`; ``patients.<column>``: the column's label
    (``labels``) in prose, else the column in words without a trailing "date"."""
    if name in DATE_WORDS:
        return DATE_WORDS[name]
    column = name.removeprefix("patients.")
    if options is not None and column in options.labels:
        return in_prose(options.labels[column])
    return column.removesuffix("_date").replace("_", " ")


def _dates(names: Sequence[str], join: str, options: ReportOptions | None = None) -> str:
    words = [_date_words(n, options) for n in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {join} " + words[-1]


def sentence_case(text: str) -> str:
    """``"the last contact"`` -> ``"Last contact"``; ``"death without progression"`` ->
    ``"Death without progression"`` (a legend entry or a table row)."""
    for article in ("the ", "a ", "an "):
        text = text.removeprefix(article)
    return text[:1].upper() + text[1:]


def status_group(status: str, level: str) -> str:
    """The patients of one level of a time-dependent status, as a row or a legend names them:
    ``"With response"`` (``Yes``) and ``"Without response"`` (``No``), never the data's
    ``Response yes`` / ``Response no``.

    >>> status_group("RECIST response", "No"), status_group("Response", "Yes")
    ('Without RECIST response', 'With response')
    """
    return f"{'With' if level == 'Yes' else 'Without'} {in_prose(status)}"


def competing_names(options: ReportOptions, endpoint: str) -> tuple[str, str]:
    """The event of interest and the competing event of a competing-risk endpoint as the
    text names them, from its named dates (``endpoints.<name>.events`` and ``competing``):
    ``("progression", "death without progression")``. A competing ``death`` is "death without
    <the event>" (the usual term: death without progression, death without relapse); other
    competing dates are named as they are (``patients.other_death_date``: its label, else
    "other death"). ``("the event", "the competing event")`` when the spec does not say."""
    rules = {name: (ev, comp) for name, ev, comp in options.facts.competing}
    if endpoint not in rules:
        return "the event", "the competing event"
    ev, comp = rules[endpoint]
    event = _dates(ev, "or", options)
    competing = _dates(comp, "or", options)
    if tuple(comp) == ("death",) and "death" not in ev:
        competing = f"death without {event}"
    return event, competing


def _response_count(ard: ArdLookup | None, variable: str) -> float | None:
    return None if ard is None else ard.get(analysis=Analysis.RESPONSE, variable=variable,
                                            statistic=Stat.N, default=None)


def _recorded_response_methods(options: ReportOptions, ard: ArdLookup | None,
                               level: str) -> str:
    """The best response taken as the investigators recorded it (no tumor assessments)."""
    c = options.conventions
    recorded = _response_count(ard, Var.RECORDED_BOR)
    patients = _response_count(ard, Var.PATIENTS)
    counted = (f" ({recorded:.0f} of {patients:.0f} patients had one)"
               if recorded is not None and patients is not None else "")
    denom = ("all treated patients" if c.response.denominator == "all"
             else "patients with an evaluable best response")
    return (f"Tumor response was taken as recorded by the investigators: the best overall "
            f"response of each patient as the records give it{counted}, not derived from "
            f"lesion measurements, so the study's rules on confirmation and on the minimum "
            f"duration of stable disease were not applied, and neither the change in tumor "
            f"size nor the time to or duration of response could be analyzed; a patient "
            f"without a recorded best response counted as not evaluable (NE). The objective "
            f"response rate (CR + PR) and the disease control rate ({DCR_DEFINITION}) are given "
            f"with {level} confidence intervals by {PROPORTION_CI_NAMES[c.proportion_ci][1]}, "
            f"with {denom} as the denominator. ")


def _unused_recorded_response(ard: ArdLookup | None) -> str:
    """A recorded best response the derived one took precedence over."""
    unused = _response_count(ard, Var.RECORDED_BOR_UNUSED)
    if not unused:
        return ""
    differs = _response_count(ard, Var.RECORDED_BOR_DIFFERS) or 0.0
    return (f"The best overall response recorded by the investigators ({unused:.0f} patients) "
            f"was not analyzed: the one derived from the tumor assessments takes precedence "
            f"(it differed from the recorded one in {differs:.0f} of them). ")


def _response_methods(options: ReportOptions, ard: ArdLookup | None, level: str) -> str:
    if _response_count(ard, Var.RECORDED_BOR) is not None:
        return _recorded_response_methods(options, ard, level)
    c = options.conventions
    r = c.response
    measured = _response_count(ard, Var.LESION_MEASURED)
    source = (f"derived from the lesion measurements ({measured:.0f} patients with target-lesion "
              f"sums: diameters, short axes of lymph nodes, against the baseline sum and the "
              f"nadir)" if measured else "taken as recorded")
    conf = (f"confirmed by a second assessment at least {r.confirmation_days} days later, "
            f"with at most {r.max_ne_between} NE assessment between" if r.confirmation
            else "unconfirmed")
    denom = ("all treated patients" if r.denominator == "all"
             else "patients with an evaluable best response")
    return (f"Tumor response per RECIST 1.1 was {source}; the best overall response was "
            f"{conf}; stable disease counted only from day {r.sd_min_days} after the start, "
            f"and a best response was not evaluable (NE) without a post-baseline assessment or "
            f"with stable disease only before that day. The objective response rate (CR + PR) "
            f"and the disease control rate ({DCR_DEFINITION}) are given with {level} confidence "
            f"intervals by {PROPORTION_CI_NAMES[c.proportion_ci][1]}, with {denom} as the "
            f"denominator. " + _unused_recorded_response(ard))


def _endpoint_methods(options: ReportOptions, endpoints: Mapping[str, str]) -> str:
    rules = {name: (ev, cens) for name, ev, cens in options.facts.endpoints}
    competing = {name for name, _, _ in options.facts.competing}
    parts = []
    for name, label in endpoints.items():
        if name not in rules:
            continue
        ev, cens = rules[name]
        first = ", whichever came first" if len(ev) > 1 else ""
        if name in competing:
            _, what = competing_names(options, name)
            first += f", with {what} counted as a competing event"
        nobody = "with neither" if name in competing else "without an event"
        parts.append(f"{label} ran from the {options.time_origin(name)} to "
                     f"{_dates(ev, 'or', options)}{first}; patients {nobody} were censored "
                     f"at {_dates(cens, 'or, failing that,', options)}. ")
    return "".join(parts)


def _cut_methods(options: ReportOptions, ard: ArdLookup | None) -> str:
    """``"Subgroups cut from numeric values: age (years; <63 vs ≥63, cut at 63, the
    patients' median); ECOG performance status (0 vs 1-2, fixed cut point 1)."``: each variable by its label in prose, the values it was cut from by
    theirs when they have one of their own, never a raw column name."""
    parts = []
    st = options.style
    for var, source, cuts, labels in options.facts.subgroup_cuts:
        median = None if ard is None else ard.get(
            analysis=Analysis.BASELINE, variable=source, statistic=Stat.MEDIAN, default=None)
        # The spec's cut points are break points only when there is one label more than
        # cuts; with as many labels as cuts the first is the lowest value of the first group
        # (spec.model.SubgroupDerive): [0, 1, 2] with "0", "1", "2-3" breaks at 1 and 2.
        floor = len(labels) == len(cuts)
        breaks = cuts[1:] if floor else cuts
        marks = [st.mark(f"{c:g}") for c in breaks]
        points = (" and ".join([", ".join(marks[:-1]), marks[-1]]) if len(marks) > 1
                  else "".join(marks))
        at_median = (median is not None and len(breaks) == 1 and median == breaks[0]
                     and not floor)
        # what the spec set, said: the median of the data, else the fixed points given
        where = ("" if not marks else f"cut at {points}, the patients' median" if at_median
                 else f"fixed cut point{'s' if len(marks) > 1 else ''} {points}")
        if floor:
            lowest = f"the lowest group from {st.mark(f'{cuts[0]:g}')}"
            where = f"{where}, {lowest}" if where else lowest
        origin = where
        shown = " vs ".join(lb.replace(">=", "\u2265").replace("<=", "\u2264") for lb in labels)
        label = in_prose(options.label(var))
        named = in_prose(options.label(source)) if source in options.labels else ""
        if named and named.lower() not in label.lower() and label.lower() not in named.lower():
            origin = f"{named} {origin}"  # not "ECOG (0 vs 1, ECOG performance status cut..."
        detail = f"{shown}, {origin}"
        if label.endswith(")") and " (" in label:  # "age (years)" -> "age (years; <63 vs ...)"
            head, unit = label[:-1].rsplit(" (", 1)
            parts.append(f"{head} ({unit}; {detail})")
        else:
            parts.append(f"{label} ({detail})")
    if not parts:
        return ""
    return "Subgroups cut from numeric values: " + "; ".join(parts) + ". "


def _safety_methods(options: ReportOptions) -> str:
    c, f = options.conventions, options.facts
    drugs = (f" or attributed to a drug of the regimen ({', '.join(f.regimen_drugs)})"
             if f.regimen_drugs else "")
    text = (f"Adverse events were mapped to CTCAE v5.0 terms and counted once per patient by "
            f"the worst grade; treatment-emergent events began on or after the start and up to "
            f"{c.treatment_emergent_days} days after the end of treatment, and an event was "
            f"treatment-related when recorded as related{drugs}. ")
    if f.term_groups:
        text += (f"Terms were grouped into categories defined before the analysis "
                 f"({', '.join(map(in_prose, f.term_groups))}; each category's terms are "
                 f"footnoted). ")
    if f.immune_related:
        text += f"Immune-related events: {', '.join(map(in_prose, f.immune_related))}. "
    return text


def methods_paragraph(options: ReportOptions, endpoints: Mapping[str, str],
                      versions: Mapping[str, str],
                      sections: Sequence[str] = SECTIONS,
                      ard: pd.DataFrame | None = None) -> str:
    """One paragraph stating what the code did, for the ``sections`` analyzed only
    (``endpoints``: name -> label of the time-to-event endpoints analyzed): every convention,
    the derivation of response, the endpoint definitions and censoring rules, the subgroup
    cut-points and their origin (the ``ard``, when given, says whether a cut is the median),
    two-sided tests, the dose-intensity definition, the attribution and grouping of adverse
    events. Each sentence once."""
    c, screen = options.conventions, options.screen
    lookup = None if ard is None else ArdLookup(ard)
    level = options.style.mark(f"{100 * float(c.conf_level):g}%")
    soft = ", ".join(f"{k} {v}" for k, v in versions.items() if k != "python")
    source = ("Patients were identified in an OMOP Common Data Model v5.4 database, where the "
              "index event and the inclusion and exclusion criteria were evaluated and the "
              "attrition counted; only the selected patients' records were read. "
              if options.cohort_source == "omop" else "")
    parts = [
        f"{source}Time was measured from {options.time_origins_text(tuple(endpoints))} in "
        f"{c.time_unit}{_month_days(options)}; the data cut-off was "
        f"{options.data_cutoff}. "]
    if options.records_after_cutoff == "truncate":
        parts.append("The data were truncated at the data cut-off: events after it were "
                     "ignored, follow-up was censored at it, and patients starting after it "
                     "and records after it were left out. ")
    if "response" in sections:
        parts.append(_response_methods(options, lookup, level))
    if "survival" in sections:
        with_competing = {name for name, _, _ in options.facts.competing} & set(endpoints)
        parts.append(
            "Time-to-event endpoints"
            + (" without a competing event" if with_competing else "")
            + f" were estimated by the Kaplan-Meier method, with "
            f"pointwise {level} confidence intervals on the {c.km_conf_type} scale and median "
            f"confidence intervals {MEDIAN_CI_NAMES[c.median_ci][1]}. ")
        parts.append(_endpoint_methods(options, endpoints))
        parts.append("Follow-up was summarized from the overall-survival times as the median "
                     "observation time (to death or the last contact) and by the reverse "
                     "Kaplan-Meier method. ")
    if "subgroups" in sections:
        parts.append(
            f"Subgroups were compared with the log-rank test and hazard ratios estimated by "
            f"Cox proportional-hazards regression ({COX_TIES_NAMES[c.cox_ties]} ties, Wald "
            f"intervals); variables with a univariable p < {_n(options, screen.threshold)} "
            f"({SCREEN_TEST_NAMES[screen.p_from]} test) entered the multivariable model, "
            f"fitted when at least two did, on the patients with every variable recorded, "
            f"whose proportional-hazards assumption was checked with scaled Schoenfeld "
            f"residuals (that of the univariable model when one variable alone did). ")
        parts.append(_cut_methods(options, lookup))
    if "exposure" in sections:
        parts.append("Relative dose intensity was the dose given divided by the dose planned "
                     "from the first dose to the end of the last cycle started. ")
    if "safety" in sections:
        parts.append(_safety_methods(options))
    parts.append("All p-values are two-sided. ")
    parts.append(f"Analyses used Python {versions.get('python', '')} with {soft}.")
    return "".join(parts)
