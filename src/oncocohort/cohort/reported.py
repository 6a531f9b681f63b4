"""Attrition from counts reported elsewhere, for data that come already selected.

A hospital often exports only the analysed patients; the screening happened in a spreadsheet
or a database query. The flowchart then comes from the counts the study reports (spec
``cohort.reported``), checked against the data: screened minus every exclusion must equal the
number of patients in the patients table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from oncocohort.cohort.select import CohortSelection
from oncocohort.problems import InputError, Problem

__all__ = ["ReportedStep", "select_reported"]


@dataclass(frozen=True)
class ReportedStep:
    """One reported exclusion step: its kind, flowchart label and the number excluded."""

    kind: str  # "inclusion" (did not meet) or "exclusion" (met)
    label: str
    excluded: int


def select_reported(patients: pd.DataFrame, screened: int, steps: Sequence[ReportedStep], *,
                    location: str = "cohort.reported") -> CohortSelection:
    """Every patient is selected; the attrition table is built from the reported counts.

    Raises ``InputError`` when the counts do not add up to the patients in the data.
    """
    rows = [{"step": 0, "kind": "screened", "rule": "", "label": "screened",
             "n_before": screened, "n_excluded": 0, "n_remaining": screened}]
    remaining = screened
    for i, s in enumerate(steps, start=1):
        rows.append({"step": i, "kind": s.kind, "rule": f"reported_{i}", "label": s.label,
                     "n_before": remaining, "n_excluded": s.excluded,
                     "n_remaining": remaining - s.excluded})
        remaining -= s.excluded
    n = int(patients["subject_id"].nunique())
    if remaining != n:
        raise InputError([Problem(
            "error", f"the reported counts leave {remaining} patients (screened {screened} minus "
            f"{screened - remaining} excluded) but the patients table has {n}",
            location=location, code="reported_counts")])
    attrition = pd.DataFrame(rows, columns=["step", "kind", "rule", "label", "n_before",
                                            "n_excluded", "n_remaining"])
    return CohortSelection(selected=patients.reset_index(drop=True), attrition=attrition,
                           excluded={})
