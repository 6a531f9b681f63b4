"""Continuous covariates, value labels, level order and chosen reference levels, end to end.

The lung OS study (``tests/fixtures/cohorts/lung_covariates.yaml``) with age and Karnofsky
entered in the Cox models as continuous (per 10 units), sex relabelled Male/Female with Male
first (so the reference), ECOG groups with the reference "1" declared, and Table 1 showing age
as median (IQR) without decimals, Karnofsky as mean (SD), and ECOG with its own grouping. The
numbers are R's (``tests/reference/covariates.R``).
"""

from __future__ import annotations

import pandas as pd
import pytest

from _cohorts import ard_value, read_ard

# R writes 15 significant digits; the Cox estimates are Newton-Raphson solutions converged to
# R's default (relative change of the log-likelihood < 1e-9): 1e-6 relative covers both.
REL = 1e-6
SPEC = "lung_covariates.yaml"


@pytest.fixture
def r(covariates_reference):
    return covariates_reference


@pytest.mark.reference
def test_table1_continuous_summaries_equal_r(covariates_outputs, r):
    ard = read_ard(covariates_outputs)
    for stat in ("median", "q1", "q3", "mean", "sd", "min", "max"):
        got = ard_value(ard, analysis="baseline", variable="age", statistic=stat)
        assert got == pytest.approx(r[f"age_{stat}"], rel=1e-12), stat


@pytest.mark.reference
def test_cox_continuous_and_reference_levels_equal_r(covariates_outputs, r):
    ard = read_ard(covariates_outputs)
    terms = {("age", ""): "age10", ("karnofsky", ""): "karno10",
             ("sex", "Female"): "sexFemale", ("ecog_group", "0"): "ecog_group0",
             ("ecog_group", "2-3"): "ecog_group2-3"}
    uni = {"age": "uni_age", "karnofsky": "uni_karno", "sex": "uni_sex",
           "ecog_group": "uni_ecog"}
    for (var, level), term in terms.items():
        for model, prefix in (("cox_univariable", uni[var]), ("cox_multivariable", "multi")):
            for stat in ("hr", "lower", "upper", "p"):
                got = ard_value(ard, analysis=model, endpoint="os", group_var=var,
                                group_level=level, variable="hr", statistic=stat)
                assert got == pytest.approx(r[f"{prefix}_{term}_{stat}"], rel=REL), (
                    model, var, level, stat)
    n = ard_value(ard, analysis="cox_multivariable", endpoint="os", variable="patients",
                  statistic="n")
    assert n == r["multi_n"]
    # the reference levels have no hazard ratio of their own
    for var, ref in (("sex", "Male"), ("ecog_group", "1")):
        m = ((ard["analysis"] == "cox_univariable") & (ard["group_var"] == var)
             & (ard["group_level"] == ref))
        assert not m.any()
    assert ard_value(ard, analysis="subgroup", endpoint="os", group_var="age", variable="hr",
                     statistic="per") == 10


def test_tables_show_labels_order_and_summaries(covariates_outputs):
    base = (covariates_outputs / "tables" / "baseline.csv").read_text(encoding="utf-8")
    assert "  Median (IQR),63 (57-69)" in base  # whole years as declared (digits: 0)
    assert "  Mean (SD),81.9 (12.4)" in base
    assert base.index("  Male,") < base.index("  Female,")
    assert base.index("  0,") < base.index("  ≥1,")
    sub = (covariates_outputs / "tables" / "subgroups_os.csv").read_text(encoding="utf-8")
    assert "  Per 10 years,224,162,,,1.21 (1.01-1.45),0.043,1.13 (0.94-1.37),0.184" in sub
    assert "  Per 10 points,223,161,," in sub
    assert "per the units shown for continuous variables" in sub  # it has some
    assert "  Male,136,110,270 (207-306),0.002,1 (reference),,1 (reference)," in sub  # whole days
    assert "  1,109,79,306 (239-426),,1 (reference),<0.001†,1 (reference)," in sub
    assert "M," not in sub and "F," not in sub
    forest = (covariates_outputs / "figures" / "forest_os.svg").read_text(encoding="utf-8")
    for text in ("Male (reference)", "1 (reference)", "Per 10 years", "Per 10 points"):
        assert text in forest, text


def _spec_with(cohort_dir, old: str, new: str):
    path = cohort_dir / SPEC
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_numeric_subgroup_without_cut_or_continuous_is_an_error(cohort_dir, run_cli):
    spec = _spec_with(cohort_dir, "{variable: age, label: \"Age (years)\", continuous: true, "
                      "per: 10}", "{variable: age, label: \"Age (years)\"}")
    for command in ("validate", "run"):
        argv = [command, str(spec)] + (["--out", str(cohort_dir / "out")]
                                       if command == "run" else [])
        code, said = run_cli(argv)
        assert code == 2, said
        flat = " ".join(said.split())
        assert "subgroups[0].variable" in flat
        assert "'age' is numeric" in flat and "derive" in flat and "continuous: true" in flat
        assert "Traceback" not in said
    assert not (cohort_dir / "out").exists()


def test_reference_not_a_level_is_an_error(cohort_dir, run_cli):
    spec = _spec_with(cohort_dir, 'ecog_group: {reference: "1"}',
                      'ecog_group: {reference: "4"}')
    code, said = run_cli(["validate", str(spec)])
    assert code == 2, said
    flat = " ".join(said.split())
    assert "variables.ecog_group.reference" in flat and "'4'" in flat and "2-3" in flat


def test_cut_and_continuous_together_is_a_spec_error(cohort_dir, run_cli):
    spec = _spec_with(cohort_dir, "cut: [0, 1, 2], labels: [\"0\", \"1\", \"2-3\"]}}",
                      "cut: [0, 1, 2], labels: [\"0\", \"1\", \"2-3\"]}, continuous: true}")
    code, said = run_cli(["validate", str(spec)])
    assert code == 2, said
    assert "not both" in said
