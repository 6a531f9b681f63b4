"""Baseline (Table 1), exposure/disposition and response ARD rows, checked by hand."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import beta

from oncocohort.analysis.ard import ard_frame, ard_value
from oncocohort.analysis.baseline import compute_baseline_rows, is_continuous
from oncocohort.analysis.exposure import compute_disposition_rows, compute_exposure_rows
from oncocohort.analysis.response import compute_response_rows


@pytest.mark.by_hand
def test_continuous_and_categorical_rows(fixture_module):
    patients = fixture_module.make_frames()["patients"]
    ard = ard_frame(compute_baseline_rows(patients, ["age", "sex", "ecog_group", "absent"],
                                          units={"age": "years"}))
    # ages (P11 missing): 48 52 55 59 61 63 66 67 70 72 75 -> median is the 6th, 63
    assert ard_value(ard, variable="age", statistic="median") == 63.0
    assert ard_value(ard, variable="age", statistic="min") == 48.0
    assert ard_value(ard, variable="age", statistic="max") == 75.0
    assert ard_value(ard, variable="age", statistic="n") == 11.0
    assert ard_value(ard, variable="age", statistic="n_missing") == 1.0
    # q1 (type 7): position 0.25 * 10 = 2.5 -> 55 + 0.5 * (59 - 55) = 57
    assert ard_value(ard, variable="age", statistic="q1") == 57.0
    assert ard_value(ard, variable="sex", category="F", statistic="n") == 4.0
    assert ard_value(ard, variable="sex", category="M", statistic="pct") == pytest.approx(
        100 * 8 / 12, rel=1e-12)  # float division only
    assert ard_value(ard, variable="ecog_group", category="1-2", statistic="n") == 7.0
    assert "absent" not in set(ard["variable"])


@pytest.mark.by_hand
def test_categorical_missing_is_in_denominator():
    p = pd.DataFrame({"subject_id": list("abcd"), "site": ["upper", None, "lower", "upper"]})
    ard = ard_frame(compute_baseline_rows(p, ["site"]))
    assert ard_value(ard, variable="site", category="upper", statistic="pct") == 50.0
    assert ard_value(ard, variable="site", statistic="n_missing") == 1.0
    assert list(ard.loc[ard.statistic == "n", "category"])[1:] == ["lower", "upper"]


@pytest.mark.by_hand
def test_is_continuous():
    assert is_continuous(pd.Series([1.0, 2, 3, 4, 5, 6, 7]))
    assert not is_continuous(pd.Series([0, 1, 2, 1, 0]))  # ECOG-like: categorical
    assert not is_continuous(pd.Series([True, False] * 5))
    assert not is_continuous(pd.Series(list("abcdefgh")))


@pytest.mark.by_hand
def test_boolean_texts_read_yes_no():
    p = pd.DataFrame({"subject_id": list("abc"), "surgery": ["True", "false", "True"],
                      "flag": [True, False, True]})
    ard = ard_frame(compute_baseline_rows(p, ["surgery", "flag"]))
    for var in ("surgery", "flag"):
        cats = list(ard.loc[(ard.variable == var) & (ard.statistic == "n"), "category"])
        assert cats == ["No", "Yes"]
        assert ard_value(ard, variable=var, category="Yes", statistic="n") == 2


@pytest.mark.by_hand
def test_response_all_patients(fixture_module):
    best = fixture_module.make_frames()["best_response"]
    ard = ard_frame(compute_response_rows(best))
    # BOR: CR 1, PR 2, SD 5, PD 3, NE 1 of 12
    assert ard_value(ard, variable="bor", category="SD", statistic="n") == 5
    assert ard_value(ard, variable="orr", statistic="n") == 3
    assert ard_value(ard, variable="dcr", statistic="n") == 8
    assert ard_value(ard, variable="orr", statistic="pct") == 25.0
    # Clopper-Pearson bounds are beta quantiles (independent of proportion_ci's code path)
    lo, hi = beta.ppf(0.025, 3, 10), beta.ppf(0.975, 4, 9)
    assert ard_value(ard, variable="orr", statistic="lower") == pytest.approx(100 * lo, rel=1e-9)
    assert ard_value(ard, variable="orr", statistic="upper") == pytest.approx(100 * hi, rel=1e-9)
    assert (ard.loc[ard.variable == "orr", "denominator"] == 12).all()


@pytest.mark.by_hand
def test_response_evaluable_denominator(fixture_module):
    best = fixture_module.make_frames()["best_response"]
    ard = ard_frame(compute_response_rows(best, denominator="evaluable", method="wilson"))
    assert ard_value(ard, variable="evaluable", statistic="n") == 11
    assert ard_value(ard, variable="dcr", statistic="pct") == pytest.approx(800 / 11, rel=1e-12)
    # NE is reported against all patients
    assert ard_value(ard, variable="bor", category="NE", statistic="pct") == pytest.approx(
        100 / 12, rel=1e-12)
    # Wilson by hand: p = 8/11, z = 1.959964
    z, n, p = 1.959963984540054, 11, 8 / 11
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert ard_value(ard, variable="dcr", statistic="lower") == pytest.approx(
        100 * (centre - half), rel=1e-9)


def test_response_rejects_bad_input(fixture_module):
    best = fixture_module.make_frames()["best_response"]
    with pytest.raises(ValueError, match="denominator"):
        compute_response_rows(best, denominator="some")
    bad = best.assign(best_response=best["best_response"].replace("PR", "PRX"))
    with pytest.raises(ValueError, match="PRX"):
        compute_response_rows(bad)


@pytest.mark.by_hand
def test_exposure_and_disposition(fixture_module):
    f = fixture_module.make_frames()
    ard = ard_frame(compute_exposure_rows(f["exposure"], 12) + compute_disposition_rows(
        f["patients"]))
    w = {"group_var": "drug", "group_level": "anlotinib"}
    assert ard_value(ard, variable="dose_reduction", statistic="n", **w) == 4  # P02 P03 P06 P11
    # anlotinib durations = PFS times: 2 2 3 3 5 7 8 9 14 14 16 24 -> median (7 + 8) / 2
    assert ard_value(ard, variable="treatment_duration_months", statistic="median", **w) == 7.5
    w = {"analysis": "disposition", "variable": "status"}
    assert ard_value(ard, category="on treatment at data cut-off", statistic="n", **w) == 2
    assert ard_value(ard, category="adverse event", statistic="n", **w) == 1
    assert ard_value(ard, category="progression", statistic="n", **w) == 9
    assert ard_value(ard, analysis="disposition", variable="deaths", statistic="n") == 8
