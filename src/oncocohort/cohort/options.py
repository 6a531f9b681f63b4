"""How the cohort is selected: :class:`CohortOptions`."""

from __future__ import annotations

from dataclasses import dataclass

from oncocohort.cohort.reported import ReportedStep
from oncocohort.cohort.select import Rule

__all__ = ["ReportedCohort", "CohortOptions"]


@dataclass(frozen=True)
class ReportedCohort:
    """Screening counts reported for data that hold only the selected patients: the number
    screened and each step's exclusions (:func:`oncocohort.cohort.reported.select_reported`)."""

    screened: int
    steps: tuple[ReportedStep, ...] = ()


@dataclass(frozen=True)
class CohortOptions:
    """The inclusion then exclusion ``rules``, applied in order
    (:func:`oncocohort.cohort.select.select_cohort`), or the ``reported`` counts of data that
    come already selected; neither: every patient, with a one-row attrition."""

    rules: tuple[Rule, ...] = ()
    reported: ReportedCohort | None = None
