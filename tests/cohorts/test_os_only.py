"""An overall-survival study from one patients sheet with a status column, end to end.

The workbook is R survival's ``lung`` as a Chinese hospital types it
(``tests/fixtures/cohorts/make.py``): a status column (生存/死亡) and one last-contact date, no
death date, no tumour assessments, no therapy records, no adverse events. The study must run,
give a report with no section, sentence or warning about the data it was not given, and
numbers equal to R's (``tests/reference/lung_os.R``).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from _cohorts import ard_value, read_ard

# R writes 15 significant digits; Kaplan-Meier, log-rank and the interval transforms are
# closed forms, Cox estimates Newton-Raphson solutions converged to R's default (relative
# change of the log-likelihood < 1e-9): 1e-6 relative covers both.
REL = 1e-6


def test_validate_and_run_agree_and_say_nothing(lung_outputs):
    said, out = lung_outputs
    assert "No errors." in said and "warning" not in said
    assert (out / "validation.txt").read_text(encoding="utf-8").strip() in ("", "No problems.")


def test_only_the_sections_the_data_fill(lung_outputs):
    _, out = lung_outputs
    assert {p.stem for p in (out / "tables").iterdir()} == {"baseline", "survival",
                                                            "subgroups_os"}
    figures = {p.stem for p in (out / "figures").iterdir()}
    assert {"flowchart", "km_os", "forest_os"} <= figures
    assert not figures & {"waterfall", "swimmer"}
    assert {p.stem for p in (out / "datasets").iterdir()} == {"attrition", "patients", "tte"}
    ard = read_ard(out)
    assert set(ard["analysis"]) == {"population", "baseline", "survival", "subgroup",
                                    "cox_univariable", "cox_multivariable"}


def test_nothing_is_said_about_data_not_given(lung_outputs):
    _, out = lung_outputs
    html = re.sub(r"<[^>]+>", " ", (out / "report.html").read_text(encoding="utf-8"))
    summary = (out / "results" / "summary.txt").read_text(encoding="utf-8")
    for text in (html, summary):
        low = text.lower()
        for absent in ("objective response", "recist", "adverse event", "ctcae",
                       "on treatment", "disposition", "exposure", "waterfall", "swimmer",
                       "0.0%"):
            assert absent not in low, absent


@pytest.mark.reference
def test_cohort_rule_keeps_unknown_weight_loss(lung_outputs, lung_reference):
    _, out = lung_outputs
    attrition = pd.read_csv(out / "datasets" / "attrition.csv")
    assert attrition["n_excluded"].tolist() == [0, lung_reference["n_excluded_wt_loss"]]
    assert attrition["n_remaining"].iloc[-1] == lung_reference["n"]


@pytest.mark.reference
def test_survival_equals_r(lung_outputs, lung_reference):
    _, out = lung_outputs
    ard, r = read_ard(out), lung_reference
    s = {"analysis": "survival", "endpoint": "os"}
    assert ard_value(ard, variable="patients", statistic="n", **s) == r["n"]
    assert ard_value(ard, variable="events", statistic="n", **s) == r["events"]
    for stat, key in (("median", "median"), ("lower", "median_lower"),
                      ("upper", "median_upper")):
        assert ard_value(ard, variable="median", statistic=stat, **s) == r[key]
    for t in (90, 180, 365, 730):
        for stat, key in (("pct", f"km_{t}"), ("lower", f"km_{t}_lower"),
                          ("upper", f"km_{t}_upper")):
            got = ard_value(ard, variable="landmark", category=str(t), statistic=stat, **s)
            assert got == pytest.approx(100 * r[key], rel=REL), (t, stat)


@pytest.mark.reference
def test_logrank_and_cox_equal_r(lung_outputs, lung_reference):
    _, out = lung_outputs
    ard, r = read_ard(out), lung_reference
    p = ard_value(ard, analysis="subgroup", endpoint="os", group_var="sex", variable="logrank",
                  statistic="p")
    assert p == pytest.approx(r["logrank_sex_p"], rel=REL)
    p = ard_value(ard, analysis="subgroup", endpoint="os", group_var="ecog_group",
                  variable="logrank", statistic="p")
    assert p == pytest.approx(r["logrank_ecog_p"], rel=REL)
    terms = {("sex", "Male"): "sexfM", ("ecog_group", "1"): "ecog_grp1",
             ("ecog_group", "2-3"): "ecog_grp2-3"}
    for model, prefix in (("cox_univariable", "uni"), ("cox_multivariable", "multi")):
        for (var, level), term in terms.items():
            for stat in ("hr", "lower", "upper", "p"):
                got = ard_value(ard, analysis=model, endpoint="os", group_var=var,
                                group_level=level, variable="hr", statistic=stat)
                assert got == pytest.approx(r[f"{prefix}_{term}_{stat}"], rel=REL), (
                    model, var, level, stat)


@pytest.mark.reference
def test_table2_global_tests_ph_check_and_model_size_equal_r(lung_outputs, lung_reference):
    """Issue 14 item 8: the 3-level ECOG factor's global Wald (and likelihood-ratio) tests, the
    multivariable model's complete cases and events, and cox.zph per term and global, equal to
    R (tests/reference/lung_os.R); Table 2 prints them from the ARD."""
    _, out = lung_outputs
    ard, r = read_ard(out), lung_reference
    w = {"endpoint": "os", "group_var": "ecog_group"}
    for model, prefix in (("cox_univariable", "uni"), ("cox_multivariable", "multi")):
        for stat, key in (("statistic", "chisq"), ("p", "p")):
            got = ard_value(ard, analysis=model, variable="global_wald", statistic=stat, **w)
            assert got == pytest.approx(r[f"{prefix}_ecog_global_wald_{key}"], rel=REL)
    for stat, key in (("statistic", "chisq"), ("p", "p")):
        got = ard_value(ard, analysis="cox_univariable", variable="global_lr", statistic=stat,
                        **w)
        assert got == pytest.approx(r[f"uni_ecog_global_lr_{key}"], rel=REL)
    m = {"analysis": "cox_multivariable", "endpoint": "os"}
    n = ard_value(ard, variable="patients", statistic="n", **m)
    assert n == r["multi_n"]
    assert ard_value(ard, variable="events", statistic="n", **m) == r["multi_events"]
    assert ard_value(ard, variable="patients", statistic="n_missing", **m) == r["n"] - n
    for var, term in (("sex", "sexf"), ("ecog_group", "ecog_grp"), ("", "GLOBAL")):
        for stat, key in (("statistic", "chisq"), ("p", "p")):
            got = ard_value(ard, variable="ph_test", group_var=var, statistic=stat, **m)
            assert got == pytest.approx(r[f"zph_{term}_{key}"], rel=REL), (var, stat)
    table = (out / "tables" / "subgroups_os.csv").read_text(encoding="utf-8")
    assert f"{int(n)} of {int(r['n'])} patients" in table
    assert "\u2020" in table and "cox.zph" in table
