"""The numbers the paper reports besides the main tables (issue 14, item 4): time to response,
best change of the target lesions, NE reasons, dose delays, interruptions and reduction reasons,
relative dose intensity as a mean, and the interval since the last prior ICI, by hand."""

import numpy as np
import pandas as pd
import pytest

from oncocohort.analysis.ard import ard_frame, ard_value
from oncocohort.analysis.exposure import compute_exposure_rows, compute_prior_therapy_rows
from oncocohort.analysis.response import compute_response_detail_rows


def _best() -> pd.DataFrame:
    return pd.DataFrame({
        "subject_id": ["A", "B", "C", "D", "E", "F"],
        "best_response": ["PR", "PR", "CR", "SD", "NE", "NE"],
        "objective_response": ["Y", "Y", "Y", "N", "N", "N"],
        "ne_reason": [None, None, None, None, "no post-baseline assessment", "SD too early"],
        "time_to_response_days": [42.0, 84.0, 63.0, np.nan, np.nan, np.nan],
        "best_pct_change": [-40.0, -30.0, -100.0, 10.0, np.nan, 0.0],
    })


@pytest.mark.by_hand
def test_response_detail_by_hand():
    ard = ard_frame(compute_response_detail_rows(_best(), days_per_unit=21.0, unit="weeks"))
    r = {"analysis": "response"}
    ttr = {"variable": "time_to_response", **r}
    # 42, 63, 84 days / 21 = 2, 3, 4 three-week units
    assert ard_value(ard, statistic="n", **ttr) == 3
    assert ard_value(ard, statistic="median", **ttr) == 3.0
    assert ard_value(ard, statistic="min", **ttr) == 2.0
    assert ard_value(ard, statistic="max", **ttr) == 4.0
    assert ard_value(ard, statistic="mean", **ttr) == pytest.approx(3.0, rel=1e-15)
    assert ard_value(ard, statistic="sd", **ttr) == pytest.approx(1.0, rel=1e-15)
    chg = {"variable": "best_pct_change", **r}
    # -40, -30, -100, 10, 0: mean -32, sd sqrt(((8^2 + 2^2 + 68^2 + 42^2 + 32^2) / 4)
    assert ard_value(ard, statistic="n", **chg) == 5
    assert ard_value(ard, statistic="mean", **chg) == pytest.approx(-32.0, rel=1e-14)
    assert ard_value(ard, statistic="sd", **chg) == pytest.approx(
        np.sqrt((64 + 4 + 4624 + 1764 + 1024) / 4), rel=1e-14)
    assert ard_value(ard, statistic="median", **chg) == -30.0
    ne = {"variable": "ne_reason", **r}
    assert ard_value(ard, category="no post-baseline assessment", statistic="n", **ne) == 1
    assert ard_value(ard, category="SD too early", statistic="pct", **ne) == pytest.approx(
        100 / 6, rel=1e-14)
    assert set(ard.loc[ard["variable"] == "ne_reason", "denominator"]) == {6.0}


def test_response_detail_says_nothing_without_the_columns():
    best = _best()[["subject_id", "best_response"]]
    assert compute_response_detail_rows(best, days_per_unit=30.4375, unit="months") == []


@pytest.mark.by_hand
def test_dose_modifications_and_intensity_by_hand():
    exposure = pd.DataFrame({
        "subject_id": ["A", "B", "C", "D", "A", "B", "C", "D"],
        "drug": ["anlotinib"] * 4 + ["tislelizumab"] * 4,
        "treatment_duration_months": [1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 5.0],
        "relative_dose_intensity": [1.0, 0.8, 0.6, 0.9, 1.0, 1.0, 1.0, 0.9],
        "n_dose_reductions": [0, 1, 2, 1, 0, 0, 0, 0],
        "first_reduction_reason": [None, "hypertension", "fatigue", "hypertension"] + [None] * 4,
        "n_delays": [0, 0, 0, 0, 0, 1, 0, 1],
        "n_interruptions": [1, 0, 3, 0, 0, 0, 0, 0],
    })
    ard = ard_frame(compute_exposure_rows(exposure, n_patients=5))
    an = {"analysis": "exposure", "group_var": "drug", "group_level": "anlotinib"}
    rdi = {"variable": "relative_dose_intensity", **an}
    assert ard_value(ard, statistic="mean", **rdi) == pytest.approx(82.5, rel=1e-14)
    # 100, 80, 60, 90: deviations 17.5, -2.5, -22.5, 7.5 -> var (306.25 + 6.25 + 506.25 + 56.25) / 3
    assert ard_value(ard, statistic="sd", **rdi) == pytest.approx(np.sqrt(875 / 3), rel=1e-14)
    assert ard_value(ard, statistic="median", **rdi) == pytest.approx(85.0, rel=1e-14)
    assert ard_value(ard, variable="dose_reduction", statistic="n", **an) == 3
    assert ard_value(ard, variable="dose_interruption", statistic="n", **an) == 2
    assert ard_value(ard, variable="dose_interruption", statistic="pct", **an) == 50.0
    assert ard_value(ard, variable="reduction_reason", category="hypertension",
                     statistic="n", **an) == 2
    assert ard_value(ard, variable="reduction_reason", category="fatigue", statistic="n",
                     **an) == 1
    reasons = ard.loc[(ard["variable"] == "reduction_reason") & (ard["group_level"] ==
                                                                  "anlotinib"), "category"]
    assert list(reasons) == ["hypertension", "fatigue"]  # most frequent first
    ti = {"analysis": "exposure", "group_var": "drug", "group_level": "tislelizumab"}
    assert ard_value(ard, variable="dose_delay", statistic="n", **ti) == 2
    assert ard_value(ard, variable="dose_delay", statistic="pct", **ti) == 50.0
    assert not ((ard["variable"] == "reduction_reason") & (ard["group_level"] ==
                                                           "tislelizumab")).any()
    # the regimen: patients with a delay of any drug (B and D), of the 4 treated
    reg = {"analysis": "exposure", "group_var": "drug", "group_level": "regimen"}
    assert ard_value(ard, variable="dose_delay", statistic="n", **reg) == 2
    assert ard_value(ard, variable="dose_delay", statistic="pct", **reg) == 50.0


@pytest.mark.by_hand
def test_ici_free_interval_by_hand():
    prior = pd.DataFrame({
        "subject_id": ["A", "B", "C", "D", "X"],
        "prior_ici": ["Y", "Y", "N", "Y", "Y"],  # X is not among the selected patients
        "ici_free_interval_months": [2.0, 6.0, np.nan, 4.0, 100.0],
    })
    ard = ard_frame(compute_prior_therapy_rows(prior, pd.Series(["A", "B", "C", "D", "E"])))
    w = {"analysis": "prior_therapy"}
    assert ard_value(ard, variable="prior_ici", statistic="n", **w) == 3
    assert ard_value(ard, variable="prior_ici", statistic="pct", **w) == 60.0
    iv = {"variable": "ici_free_interval", **w}
    assert ard_value(ard, statistic="median", **iv) == 4.0
    assert ard_value(ard, statistic="q1", **iv) == 3.0  # type 7: 2 + 0.5 * (4 - 2)
    assert ard_value(ard, statistic="q3", **iv) == 5.0
    assert compute_prior_therapy_rows(pd.DataFrame(), pd.Series(["A"])) == []
