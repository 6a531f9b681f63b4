"""Cohort selection: inclusion and exclusion rules applied in order, with an attrition table.

The attrition table is the data behind a CONSORT/STROBE-style flowchart: one row for the
screened population, then one row per rule in the order given, with the number of patients
before the rule, excluded by it and remaining after it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from oncocohort.cohort.rules import Expression, RuleSyntaxError, compute_rule, parse_rule
from oncocohort.problems import InputError, Problem, did_you_mean

__all__ = ["Rule", "CohortSelection", "check_rules", "select_cohort"]

RuleKind = Literal["inclusion", "exclusion"]

ATTRITION_COLUMNS = (
    "step",
    "kind",
    "rule",
    "label",
    "n_before",
    "n_excluded",
    "n_remaining",
)


@dataclass(frozen=True)
class Rule:
    """One selection rule.

    Attributes
    ----------
    name
        Short identifier (``ecog``), used in :attr:`CohortSelection.excluded`.
    kind
        ``"inclusion"``: keep the patients for whom ``rule`` is true; ``"exclusion"``: drop the
        patients for whom it is true.
    rule
        Expression in the rule language of :mod:`oncocohort.cohort.rules`.
    label
        Text for the flowchart (``"ECOG 0-2"``).
    """

    name: str
    kind: RuleKind
    rule: str
    label: str

    def __post_init__(self) -> None:
        if self.kind not in ("inclusion", "exclusion"):
            raise ValueError(f"kind must be 'inclusion' or 'exclusion', not {self.kind!r}")


@dataclass(frozen=True)
class CohortSelection:
    """Result of :func:`select_cohort`.

    Attributes
    ----------
    selected
        The rows of the patients table that pass every rule, in their original order.
    attrition
        Columns ``step, kind, rule, label, n_before, n_excluded, n_remaining``; the first row
        (``step`` 0, ``kind`` ``"screened"``) holds the screened population.
    excluded
        Subject id -> name of the rule that excluded the subject (first failing rule).
    """

    selected: pd.DataFrame
    attrition: pd.DataFrame
    excluded: dict[str, str]

    def to_frame(self) -> pd.DataFrame:
        """The attrition table (a copy)."""
        return self.attrition.copy()


def _location(rules: Sequence[Rule], i: int) -> str:
    kind = rules[i].kind
    k = sum(1 for r in rules[:i] if r.kind == kind)
    return f"cohort.{kind}[{k}]"


_MISSING = re.compile(r"^missing value in column '([^']+)'$")


def _missing_hint(reason: str) -> str:
    """How to say what a missing value means, for a rule that met one."""
    m = _MISSING.match(str(reason))
    if not m:
        return ""
    x = m.group(1)
    return (f"; say what a missing {x} means: '{x} is missing or ...' keeps such patients, "
            f"'{x} is not missing and ...' leaves them out (see docs/cohort-rules.md)")


def check_rules(rules: Sequence[Rule], columns: Collection[str]
                ) -> tuple[list[Expression | None], list[Problem]]:
    """Parse every rule and check the columns it reads against ``columns`` (the patients
    table's), without evaluating anything: the checks ``validate`` can make even when some
    values of the data are wrong.

    Returns the parsed rules (``None`` for one with a problem) and every problem: a rule that
    does not parse (``rule_syntax``), a column the table lacks (``missing_column``, with a
    did-you-mean), each at the rule's location ``cohort.inclusion[i]``.
    """
    known = [str(c) for c in columns]
    problems: list[Problem] = []
    parsed: list[Expression | None] = []
    for i, r in enumerate(rules):
        loc = _location(rules, i)
        try:
            expr = parse_rule(r.rule)
        except RuleSyntaxError as exc:
            problems.append(Problem("error", f"rule {r.name!r}: {exc}", location=loc,
                                    code="rule_syntax"))
            parsed.append(None)
            continue
        for col in expr.columns:
            if col not in known:
                problems.append(Problem(
                    "error", f"rule {r.name!r} uses column {col!r}, which the patients "
                    f"table does not have{did_you_mean(col, known)}", location=loc,
                    column=col, code="missing_column"))
                expr = None
        parsed.append(expr)
    return parsed, problems


def select_cohort(
    patients: pd.DataFrame, rules: Sequence[Rule], *, subject: str = "subject_id"
) -> CohortSelection:
    """Apply inclusion and exclusion rules in order and count the attrition at every step.

    Each rule is evaluated only on the patients still in the cohort when its turn comes, so a
    value needed by a later rule may be missing for a patient excluded earlier. A patient is
    excluded at the first rule that removes them: an inclusion rule that is false, or an
    exclusion rule that is true.

    Parameters
    ----------
    patients
        One row per screened patient, with the columns the rules read.
    rules
        Rules in the order they are applied (inclusions usually before exclusions; the order
        given is kept as is).
    subject
        Name of the subject identifier column.

    Returns
    -------
    CohortSelection

    Raises
    ------
    InputError
        With every problem found: a rule that does not parse, a rule naming a column that the
        patients table lacks (location ``cohort.inclusion[i]``), and every patient for whom a
        rule cannot be evaluated (missing value in a column the rule needs, or values of
        different kinds compared), naming the rule, the row (1-based, header = row 1) and the
        subject. Rules are evaluated on all remaining patients even after a problem, so all
        problems come out of one call; the selection itself is only returned when there are
        none.

    Notes
    -----
    Missing values make a rule unevaluable for the patient (an error), unless the rule tests
    them explicitly with ``x is missing`` / ``x is not missing``; see
    :mod:`oncocohort.cohort.rules`.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"subject_id": ["1", "2", "3"], "ecog": [0, 3, 1],
    ...                   "brain": [False, False, True]})
    >>> sel = select_cohort(p, [Rule("ecog", "inclusion", "ecog <= 2", "ECOG 0-2"),
    ...                         Rule("brain", "exclusion", "brain", "Brain metastases")])
    >>> sel.attrition["n_remaining"].tolist()
    [3, 2, 1]
    """
    if subject not in patients.columns:
        raise InputError([Problem("error", f"the patients table has no {subject!r} column",
                                  column=subject, code="missing_column")])
    parsed, problems = check_rules(rules, patients.columns)
    if problems:
        raise InputError(problems)

    frame = patients.reset_index(drop=True)
    ids = frame[subject].astype("string").to_numpy(dtype=object)
    keep = pd.Series(True, index=frame.index).to_numpy()
    rows = [(0, "screened", "", "Screened", len(frame), 0, len(frame))]
    excluded: dict[str, str] = {}
    for i, (r, expr) in enumerate(zip(rules, parsed, strict=True)):
        idx = keep.nonzero()[0]
        ev = compute_rule(expr, frame.iloc[idx])
        hinted: set[str] = set()  # the hint once per rule and column, not once per patient
        for j in ev.bad.nonzero()[0]:
            k = idx[j]
            reason = str(ev.reason[j])
            hint = "" if reason in hinted else _missing_hint(reason)
            hinted.add(reason)
            problems.append(Problem(
                "error", f"rule {r.name!r} cannot be evaluated: {reason}{hint}",
                row=int(k) + 2, subject=None if pd.isna(ids[k]) else str(ids[k]),
                location=_location(rules, i), code="rule_unevaluable"))
        drop = ~ev.value if r.kind == "inclusion" else ev.value
        drop = drop & ~ev.bad
        for k in idx[drop]:
            excluded[str(ids[k])] = r.name
        keep[idx[drop]] = False
        n_before = len(idx)
        rows.append((i + 1, r.kind, r.name, r.label, n_before, int(drop.sum()),
                     n_before - int(drop.sum())))
    if problems:
        raise InputError(problems)
    attrition = pd.DataFrame(rows, columns=list(ATTRITION_COLUMNS))
    for c in ("step", "n_before", "n_excluded", "n_remaining"):
        attrition[c] = attrition[c].astype("int64")
    selected = patients.iloc[keep.nonzero()[0]].copy()
    return CohortSelection(selected=selected, attrition=attrition, excluded=excluded)
