"""Reader-facing wording of the report: plurals that agree with their counts, typography
(minus signs, unbreakable headers), numbers without spurious decimals, abbreviations defined
exactly when a table uses them. By-hand cases on small inputs."""

from __future__ import annotations

import re

import pytest

from oncocohort.report.content import ReportContent
from oncocohort.report.html import render_report_html
from oncocohort.report.text import _ne_reasons


@pytest.fixture(scope="module")
def demo_content():
    """The demo's report content (no validation problems)."""
    from oncocohort.problems import Problems
    from oncocohort.report.figure_steps import build_drawn_report
    from oncocohort.study.demo import demo_spec_path
    from oncocohort.study.load import load_study
    from oncocohort.study.run import run_study

    results = run_study(load_study(demo_spec_path()))
    return build_drawn_report(results.analysis, results.options.report, Problems.of([]))


def _content(warnings: tuple[str, ...], notes: tuple[str, ...]) -> ReportContent:
    return ReportContent(title="T", methods="M.", versions={}, summary=(), warnings=warnings,
                         notes=notes, tables=(), figures=())


def test_data_quality_counts_agree_with_their_nouns():
    one = render_report_html(_content(("w",), ("n",)), {})
    assert "<p>1 validation warning and 1 analysis note.</p>" in one
    many = render_report_html(_content((), ("a", "b")), {})
    assert "<p>0 validation warnings and 2 analysis notes.</p>" in many
    assert "(s)" not in one + many


def test_ne_reasons_read_as_a_sentence():
    assert _ne_reasons([("no post-baseline assessment", 5.0)]) == "no post-baseline assessment"
    assert (_ne_reasons([("no post-baseline assessment", 4.0), ("SD too early", 1.0)])
            == "no post-baseline assessment (4) and SD too early (1)")
    assert (_ne_reasons([("a", 1.0), ("b", 2.0), ("c", 3.0)]) == "a (1), b (2) and c (3)")


def test_html_headers_break_only_between_their_parts():
    """The reviewer saw 'Log-|rank p', 'Adjusted HR (95%|CI)' and 'Any grade, n|(%)' in the
    HTML: a hyphenated word sits in a span that does not wrap, '95% CI' and 'n (%)' hold
    no-break spaces; the Word tables use the same header_text."""
    from oncocohort.report import docx_tables
    from oncocohort.report.html import CSS
    from oncocohort.report.tables import DisplayTable, Spanner, header_text, render_table_html

    t = DisplayTable("t", "T", ("Characteristic", "Log-rank p", "Adjusted HR (95% CI)",
                                "Any grade, n (%)"), (("a", "0.1", "1.00 (0.50-2.00)", "1 (2.0)"),),
                     spanners=(Spanner("Time-varying", 1, 3),))
    head = render_table_html(t).split("</thead>")[0]
    assert '<span class="oc-nw">Log-rank</span> p' in head
    assert '<span class="oc-nw">Time-varying</span>' in head
    assert "Adjusted HR (95%\u00a0CI)" in head and "Any grade, n\u00a0(%)" in head
    assert "span.oc-nw { white-space: nowrap; }" in CSS
    # every breakable space of a header separates two of its parts
    assert [p for p in header_text("Total (N=87), n (%)").split(" ")] == [
        "Total", "(N=87),", "n\u00a0(%)"]
    assert docx_tables.header_text is header_text


def _baseline_ard(values: dict[str, float], **where: str):
    import pandas as pd

    from oncocohort.report._ard_lookup import ArdLookup

    rows = [{"analysis": "baseline", "statistic": s, "value": v, "variable": "kps",
             "category": "", "endpoint": "", "group_var": "", "group_level": "", "unit": "",
             "denominator": float("nan"), "method": ""} for s, v in values.items()]
    return ArdLookup(pd.DataFrame(rows))


def test_whole_number_data_print_without_decimals():
    """Karnofsky 60 (10-99), not 60.0 (10.0-99.0); a median of 62.5 keeps one decimal (all
    the summary's numbers alike); the spec's digits and a mean (SD) keep theirs."""
    from oncocohort.report.builders import continuous_text, summary_digits
    from oncocohort.report.format import DEFAULT_STYLE

    where = {"analysis": "baseline", "variable": "kps"}
    whole = _baseline_ard({"median": 60.0, "min": 10.0, "max": 99.0, "q1": 42.5, "q3": 70.0,
                           "mean": 58.6, "sd": 20.4})
    assert continuous_text(whole, "median_range", None, DEFAULT_STYLE, **where) == "60 (10-99)"
    assert continuous_text(whole, "median_iqr", None, DEFAULT_STYLE, **where) == \
        "60.0 (42.5-70.0)"
    assert continuous_text(whole, "mean_sd", None, DEFAULT_STYLE, **where) == "58.6 (20.4)"
    assert continuous_text(whole, "median_range", 2, DEFAULT_STYLE, **where) == \
        "60.00 (10.00-99.00)"
    half = _baseline_ard({"median": 62.5, "min": 34.0, "max": 81.0})
    assert summary_digits(half, "median_range", None, **where) == 1
    assert summary_digits(half, "median_range", 0, **where) == 0


def test_times_in_days_print_whole_days_and_no_month_definition(report_options):
    """A study in days prints its medians as whole days (lung-os: '310 days (95% CI
    283-361)', not '310.0 days (95% CI 283.0-361.0)') and does not define a month it never
    uses; in months one decimal and the month's length, as before."""
    from dataclasses import replace

    from oncocohort.report.wording import convention_footnotes, methods_paragraph

    days = replace(report_options, conventions=replace(report_options.conventions,
                                                       time_unit="days"))
    assert days.time_digits == 0 and report_options.time_digits == 1
    assert "1 month" not in " ".join(convention_footnotes(days, "time"))
    assert "1 month" not in methods_paragraph(days, {}, {})
    assert "(1 month = 30.4375 days)" in " ".join(convention_footnotes(report_options, "time"))
    assert "(1 month = 30.4375 days)" in methods_paragraph(report_options, {}, {})


def test_lung_os_medians_in_whole_days():
    from pathlib import Path

    from oncocohort.analysis.ard import ard_value
    from oncocohort.report.text import results_sentences
    from oncocohort.study.load import load_study
    from oncocohort.study.run import run_study

    spec = Path(__file__).parents[2] / "examples" / "lung-os" / "study.yaml"
    results = run_study(load_study(spec))
    ard, options = results.analysis.ard, results.options.report
    m = {"analysis": "survival", "endpoint": "os", "variable": "median", "group_var": ""}
    med, lo, hi = (ard_value(ard, statistic=s, **m) for s in ("median", "lower", "upper"))
    assert med == int(med) and lo == int(lo) and hi == int(hi)  # event times in whole days
    text = " ".join(results_sentences(ard, options))
    assert f"the median was {med:.0f} days (95% CI {lo:.0f}-{hi:.0f})" in text
    assert ".0 days" not in text


def test_km_footnotes_define_exactly_the_abbreviations_used():
    """The reviewer found Table 4 defining NR while printing only NE, Tables 5/6 defining NE
    while printing only NR: each abbreviation is defined when a cell holds it, NE with why."""
    from oncocohort.report.wording import km_abbreviation_footnotes

    assert km_abbreviation_footnotes(["11.1 (7.7-17.6)", "48.5 (37.4-58.8)"]) == ()
    nr = km_abbreviation_footnotes(["9.0 (5.1-NR)", "NR"])
    assert len(nr) == 1 and nr[0].startswith("NR: not reached")
    ne = km_abbreviation_footnotes(["6.0 (2.9-NE)", "NE", "100.0 (NE)"],
                                   ["median_limit", "after_end", "no_event", "after_end"])
    assert len(ne) == 3 and all(f.startswith("NE, not estimable: ") for f in ne)
    assert "NR" not in " ".join(ne)


def test_demo_tables_define_the_abbreviations_they_print(demo_content):
    for t in demo_content.tables:
        if t.name != "survival" and not t.name.startswith("subgroups_"):
            continue
        cells = " ".join(c for r in t.rows for c in r[1:])
        notes = " ".join(t.footnotes)
        assert ("NR: not reached" in notes) == bool(re.search(r"\bNR\b", cells)), t.name
        assert ("NE, not estimable" in notes) == bool(re.search(r"\bNE\b", cells)), t.name


def test_footnotes_say_only_what_applies(demo_content):
    """The demo's Tables 5/6 have no continuous variable: their footnote does not speak of
    hazard ratios per units (lung_covariates' does: tests/cohorts/test_covariates.py)."""
    subgroup = [t for t in demo_content.tables if t.name.startswith("subgroups_")]
    assert subgroup
    for t in subgroup:
        assert not any(r[0].strip().startswith("Per ") for r in t.rows)
        assert "continuous variables" not in " ".join(t.footnotes)


def test_generated_prose_is_in_us_spelling(demo_content):
    """One spelling convention, the CTCAE's (Anemia, Hemorrhage): 'Tumor response',
    'standardized', 'analyzed', 'colors' (the study's own labels and title are the user's)."""
    from _report_texts import british_spellings, report_texts

    texts = [x for x in report_texts(demo_content) if x != demo_content.title]
    assert british_spellings(texts) == []
    assert any(t.title.startswith("Tumor response") for t in demo_content.tables)


def test_a_follow_up_not_reached_says_why(report_options):
    """veteran: 'the median follow-up by the reverse Kaplan-Meier method was not reached'
    left the reader guessing; the sentence says why (few censorings)."""
    import pandas as pd

    from oncocohort.report._ard_lookup import ArdLookup
    from oncocohort.report.text import _follow_up_sentence

    w = {"analysis": "survival", "endpoint": "os"}
    rows = [{**w, "variable": v, "statistic": s, "value": x, "category": "", "group_var": "",
             "group_level": "", "unit": "", "denominator": float("nan"), "method": ""}
            for v, s, x in (("observation_time", "median", 3.0), ("observation_time", "min", 0.2),
                            ("observation_time", "max", 33.0), ("follow_up", "median", None),
                            ("follow_up", "lower", None), ("follow_up", "upper", None))]
    text = _follow_up_sentence(ArdLookup(pd.DataFrame(rows).astype({"value": float})),
                               report_options, **w)
    assert "was not reached: the reverse Kaplan-Meier curve, in which a censoring is the " \
           "event, does not fall to 50% (few patients were censored)." in text
