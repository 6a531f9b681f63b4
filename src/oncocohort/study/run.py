"""Run a loaded study: cohort, derivations and analyses -> :class:`StudyResults`."""

from __future__ import annotations

from dataclasses import dataclass

from oncocohort.analysis import StudyAnalysis, analyse_study
from oncocohort.derive.study import DerivedStudy, derive_study
from oncocohort.problems import Problems
from oncocohort.study.cohort import select_study_cohort
from oncocohort.study.load import LoadedStudy
from oncocohort.study.options import StudyOptions

__all__ = ["StudyResults", "derive_loaded_study", "run_study"]


@dataclass(frozen=True)
class StudyResults:
    """Everything a study run produces: its options, the analysis datasets, the analyses,
    and the validation problems (warnings) to report."""

    options: StudyOptions
    derived: DerivedStudy
    analysis: StudyAnalysis
    problems: Problems


def derive_loaded_study(loaded: LoadedStudy) -> DerivedStudy:
    """Cohort selection and every derivation of a validated study."""
    selection, patients = select_study_cohort(loaded)
    return derive_study(loaded.data, patients, selection.attrition, loaded.options.derive)


def run_study(loaded: LoadedStudy) -> StudyResults:
    """Cohort, derivations and analyses of a validated study (pure: reads and writes
    nothing)."""
    derived = derive_loaded_study(loaded)
    return StudyResults(options=loaded.options, derived=derived,
                        analysis=analyse_study(derived, loaded.options.analysis),
                        problems=loaded.problems)
