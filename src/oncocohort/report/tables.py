"""Display tables: one structure rendered to HTML, native Word tables and CSV.

A :class:`DisplayTable` holds formatted text cells only; its numbers come from the ARD (see
``analysis/ard.py``) through the table builders in ``report/builders.py``, so a table cannot
disagree with the results file.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field

from oncocohort.report.results import neutralise_cell

__all__ = ["DisplayTable", "render_table_html", "render_table_csv", "add_table_docx"]


@dataclass(frozen=True)
class DisplayTable:
    """A titled table of text cells.

    ``rows`` are tuples of cells, one per header column; a row whose first cell starts with
    ``"## "`` is a section heading spanning the table (e.g. "Gender"), and cells of indented
    rows may start with spaces.
    """

    name: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    footnotes: tuple[str, ...] = field(default_factory=tuple)

    def is_heading(self, row: tuple[str, ...]) -> bool:
        return bool(row) and row[0].startswith("## ")


def render_table_html(t: DisplayTable) -> str:
    """The table as an HTML fragment (escaped; classes for the report's stylesheet)."""
    out = [f'<table class="oc-table" id="table-{html.escape(t.name)}">',
           f"<caption>{html.escape(t.title)}</caption>", "<thead><tr>"]
    out += [f"<th>{html.escape(h)}</th>" for h in t.header]
    out.append("</tr></thead><tbody>")
    for row in t.rows:
        if t.is_heading(row):
            out.append(f'<tr class="oc-heading"><td colspan="{len(t.header)}">'
                       f"{html.escape(row[0][3:])}</td></tr>")
            continue
        cells = []
        for i, c in enumerate(row):
            cls = ' class="oc-label"' if i == 0 else ' class="oc-num"'
            cells.append(f"<td{cls}>{html.escape(c)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody>")
    if t.footnotes:
        out.append(f'<tfoot><tr><td colspan="{len(t.header)}">')
        out += [f'<p class="oc-footnote">{html.escape(f)}</p>' for f in t.footnotes]
        out.append("</td></tr></tfoot>")
    out.append("</table>")
    return "\n".join(out)


def render_table_csv(t: DisplayTable) -> str:
    """The table as CSV text: header, rows (headings as a one-cell row), then footnotes.

    Every cell goes through :func:`~oncocohort.report.results.neutralise_cell`, so a label
    such as ``=HYPERLINK(...)`` or ``@SUM(1+1)`` is not run as a formula by a spreadsheet.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")

    def put(cells) -> None:
        w.writerow([neutralise_cell(c) for c in cells])

    put(t.header)
    for row in t.rows:
        put([row[0][3:]] if t.is_heading(row) else row)
    for f in t.footnotes:
        put([f])
    return buf.getvalue()


def add_table_docx(document, t: DisplayTable) -> object:
    """Append the table to a python-docx ``Document`` as a native, editable Word table."""
    from docx.shared import Pt

    document.add_paragraph(t.title, style="Caption")
    table = document.add_table(rows=1, cols=len(t.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, t.header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in t.rows:
        cells = table.add_row().cells
        if t.is_heading(row):
            merged = cells[0].merge(cells[-1]) if len(cells) > 1 else cells[0]
            merged.text = row[0][3:]
            for run in merged.paragraphs[0].runs:
                run.bold = True
            continue
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    for f in t.footnotes:
        p = document.add_paragraph(f)
        for run in p.runs:
            run.font.size = Pt(8)
    return table
