"""Display tables: one structure rendered to HTML, CSV, XLSX (:mod:`.xlsx`) and native Word
tables (:mod:`.docx_tables`).

A :class:`DisplayTable` holds formatted text cells only; its numbers come from the ARD (see
``analysis/ard.py``) through the table builders in ``report/builders.py``, so a table cannot
disagree with the results file. Column spanners (multi-level headers, e.g. "Univariable" over
"HR (95% CI)" and "p") are :class:`Spanner` records; footnotes are printed under the table.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field

from oncocohort.report.results import neutralise_cell

__all__ = ["Spanner", "DisplayTable", "render_table_html", "render_table_csv", "header_text"]

_GLUE = re.compile(r" (?=[\d\u2265\u2264<>]|\(%\))")
_HYPHENATED = re.compile(r"[^\s\u00a0]+-[^\s\u00a0]+")


def header_text(text: str) -> str:
    """A column header as printed: a no-break space before a number or a sign (``Grade 1-2``,
    ``Grade ≥3``), before ``(%)`` and inside ``95% CI``, so the header wraps only between its
    parts (``Any grade,`` / ``n (%)``, never ``n`` / ``(%)``). The Word tables print each
    hyphen as a non-breaking hyphen; the HTML keeps a hyphenated word on one line
    (:func:`render_table_html`).

    >>> header_text("Any grade, n (%)").split(" "), header_text("HR (95% CI)").split(" ")
    (['Any', 'grade,', 'n\xa0(%)'], ['HR', '(95%\xa0CI)'])
    """
    return _GLUE.sub("\u00a0", text.replace("% CI", "%\u00a0CI"))


def _header_html(text: str) -> str:
    """A header cell's HTML: :func:`header_text`, each hyphenated word (``Log-rank``) in a
    span that does not wrap (a browser breaks after a hyphen)."""
    return _HYPHENATED.sub(lambda m: f'<span class="oc-nw">{m.group(0)}</span>',
                           html.escape(header_text(text)))


@dataclass(frozen=True)
class Spanner:
    """A header cell spanning columns ``start`` to ``stop - 1`` (0-based, like a slice).

    ``level`` 1 sits right above the column names, level 2 above level 1, and so on; spanners
    of one level do not overlap.
    """

    label: str
    start: int
    stop: int
    level: int = 1


@dataclass(frozen=True)
class DisplayTable:
    """A titled table of text cells.

    ``rows`` are tuples of cells, one per header column; a row whose first cell starts with
    ``"## "`` is a section heading spanning the table (e.g. "Gender"), and cells of indented
    rows may start with spaces. The first column holds labels, the others numbers (aligned
    right in every rendering). ``label`` is the table's number as the report cites it
    ("Table 2"), given when the report is assembled (:mod:`oncocohort.report.assemble`).
    """

    name: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    footnotes: tuple[str, ...] = field(default_factory=tuple)
    spanners: tuple[Spanner, ...] = ()
    label: str = ""

    def __post_init__(self) -> None:
        ncol = len(self.header)
        for s in self.spanners:
            if not (0 <= s.start < s.stop <= ncol) or s.level < 1:
                raise ValueError(f"table {self.name!r}: spanner {s.label!r} covers columns "
                                 f"{s.start}..{s.stop - 1} of {ncol} (level {s.level})")
        for level in {s.level for s in self.spanners}:
            taken: set[int] = set()
            for s in self.spanners:
                if s.level == level:
                    cols = set(range(s.start, s.stop))
                    if cols & taken:
                        raise ValueError(f"table {self.name!r}: spanners of level {level} "
                                         f"overlap at {s.label!r}")
                    taken |= cols

    def is_heading(self, row: tuple[str, ...]) -> bool:
        return bool(row) and row[0].startswith("## ")

    def caption(self, sep: str = ". ") -> str:
        """``"Table 2. Overall survival by ..."`` (``sep``: the journal's, e.g. ``": "``); the
        title alone when the table has no number."""
        return f"{self.label}{sep}{self.title}" if self.label else self.title

    @property
    def levels(self) -> int:
        """How many spanner rows sit above the column names."""
        return max((s.level for s in self.spanners), default=0)

    def spanner_rows(self) -> list[list[tuple[str, int, int]]]:
        """The spanner rows, top first: each a list of ``(label, start, stop)`` covering every
        column once (``""`` where no spanner is)."""
        out = []
        for level in range(self.levels, 0, -1):
            spans = sorted((s.start, s.stop, s.label) for s in self.spanners if s.level == level)
            row: list[tuple[str, int, int]] = []
            col = 0
            for start, stop, label in spans:
                row += [("", c, c + 1) for c in range(col, start)]
                row.append((label, start, stop))
                col = stop
            row += [("", c, c + 1) for c in range(col, len(self.header))]
            out.append(row)
        return out


def render_table_html(t: DisplayTable, caption_sep: str = ". ") -> str:
    """The table as an HTML fragment (escaped; classes for the report's stylesheet)."""
    e = html.escape
    label = f"<b>{e(t.label)}</b>{e(caption_sep)}" if t.label else ""
    out = [f'<table class="oc-table" id="table-{e(t.name)}">',
           f"<caption>{label}{e(t.title)}</caption>", "<thead>"]
    for row in t.spanner_rows():
        out.append('<tr class="oc-spanners">' + "".join(
            f'<th colspan="{stop - start}" class="oc-spanner">{_header_html(text)}</th>'
            if text
            else "<th></th>" for text, start, stop in row) + "</tr>")
    out.append("<tr>" + "".join(
        f'<th class="{"oc-label" if i == 0 else "oc-num"}">{_header_html(h)}</th>'
        for i, h in enumerate(t.header)) + "</tr>")
    out.append("</thead><tbody>")
    for row in t.rows:
        if t.is_heading(row):
            out.append(f'<tr class="oc-heading"><td colspan="{len(t.header)}">'
                       f"{e(row[0][3:])}</td></tr>")
            continue
        cells = []
        for i, c in enumerate(row):
            cls = ' class="oc-label"' if i == 0 else ' class="oc-num"'
            cells.append(f"<td{cls}>{e(c)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody>")
    if t.footnotes:
        out.append(f'<tfoot><tr><td colspan="{len(t.header)}">')
        out += [f'<p class="oc-footnote">{e(f)}</p>' for f in t.footnotes]
        out.append("</td></tr></tfoot>")
    out.append("</table>")
    return "\n".join(out)


def render_table_csv(t: DisplayTable) -> str:
    """The table as CSV text: spanner rows (a spanner's label in its first column), header,
    rows (headings as a one-cell row), then footnotes.

    Every cell goes through :func:`~oncocohort.report.results.neutralise_cell`, so a label
    such as ``=HYPERLINK(...)`` or ``@SUM(1+1)`` is not run as a formula by a spreadsheet.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")

    def put(cells) -> None:
        w.writerow([neutralise_cell(c) for c in cells])

    for row in t.spanner_rows():
        cells = [""] * len(t.header)
        for text, start, _ in row:
            cells[start] = text
        put(cells)
    put(t.header)
    for row in t.rows:
        put([row[0][3:]] if t.is_heading(row) else row)
    for f in t.footnotes:
        put([f])
    return buf.getvalue()
