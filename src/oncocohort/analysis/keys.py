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

__all__ = ["Analysis", "Var", "Stat", "Group", "Level", "Category", "Method",
           "NotEstimable", "landmark_at_risk_category", "screen_variable"]


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
    COMPETING_RISKS = "competing_risks"   # cumulative incidence, Gray's test (per endpoint)
    FINE_GRAY = "fine_gray"               # univariable subdistribution hazard ratios
    RMST = "rmst"                         # restricted mean survival time (or time lost)
    LANDMARK_ANALYSIS = "landmark_analysis"   # by a status at a landmark time
    TIME_VARYING = "time_varying"         # a status as a time-varying covariate
    COMPARISON = "comparison"        # an adjusted internal comparison (group_var: its name)
    BALANCE = "balance"              # covariate balance of a comparison (variable: covariate)
    EXTERNAL = "external"            # the cohort against a published arm (group_var: its name)
    RECONSTRUCTION = "reconstruction"  # how well the published arm was rebuilt (QC)


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
    SCREEN = "screen"                # whether a variable passed the screen
    GLOBAL_WALD = "global_wald"      # joint Wald test of a variable's terms (all its levels)
    GLOBAL_LR = "global_lr"          # likelihood-ratio test of a univariable model
    PH_TEST = "ph_test"              # cox.zph: per variable (group_var), global (group_var "")
    EVALUABLE = "evaluable"          # patients whose best response is not NE
    LESION_MEASURED = "lesion_measured"  # patients whose response came from lesion sizes
    RECORDED_BOR = "recorded_bor"    # patients whose best response is taken as recorded
    RECORDED_BOR_UNUSED = "recorded_bor_unused"  # recorded, not analysed (derived wins)
    RECORDED_BOR_DIFFERS = "recorded_bor_differs"  # of those, recorded differs from derived
    CENSORED_DAY1 = "censored_day1"  # patients censored on the first day of an endpoint
    BOR = "bor"                      # best overall response (category: the RECIST code)
    ORR = "orr"
    DCR = "dcr"
    STATUS = "status"                # disposition at the data cut-off (category: the status)
    DEATHS = "deaths"
    DISCONTINUED = "discontinued"    # disposition: treatment ended by the data cut-off
    DOSE_REDUCTION = "dose_reduction"
    TREATMENT_DURATION = "treatment_duration_months"
    CYCLES = "n_cycles"
    SERIOUS = "serious"              # safety: patients with a serious adverse event
    IMMUNE_RELATED = "immune_related"        # safety: patients with an immune-related AE
    FATAL = "fatal"                  # safety: patients with a grade 5 (fatal) adverse event
    AE_DISCONTINUATION = "discontinued_for_ae"  # treatment ended for an adverse event
    AE_DOSE_REDUCTION = "reduced_for_ae"        # first dose reduction for a recorded AE
    AE_INTERRUPTION = "interrupted_for_ae"      # a dose interruption for a recorded AE
    DEATH_30D = "death_30d_last_dose"           # deaths within 30 days of the last dose
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
    CIF_EVENT = "cif_event"          # cumulative incidence of the event (category: the time)
    CIF_COMPETING = "cif_competing"  # cumulative incidence of the competing event
    COMPETING_EVENTS = "competing_events"  # number of competing events
    GRAY = "gray"                    # Gray's test across the levels of group_var
    SHR = "shr"                      # a Fine-Gray subdistribution hazard ratio
    RMST = "rmst"                    # restricted mean survival time (category: tau)
    RMTL = "rmtl"                    # restricted mean time lost to the event (category: tau)
    RMST_DIFFERENCE = "rmst_difference"   # group_level: "<level> vs <reference>"
    RMST_RATIO = "rmst_ratio"
    LAST_TIME = "last_time"          # a level's last observed time, shorter than tau: no RMST
    EXCLUDED = "excluded"            # landmark: patients with the event or censored by then
    MANTEL_BYAR = "mantel_byar"
    PROPENSITY = "propensity"        # a comparison's propensity scores (per group)
    WEIGHTS = "weights"              # a comparison's weights (per group; matching: 0/1 ...)
    TRIMMED = "trimmed"              # patients left out by trimming (weight 0)
    MATCHED = "matched"              # patients matched
    UNMATCHED = "unmatched"          # patients left unmatched (weight 0)
    HR_UNADJUSTED = "hr_unadjusted"  # the crude hazard ratio of a comparison
    ONE_SAMPLE_LOGRANK = "one_sample_logrank"  # the cohort against the published curve
    TOTAL_EVENTS = "total_events"    # reconstruction QC: events published vs rebuilt


def landmark_at_risk_category(at: float, time: float) -> str:
    """The ``category`` of a landmark analysis's number at risk: the landmark and the time
    since it, ``"3|6"`` (6 time units after the landmark at 3)."""
    def text(t: float) -> str:
        return str(int(t)) if float(t).is_integer() else f"{t:g}"
    return f"{text(at)}|{text(time)}"


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
    SELECTED = "selected"            # 1 when the variable passed the screen
    N_AT_RISK = "n_at_risk"
    N_EVENTS = "n_events"            # cumulative events up to the time
    SE = "se"                        # a standard error
    ESTIMATE = "estimate"            # an RMST, difference or ratio
    N_AT_RISK_WEIGHTED = "n_at_risk_weighted"  # the sum of the weights still at risk
    N_EFFECTIVE = "n_effective"      # Kish's effective sample size (sum w)^2 / sum w^2
    SE_MODEL = "se_model"            # model-based SE beside a robust one
    E_VALUE = "e_value"              # VanderWeele-Ding E-value of the estimate
    E_VALUE_CI = "e_value_ci"        # ... of the confidence limit closest to 1
    SMD_BEFORE = "smd_before"        # standardised mean difference, unweighted
    SMD_AFTER = "smd_after"          # ... weighted or matched
    VR_BEFORE = "vr_before"          # variance ratio treated / control, unweighted
    VR_AFTER = "vr_after"
    DIFFERENCE = "difference"        # a difference between two groups (RMST)
    OBSERVED = "observed"            # observed events (one-sample log-rank)
    EXPECTED = "expected"            # expected events under the reference curve
    Z = "z"
    PUBLISHED = "published"          # reconstruction QC: the published (digitised) value
    RECONSTRUCTED = "reconstructed"  # ... and the value of the rebuilt patient data
    PER = "per"                      # a continuous Cox term: the units of one hazard ratio
    SMD = "smd"                      # standardised mean difference between two groups
    NOT_ESTIMABLE = "not_estimable"  # 1: the estimate cannot be given (category: the reason)


class Group(StrEnum):
    """``group_var`` values the analyses set themselves (subgroup analyses use the variable's
    name)."""

    POPULATION = "population"        # safety: TRAE or AE
    TERM_GROUP = "term_group"        # safety: a spec term group's member terms (level: TRAE/AE)
    DRUG = "drug"                    # exposure: per drug, and the regimen


class Level(StrEnum):
    """``group_level`` values the analyses set themselves."""

    TRAE = "TRAE"
    AE = "AE"
    REGIMEN = "regimen"
    COHORT = "cohort"                # external comparison: the study's cohort
    PUBLISHED = "published arm"      # ... and the reconstructed published arm


class Category(StrEnum):
    """``category`` values the analyses set themselves."""

    ANY_GRADE = "any grade"
    GRADE_1_2 = "grade 1-2"
    GRADE_3_PLUS = "grade >=3"
    GRADE_3 = "grade 3"
    GRADE_4 = "grade 4"
    GRADE_5 = "grade 5"
    GRADE_MISSING = "grade missing"
    ON_TREATMENT = "on treatment at data cut-off"
    NOT_RECORDED = "not recorded"


class Method(StrEnum):
    """``method``: how the number of a row was computed (the rows of the analyses of issue 16
    carry it; other rows leave it empty, their conventions being stated in the report)."""

    AALEN_JOHANSEN = "Aalen-Johansen; cmprsk cuminc (Aalen) variance"
    GRAY = "Gray's test (rho = 0), cmprsk cuminc"
    FINE_GRAY = "Fine-Gray (cmprsk crr), robust sandwich SE"
    RMST_KM = "Kaplan-Meier area; Greenwood delta-method SE (R survfit rmean)"
    RMTL_AJ = "Aalen-Johansen area; infinitesimal-jackknife SE (R survfit rmean)"
    RMST_CONTRAST = "survRM2 rmst2: difference (natural scale), ratio (log scale, delta method)"
    LANDMARK_KM = "landmark: Kaplan-Meier from the landmark"
    LANDMARK_LOGRANK = "landmark: log-rank test"
    LANDMARK_COX = "landmark: Cox, Wald interval"
    TV_COX = "Cox, counting process (start, stop], time-varying status, Wald interval"
    MANTEL_BYAR = "Mantel-Byar test (exact partial likelihood score test)"
    SIMON_MAKUCH = "Simon-Makuch"
    COUNT = "count"
    SHORT_FOLLOW_UP = ("last observed time (event or censoring) of the level, before tau: "
                       "not estimated")
    AT_RISK = "count; at risk = time >= t"
    CUMULATIVE_EVENTS = "count; cumulative events = event time <= t"
    CUMULATIVE_EVENTS_OF_INTEREST = ("count; cumulative events of interest = event time <= t "
                                     "(competing events not counted)")
    LANDMARK_AT_RISK = "count; at risk = time since the landmark >= t"
    LANDMARK_EXCLUDED = "count; event or censored by the landmark (time <= landmark)"
    LIMIT_NOT_REACHED = ("Brookmeyer-Crowley: the band does not fall to 0.5 where it is "
                         "defined (not reached, NR)")
    LIMIT_NOT_ESTIMABLE = ("Brookmeyer-Crowley: the band is undefined where the curve has "
                           "fallen to 0.5 (survival 0; not estimable, NE)")
    STATUS_AT_RISK = ("count; in the group at t = time >= t and the status acquired before t "
                      "(Yes) or not (No), the Simon-Makuch risk set")


class NotEstimable(StrEnum):
    """``category`` of a ``not_estimable`` row: why a hazard ratio is not given (its ``hr``,
    ``lower``, ``upper`` and ``p`` rows are absent; the report prints NE with the reason)."""

    NO_EVENTS = "no events"          # nobody had an event: no Cox model can be fitted
    MONOTONE = "monotone likelihood"  # the coefficient is infinite: a level without events
    NO_INFORMATION = "no information"  # constant or collinear term, or no information in the
    #                                    risk sets (R: NA coefficient)
