"""Run a loaded study: cohort, derivations and analyses -> :class:`StudyResults`."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from oncocohort.analysis import StudyAnalysis, analyse_study
from oncocohort.analysis.rmst import largest_usable_tau
from oncocohort.cohort import CohortSelection
from oncocohort.derive.study import DerivedStudy, derive_study
from oncocohort.problems import InputError, Problem, Problems
from oncocohort.study.cohort import select_study_cohort
from oncocohort.study.load import LoadedStudy
from oncocohort.study.options import StudyOptions

__all__ = ["StudyResults", "check_rmst_tau", "check_study", "derive_loaded_study", "run_study"]


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
    return _derive(loaded)[1]


def _derive(loaded: LoadedStudy) -> tuple[CohortSelection, DerivedStudy]:
    selection, patients = select_study_cohort(loaded)
    try:
        derived = derive_study(loaded.data, patients, selection.attrition,
                               loaded.options.derive)
    except InputError as exc:  # a problem at a YAML path (an endpoint) is in the spec file
        spec = loaded.options.spec_path
        raise InputError([replace(p, file=str(spec)) if p.file is None and p.location
                          and spec is not None else p for p in exc.problems]) from None
    check_rmst_tau(loaded.options, derived)
    return selection, derived


def check_study(loaded: LoadedStudy) -> CohortSelection:
    """What ``validate`` runs after loading: the cohort selection and every derivation, so
    that whatever ``run`` would reject is reported by ``validate`` first (the analyses and
    the report take no input of their own). Returns the selection (its attrition is shown);
    raises :class:`~oncocohort.problems.InputError` as ``run`` would."""
    return _derive(loaded)[0]


def check_rmst_tau(options: StudyOptions, derived: DerivedStudy) -> None:
    """Every ``endpoints.<name>.rmst.tau`` within the endpoint's follow-up; else one problem
    per endpoint naming the largest usable tau (the last observed time), all together."""
    problems = []
    for name, tau in options.analysis.rmst.items():
        usable = largest_usable_tau(derived.tte, name)
        if usable == usable and tau > usable:
            unit = options.derive.time.unit
            floor = math.floor(usable * 100) / 100  # printed rounded down: it is usable
            problems.append(Problem(
                "error",
                f"rmst tau = {tau:g} {unit} is beyond the follow-up of endpoint '{name}' (its "
                f"last observed time is {floor:g} {unit}): the restricted mean cannot be "
                f"estimated past the data; the largest usable tau is {floor:g}",
                file=str(options.spec_path) if options.spec_path is not None else None,
                location=f"endpoints.{name}.rmst.tau", code="rmst_tau"))
    if problems:
        raise InputError(problems)


def run_study(loaded: LoadedStudy) -> StudyResults:
    """Cohort, derivations and analyses of a validated study (pure: reads and writes
    nothing). An RMST tau beyond the follow-up is an :class:`InputError`."""
    derived = derive_loaded_study(loaded)
    return StudyResults(options=loaded.options, derived=derived,
                        analysis=analyse_study(derived, loaded.options.analysis,
                                                published=loaded.published),
                        problems=loaded.problems)
