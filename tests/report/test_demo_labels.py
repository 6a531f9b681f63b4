"""The demo's Table 1, Table 2, figures and sentences with the paper's labels and order
(issue 14 item 2), from the spec's ``variables:`` and ``baseline:`` options."""

from __future__ import annotations

import pytest

from oncocohort.analysis.ard import ard_value
from oncocohort.report.assemble import forest_rows
from oncocohort.report.builders import build_baseline_table
from oncocohort.report.builders_survival import build_subgroup_table
from oncocohort.report.format import fmt_n_pct
from oncocohort.report.text import results_sentences
from oncocohort.study.demo import demo_spec_path
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study


@pytest.fixture(scope="module")
def demo():
    results = run_study(load_study(demo_spec_path()))
    return results.analysis, results.options.report


def _section(table, heading):
    rows, inside = [], False
    for r in table.rows:
        if table.is_heading(r):
            inside = r[0][3:] == heading
            continue
        if inside:
            rows.append(r)
    return rows


def test_table1_as_the_paper(demo):
    analysis, options = demo
    t = build_baseline_table(analysis.ard, options)
    labels = lambda heading: [r[0].strip() for r in _section(t, heading)]  # noqa: E731
    assert labels("Sex") == ["Male", "Female"]
    assert labels("Primary site") == ["Upper", "Middle", "Lower"]
    assert labels("Lines of previous treatment") == ["1", "2", "≥3"]
    assert labels("PD-1 antibody") == ["Tislelizumab", "Camrelizumab", "Pembrolizumab"]
    assert labels("Number of metastatic sites") == ["<3", "≥3"]
    assert labels("Previous systemic therapy exposure") == [
        "Immunotherapy", "Taxane", "Platinum-based chemotherapy", "Targeted drugs"]  # review:
    # not "Previous systemic therapy exposure" / "Previous immunotherapy"
    # one "yes" row per prior therapy, its count from the ARD
    row = _section(t, "Previous systemic therapy exposure")[1]
    w = {"analysis": "baseline", "variable": "prior_taxane", "category": "Yes"}
    assert row[1] == fmt_n_pct(ard_value(analysis.ard, statistic="n", **w),
                               ard_value(analysis.ard, statistic="pct", **w)) == "57 (65.5)"
    assert _section(t, "Age (years)")[0][1] == "63 (23-82)"  # whole years, as the paper
    # the drugs by frequency: tislelizumab 39, camrelizumab 31, pembrolizumab 17
    counts = [ard_value(analysis.ard, analysis="baseline", variable="pd1_antibody",
                        category=c, statistic="n")
              for c in ("Tislelizumab", "Camrelizumab", "Pembrolizumab")]
    assert counts == sorted(counts, reverse=True)
    assert "Their median age was 63 years (range 23-82)." in results_sentences(
        analysis.ard, options)[0]


def test_table2_forest_and_curves_show_labels_with_the_same_references(demo):
    analysis, options = demo
    t = build_subgroup_table(analysis.ard, "os", options)
    sex = _section(t, "Sex")
    assert [r[0].strip() for r in sex] == ["Male", "Female"]
    assert sex[1][5] == "1 (reference)"  # Female stays the reference: the HR is unchanged
    assert [r[0].strip() for r in _section(t, "Age (years)")] == ["≥63", "<63"]
    forest = forest_rows(analysis.ard, "os", options)
    assert "Female (reference)" in set(forest["label"])
    assert not set(forest["label"]) & {"M", "F", "upper", "tislelizumab", ">=63"}
    curves = {lv for res in analysis.subgroups.values() for c in res.curves.values()
              for lv in c}
    assert {"Male", "Female", "≥3", "Yes"} <= curves


def test_exposure_shows_the_drugs_by_their_labels(demo):
    from oncocohort.report.builders import build_exposure_table

    analysis, options = demo
    headings = [r[0][3:] for r in build_exposure_table(analysis.ard, options).rows
                if r[0].startswith("## ")]
    assert {"Anlotinib", "Tislelizumab", "Camrelizumab", "Pembrolizumab"} <= set(headings)
