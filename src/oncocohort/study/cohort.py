"""The study's cohort: selection, the subgroup variables, and the check that every variable
the analyses name exists."""

from __future__ import annotations

import pandas as pd

from oncocohort.analysis.baseline import is_continuous
from oncocohort.analysis.variables import apply_levels, reference_label
from oncocohort.cohort import CohortSelection, select_cohort
from oncocohort.cohort.reported import select_reported
from oncocohort.derive.subgroups import derive_subgroup_variables
from oncocohort.problems import InputError, Problem
from oncocohort.study.checks import locate_rule_problem, variable_problems
from oncocohort.study.load import LoadedStudy
from oncocohort.study.options import NamedVariable, StudyOptions

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
    problems += [p for v in options.variables if v.name in patients.columns
                 for p in _check_kind(v, patients, options)]
    if problems:
        raise InputError(problems)


def _numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _check_kind(v: NamedVariable, patients: pd.DataFrame,
                options: StudyOptions) -> list[Problem]:
    """A subgroup that is numeric with many values must say how it enters (cut or
    continuous); a continuous one must be numeric; a reference level must be a level."""
    where = str(options.spec_path) if options.spec_path is not None else None
    col = patients[v.name]
    if v.role == "subgroup" and is_continuous(col):
        return [Problem(
            "error", f"subgroup variable {v.name!r} is numeric with "
            f"{col.dropna().nunique()} distinct values, which would make one subgroup per "
            "value; either cut it into groups (derive: {from: " + v.name + ", cut: [...], "
            "labels: [...]}, with a new variable name) or enter it in the Cox models as "
            "continuous (continuous: true, and per: 10 for a hazard ratio per 10 units)",
            file=where, location=v.location, code="numeric_subgroup")]
    if v.role == "continuous" and not _numeric(col):
        return [Problem("error", f"subgroup variable {v.name!r} is declared continuous but "
                        "its values are not numbers", file=where, location=v.location,
                        code="continuous_not_numeric")]
    if v.role == "reference":
        spec = next(s for s in options.analysis.levels if s.variable == v.name)
        levels = list(apply_levels(patients[[v.name]], [spec])[v.name].cat.categories)
        try:
            reference_label(spec, levels)
        except ValueError as exc:
            return [Problem("error", str(exc), file=where, location=v.location,
                            code="unknown_reference")]
    return []
