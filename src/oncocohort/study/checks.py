"""The names the spec gives, checked against the data's columns before anything is computed.

A cohort rule reads columns, ``baseline`` and ``subgroups`` name variables, a subgroup is cut
from a column, an endpoint may start or end at a ``patients.<column>`` date: each name must be
a column of the patients table (canonical, or a free covariate the spec names) or a variable
the study derives. These checks need the columns only, not valid values, so ``validate``
makes them in the same pass as the source and model checks and reports every problem at once
(:func:`oncocohort.study.load.load_study`); selecting the cohort makes them again.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from oncocohort.cohort.select import check_rules
from oncocohort.problems import Problem, did_you_mean
from oncocohort.study.options import StudyOptions

__all__ = ["check_names", "locate_rule_problem", "variable_problems"]

_VARIABLE = {
    "subgroup": "subgroup variable {name!r} is not a column of the patients table",
    "baseline": "baseline variable {name!r} is neither a column of the patients table nor a "
                "derived subgroup variable",
    "cut": "{name!r} (to derive subgroup {derives!r} from) is not a column of the patients "
           "table",
    "comparison": "comparison variable {name!r} is neither a column of the patients table nor "
                  "a derived subgroup variable",
    "continuous": "subgroup variable {name!r} is not a column of the patients table",
    "reference": "variable {name!r} (whose reference level is given) is not a column of the "
                 "patients table",
}


def _where(options: StudyOptions) -> str | None:
    return str(options.spec_path) if options.spec_path is not None else None


def locate_rule_problem(p: Problem, options: StudyOptions) -> Problem:
    """Point a cohort-rule problem at the spec (the rule's YAML path is its location).

    The cohort step numbers rows of the typed patients table, which after merging sources is
    not a row of any one file; the subject id names the patient instead.
    """
    return replace(p, file=_where(options) or p.file, row=None)


def variable_problems(options: StudyOptions, columns: Collection[str]) -> list[Problem]:
    """Every baseline and subgroup variable (and column a subgroup is cut from) that is not in
    ``columns`` (the patients table's after the subgroup variables are derived)."""
    known = [str(c) for c in columns]
    return [Problem("error", _VARIABLE[v.role].format(name=v.name, derives=v.derives)
                    + did_you_mean(v.name, known), file=_where(options), location=v.location,
                    code="unknown_variable")
            for v in options.variables if v.name not in known]


def _endpoint_problems(options: StudyOptions, columns: Collection[str]) -> list[Problem]:
    problems = []
    for e in options.derive.endpoints:
        named = [("start", e.start)] + [(f"events[{i}]", d) for i, d in enumerate(e.events)] \
            + [(f"censor[{i}]", d) for i, d in enumerate(e.censor)] \
            + [(f"competing[{i}]", d) for i, d in enumerate(e.competing)]
        for where, date in named:
            column = date.removeprefix("patients.")
            if date.startswith("patients.") and column not in columns:
                problems.append(Problem(
                    "error", f"endpoint {e.name!r} uses the date {date!r}, but the patients "
                    f"table has no column {column!r}{did_you_mean(column, list(columns))}",
                    file=_where(options), location=f"endpoints.{e.name}.{where}",
                    code="unknown_variable"))
    return problems


def check_names(options: StudyOptions, columns: Collection[str]) -> list[Problem]:
    """Every name the spec gives that ``columns`` (the patients table's) lacks, in one list:
    the cohort rules (syntax and columns), the endpoints' ``patients.<column>`` dates, the
    baseline and subgroup variables (with the variables the subgroups derive)."""
    columns = [str(c) for c in columns]
    problems: list[Problem] = []
    if options.cohort.reported is None:
        _, found = check_rules(list(options.cohort.rules), columns)
        problems += [locate_rule_problem(p, options) for p in found]
    problems += _endpoint_problems(options, columns)
    derived = [c.variable for c in options.derive.subgroups]
    problems += variable_problems(options, [*columns, *derived])
    return problems
