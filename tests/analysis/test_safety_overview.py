"""The adverse-event overview (issue 14 item 7; tern/chevron AET01, DST01) and the grade
columns, by hand: each row only when the data have its field."""

import pandas as pd
import pytest

from oncocohort.analysis.ard import ard_frame, ard_value
from oncocohort.analysis.safety import (
    compute_safety_rows,
    compute_safety_summary_rows,
    compute_term_group_rows,
)


def _ae() -> pd.DataFrame:
    return pd.DataFrame([
        # subject, ae_term, term, group, grade, related, serious, immune, trtemfl
        ("A", "fatigue", "Fatigue", "Fatigue", 2, True, False, False, "Y"),
        ("A", "ALT up", "Alanine aminotransferase increased", "Liver", 4, True, True, False, "Y"),
        ("B", "AST up", "Aspartate aminotransferase increased", "Liver", 3, True, False, False,
         "Y"),
        ("B", "pneumonitis", "Pneumonitis", "Pneumonitis", 5, True, True, True, "Y"),
        ("C", "cough", "Cough", "Cough", 1, False, True, False, "Y"),
        ("D", "rash", "Rash", "Rash", 2, True, False, True, "N"),  # not treatment-emergent
    ], columns=["subject_id", "ae_term", "term", "ae_group", "grade", "related", "serious",
                "immune_related", "trtemfl"]).astype({"grade": "Int64"})


def _patients() -> pd.DataFrame:
    return pd.DataFrame({
        "subject_id": ["A", "B", "C", "D", "E"],
        "eot_reason": ["adverse event", "death", "progression", None, "adverse event"],
        "death_date": pd.to_datetime([None, "2024-03-20", "2024-06-01", None, None]),
    })


def _exposure() -> pd.DataFrame:
    return pd.DataFrame({
        "subject_id": ["A", "A", "B", "C", "E"],
        "drug": ["x", "y", "x", "x", "x"],
        "last_dose_date": pd.to_datetime(["2024-01-10", "2024-01-31", "2024-02-19",
                                          "2024-04-01", "2024-05-01"]),
        "first_reduction_reason": ["Fatigue", None, "patient request", "cough", None],
        "first_reduction_ae": ["Fatigue", None, None, "Cough", None],
        # A: one reason its own AE's CTCAE term; B: its AE's recorded name; C: an AE it
        # does not have; E: no AE at all
        "interruption_reasons": ["patient request; alanine aminotransferase increased", None,
                                 "pneumonitis", "pneumonitis", "fatigue"],
        "interruption_aes": ["Alanine aminotransferase increased", None, "Pneumonitis",
                             "Pneumonitis", "Fatigue"],
    })


@pytest.mark.by_hand
def test_overview_by_hand():
    ard = ard_frame(compute_safety_summary_rows(_ae(), _patients(), _exposure()))
    ae = {"analysis": "safety", "group_var": "population", "group_level": "AE"}
    tr = {"analysis": "safety", "group_var": "population", "group_level": "TRAE"}
    # serious, emergent: A (related), B (related), C (unrelated)
    assert ard_value(ard, variable="serious", statistic="n", **ae) == 3
    assert ard_value(ard, variable="serious", statistic="n", **tr) == 2
    assert ard_value(ard, variable="serious", statistic="pct", **tr) == 40.0  # of 5 patients
    # immune-related and emergent: B only (D's rash is not treatment-emergent)
    assert ard_value(ard, variable="immune_related", statistic="n", **tr) == 1
    # grade 5: B's pneumonitis, related: a treatment-related death
    assert ard_value(ard, variable="fatal", statistic="n", **tr) == 1
    s = {"analysis": "safety"}
    assert ard_value(ard, variable="discontinued_for_ae", statistic="n", **s) == 2  # A, E
    # A's "Fatigue" and C's "cough" are their own AEs; B's "patient request" is not
    assert ard_value(ard, variable="reduced_for_ae", statistic="n", **s) == 2
    # A: ALT increased (its own grade 4 AE); B: pneumonitis; not C (no pneumonitis), not E
    assert ard_value(ard, variable="interrupted_for_ae", statistic="n", **s) == 2
    # B died 30 days after its last dose (2024-02-19 -> 03-20), C 61 days after
    assert ard_value(ard, variable="death_30d_last_dose", statistic="n", **s) == 1


def test_overview_says_nothing_about_data_not_given():
    ae = _ae().drop(columns=["serious", "immune_related"])
    ae["related"] = True  # nothing tells related from unrelated: no all-causality rows
    patients = _patients().drop(columns=["eot_reason", "death_date"])
    ard = ard_frame(compute_safety_summary_rows(ae, patients, None))
    assert set(ard["variable"]) == {"fatal"}
    assert set(ard["group_level"]) == {"TRAE"}


@pytest.mark.by_hand
def test_grade_columns_and_term_groups_by_hand():
    ard = ard_frame(compute_safety_rows(_ae(), 5, by="group"))
    w = {"analysis": "safety", "group_var": "population", "group_level": "TRAE",
         "statistic": "n"}
    liver = {"variable": "Liver", **w}
    assert ard_value(ard, category="grade 3", **liver) == 1  # B: worst 3
    assert ard_value(ard, category="grade 4", **liver) == 1  # A: worst 4
    assert ard_value(ard, category="grade >=3", **liver) == 2
    anyw = {"variable": "Any TRAE", **w}
    assert [ard_value(ard, category=f"grade {k}", **anyw) for k in (3, 4, 5)] == [0, 1, 1]
    groups = ard_frame(compute_term_group_rows(_ae()))
    assert set(groups["variable"]) == {"Liver"}  # the other categories are single terms
    assert ard_value(groups, variable="Liver", category="Alanine aminotransferase increased",
                     statistic="n") == 1
