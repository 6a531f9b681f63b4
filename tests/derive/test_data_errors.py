"""Data a derivation cannot use raise :class:`DeriveDataError`: a problem in the input (an
``InputError``, which the CLI prints with exit 2 and no traceback) that is also a
``ValueError`` for direct callers, naming the table and the subjects, as recist.py's
``InputError`` does for lesions.

Tier: ``by_hand``. One frame per problem, typed here.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.derive._common import DeriveDataError, first_reached
from oncocohort.derive.dates import derive_named_dates
from oncocohort.derive.endpoints import EndpointDataError
from oncocohort.derive.exposure import DrugSchedule, derive_exposure
from oncocohort.derive.safety import SafetyOptions, derive_ae
from oncocohort.problems import InputError

pytestmark = pytest.mark.by_hand

T = pd.Timestamp
PATIENTS = pd.DataFrame({"subject_id": ["1", "2"], "index_date": [T("2024-01-01")] * 2,
                         "last_alive_date": [T("2024-06-01")] * 2})
THERAPY = pd.DataFrame({"subject_id": ["1", "2"], "drug": ["anlotinib"] * 2,
                        "start_date": [T("2024-01-01"), T("2024-01-02")], "dose": [12.0] * 2})
REGIMEN = {"anlotinib": DrugSchedule("daily", 12, days_on=14)}
AES = pd.DataFrame({"subject_id": ["1", "2"], "ae_term": ["Nausea", "Fatigue"], "grade": [1, 2]})
BEST = pd.DataFrame({"subject_id": ["1", "2"], "first_pd_date": pd.NaT,
                     "first_response_date": pd.NaT, "last_adequate_assessment_date": pd.NaT,
                     "last_assessment_date": pd.NaT, "responder": "N"})

CASES = {
    "patients twice (named dates)": (
        lambda: derive_named_dates(pd.concat([PATIENTS, PATIENTS.iloc[[1]]])),
        "patients has more than one row for subject(s): 2", "duplicate"),
    "patients twice (exposure)": (
        lambda: derive_exposure(THERAPY, pd.concat([PATIENTS, PATIENTS.iloc[[0]]]),
                                regimen=REGIMEN),
        "patients has more than one row for subject(s): 1", "duplicate"),
    "best response twice": (
        lambda: derive_named_dates(PATIENTS, pd.concat([BEST, BEST.iloc[[0]]])),
        "best_response has more than one row for subject(s): 1", "duplicate"),
    "unknown subject": (
        lambda: derive_exposure(THERAPY.assign(subject_id=["1", "9"]), PATIENTS,
                                regimen=REGIMEN),
        "therapy has subject(s) not in patients: 9", "unknown_subject"),
    "therapy without a start date": (
        lambda: derive_exposure(THERAPY.assign(start_date=[T("2024-01-01"), pd.NaT]),
                                PATIENTS, regimen=REGIMEN),
        "therapy records without start_date for subject(s) 2", "missing_value"),
    "a missing column": (
        lambda: derive_named_dates(PATIENTS.drop(columns="last_alive_date")),
        "patients lacks column(s): last_alive_date", "missing_column"),
    "adverse events without a term": (
        lambda: derive_ae(AES.drop(columns="ae_term"), PATIENTS, options=SafetyOptions()),
        "adverse_events lacks column(s): ae_term", "missing_column"),
    "adverse events without subjects": (
        lambda: derive_ae(AES.drop(columns=["subject_id", "ae_term"]), PATIENTS,
                          options=SafetyOptions()),
        "adverse_events lacks column(s): subject_id, ae_term", "missing_column"),
    "patients without subjects (safety)": (
        lambda: derive_ae(AES, PATIENTS.drop(columns="subject_id"), options=SafetyOptions()),
        "patients lacks column(s): subject_id", "missing_column"),
    "adverse events of an unknown subject": (
        lambda: derive_ae(AES.assign(subject_id=["1", "7"]), PATIENTS, options=SafetyOptions()),
        "adverse_events has subject(s) not in patients: 7", "unknown_subject"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_data_error_is_an_input_problem_naming_the_subjects(case):
    call, message, code = CASES[case]
    with pytest.raises(DeriveDataError) as raised:
        call()
    exc = raised.value
    assert isinstance(exc, InputError) and isinstance(exc, ValueError)
    assert str(exc) == message
    assert [(p.message, p.code, str(p)) for p in exc.problems.errors] == [
        (message, code, message)]


def test_an_endpoint_data_error_is_one_at_its_yaml_path():
    exc = EndpointDataError("endpoint 'os': no index date for subject(s) 3",
                            "endpoints.os.start")
    assert isinstance(exc, DeriveDataError) and isinstance(exc, ValueError)
    [problem] = exc.problems.errors
    assert str(problem) == "endpoints.os.start: endpoint 'os': no index date for subject(s) 3"
    assert problem.code == "endpoint_data"


def test_first_reached_earliest_and_latest_first_listed_wins_ties():
    dates = pd.DataFrame({"a": [T("2024-03-01"), T("2024-02-01"), pd.NaT],
                          "b": [T("2024-01-01"), T("2024-02-01"), pd.NaT]})
    early, src = first_reached(dates, ("a", "b"), "earliest")
    assert early.tolist()[:2] == [T("2024-01-01"), T("2024-02-01")] and pd.isna(early[2])
    assert src.tolist()[:2] == ["b", "a"] and pd.isna(src[2])
    late, src = first_reached(dates, ("b", "a"), "latest")
    assert late.tolist()[:2] == [T("2024-03-01"), T("2024-02-01")] and pd.isna(late[2])
    assert src.tolist()[:2] == ["a", "b"] and pd.isna(src[2])
