"""Subgroup analyses against R survival, and the whole-study ARD (shape, determinism)."""

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import _study_fixture
from oncocohort.analysis import ARD_COLUMNS, analyse_study
from oncocohort.analysis.ard import ard_frame, ard_value
from oncocohort.analysis.subgroups import compute_subgroup_rows

R = pd.read_csv(Path(__file__).parent / "reference" / "subgroups_r.csv",
                keep_default_na=False, na_values=["NA"])


@pytest.fixture(scope="module")
def subgroup_ards():
    f = _study_fixture.make_frames()
    out = {}
    for ep in ("os", "pfs"):
        res = compute_subgroup_rows(f["patients"], f["tte"], ep, ["sex", "ecog_group"],
                                    threshold=0.5)  # both variables enter the model
        out[ep] = (ard_frame(res.rows), res)
    return out


_R_STAT = {"median": ("median", "median"), "median_lower": ("median", "lower"),
           "median_upper": ("median", "upper"), "logrank_p": ("logrank", "p"),
           "hr": ("hr", "hr"), "lower": ("hr", "lower"), "upper": ("hr", "upper"),
           "p": ("hr", "p"), "wald_p": ("screen_wald", "p")}


@pytest.mark.reference
@pytest.mark.parametrize("i", range(len(R)))
def test_subgroups_match_r(subgroup_ards, i):
    r = R.iloc[i]
    ard, _ = subgroup_ards[r.endpoint]
    variable, statistic = _R_STAT[r.statistic]
    value = ard_value(ard, analysis=r.analysis, group_var=r.group_var,
                      group_level=r.group_level, variable=variable, statistic=statistic)
    if np.isnan(r.value):
        assert np.isnan(value)
    else:
        # R prints 15 significant digits; Newton-Raphson stops at |dloglik| < 1e-9 in both
        # programs, so coefficients agree to ~1e-7 relative (HRs, CIs and p-values with them)
        assert value == pytest.approx(r.value, rel=1e-6)


def test_screen_selection(subgroup_ards):
    _, res = subgroup_ards["os"]
    assert res.selected == ("sex", "ecog_group")


def test_study_ard_shape_and_determinism(small_study, small_options, fixture_module):
    a1 = analyse_study(small_study, small_options.analysis)
    a2 = analyse_study(fixture_module.make_study(), fixture_module.make_options().analysis)
    assert tuple(a1.ard.columns) == ARD_COLUMNS
    assert a1.ard.to_csv(index=False) == a2.ard.to_csv(index=False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a1.ard = None
    assert set(a1.endpoints) == {"os", "pfs", "dor"}
    assert set(a1.subgroups) == {"os", "pfs"}  # DoR is analysed in responders only
    # no variable passes p < 0.05 here (smallest Wald p 0.058): no multivariable model
    assert not (a1.ard["analysis"].eq("cox_multivariable") & a1.ard["variable"].eq("hr")).any()
    assert a1.swimmer["subject_id"].iloc[0] == "P10"  # longest on treatment


def test_study_does_not_mutate_inputs(small_study, small_options):
    before = small_study.patients.copy()
    analyse_study(small_study, small_options.analysis)
    pd.testing.assert_frame_equal(small_study.patients, before)


@pytest.mark.by_hand
def test_boolean_subgroup_levels_read_as_table_1(fixture_module):
    f = fixture_module.make_frames()
    patients = f["patients"].assign(prior_ici=[True, False] * 6)
    res = compute_subgroup_rows(patients, f["tte"], "os", ["prior_ici"])
    ard = ard_frame(res.rows)
    levels = [lv for lv in dict.fromkeys(ard.loc[ard.analysis == "subgroup", "group_level"]) if lv]
    assert levels == ["No", "Yes"]  # False sorts first: "No" is the reference
    assert ard_value(ard, analysis="subgroup", group_var="prior_ici", group_level="Yes",
                     variable="patients", statistic="n") == 6
    assert (ard.loc[ard.analysis == "cox_univariable", "group_level"].isin(["Yes", ""])).all()


def test_unknown_subgroup_variable(fixture_module):
    f = fixture_module.make_frames()
    with pytest.raises(ValueError, match="not among the patient columns: nope"):
        compute_subgroup_rows(f["patients"], f["tte"], "os", ["nope"])


def test_study_without_endpoints_or_events(fixture_module):
    import dataclasses as dc

    from oncocohort.derive.endpoints import TTE_COLUMNS

    study = fixture_module.make_study()
    bare = dc.replace(study, tte=pd.DataFrame(columns=list(TTE_COLUMNS)), ae=pd.DataFrame(),
                      exposure=pd.DataFrame(), swimmer=study.swimmer.iloc[:0])
    a = analyse_study(bare, fixture_module.make_options().analysis)
    assert not a.endpoints and not a.subgroups and a.swimmer.empty
    assert set(a.ard["analysis"]) == {"population", "baseline", "disposition", "response",
                                      "safety"}


@pytest.mark.reference
def test_screen_p_from_changes_the_selection(fixture_module):
    # OS by ECOG: log-rank p 0.0264, Wald p 0.0580 (R, subgroups_r.csv): only the log-rank
    # screen lets ECOG into the multivariable model at 0.05
    f = fixture_module.make_frames()
    wald = compute_subgroup_rows(f["patients"], f["tte"], "os", ["sex", "ecog_group"])
    lr = compute_subgroup_rows(f["patients"], f["tte"], "os", ["sex", "ecog_group"],
                               p_from="logrank")
    assert wald.selected == () and lr.selected == ("ecog_group",)
    ard = ard_frame(lr.rows)
    assert ard_value(ard, analysis="cox_univariable", group_var="ecog_group",
                     variable="screen_logrank", statistic="p") == pytest.approx(
        0.0264024862657726, rel=1e-9)  # survdiff chi-square; same algorithm, 1e-9 is ample
    assert ard_value(ard, analysis="cox_multivariable", group_var="ecog_group",
                     variable="screen", statistic="selected") == 1
    # ECOG alone passed: no multivariable model of one variable (it is the univariable one)
    assert not ((ard.analysis == "cox_multivariable") & (ard.variable != "screen")).any()
    with pytest.raises(ValueError, match="p_from"):
        compute_subgroup_rows(f["patients"], f["tte"], "os", ["sex"], p_from="score")
