"""The study's cohort: selection, the subgroup variables, and the check that every variable
the analyses name exists."""

from __future__ import annotations

import pandas as pd

from oncocohort.cohort import CohortSelection, select_cohort
from oncocohort.cohort.reported import select_reported
from oncocohort.derive.subgroups import derive_subgroup_variables
from oncocohort.problems import InputError, Problem
from oncocohort.study.checks import locate_rule_problem, variable_problems
from oncocohort.study.load import LoadedStudy
from oncocohort.study.options import StudyOptions

__all__ = ["select_patients", "select_study_cohort", "check_variables"]


def select_patients(options: StudyOptions, patients: pd.DataFrame,
                    attrition: pd.DataFrame | None = None) -> CohortSelection:
    """Apply the cohort rules; no rules -> everyone, with a one-row attrition; reported counts
    (pre-selected data) -> everyone, with the attrition the study reports; an attrition
    counted where the data came from (OMOP) -> everyone, with that attrition."""
    if attrition is not None:
        if int(attrition["n_remaining"].iloc[-1]) != len(patients):
            raise InputError([Problem(
                "error", f"the database's attrition ends with {attrition['n_remaining'].iloc[-1]} "
                f"patients but {len(patients)} were read", code="attrition_mismatch")])
        return CohortSelection(selected=patients, attrition=attrition.copy(), excluded={})
    reported = options.cohort.reported
    try:
        if reported is not None:
            return select_reported(patients, reported.screened, reported.steps)
        return select_cohort(patients, list(options.cohort.rules))
    except InputError as exc:
        raise InputError([locate_rule_problem(p, options) for p in exc.problems]) from None


def select_study_cohort(loaded: LoadedStudy) -> tuple[CohortSelection, pd.DataFrame]:
    """Cohort selection, subgroup variables and the check that every variable named exists.

    Returns the selection and the selected patients; raises ``InputError`` listing every
    problem (a rule that cannot be evaluated, an unknown baseline or subgroup variable).
    """
    options = loaded.options
    selection = select_patients(options, loaded.data.patients, loaded.attrition)
    if len(selection.selected) == 0:
        a = selection.attrition
        emptied = a[a["n_remaining"] == 0]
        e = emptied.iloc[0] if len(emptied) else None
        step = (f" (none left after step {e['step']}, rule '{e['rule']}': {e['label']})"
                if e is not None else "")
        raise InputError([Problem("error", f"no patient is selected{step}: there is nothing to "
                                  "analyse; check the cohort rules", code="empty_cohort",
                                  file=str(options.spec_path) if options.spec_path else None,
                                  location="omop" if loaded.attrition is not None else "cohort")])
    patients = derive_subgroup_variables(selection.selected,
                                         options.derive.subgroups).reset_index(drop=True)
    check_variables(options, patients)
    return selection, patients


def check_variables(options: StudyOptions, patients: pd.DataFrame) -> None:
    """Every baseline and subgroup variable the spec names must exist (after derivation)."""
    problems = variable_problems(options, patients.columns)
    if problems:
        raise InputError(problems)
