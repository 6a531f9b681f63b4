"""A best response recorded by the investigators (``patients.best_response``): analysed as
recorded when the study has no tumour assessments; with assessments, the derived one wins.

Tier: ``by_hand``. One patient per recorded code (and an empty cell); the expected rows are
typed from the rules of ``derive.response.derive_recorded_best_response`` and
``analysis.response.compute_recorded_response_rows``; the ORR and DCR intervals are checked
against Clopper-Pearson bounds solved here from the binomial tails (not from the beta
quantiles the code uses).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq
from scipy.stats import binom

from oncocohort.analysis.response import compute_recorded_response_rows, compute_response_rows
from oncocohort.derive.response import (
    BEST_RESPONSE_COLUMNS,
    NOT_RECORDED,
    RECORDED_NE,
    derive_recorded_best_response,
)
from oncocohort.derive.sections import available_sections, response_source
from oncocohort.model import build_study_data
from oncocohort.sources.base import SourceTable

pytestmark = pytest.mark.by_hand

DAY0 = pd.Timestamp("2024-01-01")
#: subject -> recorded best response (None: the cell is empty)
RECORDED = {"cr": "CR", "pr": "PR", "sd": "SD", "non": "NON-CR/NON-PD", "pd": "PD",
            "ne": "NE", "none": None}


def _patients(recorded=RECORDED) -> pd.DataFrame:
    return pd.DataFrame({"subject_id": list(recorded), "index_date": DAY0,
                         "best_response": pd.Series(list(recorded.values()), dtype=object)})


def test_each_recorded_code_gives_its_flags_and_nothing_it_cannot_know():
    out = derive_recorded_best_response(_patients())
    assert tuple(out.columns) == BEST_RESPONSE_COLUMNS
    row = out.set_index("subject_id")
    expected = {  # best_response, ne_reason, objective_response, disease_control
        "cr": ("CR", None, "Y", "Y"), "pr": ("PR", None, "Y", "Y"),
        "sd": ("SD", None, "N", "Y"), "non": ("NON-CR/NON-PD", None, "N", "Y"),
        "pd": ("PD", None, "N", "N"), "ne": ("NE", RECORDED_NE, "N", "N"),
        "none": ("NE", NOT_RECORDED, "N", "N"),
    }
    for sid, (bor, reason, orr, dcr) in expected.items():
        r = row.loc[sid]
        assert (r["best_response"], r["bor"]) == (bor, bor), sid
        assert (None if pd.isna(r["ne_reason"]) else r["ne_reason"]) == reason, sid
        assert r["bor_ne_reason"] == r["ne_reason"] or pd.isna(r["ne_reason"])
        assert (r["objective_response"], r["responder"], r["disease_control"]) == \
            (orr, orr, dcr), sid
        assert r["reference_date"] == DAY0
    # a recorded code has no date, no confirmation and no measurement
    for column in ("bor_date", "cbor_date", "first_response_date", "first_pd_date",
                   "last_adequate_assessment_date", "last_assessment_date",
                   "confirmed_first_response_date", "new_therapy_date"):
        assert out[column].isna().all(), column
    for column in ("cbor", "confirmed_responder", "confirmed_disease_control",
                   "clinical_benefit", "time_to_response_days", "n_assessments",
                   "best_pct_change", "nadir_sum"):
        assert out[column].isna().all(), column
    assert (out["pd_new_lesion"] == "").all()


def test_bor_counts_and_exact_intervals_from_the_recorded_codes():
    # 20 patients: 1 CR, 5 PR, 6 SD, 4 PD, 2 NE recorded, 2 empty cells.
    codes = ["CR"] + ["PR"] * 5 + ["SD"] * 6 + ["PD"] * 4 + ["NE"] * 2 + [None] * 2
    recorded = {f"p{i:02d}": c for i, c in enumerate(codes)}
    best = derive_recorded_best_response(_patients(recorded))
    rows = compute_response_rows(best)
    get = {(r.variable, r.category, r.statistic): r for r in rows}
    assert get[("bor", "NE", "n")].value == 4.0  # recorded NE and empty cells
    assert get[("evaluable", "", "n")].value == 16.0
    n = 20
    for var, x in (("orr", 6), ("dcr", 12)):
        assert get[(var, "", "n")].value == x and get[(var, "", "n")].denominator == n
        assert get[(var, "", "pct")].value == pytest.approx(100 * x / n, rel=1e-12)
        # Clopper-Pearson: P(X >= x | lower) = 0.025 and P(X <= x | upper) = 0.025
        lower = brentq(lambda p, x=x: binom.sf(x - 1, n, p) - 0.025, 1e-12, x / n, xtol=1e-15)
        upper = brentq(lambda p, x=x: binom.cdf(x, n, p) - 0.025, x / n, 1 - 1e-12,
                       xtol=1e-15)
        # root finding to 1e-15 on a smooth tail: agreement to 1e-9 (relative) is ample
        assert get[(var, "", "lower")].value == pytest.approx(100 * lower, rel=1e-9)
        assert get[(var, "", "upper")].value == pytest.approx(100 * upper, rel=1e-9)
    evaluable = compute_response_rows(best, denominator="evaluable")
    orr = next(r for r in evaluable if r.variable == "orr" and r.statistic == "pct")
    assert orr.denominator == 16 and orr.value == pytest.approx(100 * 6 / 16, rel=1e-12)


def test_recorded_rows_say_whether_the_recorded_code_was_analysed():
    patients = _patients()
    recorded_best = derive_recorded_best_response(patients)
    rows = compute_recorded_response_rows(recorded_best, patients, source="recorded")
    assert [(r.variable, r.value, r.denominator) for r in rows] == [("recorded_bor", 6.0, 7.0)]
    # derived from assessments: the recorded codes are compared with the derived ones
    derived = pd.DataFrame({"subject_id": list(RECORDED),
                            "best_response": ["CR", "SD", "SD", "NON-CR/NON-PD", "PD", "PR",
                                              "PD"]})
    rows = compute_recorded_response_rows(derived, patients, source="assessments")
    assert [(r.variable, r.value, r.denominator) for r in rows] == [
        ("recorded_bor_unused", 6.0, 7.0),
        ("recorded_bor_differs", 2.0, 6.0)]  # pr recorded PR, derived SD; ne: NE vs PR
    assert compute_recorded_response_rows(derived, patients.drop(columns="best_response"),
                                          source="assessments") == []


def _source(name: str, frame: pd.DataFrame, file: str) -> SourceTable:
    return SourceTable(name, frame.astype(object), file, rows=np.arange(2, len(frame) + 2))


def _data(with_assessments: bool):
    patients = pd.DataFrame({
        "subject_id": ["1", "2", "3"], "index_date": ["2024-01-02"] * 3, "age": ["60"] * 3,
        "last_alive_date": ["2024-09-01"] * 3, "best_response": ["PR", "SD", None]})
    tables = {"patients": [_source("patients", patients, "sheet.csv")]}
    if with_assessments:
        responses = pd.DataFrame({"subject_id": ["1", "2"],
                                  "assessment_date": ["2024-03-01", "2024-03-01"],
                                  "response": ["SD", "SD"]})
        tables["responses"] = [_source("responses", responses, "responses.csv")]
    return build_study_data(tables, {"data_cutoff": pd.Timestamp("2024-12-31").date()})


def test_without_assessments_the_recorded_column_is_the_response_section():
    data, problems = _data(with_assessments=False)
    assert not problems.errors and not [p for p in problems if p.code ==
                                        "recorded_response_unused"]
    assert response_source(data) == "recorded"
    assert "response" in available_sections(data, regimen=False, endpoints=True,
                                            subgroups=False)
    without = data.patients.assign(best_response=None)
    data_none = type(data)(**{**data.__dict__, "patients": without})
    assert response_source(data_none) is None
    assert "response" not in available_sections(data_none, regimen=False, endpoints=True,
                                                subgroups=False)


def test_with_assessments_the_derived_response_wins_and_validate_says_so():
    data, problems = _data(with_assessments=True)
    assert response_source(data) == "assessments"
    unused = [p for p in problems if p.code == "recorded_response_unused"]
    assert len(unused) == 1
    p = unused[0]
    assert (p.severity, p.file, p.column, p.row) == ("warning", "sheet.csv", "best_response",
                                                     None)
    assert "not analysed" in p.message and "`responses`" in p.message
