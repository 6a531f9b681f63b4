"""Journal house styles (``outputs.journal_style``): number formats by hand, after R
gtsummary's ``theme_gtsummary_journal()`` definitions, and the whole report in each style."""

import re

import pytest
from matplotlib.text import Text

import _study_fixture as study_fixture
from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.problems import Problems
from oncocohort.report._ard_lookup import ArdLookup
from oncocohort.report.assemble import km_caption
from oncocohort.report.figure_steps import build_drawn_report
from oncocohort.report.format import (
    STYLES,
    fmt_est_ci,
    fmt_n_pct,
    fmt_num,
    fmt_p,
    fmt_p_clause,
    fmt_range,
)

# gtsummary's style_pvalue() example values
PVALS = [1, 0.999, 0.5, 0.25, 0.2, 0.197, 0.12, 0.10, 0.0999, 0.06, 0.03, 0.002, 0.001,
         0.00099, 0.0002, 0.00002]


@pytest.mark.by_hand
def test_p_values_two_digits_as_jama_and_nejm():
    # style_pvalue(digits = 2): 2 decimals when rounding to >= 0.10, 3 down to 0.001
    want = [">0.99", ">0.99", "0.50", "0.25", "0.20", "0.20", "0.12", "0.10", "0.10", "0.060",
            "0.030", "0.002", "0.001", "<0.001", "<0.001", "<0.001"]
    for name in ("jama", "nejm"):
        assert [fmt_p(p, style=STYLES[name]) for p in PVALS] == want


@pytest.mark.by_hand
def test_p_values_lancet():
    # the Lancet theme: as digits = 2 down to 0.10, 3 decimals down to 0.010, 4 to 0.0001
    want = [">0·99", ">0·99", "0·50", "0·25", "0·20", "0·20", "0·12", "0·10", "0·10",
            "0·060", "0·030", "0·0020", "0·0010", "0·0010", "0·0002", "<0·0001"]
    assert [fmt_p(p, style=STYLES["lancet"]) for p in PVALS] == want


@pytest.mark.by_hand
def test_p_values_default_unchanged():
    assert [fmt_p(p) for p in (0.5, 0.0999, 0.0006, 0.0004)] == ["0.500", "0.100", "0.001",
                                                                 "<0.001"]
    assert fmt_p(float("nan"), style=STYLES["lancet"]) == ""


@pytest.mark.by_hand
def test_p_values_in_prose_take_their_own_sign():
    # "p < 0.001", never "p = <0.001"
    assert fmt_p_clause(0.0112) == "p = 0.011"
    assert fmt_p_clause(0.0004, name="Log-rank p") == "Log-rank p < 0.001"
    assert fmt_p_clause(0.995, style=STYLES["jama"]) == "p > 0.99"
    assert fmt_p_clause(0.00004, style=STYLES["lancet"]) == "p < 0·0001"
    assert fmt_p_clause(float("nan")) == ""


@pytest.mark.by_hand
def test_intervals_ranges_and_percentages():
    lancet, jama = STYLES["lancet"], STYLES["jama"]
    assert fmt_est_ci(5.5, 4.1, 6.9) == "5.5 (4.1-6.9)"
    assert fmt_est_ci(5.5, 4.1, float("nan"), missing="NR", style=jama) == "5.5 (4.1 to NR)"
    assert fmt_est_ci(1.59, 1.1, 2.3, digits=2, style=lancet) == "1·59 (1·10 to 2·30)"
    assert fmt_range(23, 82, style=jama) == "23.0 – 82.0"
    assert fmt_range(23, 82) == "23.0-82.0"
    assert fmt_n_pct(19, 21.83908, style=lancet) == "19 (21·8%)"
    assert fmt_n_pct(19, 21.83908, style=jama) == "19 (21.8)"
    assert fmt_num(1234.5, 1, style=lancet) == "1234·5"


def _all_text(content) -> list[str]:
    """Every number-bearing text of the report: numeric table cells, sentences, captions."""
    out = list(content.summary)
    for t in content.tables:
        out += [c for row in t.rows if not t.is_heading(row) for c in row[1:]]
    out += [f.caption for f in content.figures]
    # footnotes, without the names that hold a number (RECIST 1.1, CTCAE v5.0)
    out += [re.sub(r"RECIST 1\.1|CTCAE v5\.0", "", n) for t in content.tables
            for n in t.footnotes]
    return out


@pytest.mark.parametrize("style", ["lancet", "jama", "nejm"])
def test_every_number_of_the_report_follows_the_style(style):
    analysis = study_fixture.make_analysis(journal_style=style)
    options = study_fixture.make_options(journal_style=style).report
    assert options.journal_style == style
    content = build_drawn_report(analysis, options, Problems.of([]))
    texts = _all_text(content)
    decimal = re.compile(r"\d\.\d")
    if style == "lancet":  # no full stop as a decimal mark anywhere
        assert [t for t in texts if decimal.search(t)] == []
        assert any("·" in t for t in texts)
    # interval bounds are joined by " to ", never by a hyphen between two numbers
    assert [t for t in texts if re.search(r"\(\d[\d.·]*-\d", t)] == []
    assert any(" to " in t for t in texts)
    if style in ("jama", "nejm"):
        assert any("(95% CI, " in s for s in content.summary)
    sep = ": " if style == "lancet" else ". "
    assert content.style.caption_sep == sep


def test_default_style_keeps_the_hyphenated_intervals(analysis, report_options):
    content = build_drawn_report(analysis, report_options, Problems.of([]))
    assert any(re.search(r"\(\d+\.\d-\d+\.\d\)", c) for c in _all_text(content))
    assert any("(95% CI " in s for s in content.summary)


def test_km_caption_states_median_and_landmarks_from_the_ard(analysis, report_options):
    a = ArdLookup(analysis.ard)
    w = {"analysis": Analysis.SURVIVAL, "endpoint": "os"}
    text = km_caption(a, report_options, **w)
    med = a.get(variable=Var.MEDIAN, statistic=Stat.MEDIAN, **w)
    lo = a.get(variable=Var.MEDIAN, statistic=Stat.LOWER, **w)
    assert text.startswith(f"Median {med:.1f} months (95% CI {lo:.1f}-NR)")
    for t in ("6", "12"):
        pct = a.get(variable=Var.LANDMARK, category=t, statistic=Stat.PCT, **w)
        assert f"{t}-month rate {pct:.1f}% (95% CI " in text
    content = build_drawn_report(analysis, report_options, Problems.of([]))
    km = next(f for f in content.figures if f.name == "km_os")
    assert text in km.caption


def test_figures_print_the_lancet_decimal_mark():
    analysis = study_fixture.make_analysis(journal_style="lancet")
    options = study_fixture.make_options(journal_style="lancet").report
    content = build_drawn_report(analysis, options, Problems.of([]))
    printed = []
    for f in content.figures:
        f.figure.canvas.draw()  # tick labels are made when drawn
        printed += [t.get_text() for t in f.figure.findobj(Text) if t.get_visible()]
    assert [t for t in printed if re.search(r"\d\.\d", t)] == []
    assert any(re.search(r"\d·\d", t) for t in printed)
    forest = next(f for f in content.figures if f.name.startswith("forest_"))
    texts = [t.get_text() for t in forest.figure.findobj(Text)]
    assert any(re.search(r"\d·\d\d \(\d·\d\d to \d·\d\d\)", t) for t in texts)
