"""Attrition from reported counts, for pre-selected data (spec cohort.reported)."""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.cohort.reported import ReportedStep, select_reported
from oncocohort.problems import InputError

PATIENTS = pd.DataFrame({"subject_id": [f"P{i}" for i in range(87)]})
STEPS = [ReportedStep("inclusion", "Did not meet the inclusion criteria", 113),
         ReportedStep("exclusion", "Substantially missing records", 16),
         ReportedStep("exclusion", "Another malignancy", 11),
         ReportedStep("exclusion", "Active brain metastases", 4)]


def test_counts_become_the_attrition_table():
    sel = select_reported(PATIENTS, 231, STEPS)
    assert len(sel.selected) == 87
    a = sel.attrition
    assert a["n_before"].tolist() == [231, 231, 118, 102, 91]
    assert a["n_excluded"].tolist() == [0, 113, 16, 11, 4]
    assert a["n_remaining"].tolist() == [231, 118, 102, 91, 87]
    assert a["kind"].tolist() == ["screened", "inclusion", "exclusion", "exclusion", "exclusion"]


def test_counts_that_do_not_add_up_are_an_error():
    with pytest.raises(InputError) as info:
        select_reported(PATIENTS, 230, STEPS)
    (p,) = info.value.problems
    assert p.location == "cohort.reported" and "86" in p.message and "87" in p.message
