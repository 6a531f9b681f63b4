"""Survival summaries and the safety table rows, checked by hand."""

import numpy as np
import pandas as pd
import pytest

from oncocohort.analysis.ard import ard_frame, ard_value
from oncocohort.analysis.safety import compute_safety_rows
from oncocohort.analysis.survival import compute_endpoint_fit, compute_survival_rows


@pytest.mark.by_hand
def test_survival_rows_by_hand():
    # times 1..5, events at 1, 3, 4: S(1) = 4/5, S(3) = 4/5 * 2/3 = 8/15, S(4) = 8/15 * 1/2
    km, rows = compute_survival_rows(np.array([1.0, 2, 3, 4, 5]), np.array([1, 0, 1, 1, 0]),
                                     endpoint="os", unit="months", landmarks=[3.5])
    ard = ard_frame(rows)
    w = {"endpoint": "os"}
    assert ard_value(ard, variable="events", statistic="n", **w) == 3
    assert ard_value(ard, variable="maturity", statistic="pct", **w) == 60.0
    assert ard_value(ard, variable="median", statistic="median", **w) == 4.0  # first S <= 0.5
    assert ard_value(ard, variable="landmark", category="3.5", statistic="pct",
                     **w) == pytest.approx(100 * 8 / 15, rel=1e-12)
    assert ard_value(ard, variable="landmark", category="3.5", statistic="n_at_risk", **w) == 2
    _, rows = compute_survival_rows(np.array([1.0, 2, 3, 4, 5]), np.array([1, 0, 1, 1, 0]),
                                    endpoint="os", unit="months", landmarks=[5, 6])
    ard = ard_frame(rows)
    assert ard_value(ard, variable="landmark", category="5", statistic="pct") == pytest.approx(
        100 * 4 / 15, rel=1e-12)  # at the last time itself: estimable
    assert np.isnan(ard_value(ard, variable="landmark", category="6", statistic="pct"))
    # reverse KM: "events" are the censorings at 2 (4 at risk) and 5 (1 at risk):
    # S_c(2) = 3/4, S_c(5) = 0 -> median follow-up 5
    assert ard_value(ard, variable="follow_up", statistic="median", **w) == 5.0
    # observation time: the times themselves, deaths included: median 3, range 1-5
    assert ard_value(ard, variable="observation_time", statistic="median", **w) == 3.0
    assert ard_value(ard, variable="observation_time", statistic="min", **w) == 1.0
    assert ard_value(ard, variable="observation_time", statistic="max", **w) == 5.0
    fu = ard.loc[ard["variable"] == "follow_up", "statistic"]
    assert sorted(fu) == ["lower", "median", "upper"]  # the range belongs to observation_time


def test_endpoint_fit_errors(fixture_module):
    tte = fixture_module.make_frames()["tte"]
    with pytest.raises(ValueError, match="no rows"):
        compute_endpoint_fit(tte, "ttr")
    dup = pd.concat([tte, tte.iloc[[0]]])
    with pytest.raises(ValueError, match="several rows"):
        compute_endpoint_fit(dup, "os")


@pytest.mark.by_hand
def test_dor_population_is_the_responders(fixture_module):
    fit = compute_endpoint_fit(fixture_module.make_frames()["tte"], "dor", landmarks=[12])
    ard = ard_frame(fit.rows)
    assert ard_value(ard, variable="patients", statistic="n") == 3
    # DoR 7 (event), 12 (event), 22 (censored): S(7) = 2/3, S(12) = 1/3 -> median 12
    assert ard_value(ard, variable="median", statistic="median") == 12.0
    assert ard_value(ard, variable="landmark", category="12", statistic="pct") == pytest.approx(
        100 / 3, rel=1e-12)


@pytest.mark.by_hand
def test_safety_rows_by_hand(fixture_module):
    ae = fixture_module.make_frames()["ae"]
    ard = ard_frame(compute_safety_rows(ae, 12))
    w = {"group_var": "population", "group_level": "TRAE"}
    # related and treatment-emergent: P01 (worst 3) P02 (2) P03 (1) P04 (2) P05 (3) P06 (2)
    # P07 (1) P08 (1); P09's rash is unrelated, P10's not treatment-emergent
    assert ard_value(ard, variable="Any TRAE", category="any grade", statistic="n", **w) == 8
    assert ard_value(ard, variable="Any TRAE", category="grade >=3", statistic="n", **w) == 2
    assert ard_value(ard, variable="Any TRAE", category="grade 1-2", statistic="n", **w) == 6
    assert ard_value(ard, variable="Fatigue", category="grade >=3", statistic="n", **w) == 1
    assert ard_value(ard, variable="Rash", category="any grade", statistic="n", **w) == 1
    assert ard_value(ard, variable="Hypertension", category="any grade", statistic="pct",
                     **w) == pytest.approx(100 * 4 / 12, rel=1e-12)
    order = list(dict.fromkeys(ard.loc[ard.variable != "patients", "variable"]))
    assert order == ["Any TRAE", "Fatigue", "Hypertension", "Rash"]  # ties -> by name


def test_safety_without_events():
    empty = pd.DataFrame(columns=["subject_id", "ae_group", "grade", "related", "trtemfl"])
    ard = ard_frame(compute_safety_rows(empty, 5))
    assert ard_value(ard, variable="Any TRAE", category="any grade", statistic="n") == 0
