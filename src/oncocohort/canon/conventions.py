"""The conventions a study states: each one's allowed values and default, written once.

The study spec (``conventions:`` and ``screen:``, :mod:`oncocohort.spec.model`) accepts
exactly these values and takes its defaults from the records below; the stages' option
records (:class:`oncocohort.derive.recist.ResponseOptions`,
:class:`oncocohort.derive.endpoints.TimeOptions`, :class:`oncocohort.model.ValidationOptions`,
:class:`oncocohort.analysis.options.AnalysisOptions`) take theirs from here too, and the
report words each value (:mod:`oncocohort.report.wording`). ``docs/study-spec.md`` describes
each convention and its equivalent in R, SAS, Stata and SPSS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "TimeUnit", "DayCount", "PartialDates", "ProportionCI", "KmConfType", "MedianCI",
    "CoxTies", "ResponseDenominator", "ScreenTest", "RecordsAfterCutoff",
    "DEFAULT_RECORDS_AFTER_CUTOFF",
    "ResponseConventions", "Conventions", "Screen",
]

TimeUnit = Literal["days", "weeks", "months", "years"]
DayCount = Literal["admiral", "difference"]
PartialDates = Literal["reject", "first", "mid", "last"]
ProportionCI = Literal["clopper-pearson", "wilson", "wilson-cc", "jeffreys", "agresti-coull",
                       "wald"]
KmConfType = Literal["log-log", "log", "plain", "arcsin"]
MedianCI = Literal["brookmeyer-crowley", "symmetric"]
CoxTies = Literal["efron", "breslow", "exact"]
ResponseDenominator = Literal["all", "evaluable"]
ScreenTest = Literal["wald", "lr", "logrank"]
#: What a date after the data cut-off is (spec ``study.records_after_cutoff``): an error, or
#: truncated (:mod:`oncocohort.model.cutoff`). Errors by default: in data extracted at the
#: cut-off, a later date is a typo or a wrong cut-off, which truncation would hide.
RecordsAfterCutoff = Literal["error", "truncate"]
DEFAULT_RECORDS_AFTER_CUTOFF: RecordsAfterCutoff = "error"


@dataclass(frozen=True)
class ResponseConventions:
    """Best overall response rules (RECIST 1.1 section 4.4) and the response-rate denominator.

    ``confirmation``: the analysed BOR is the confirmed one (CR/PR confirmed at least
    ``confirmation_days`` later, with at most ``max_ne_between`` NE assessments between);
    ``sd_min_days``: SD counts only from this many days after the index date; ``denominator``:
    response rates of all patients (``all``) or of those whose BOR is not NE (``evaluable``).
    """

    confirmation: bool = False
    confirmation_days: int = 28
    sd_min_days: int = 42
    max_ne_between: int = 1
    denominator: ResponseDenominator = "all"


@dataclass(frozen=True)
class Conventions:
    """Every statistical and derivation convention of a study (spec ``conventions:``).

    ``time_unit`` and ``days_per_month``: how durations are expressed; ``day_count``:
    ``admiral`` (end - start + 1) or ``difference`` (end - start); ``partial_dates``: reject
    or impute; ``proportion_ci``: the interval of response rates; ``km_conf_type``: the scale
    of Kaplan-Meier intervals; ``median_ci``: the interval of Kaplan-Meier medians
    (``brookmeyer-crowley`` on the ``km_conf_type`` scale, as R, SAS and Stata; ``symmetric``:
    median +- z SE, as SPSS); ``cox_ties``: the tie handling of Cox models; ``conf_level``:
    every interval's level; ``treatment_emergent_days``: days after the end of treatment an
    adverse event still counts as treatment-emergent.
    """

    time_unit: TimeUnit = "months"
    days_per_month: float = 30.4375
    day_count: DayCount = "admiral"
    partial_dates: PartialDates = "reject"
    proportion_ci: ProportionCI = "clopper-pearson"
    km_conf_type: KmConfType = "log-log"
    median_ci: MedianCI = "brookmeyer-crowley"
    cox_ties: CoxTies = "efron"
    conf_level: float = 0.95
    response: ResponseConventions = field(default_factory=ResponseConventions)
    treatment_emergent_days: int = 30


@dataclass(frozen=True)
class Screen:
    """The univariable screen for the multivariable Cox model (spec ``screen:``): variables
    whose univariable ``p_from`` p-value (Cox Wald, likelihood-ratio, or log-rank) is below
    ``threshold`` enter the model."""

    threshold: float = 0.05
    p_from: ScreenTest = "wald"
