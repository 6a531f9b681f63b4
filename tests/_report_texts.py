"""Helpers of the report tests: every text of a built report, and the data codes of the
demo's cohort that a labelled report never shows."""

from __future__ import annotations

RAW_CODES = {"F", "M", "lower", "middle", "upper", "ESCC", "tislelizumab", "camrelizumab",
             "pembrolizumab", "True", "False", "true", "false"}


def report_texts(content) -> list[str]:
    """Every text a reader sees: table titles, headers, cells and footnotes, figure captions
    and legends, the summary, the notes and the methods."""
    out = [content.methods, *content.summary, *content.notes]
    for t in content.tables:
        out += [t.title, *t.header, *(c for r in t.rows for c in r), *t.footnotes]
    for f in content.figures:
        out += [f.caption, *(getattr(f.drawn, "legend", None) or ())]
    return [str(x) for x in out]
