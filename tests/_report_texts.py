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


_BRITISH = re.compile(r"\b(tumour|[a-z]+ised|[a-z]+ising|[a-z]+isation|analysed|colour\w*|"
                      r"favour\w*|neighbour\w*|labelled|modelled|centred|centre)\b", re.I)
_NOT_BRITISH = {"raised", "promised", "revised", "advised", "supervised", "exercised",
                "comprised", "surprised", "devised", "rising", "arising", "comprising",
                "advertised", "compromised", "precised", "otherwise", "noise"}


def british_spellings(texts: list[str]) -> list[str]:
    """The British spellings in ``texts`` (issue 14 item 7: the generated prose is in US
    spelling, as the CTCAE terms it prints: tumor, standardized, analyzed, favors)."""
    return sorted({m.group(0) for x in texts for m in _BRITISH.finditer(x)
                   if m.group(0).lower() not in _NOT_BRITISH})
