"""Helpers of the report tests: every text of a built report, and the data codes of the
demo's cohort that a labelled report never shows."""

from __future__ import annotations

import re

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


_HYPHEN_MINUS = re.compile(r"(?<![\w)\]%])-\d|\w - \w")
_BARE_P = re.compile(r"\bp [<>]?\d")


def typography_faults(texts: list[str]) -> list[str]:
    """The texts that print a negative number or a difference with a hyphen (``-30%``,
    ``cohort - arm``; journals use the minus sign U+2212) or a p-value in a sentence without
    its ``=`` (``p 0.043``; ``p = 0.043`` reads as the other sentences)."""
    return [x for x in texts if _HYPHEN_MINUS.search(x) or _BARE_P.search(x)]
