"""The ARD vocabulary: every fixed value of its key columns, written once.

The analyses write rows with these keys and the report reads them back with the same names,
so a key cannot be spelled two ways (a test checks that every value of the ``analysis`` and
``statistic`` columns of a study's ARD is one of these, and that every key the report reads is
in the ARD). Values that come from the data are not here: a baseline variable's name, its
levels, an adverse-event category, an endpoint's name. ``docs/results.md`` describes each
analysis's rows.

The members are :class:`enum.StrEnum`: each equals its text (``Stat.N == "n"``), and the ARD
holds the plain text.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Analysis", "Var", "Stat", "Group", "Level", "Category", "screen_variable"]


class Analysis(StrEnum):
    """``analysis``: which analysis a row belongs to."""

    POPULATION = "population"
    BASELINE = "baseline"
    EXPOSURE = "exposure"
    DISPOSITION = "disposition"
    RESPONSE = "response"
    SURVIVAL = "survival"
    SUBGROUP = "subgroup"
    COX_UNIVARIABLE = "cox_univariable"
    COX_MULTIVARIABLE = "cox_multivariable"
    SAFETY = "safety"
    PRIOR_THERAPY = "prior_therapy"  # prior immune checkpoint inhibitor and the interval since


class Var(StrEnum):
    """``variable``: what a row describes, when it is not a column of the data."""

    PATIENTS = "patients"            # the number of patients of the analysis
    EVENTS = "events"
    MATURITY = "maturity"            # events / patients, %
    MEDIAN = "median"                # the Kaplan-Meier median and its interval
    LANDMARK = "landmark"            # survival at a landmark time (category: the time)
    AT_RISK = "at_risk"              # numbers at risk under the KM figures (category: time)
    FOLLOW_UP = "follow_up"          # reverse Kaplan-Meier median follow-up and the range
    LOGRANK = "logrank"
    HR = "hr"                        # a Cox hazard ratio (group_var, group_level: the term)
    SCREEN = "screen"                # whether a variable entered the multivariable model
    EVALUABLE = "evaluable"          # patients whose best response is not NE
    BOR = "bor"                      # best overall response (category: the RECIST code)
    ORR = "orr"
    DCR = "dcr"
    STATUS = "status"                # disposition at the data cut-off (category: the status)
    DEATHS = "deaths"
    DOSE_REDUCTION = "dose_reduction"
    TREATMENT_DURATION = "treatment_duration_months"
    CYCLES = "n_cycles"
    DOSE_INTENSITY = "relative_dose_intensity"  # %, of the planned dose intensity
    DOSE_DELAY = "dose_delay"        # patients with at least one delayed dose
    DOSE_INTERRUPTION = "dose_interruption"  # patients with at least one interruption
    REDUCTION_REASON = "reduction_reason"    # reason of the first dose reduction (category)
    TIME_TO_RESPONSE = "time_to_response"    # responders: reference date to first response
    BEST_PCT_CHANGE = "best_pct_change"      # best % change of the sum of target lesions
    NE_REASON = "ne_reason"          # why a best response is NE (category: the reason)
    PRIOR_ICI = "prior_ici"          # patients with an immune checkpoint inhibitor before
    ICI_FREE_INTERVAL = "ici_free_interval"  # last prior ICI dose to the index date
    OBSERVATION_TIME = "observation_time"    # index date to death or last contact, all patients


def screen_variable(p_from: str) -> str:
    """The ``variable`` of the screen's p-value row: ``screen_wald``, ``screen_lr``,
    ``screen_logrank``."""
    return f"screen_{p_from}"


class Stat(StrEnum):
    """``statistic``."""

    N = "n"
    PCT = "pct"
    N_MISSING = "n_missing"
    PCT_MISSING = "pct_missing"
    MEDIAN = "median"
    Q1 = "q1"
    Q3 = "q3"
    MIN = "min"
    MAX = "max"
    MEAN = "mean"
    SD = "sd"                        # standard deviation (n - 1 denominator)
    LOWER = "lower"
    UPPER = "upper"
    HR = "hr"
    P = "p"
    STATISTIC = "statistic"          # a test statistic (log-rank chi-square)
    DF = "df"
    SELECTED = "selected"            # 1 when the variable entered the multivariable model
    N_AT_RISK = "n_at_risk"
    N_EVENTS = "n_events"            # cumulative events up to the time


class Group(StrEnum):
    """``group_var`` values the analyses set themselves (subgroup analyses use the variable's
    name)."""

    POPULATION = "population"        # safety: TRAE or AE
    DRUG = "drug"                    # exposure: per drug, and the regimen


class Level(StrEnum):
    """``group_level`` values the analyses set themselves."""

    TRAE = "TRAE"
    AE = "AE"
    REGIMEN = "regimen"


class Category(StrEnum):
    """``category`` values the analyses set themselves."""

    ANY_GRADE = "any grade"
    GRADE_1_2 = "grade 1-2"
    GRADE_3_PLUS = "grade >=3"
    GRADE_MISSING = "grade missing"
    ON_TREATMENT = "on treatment at data cut-off"
    NOT_RECORDED = "not recorded"
