"""The report of the adjusted internal comparisons (examples/escc-comparisons): spec -> ARD ->
report. Every number printed is an ARD row: the balance table and the love plot, the outcome
table, the weighted and matched Kaplan-Meier figures with both tables of numbers at risk under
their x ticks. The figures are rendered to PNG (looked at when written; test-artifacts when CI
keeps them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from _report_texts import RAW_CODES, british_spellings, report_texts, typography_faults
from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.problems import Problems
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.figure_steps import build_drawn_report
from oncocohort.report.figures.comparison import ComparisonFigure
from oncocohort.report.figures.love import LoveFigure
from oncocohort.report.format import fmt_num
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study

EXAMPLE = Path(__file__).parents[2] / "examples" / "escc-comparisons" / "study.yaml"
ARTIFACTS = Path(os.environ.get("ONCOCOHORT_TEST_ARTIFACTS", "test-artifacts"))


@pytest.fixture(scope="module")
def report():
    results = run_study(load_study(EXAMPLE))
    return results.analysis, build_drawn_report(results.analysis, results.options.report,
                                          results.problems)


def test_the_example_has_both_comparisons(report):
    analysis, content = report
    assert list(analysis.comparisons) == ["prior_ici_ipw", "prior_ici_matched"]
    names = [t.name for t in content.tables]
    for n in ("balance_prior_ici_ipw", "comparison_prior_ici_ipw", "balance_prior_ici_matched",
              "comparison_prior_ici_matched"):
        assert n in names
    figs = [f.name for f in content.figures]
    for n in ("love_prior_ici_ipw", "cmpkm_prior_ici_ipw__os", "cmpkm_prior_ici_ipw__pfs",
              "love_prior_ici_matched", "cmpkm_prior_ici_matched__os"):
        assert n in figs
    assert "cmpkm_prior_ici_matched__pfs" not in figs  # endpoints: [os]


def test_methods_paragraph_names_the_comparisons(report):
    _, content = report
    assert "inverse probability of treatment weighting" in content.methods
    assert "greedy nearest-neighbor matching" in content.methods
    assert "Guyot" in content.methods and "not treatment effects" in content.methods


def test_outcome_table_prints_the_ard(report):
    analysis, content = report
    a = ArdLookup(analysis.ard)
    table = {t.name: t for t in content.tables}["comparison_prior_ici_ipw"]
    row = [r for r in table.rows if r[0].startswith("  Hazard ratio, adjusted")][0]
    w = {"analysis": Analysis.COMPARISON, "group_var": "prior_ici_ipw", "endpoint": "os",
         "group_level": "Yes", "variable": Var.HR}
    hr = a.get(statistic=Stat.HR, **w)
    assert row[3].startswith(f"{hr:.2f} (")
    assert any("robust sandwich SE" in f and "inverse probability weights for the average "
               "treatment effect (ATE), stabilized" in f and "Efron ties" in f
               for f in table.footnotes)
    # the ARD's method codes are worded (review: 'IPW ATE, stabilised', 'ties efron')
    text = " ".join(report_texts(report[1]))
    for code in ("IPW ATE", "ties efron", "efron ties", "brookmeyer-crowley interval"):
        assert code not in text, code
    assert any("VanderWeele" in f for f in table.footnotes)


def test_love_plot_draws_the_balance_rows(report):
    analysis, content = report
    fig = {f.name: f for f in content.figures}["love_prior_ici_ipw"]
    assert isinstance(fig.drawn, LoveFigure)
    bal = analysis.ard[(analysis.ard.analysis == Analysis.BALANCE)
                       & (analysis.ard.group_var == "prior_ici_ipw")]
    after = bal[bal.statistic == Stat.SMD_AFTER].value.abs().to_numpy()
    np.testing.assert_array_equal(fig.drawn.points["after"].to_numpy(), after)
    assert len(fig.drawn.points) == 9  # age, and two levels of each of the four factors


@pytest.mark.parametrize("name", ["cmpkm_prior_ici_ipw__os", "cmpkm_prior_ici_matched__os"])
def test_curves_print_both_numbers_at_risk_under_the_ticks(report, name):
    analysis, content = report
    fig = {f.name: f for f in content.figures}[name]
    drawn = fig.drawn
    assert isinstance(drawn, ComparisonFigure)
    comparison = name.removeprefix("cmpkm_").split("__")[0]
    ard = analysis.ard
    rows = ard[(ard.analysis == Analysis.COMPARISON) & (ard.group_var == comparison)
               & (ard.endpoint == "os") & (ard.variable == Var.AT_RISK)]
    ticks = fig.figure.axes[0].get_xticks()
    tables = drawn.tables
    assert set(tables.table) == {"Number at risk (patients)",
                                 next(t for t in tables.table if t.endswith("sum of the weights)"))}
    for (table, curve), printed in tables.groupby(["table", "curve"], sort=False):
        level = curve.split(": ")[-1]
        stat = Stat.N_AT_RISK if table.endswith("(patients)") else Stat.N_AT_RISK_WEIGHTED
        want = rows[(rows.group_level == level) & (rows.statistic == stat)]
        np.testing.assert_array_equal(printed.time.to_numpy(), ticks)
        np.testing.assert_array_equal(want.category.astype(float).to_numpy(), ticks)
        fmt = (lambda v: str(int(v))) if stat == Stat.N_AT_RISK else (
            lambda v: fmt_num(v, digits=0))
        assert printed.text.tolist() == [fmt(v) for v in want.value]
    ARTIFACTS.mkdir(exist_ok=True)
    fig.figure.savefig(ARTIFACTS / f"{name}.png", dpi=150, bbox_inches="tight")
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000


def test_every_comparison_row_is_read_by_the_report(report, monkeypatch):
    """The report reads the balance rows and the comparison rows it prints (no silent rows:
    the propensity-score summaries stay in the ARD only)."""
    analysis, _ = report
    reads: list[dict] = []
    real = ArdLookup.get

    def recording(self, *args, **where):
        reads.append(where)
        return real(self, *args, **where)

    monkeypatch.setattr(ArdLookup, "get", recording)
    build_drawn_report(analysis, run_study(load_study(EXAMPLE)).options.report, Problems())
    read = {(str(w.get("analysis")), str(w.get("variable", "")), str(w.get("statistic")))
            for w in reads}
    ard = analysis.ard
    balance = ard[ard.analysis == Analysis.BALANCE]
    assert {str(s) for s in balance.statistic} == {s for a, _, s in read
                                                    if a == Analysis.BALANCE}
    for key in [(Analysis.COMPARISON, Var.HR, Stat.HR), (Analysis.COMPARISON, Var.HR,
                Stat.E_VALUE), (Analysis.COMPARISON, Var.HR_UNADJUSTED, Stat.HR),
                (Analysis.COMPARISON, Var.AT_RISK, Stat.N_AT_RISK_WEIGHTED),
                (Analysis.COMPARISON, Var.WEIGHTS, Stat.N_EFFECTIVE),
                (Analysis.COMPARISON, Var.LANDMARK, Stat.PCT)]:
        assert tuple(map(str, key)) in read, key


def test_no_raw_codes_reach_the_report(report):
    """Labelled as the demo (variables:), the balance tables included (Female / Male, not the
    data's F / M)."""
    _, content = report
    texts = report_texts(content)
    assert not [x for x in texts if x.strip() in RAW_CODES]
    assert not [x for x in texts if ">=" in x]
    balance = {t.name: t for t in content.tables}["balance_prior_ici_ipw"]
    assert {"Female", "Male"} <= {r[0].strip() for r in balance.rows}


def test_minus_signs_and_p_clauses(report):
    """Negative numbers and differences print the minus sign U+2212 (the waterfall's
    '+20% and −30%', 'cohort − arm'), a p-value inside a cell or sentence reads 'p = 0.043'."""
    _, content = report
    assert typography_faults(report_texts(content)) == []


def test_residual_imbalance_is_a_note_and_a_footnote(report):
    """The review: matching made balance worse (number of metastatic sites |SMD| 0.005 ->
    0.316, ECOG 0.308 -> 0.313, lines 0.263 -> 0.289) and weighting left sex at 0.128, with no
    warning. Every adjuster whose largest |SMD| after the adjustment (ARD balance rows) is
    above 0.1 as printed is named with that |SMD| in a data-quality note and in the
    footnotes of the balance and outcome tables (with its |SMD| before); the others are not
    (ECOG after weighting: 0.100)."""
    from oncocohort.analysis.comparisons import BALANCE_SMD
    from oncocohort.analysis.notes import NoteKind

    assert BALANCE_SMD == 0.1  # the note, the tables and the love plot (which draw this one)
    analysis, content = report
    ard = analysis.ard
    tables = {t.name: t for t in content.tables}
    names = {"age": "age", "sex": "sex", "ecog_group": "ECOG performance status",
             "lines_group": "lines of previous treatment",
             "sites_group": "number of metastatic sites"}
    expected = {"prior_ici_ipw": ["sex"],
                "prior_ici_matched": ["sex", "ecog_group", "lines_group", "sites_group"]}
    for name, method in (("prior_ici_ipw", "weighting"), ("prior_ici_matched", "matching")):
        bal = ard[(ard.analysis == Analysis.BALANCE) & (ard.group_var == name)]
        worst = (bal[bal.statistic == Stat.SMD_AFTER].assign(a=lambda d: d.value.abs())
                 .groupby("variable", sort=False).a.max())
        over = [v for v, x in worst.items() if round(x, 3) > BALANCE_SMD]
        assert over == expected[name]
        [note] = [n for n in analysis.notes if n.kind == NoteKind.BALANCE
                  and n.label == analysis.comparisons[name].label]
        assert note.values == tuple((v, worst[v]) for v in over)
        [text] = [n for n in content.notes if f"residual imbalance after {method}" in n]
        foots = [f for t in (tables[f"balance_{name}"], tables[f"comparison_{name}"])
                 for f in t.footnotes if f.startswith(f"Residual imbalance after {method}")]
        assert len(foots) == 2
        for v in worst.index:
            said = f"{names[v]} {fmt_num(worst[v], digits=3)}"
            assert all((said in t) == (v in over) for t in (text, *foots)), (v, text, foots)
    sites = {"analysis": Analysis.BALANCE, "group_var": "prior_ici_matched",
             "variable": "sites_group"}
    b = ArdLookup(ard).get(statistic=Stat.SMD_BEFORE, category="\u22653", **sites)
    assert f"number of metastatic sites 0.316 ({fmt_num(abs(b), digits=3)} before)" in foots[0]


def test_no_file_paths_reach_the_reader(report):
    """The review found 'examples/escc-comparisons/published/make_synthetic_arm.py' and
    'docs/statistics.md' in footnotes and a caption: a reader sees no file path, and the
    published arm reads in prose case inside a sentence, without doubled brackets."""
    import re

    _, content = report
    texts = report_texts(content)
    assert not [x for x in texts if re.search(r"[\w-]+/[\w./-]+\.(py|md|csv|yaml)\b", x)]
    caption = next(f.caption for f in content.figures if f.name.startswith("extkm_"))
    assert "of the published arm, synthetic chemotherapy arm (illustration, not a real " \
           "trial), rebuilt" in caption
    assert ") (" not in caption


def test_generated_prose_is_in_us_spelling(report):
    _, content = report
    assert british_spellings(report_texts(content)) == []


def test_published_arm_rmst_reads_as_a_time(report):
    """The review found 'RMST to 28 months 14.3 | 10.6' without unit or interval and the
    difference with 2 decimals: each RMST and the difference read 'months (95% CI)', one
    decimal, from the ARD (the per-group interval: survfit rmean's, as R's table)."""
    analysis, content = report
    a = ArdLookup(analysis.ard)
    table = next(t for t in content.tables if t.name.startswith("external_"))
    rows = {r[0].strip(): r for r in table.rows}
    rmst = rows["RMST to 28 months, months (95% CI)"]
    w = {"analysis": Analysis.EXTERNAL, "group_var": "synthetic_chemo", "endpoint": "os",
         "variable": Var.RMST, "category": "28", "group_level": "cohort"}
    est, lo, hi = (a.get(statistic=s, **w) for s in (Stat.ESTIMATE, Stat.LOWER, Stat.UPPER))
    assert lo < est < hi
    assert rmst[1] == f"{est:.1f} ({lo:.1f}-{hi:.1f})"
    diff = rows["Difference, cohort \u2212 arm, months (95% CI)"][1]
    assert re.fullmatch(r"\d+\.\d \(\d+\.\d-\d+\.\d\)", diff), diff


def test_one_sample_note_reads_the_time_with_its_unit(report):
    """The review found 'last reference time 28.3847' (4 decimals, no unit) and '10
    patient(s)': the note says '... patients are followed beyond the end of the reference
    curve (28.4 months)'."""
    _, content = report
    notes = " ".join(content.notes)
    assert re.search(r"\d+ patients? (is|are) followed beyond the end of the reference curve "
                     r"\(\d+\.\d months\)", notes), notes
    assert "(s)" not in notes and "last reference time" not in notes
