"""Display tables are rendered from the ARD: cells checked against ARD values."""

from dataclasses import replace

import pytest

from oncocohort.analysis.ard import ard_value
from oncocohort.report.assemble import build_report_tables, forest_rows, subgroup_annotation
from oncocohort.report.builders import (
    build_baseline_table,
    build_response_table,
    build_safety_table,
)
from oncocohort.report.builders_survival import build_subgroup_table, build_survival_table
from oncocohort.report.format import fmt_n_pct
from oncocohort.report.tables import render_table_csv, render_table_html


def _row(table, label):
    rows = [r for r in table.rows if r[0].strip() == label]
    assert len(rows) == 1, label
    return rows[0]


def test_baseline_cells_come_from_the_ard(analysis, report_options):
    t = build_baseline_table(analysis.ard, report_options)
    n = ard_value(analysis.ard, analysis="baseline", variable="sex", category="M", statistic="n")
    pct = ard_value(analysis.ard, analysis="baseline", variable="sex", category="M",
                    statistic="pct")
    assert _row(t, "M")[1] == fmt_n_pct(n, pct) == "8 (66.7)"
    assert _row(t, "Median (range)")[1] == "63 (48-75)"  # whole-number ages: no decimals
    assert _row(t, "Missing")[1] == "1 (8.3)"
    assert t.header[1].startswith("Total (N=12)")


@pytest.mark.by_hand
def test_baseline_suppression(analysis, report_options):
    # k = 5: age missing (1) is primary; sex 4/8: 4 primary -> complement 8 (the only other)
    t = build_baseline_table(analysis.ard, replace(report_options, small_cell_k=5))
    assert _row(t, "Missing")[1] == "<5"
    assert _row(t, "F")[1] == "<5"
    assert _row(t, "M")[1] == "*"
    assert _row(t, "0")[1] == "5 (41.7)"  # ECOG 5 / 7: nothing below 5
    assert any("<5" in f for f in t.footnotes)


@pytest.mark.by_hand
def test_response_rate_hidden_with_its_count(analysis, report_options):
    t = build_response_table(analysis.ard, replace(report_options, small_cell_k=4))
    orr = _row(t, "Objective response rate (CR + PR), % (95% CI)")
    assert orr[1] == "<4" and orr[2] == "*"  # the rate 25.0% would reveal the count 3
    t0 = build_response_table(analysis.ard, report_options)
    orr = _row(t0, "Objective response rate (CR + PR), % (95% CI)")
    lo = ard_value(analysis.ard, analysis="response", variable="orr", statistic="lower")
    assert orr[1] == "3 (25.0)" and orr[2] == f"25.0 ({lo:.1f}-57.2)"
    assert "N=12" in t0.title


def test_survival_and_subgroup_tables(analysis, report_options):
    t = build_survival_table(analysis.ard, report_options)
    assert t.header[1:] == ("Overall survival", "Progression-free survival",
                            "Duration of response")
    assert _row(t, "Median, months (95% CI)")[1:] == ("14.0 (4.0-NR)", "7.5 (2.0-NR)",
                                                      "12.0 (7.0-NR)")
    assert _row(t, "Events (maturity, %)")[1] == "8 (66.7)"
    sg = build_subgroup_table(analysis.ard, "os", report_options)
    hr = ard_value(analysis.ard, analysis="cox_univariable", endpoint="os",
                   group_var="ecog_group", group_level="1-2", variable="hr", statistic="hr")
    assert _row(sg, "1-2")[5].startswith(f"{hr:.2f} (")
    assert _row(sg, "0")[5] == "1 (reference)"
    assert _row(sg, "0")[4] == "0.026"  # log-rank p on the first level's row (R: 0.0264)


def test_safety_table_order_and_cells(analysis, report_options):
    t = build_safety_table(analysis.ard, report_options)
    assert [r[0] for r in t.rows] == ["Any TRAE", "Fatigue", "Hypertension", "Rash"]
    assert t.footnotes[0] == "TRAE: treatment-related adverse event."  # defined where used
    # any, 1-2, 3, 4, 5, >=3: P01's fatigue and P05's hypertension are grade 3
    assert t.rows[0][1:] == ("8 (66.7)", "6 (50.0)", "2 (16.7)", "0 (0.0)", "0 (0.0)",
                             "2 (16.7)")
    assert len(t.header) == 7  # no "grade missing" column when no grade is missing


def test_forest_rows_and_annotation(analysis, report_options):
    rows = forest_rows(analysis.ard, "os", report_options)
    assert list(rows["label"]) == ["Sex", "F (reference)", "M", "ECOG", "0 (reference)", "1-2"]
    assert rows["hr"].isna().tolist() == [True, True, False, True, True, False]
    assert rows["reference"].tolist() == [False, True, False, False, True, False]
    text = subgroup_annotation(analysis.ard, "os", "ecog_group")
    assert text.startswith("Log-rank p = 0.026") and "HR 1-2 vs 0 (95% CI): 7.91" in text


def test_tables_are_deterministic(analysis, report_options, fixture_module):
    other = fixture_module.make_analysis()
    a = [render_table_csv(t) + render_table_html(t)
         for t in build_report_tables(analysis, report_options)]
    b = [render_table_csv(t) + render_table_html(t)
         for t in build_report_tables(other, report_options)]
    assert a == b
    assert [t.name for t in build_report_tables(analysis, report_options)] == [
        "baseline", "exposure", "response", "survival", "subgroups_os", "subgroups_pfs",
        "safety_overview", "safety"]
