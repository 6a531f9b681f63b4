"""Notes on the analyses for the report to state: a model that warned (a monotone likelihood,
no convergence, a singular information matrix), a model whose proportional-hazards test
failed, or an analysis that could not be run.

A note is a record, not a sentence: what was fitted (:class:`NoteKind`), of which endpoint, by
which variable, at which landmark time, and the detail as the statistics worded it. The
report words it with the study's labels and time unit
(:func:`oncocohort.report.text.analysis_notes`), as it does every table, so a note reads
"Fine-Gray model of time to progression by ECOG performance status: ..." and never names the
spec's identifiers (``ttp``, ``ecog_group``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["AnalysisNote", "NoteKind"]


class NoteKind(StrEnum):
    """What a note is about (the fields of :class:`AnalysisNote` it uses in brackets)."""

    NO_EVENTS = "no_events"                  # no event: the Cox models not fitted (endpoint)
    COX_UNIVARIABLE = "cox_univariable"      # (endpoint, variable)
    COX_MULTIVARIABLE = "cox_multivariable"  # (endpoint)
    PROPORTIONAL_HAZARDS = "proportional_hazards"  # the multivariable model's cox.zph
    BALANCE = "balance"                      # a comparison's residual imbalance (label)
    FINE_GRAY = "fine_gray"                  # (endpoint, variable)
    LANDMARK = "landmark"                    # the landmark analysis (endpoint, variable, at)
    LANDMARK_COX = "landmark_cox"            # its Cox model (endpoint, variable, at)
    TIME_VARYING = "time_varying"            # (endpoint, variable)
    TIME_VARYING_COX = "time_varying_cox"    # (endpoint, variable)
    PROPENSITY = "propensity"                # a comparison's propensity model (label)
    COMPARISON_COX = "comparison_cox"        # a comparison's Cox models (label, endpoint)
    ONE_SAMPLE_LOGRANK = "one_sample_logrank"  # against a published arm (label, endpoint)


@dataclass(frozen=True)
class AnalysisNote:
    """One note (see the module docstring).

    Attributes
    ----------
    kind
        What was fitted or run.
    detail
        What happened, as the statistics worded it (a Cox or Fine-Gray warning, the reason
        an analysis was not run); model terms are named ``variable[level]`` as in the fits.
    endpoint, variable
        The endpoint's name and the variable's (a subgroup variable, or a landmark or
        time-varying status's named date), as in the ARD.
    at
        The landmark time, in the study's time unit, as the ARD's ``category`` writes it.
    label
        A name the spec gave with the analysis: the status's label of a landmark or
        time-varying analysis, a comparison's or a published arm's label.
    values
        The numbers the note is about, ``(term, value)``, for the report to format: a
        proportional-hazards test's global p (term ``""``) and its terms' (variables); a
        comparison's |SMD| after adjustment per variable above the balance threshold.
    """

    kind: NoteKind
    detail: str
    endpoint: str = ""
    variable: str = ""
    at: str = ""
    label: str = ""
    values: tuple[tuple[str, float], ...] = ()
