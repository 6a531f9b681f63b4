"""Table 1 by group (issue 13 item 5), end to end: the lung study by sex, every patient kept
(no cohort rule), so the tests are R's on the whole lung data set
(tests/reference/group_tests.R)."""

from __future__ import annotations

import pytest

from _cohorts import ard_value, read_ard

REL = 1e-9  # closed forms and exact sums, R printing 15 significant digits


@pytest.fixture(scope="module")
def by_sex(cohort_dir_module, run_cli):
    spec = cohort_dir_module / "lung_covariates.yaml"
    text = spec.read_text(encoding="utf-8")
    start, end = text.index("cohort:"), text.index("endpoints:")
    text = text[:start] + text[end:]
    text = text.replace("screen: {threshold: 1}", "screen: {threshold: 1}\nbaseline_by: sex\n")
    spec.write_text(text, encoding="utf-8")
    out = cohort_dir_module / "out"
    code, said = run_cli(["run", str(spec), "--out", str(out)])
    assert code == 0, said
    return out


@pytest.mark.reference
def test_tests_and_smd_equal_r(by_sex, covariates_group_reference):
    ard, r = read_ard(by_sex), covariates_group_reference
    w = {"analysis": "baseline", "group_var": "sex"}
    assert ard_value(ard, variable="age", category="wilcoxon", statistic="p", **w) == \
        pytest.approx(r["wilcox_age_sex_p"], rel=REL)
    assert ard_value(ard, variable="age", statistic="smd", **w) == \
        pytest.approx(r["smd_age_sex"], rel=REL)
    n = {lv: ard_value(ard, variable="patients", statistic="n", group_level=lv, **w)
         for lv in ("Male", "Female")}
    assert n == {"Male": 138, "Female": 90}


def test_table1_has_a_column_per_group(by_sex):
    table = (by_sex / "tables" / "baseline.csv").read_text(encoding="utf-8")
    header = table.splitlines()[0]
    assert header.startswith('Characteristic,"Male (N=138), n (%)","Female (N=90), n (%)",'
                             '"Overall (N=228), n (%)"')  # every count column says n (%)
    assert header.endswith(",p,SMD")
    assert "Wilcoxon rank-sum test" in table and "Fisher's exact test when" in table
    assert "  Median (IQR),64 (57-70),61 (55-68),63 (56-69),0.057,0.25" in table
    assert "\nSex\n" not in table  # the grouping variable is the columns, not a row block
