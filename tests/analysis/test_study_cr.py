"""The demo study end to end (spec -> derived datasets -> ARD) for the analyses of issue 16:
time to progression with death as a competing event, RMST at 12 months, OS by response at a
3-month landmark and response as a time-varying covariate, against R.

Reference: ``reference/study_cr.R`` (R 4.2.2, survival 3.5-3, cmprsk 2.2-11) on
``reference/study_cr_data.csv``, the demo's derived rows (the first test checks that the
derivation still gives exactly them, so the R input is what the pipeline analyses). Tolerance
rel 1e-6 (the issue's bar; in practice ~1e-12).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncocohort.analysis.ard import ard_value
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study

REF = Path(__file__).parent / "reference"
EXAMPLE = Path(__file__).parents[2] / "examples" / "escc-competing-risks" / "study.yaml"
R = pd.read_csv(REF / "study_cr_r.csv", keep_default_na=False, na_values=["NA"])
REL = 1e-6


def r(quantity: str, group: str = "") -> float:
    hit = R[(R["quantity"] == quantity) & (R["group"] == group)]
    assert len(hit) == 1, (quantity, group)
    return float(hit["value"].iloc[0])


@pytest.fixture(scope="module")
def demo():
    return run_study(load_study(EXAMPLE))


def test_the_r_input_is_the_demo_derivation(demo):
    d = demo.derived
    tte = d.tte
    os_ = tte[tte.paramcd == "os"][["subject_id", "aval", "event"]]
    ttp = tte[tte.paramcd == "ttp"][["subject_id", "aval", "cause"]]
    st = d.status_times[(d.status_times.paramcd == "os")
                        & (d.status_times.status == "first_response")]
    got = (os_.rename(columns={"aval": "os_time", "event": "os_event"})
           .merge(ttp.rename(columns={"aval": "ttp_time", "cause": "ttp_cause"}), on="subject_id")
           .merge(st[["subject_id", "status_time"]].rename(
               columns={"status_time": "response_time"}), on="subject_id")
           .merge(d.patients[["subject_id", "ecog_group"]], on="subject_id")
           .sort_values("subject_id").reset_index(drop=True))
    want = pd.read_csv(REF / "study_cr_data.csv", dtype={"subject_id": str, "ecog_group": str})
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-15)
    assert set(got["ttp_cause"]) == {0, 1, 2}


def test_competing_risks_rows_equal_cmprsk(demo):
    ard = demo.analysis.ard
    for k, var in ((1, "cif_event"), (2, "cif_competing")):
        for t in (12, 24):
            for stat, suffix in (("pct", ""), ("lower", "_lower"), ("upper", "_upper")):
                got = ard_value(ard, analysis="competing_risks", endpoint="ttp", variable=var,
                                category=str(t), statistic=stat, group_var="")
                assert got == pytest.approx(r(f"cif{k}_{t}{suffix}"), rel=REL), (var, t, stat)
    where = {"analysis": "competing_risks", "endpoint": "ttp", "variable": "gray",
             "group_var": "ecog_group"}
    assert ard_value(ard, **where, statistic="statistic") == pytest.approx(
        r("gray_stat", "ecog_group"), rel=REL)
    assert ard_value(ard, **where, statistic="p") == pytest.approx(
        r("gray_p", "ecog_group"), rel=REL)
    where = {"analysis": "fine_gray", "endpoint": "ttp", "variable": "shr",
             "group_var": "ecog_group", "group_level": "1-2"}
    for stat, q in (("hr", "fg_hr"), ("lower", "fg_lower"), ("upper", "fg_upper"),
                    ("p", "fg_p")):
        assert ard_value(ard, **where, statistic=stat) == pytest.approx(r(q, "1-2"), rel=REL)
    # a competing-risk endpoint has no Kaplan-Meier rows (1 - KM would overstate progression)
    assert not ((ard.analysis == "survival") & (ard.endpoint == "ttp")).any()
    assert "ttp" in demo.analysis.competing and "ttp" not in demo.analysis.endpoints


def test_rmst_rows_equal_survfit_rmean_and_survrm2(demo):
    ard = demo.analysis.ard
    base = {"analysis": "rmst", "endpoint": "os", "variable": "rmst", "category": "12"}
    for group_var, level in (("", ""), ("ecog_group", "0"), ("ecog_group", "1-2")):
        w = {**base, "group_var": group_var, "group_level": level}
        est = ard_value(ard, **w, statistic="estimate")
        se = ard_value(ard, **w, statistic="se")
        assert est == pytest.approx(r("rmst", level), rel=REL)
        assert se == pytest.approx(r("rmst_se", level), rel=REL)
        assert ard_value(ard, **w, statistic="lower") == pytest.approx(est - 1.959963984540054
                                                                       * se, rel=1e-12)
    for variable, q in (("rmst_difference", "rmst_diff"), ("rmst_ratio", "rmst_ratio")):
        w = {"analysis": "rmst", "endpoint": "os", "variable": variable, "category": "12",
             "group_var": "ecog_group", "group_level": "1-2"}
        for stat, suffix in (("estimate", ""), ("lower", "_lower"), ("upper", "_upper"),
                             ("p", "_p")):
            assert ard_value(ard, **w, statistic=stat) == pytest.approx(
                r(q + suffix, "1-2"), rel=REL), (variable, stat)
    w = {"analysis": "rmst", "endpoint": "ttp", "variable": "rmtl", "category": "12",
         "group_var": ""}
    assert ard_value(ard, **w, statistic="estimate") == pytest.approx(r("rmtl"), rel=REL)
    assert ard_value(ard, **w, statistic="se") == pytest.approx(r("rmtl_se"), rel=REL)
    rows = ard[(ard.analysis == "rmst")]
    assert (rows["method"] != "").all()


def test_landmark_rows_equal_r_on_the_subset(demo):
    ard = demo.analysis.ard
    w = {"analysis": "landmark_analysis", "endpoint": "os", "group_var": "first_response",
         "category": "3"}
    assert ard_value(ard, **w, variable="excluded", statistic="n") == r("lm_excluded")
    for lv in ("No", "Yes"):
        assert ard_value(ard, **w, variable="patients", group_level=lv,
                         statistic="n") == r("lm_n", lv)
        assert ard_value(ard, **w, variable="median", group_level=lv,
                         statistic="median") == pytest.approx(r("lm_median", lv), rel=REL)
    assert ard_value(ard, **w, variable="logrank", statistic="p") == pytest.approx(
        r("lm_logrank_p"), rel=REL)
    for stat, q in (("hr", "lm_hr"), ("lower", "lm_hr_lower"), ("upper", "lm_hr_upper"),
                    ("p", "lm_hr_p")):
        assert ard_value(ard, **w, variable="hr", group_level="Yes",
                         statistic=stat) == pytest.approx(r(q, "Yes"), rel=REL)


def test_time_varying_rows_equal_tmerge_coxph_and_survfit(demo):
    ard = demo.analysis.ard
    w = {"analysis": "time_varying", "endpoint": "os", "group_var": "first_response"}
    for stat, q in (("hr", "tv_hr"), ("lower", "tv_hr_lower"), ("upper", "tv_hr_upper"),
                    ("p", "tv_hr_p")):
        assert ard_value(ard, **w, variable="hr", group_level="Yes",
                         statistic=stat) == pytest.approx(r(q, "Yes"), rel=REL)
    assert ard_value(ard, **w, variable="mantel_byar", statistic="statistic") == pytest.approx(
        r("mantel_byar"), rel=REL)
    assert ard_value(ard, **w, variable="mantel_byar", statistic="p") == pytest.approx(
        r("mantel_byar_p"), rel=REL)
    for lv in ("No", "Yes"):
        for t in (12, 24):
            for stat, suffix in (("pct", ""), ("lower", "_lower"), ("upper", "_upper")):
                got = ard_value(ard, **w, variable="landmark", group_level=lv, category=str(t),
                                statistic=stat)
                assert got == pytest.approx(r(f"sm_{t}{suffix}", lv), rel=REL)


def test_every_new_row_says_how_it_was_computed(demo):
    ard = demo.analysis.ard
    new = ard[ard.analysis.isin(["competing_risks", "fine_gray", "rmst", "landmark_analysis",
                                 "time_varying"])]
    assert len(new) > 300 and (new["method"] != "").all(), \
        new.loc[new["method"] == "", ["analysis", "variable", "statistic"]].drop_duplicates()
    assert np.isfinite(new["value"].dropna()).all()
    counts = new[new.statistic.isin(["n", "n_at_risk", "n_events"])]
    assert counts["method"].str.startswith("count").all()
    at_risk = counts[counts.statistic == "n_at_risk"]
    assert set(at_risk["method"]) == {  # each analysis says which risk set it counts
        "count; at risk = time >= t", "count; at risk = time since the landmark >= t",
        "count; in the group at t = time >= t and the status acquired before t (Yes) or not "
        "(No), the Simon-Makuch risk set"}
