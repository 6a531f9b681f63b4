"""Reader-facing wording of the report: plurals that agree with their counts, typography
(minus signs, unbreakable headers), numbers without spurious decimals, abbreviations defined
exactly when a table uses them. By-hand cases on small inputs."""

from __future__ import annotations

from oncocohort.report.content import ReportContent
from oncocohort.report.html import render_report_html
from oncocohort.report.text import _ne_reasons


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
