"""The cohort against a published arm, end to end (spec -> sources -> ARD -> report), on
examples/escc-comparisons (a synthetic arm, digitised as a careful reader would).

Reference tier: the hazard ratio, the RMST difference and the one-sample log-rank test of the
ARD against R (``tests/reference/external.R``, survival 3.5-3) on the same two samples, the
cohort's OS and the arm's rebuilt data (``fixtures/external_input.csv``, which the study must
still give). Tolerance rel 1e-6. The reconstruction itself is validated in
``tests/stats/test_reconstruct.py``; here its QC rows must show the published numbers at risk
reproduced.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncocohort.analysis.keys import Analysis, Level, Stat, Var
from oncocohort.problems import InputError, Problems
from oncocohort.report.figure_steps import build_drawn_report
from oncocohort.report.figures.comparison import ComparisonFigure
from oncocohort.sources.published import read_published_arm
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "escc-comparisons" / "study.yaml"
R = pd.read_csv(REFERENCE / "fixtures" / "external.csv", float_precision="round_trip"
                ).set_index("quantity").value
REL = 1e-6


@pytest.fixture(scope="module")
def results():
    return run_study(load_study(EXAMPLE))


def _ard(ard, **where) -> float:
    mask = np.ones(len(ard), dtype=bool)
    for k, v in where.items():
        mask &= (ard[k] == str(v)).to_numpy()
    hit = ard.loc[mask, "value"]
    assert len(hit) == 1, where
    return float(hit.iloc[0])


def test_the_input_fixture_is_the_study(results):
    sys.path.insert(0, str(REFERENCE))
    try:
        from external_input import external_input
    finally:
        sys.path.remove(str(REFERENCE))
    fixed = pd.read_csv(REFERENCE / "fixtures" / "external_input.csv",
                        float_precision="round_trip")
    pd.testing.assert_frame_equal(external_input(), fixed, check_dtype=False, rtol=1e-15)


@pytest.mark.reference
def test_hr_rmst_and_one_sample_logrank_equal_r(results):
    ard = results.analysis.ard
    w = {"analysis": Analysis.EXTERNAL, "group_var": "synthetic_chemo", "endpoint": "os"}
    c = {**w, "group_level": Level.COHORT}
    for q, var, stat, cat in [("hr", Var.HR, Stat.HR, ""), ("hr_lower", Var.HR, Stat.LOWER, ""),
                              ("hr_upper", Var.HR, Stat.UPPER, ""), ("p", Var.HR, Stat.P, ""),
                              ("rmst_difference", Var.RMST_DIFFERENCE, Stat.DIFFERENCE, "28"),
                              ("rmst_lower", Var.RMST_DIFFERENCE, Stat.LOWER, "28"),
                              ("rmst_upper", Var.RMST_DIFFERENCE, Stat.UPPER, "28"),
                              ("rmst_p", Var.RMST_DIFFERENCE, Stat.P, "28"),
                              ("rmst_cohort", Var.RMST, Stat.ESTIMATE, "28"),
                              ("observed", Var.ONE_SAMPLE_LOGRANK, Stat.OBSERVED, ""),
                              ("expected", Var.ONE_SAMPLE_LOGRANK, Stat.EXPECTED, ""),
                              ("z", Var.ONE_SAMPLE_LOGRANK, Stat.Z, ""),
                              ("osl_p", Var.ONE_SAMPLE_LOGRANK, Stat.P, "")]:
        assert _ard(ard, variable=var, statistic=stat, category=cat, **c) == pytest.approx(
            R[q], rel=REL), q
    assert _ard(ard, variable=Var.RMST, statistic=Stat.ESTIMATE, category="28", **w,
                group_level=Level.PUBLISHED) == pytest.approx(R["rmst_arm"], rel=REL)


def test_reconstruction_qc_reproduces_the_published_table(results):
    ard = results.analysis.ard
    qc = ard[(ard.analysis == Analysis.RECONSTRUCTION) & (ard.variable == Var.AT_RISK)]
    pub = qc[qc.statistic == Stat.PUBLISHED].value.to_numpy()
    rec = qc[qc.statistic == Stat.RECONSTRUCTED].value.to_numpy()
    assert pub.size == 11 and np.abs(rec - pub).max() <= 1
    events = ard[(ard.analysis == Analysis.RECONSTRUCTION) & (ard.variable == Var.TOTAL_EVENTS)]
    assert set(events.value) == {92.0}
    assert (ard.loc[ard.analysis.isin([Analysis.EXTERNAL, Analysis.RECONSTRUCTION]),
                    "method"] != "").all()


def test_report_tables_figure_and_caveats(results):
    content = build_drawn_report(results.analysis, results.options.report, Problems())
    tables = {t.name: t for t in content.tables}
    ext = tables["external_synthetic_chemo"]
    assert any(f.startswith("Caveats:") and "line of therapy" in f for f in ext.footnotes)
    assert any("assessment schedule" in f for f in ext.footnotes)
    assert any("Synthetic data" in f for f in ext.footnotes)
    assert "reconstruction_synthetic_chemo" in tables
    fig = {f.name: f for f in content.figures}["extkm_synthetic_chemo"]
    assert isinstance(fig.drawn, ComparisonFigure)
    printed = fig.drawn.tables
    ard = results.analysis.ard
    cohort = ard[(ard.analysis == Analysis.EXTERNAL) & (ard.group_level == Level.COHORT)
                 & (ard.variable == Var.AT_RISK) & (ard.statistic == Stat.N_AT_RISK)]
    got = printed[printed.curve == "This cohort"]
    assert got.text.tolist() == [str(int(v)) for v in cohort.value]
    np.testing.assert_array_equal(got.time.to_numpy(), fig.figure.axes[0].get_xticks())
    published = printed[printed.table == "Number at risk as published"]
    assert published.text.tolist() == ["120", "93", "70", "49", "34", "26", "13", "7", "5",
                                       "2", "0"]  # examples/.../published/os_at_risk.csv


def test_bad_published_files_name_file_row_and_column(tmp_path):
    (tmp_path / "c.csv").write_text("time,survival\n0,1\n2,x\n-1,0.5\n3,1.4\n4,40\n")
    (tmp_path / "r.csv").write_text("time,n_at\n1,10\n")
    with pytest.raises(InputError) as exc:
        read_published_arm(tmp_path / "c.csv", tmp_path / "r.csv", curve_file="c.csv",
                           at_risk_file="r.csv")
    got = {(p.file, p.row, p.column, p.message) for p in exc.value.problems}
    assert ("c.csv", 3, "survival", "not a number") in got
    assert ("c.csv", 4, "time", "time below 0") in got
    assert any(p[0] == "r.csv" and p[2] == "n_at_risk" and "missing" in p[3] for p in got)
    (tmp_path / "r.csv").write_text("time,n_at_risk\n1,10\n2,12\n3,1.5\n")
    with pytest.raises(InputError) as exc:
        read_published_arm(tmp_path / "c.csv", tmp_path / "r.csv", curve_file="c.csv",
                           at_risk_file="r.csv")
    got = {(p.file, p.row, p.column) for p in exc.value.problems}
    assert {("r.csv", 2, "time"), ("r.csv", 3, "n_at_risk"), ("r.csv", 4, "n_at_risk")} <= got


def test_percent_survival_is_read_as_percent(tmp_path):
    (tmp_path / "c.csv").write_text("time,survival\n0,100\n2,80\n4,55.5\n")
    (tmp_path / "r.csv").write_text("time,n_at_risk\n0,10\n3,6\n")
    curve, risk = read_published_arm(tmp_path / "c.csv", tmp_path / "r.csv",
                                     curve_file="c.csv", at_risk_file="r.csv")
    assert curve.survival.tolist() == [1.0, 0.8, 0.555]
    assert risk.n_at_risk.tolist() == [10, 6]


def test_reconstruction_differences_are_from_the_unrounded_estimates(results):
    """Table 12's Difference is rebuilt minus published from the ARD's unrounded values
    (3 months: 77.4 vs 77.5 shown, difference 0.2), never the rounded cells subtracted, and
    its footnote says so."""
    from oncocohort.report.format import fmt_num

    content = build_drawn_report(results.analysis, results.options.report, Problems())
    t = {t.name: t for t in content.tables}["reconstruction_synthetic_chemo"]
    ard = results.analysis.ard
    qc = ard[(ard.analysis == Analysis.RECONSTRUCTION) & (ard.variable == Var.LANDMARK)]
    rows = [r for r in t.rows if len(r) == 4 and r[0].startswith("  ") and r[0].endswith(" months")
            and "." in r[1]]
    assert len(rows) == len(qc[qc.statistic == Stat.PUBLISHED]) > 0
    disagree = 0
    for label, pub_cell, rec_cell, diff_cell in rows:
        at = label.strip().split(" ")[0]
        v = qc[qc.category == at].set_index("statistic").value
        assert diff_cell == fmt_num(v[Stat.RECONSTRUCTED] - v[Stat.PUBLISHED], digits=1,
                                    style=results.options.report.style)
        rounded = float(rec_cell) - float(pub_cell)
        disagree += diff_cell.replace("\u2212", "-") != f"{rounded:.1f}".replace("-0.0", "0.0")
    assert disagree >= 1  # the example has such a row: the footnote is needed
    assert any("computed from the unrounded estimates" in f for f in t.footnotes)
