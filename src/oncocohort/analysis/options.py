"""What the analyses of a study are asked to do: :class:`AnalysisOptions`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from oncocohort.analysis.comparison_options import ExternalArm, InternalComparison
from oncocohort.analysis.variables import VariableLevels
from oncocohort.canon.conventions import Conventions, Screen
from oncocohort.derive.endpoints import Endpoint

__all__ = ["AnalysisOptions", "LandmarkAnalysis", "TimeVarying"]


@dataclass(frozen=True)
class LandmarkAnalysis:
    """An endpoint compared by a status acquired during follow-up (``status``: a named date,
    e.g. ``first_response``; ``label``: how the report names it), among the patients still at
    risk at each landmark time of ``at`` (:func:`oncocohort.stats.landmark.landmark`)."""

    endpoint: str
    at: tuple[float, ...]
    status: str = "first_response"
    label: str = "Response"


@dataclass(frozen=True)
class TimeVarying:
    """A status acquired during follow-up as a time-varying covariate of an endpoint: Cox on
    (start, stop] rows, the Mantel-Byar test and Simon-Makuch curves."""

    endpoint: str
    status: str = "first_response"
    label: str = "Response"


@dataclass(frozen=True)
class AnalysisOptions:
    """The options of :func:`oncocohort.analysis.study.analyse_study`.

    Attributes
    ----------
    conventions
        Every convention of the study (the analyses use the interval methods, the level, the
        Cox ties and the response denominator; the report states them all).
    screen
        The univariable screen for the multivariable Cox model.
    endpoints
        The time-to-event endpoints, in the order analysed; subgroup analyses are run for
        those of ``population="all"``.
    landmarks
        Times (in the time unit) at which survival is estimated.
    baseline
        Table 1 variables, in order (those absent from the patients are left out).
    subgroups
        The subgroup variables (categorical columns of the patients), in order.
    rmst
        Endpoint -> tau: the restricted mean survival time (or, for an endpoint with
        competing events, the restricted mean time lost to the event) up to tau.
    landmark_analyses, time_varying
        Analyses by a status acquired during follow-up (:class:`LandmarkAnalysis`,
        :class:`TimeVarying`).
    sections
        The spec's switches (``outputs.sections``): section name -> shown or not. A section
        not named is shown when the data can fill it (:mod:`oncocohort.canon.sections`).
    internal
        The adjusted internal comparisons (``comparisons.internal``), in order.
    external
        The published arms the cohort is compared with (``comparisons.external``); their
        digitised data are given to :func:`~oncocohort.analysis.study.analyse_study` apart.
    baseline_by
        Table 1 by the levels of this variable (tests and SMDs across them), or ``None``.
    levels
        The labels, order and Cox reference level of categorical variables
        (``variables:``), applied before Table 1 and the subgroup analyses.
    continuous
        Subgroup variables entered in the Cox models as continuous: variable -> the units of
        one hazard ratio (``per``; 1 when not given).
    baseline_continuous
        Table 1 variables summarised as continuous whatever their number of distinct values
        (a ``summary`` declared, or a continuous subgroup).
    units
        The unit of a continuous variable (``age``: years), for Table 1 and the Cox rows.
    """

    conventions: Conventions = field(default_factory=Conventions)
    screen: Screen = field(default_factory=Screen)
    endpoints: tuple[Endpoint, ...] = ()
    landmarks: tuple[float, ...] = ()
    baseline: tuple[str, ...] = ()
    subgroups: tuple[str, ...] = ()
    sections: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType({}))
    rmst: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    landmark_analyses: tuple[LandmarkAnalysis, ...] = ()
    time_varying: tuple[TimeVarying, ...] = ()
    internal: tuple[InternalComparison, ...] = ()
    external: tuple[ExternalArm, ...] = ()
    levels: tuple[VariableLevels, ...] = ()
    baseline_by: str | None = None
    continuous: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    baseline_continuous: frozenset[str] = frozenset()
    units: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({"age": "years"}))

    def shows(self, section: str, available: frozenset[str]) -> bool:
        """Whether ``section`` is analysed: its data are ``available`` and the spec does
        not switch it off."""
        return section in available and self.sections.get(section, True)
