"""Native Word tables as journals print them (R flextable's ``theme_booktabs``, gtsummary's
``as_flex_table``).

- Three horizontal rules and no others: above the header, under the header, under the last
  row (a short rule under each column spanner, as LaTeX booktabs' ``\\cmidrule``).
- The header rows (spanners and column names) repeat at the top of every page the table
  continues on (``w:tblHeader``); no row splits across pages (``w:cantSplit``); the top rule
  belongs to the header, so every page's part of the table starts with it.
- Labels left-aligned (indented rows by paragraph indent, so wrapped lines stay indented),
  numbers right-aligned: ``19 (21.8)`` over ``5 (5.7)`` lines up on the decimal mark because
  every percentage has one decimal.
- Column widths from the content (:func:`compute_table_layout`): a number cell never wraps,
  a label or a header wraps between words only, so no word is ever broken; a table too wide
  for a portrait page is placed on a landscape page (the caller opens the section), where
  the width left over goes first to the headers, so that each prints on one line when the
  page holds them all.
- A hyphen between two characters is a non-breaking hyphen (``w:noBreakHyphen``, which Word
  and LibreOffice print as a hyphen), so ``1-2``, ``23-82`` and ``maculo-papular`` never
  break at it; in a header a space before a number or a sign (``Grade 1-2``, ``Grade ≥3``)
  and inside ``95% CI`` is a no-break space, so a header wraps as ``Grade 1-2,`` / ``n (%)``,
  never ``Grade`` / ``4, n (%)``.
- The caption above the table (its number bold, black, as journals set it), footnotes below
  in a smaller size, kept on the page of the table's last row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.table import Table

from oncocohort.report.tables import DisplayTable, header_text
from oncocohort.report.textwidth import PT_PER_MM, longest_word_pt, text_width_pt

__all__ = ["TableLayout", "compute_table_layout", "add_table_docx", "add_caption", "header_text",
           "TABLE_FONT_PT", "INDENT_MM"]

TABLE_FONT_PT = 9.0
FOOTNOTE_FONT_PT = 8.0
INDENT_MM = 3.0            # one indent level (two leading spaces of a label)
CELL_MARGIN_MM = 1.0       # left and right inside every cell
_SLACK_MM = 1.0            # rounding of widths in Word and LibreOffice
LABEL_MAX_MM = 70.0        # a label column wider than this wraps between words
_RULE_OUTER = 8            # eighths of a point: 1 pt top and bottom rules
_RULE_INNER = 4            # 0.5 pt under the header and the spanners


@dataclass(frozen=True)
class TableLayout:
    """Where and how wide a table is printed.

    Attributes
    ----------
    widths_mm
        One width per column.
    landscape
        The table needs a landscape page.
    font_pt
        The font size of its cells (smaller only when the widest layout would break words).
    """

    widths_mm: tuple[float, ...]
    landscape: bool
    font_pt: float


_HYPHEN = re.compile(r"(?<=\S)-(?=\S)")


def _indent_level(text: str) -> int:
    return (len(text) - len(text.lstrip(" "))) // 2


def _two_lines_pt(text: str, size: float) -> float:
    """The narrowest width that holds ``text`` (bold) on at most two lines, split at a space."""
    words = [w for w in text.split(" ") if w]
    best = text_width_pt(text, size, bold=True)
    for i in range(1, len(words)):
        best = min(best, max(text_width_pt(" ".join(words[:i]), size, bold=True),
                             text_width_pt(" ".join(words[i:]), size, bold=True)))
    return best


def _column_needs(t: DisplayTable, size: float,
                  label_max_mm: float = LABEL_MAX_MM) -> tuple[list[float], list[float]]:
    """Per column, the (minimum, natural) width in mm that prints every cell without breaking
    a word: numbers on one line, labels (beyond ``label_max_mm``) and headers wrapping between
    words."""
    pad = 2 * CELL_MARGIN_MM + _SLACK_MM
    n = len(t.header)
    lo = [0.0] * n
    nat = [0.0] * n
    for row in t.rows:
        if t.is_heading(row):
            continue
        for i, cell in enumerate(row):
            if i == 0:
                indent = INDENT_MM * _indent_level(cell)
                text = cell.strip()
                lo[0] = max(lo[0], indent + longest_word_pt(text, size) / PT_PER_MM)
                nat[0] = max(nat[0], indent + text_width_pt(text, size) / PT_PER_MM)
            else:
                w = text_width_pt(cell, size) / PT_PER_MM
                lo[i] = max(lo[i], w)
                nat[i] = max(nat[i], w)
    nat[0] = max(lo[0], min(nat[0], label_max_mm))
    for i, h in enumerate(map(header_text, t.header)):
        lo[i] = max(lo[i], longest_word_pt(h, size, bold=True) / PT_PER_MM)
        nat[i] = max(nat[i], lo[i], _two_lines_pt(h, size) / PT_PER_MM)
    for s in t.spanners:  # a spanner's longest word must fit over its columns
        need = longest_word_pt(s.label, size, bold=True) / PT_PER_MM + pad
        have = sum(lo[s.start:s.stop]) + pad * (s.stop - s.start)
        if have < need:
            for i in range(s.start, s.stop):
                lo[i] += (need - have) / (s.stop - s.start)
                nat[i] = max(nat[i], lo[i])
    return [w + pad for w in lo], [w + pad for w in nat]


def _one_line_headers(t: DisplayTable, size: float, widths: Sequence[float]) -> list[float]:
    """``widths``, each at least as wide as its column's header on one line."""
    pad = 2 * CELL_MARGIN_MM + _SLACK_MM
    return [max(w, text_width_pt(header_text(h), size, bold=True) / PT_PER_MM + pad)
            for w, h in zip(widths, t.header, strict=True)]


def _fit(lo: Sequence[float], nat: Sequence[float], width: float) -> tuple[float, ...]:
    """Widths between ``lo`` and ``nat`` summing to at most ``width``: each column gets its
    minimum and a share of what is left in proportion to what it lacks."""
    if sum(nat) <= width:
        return tuple(nat)
    spare = width - sum(lo)
    lack = sum(n - m for m, n in zip(lo, nat, strict=True))
    return tuple(m + (n - m) * spare / lack if lack > 0 else m
                 for m, n in zip(lo, nat, strict=True))


def compute_table_layout(t: DisplayTable, portrait_mm: float, landscape_mm: float,
                         font_pt: float = TABLE_FONT_PT) -> TableLayout:
    """The column widths of ``t`` and the page it needs.

    Portrait when the natural widths (every cell on one line, labels too if that fits, else
    up to ``LABEL_MAX_MM``; headers on two lines) fit ``portrait_mm``; else landscape, where the
    columns get at least their minimum (no word broken) and share the rest, and what is left
    once every column has its natural width goes to the headers that wrap, towards one line
    each. When even the
    minimum widths exceed the landscape width, the font is made smaller (down to 7 pt); only
    past that are the columns squeezed in proportion.
    """
    size = font_pt
    _, whole = _column_needs(t, size, label_max_mm=float("inf"))
    if sum(whole) <= portrait_mm:
        return TableLayout(tuple(whole), False, size)
    while True:
        lo, nat = _column_needs(t, size)
        if sum(nat) <= portrait_mm:
            return TableLayout(tuple(nat), False, size)
        if sum(lo) <= landscape_mm:
            widths = _fit(lo, nat, landscape_mm)
            if sum(nat) <= landscape_mm:  # room left: the headers on one line, if it holds
                widths = _fit(nat, _one_line_headers(t, size, nat), landscape_mm)
            return TableLayout(widths, True, size)
        if size <= 7.0:
            scale = landscape_mm / sum(lo)
            return TableLayout(tuple(w * scale for w in lo), True, size)
        size -= 1.0


def _set(parent, tag: str, **attrs: str):
    """The child ``tag`` of ``parent`` (created if absent) with ``attrs`` set."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.append(el)
    for k, v in attrs.items():
        el.set(qn(k), v)
    return el


def _border(cell, side: str, size: int) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.append(borders)
    _set(borders, f"w:{side}", **{"w:val": "single", "w:sz": str(size), "w:space": "0",
                                  "w:color": "000000"})


def _row_flags(row, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    _set(tr_pr, "w:cantSplit")
    if header:
        _set(tr_pr, "w:tblHeader")


def _write(cell, text: str, size: float, *, bold: bool = False, right: bool = False,
           center: bool = False, keep_next: bool = False) -> None:
    p = cell.paragraphs[0]
    level = _indent_level(text)
    run = p.add_run()
    _add_text(run, text.strip() if level or text != text.strip() else text)
    run.font.size = Pt(size)
    run.bold = bold or None
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    if level:
        fmt.left_indent = Mm(INDENT_MM * level)
    if keep_next:
        fmt.keep_with_next = True
    if right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _add_text(run, text: str) -> None:
    """``text`` into ``run``, each hyphen between two characters a ``w:noBreakHyphen``."""
    for i, part in enumerate(_HYPHEN.split(text)):
        if i:
            run._r.append(OxmlElement("w:noBreakHyphen"))
        if part:
            el = OxmlElement("w:t")
            el.text = part
            el.set(qn("xml:space"), "preserve")
            run._r.append(el)


def _table_properties(table, widths: Sequence[float]) -> None:
    tbl_pr = table._tbl.tblPr
    style = tbl_pr.find(qn("w:tblStyle"))
    if style is not None:
        tbl_pr.remove(style)
    _set(tbl_pr, "w:tblW", **{"w:w": str(sum(int(Mm(w).twips) for w in widths)),
                              "w:type": "dxa"})
    _set(tbl_pr, "w:tblLayout", **{"w:type": "fixed"})
    margins = _set(tbl_pr, "w:tblCellMar")
    for side in ("left", "right"):
        _set(margins, f"w:{side}", **{"w:w": str(int(Mm(CELL_MARGIN_MM).twips)),
                                      "w:type": "dxa"})
    borders = _set(tbl_pr, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _set(borders, f"w:{side}", **{"w:val": "nil"})
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(Mm(w).twips)))


def add_caption(document, label: str, sep: str, title: str, size: float = 10.0):
    """A caption paragraph, kept with what follows: ``label`` bold (``"Table 2"``), then
    ``sep`` and ``title``; black, as journals print it."""
    p = document.add_paragraph()
    if label:
        run = p.add_run(label)
        run.bold = True
        run.font.size = Pt(size)
        p.add_run(sep).font.size = Pt(size)
    p.add_run(title).font.size = Pt(size)
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_after = Pt(4)
    return p


def add_table_docx(document: Document, t: DisplayTable, layout: TableLayout,
                   caption_sep: str = ". ") -> Table:
    """Append ``t`` (caption, table, footnotes) to a python-docx ``Document`` as a native,
    editable Word table laid out by ``layout``; return the table."""
    size = layout.font_pt
    ncol = len(t.header)
    add_caption(document, t.label, caption_sep, t.title)
    table = document.add_table(rows=0, cols=ncol)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    _table_properties(table, layout.widths_mm)
    header_rows = []
    for spans in t.spanner_rows():
        row = table.add_row()
        for text, start, stop in spans:
            cell = row.cells[start]
            if stop - start > 1:
                cell = cell.merge(row.cells[stop - 1])
            _write(cell, text, size, bold=True, center=True, keep_next=True)
            if text:
                _border(cell, "bottom", _RULE_INNER)
        header_rows.append(row)
    row = table.add_row()
    for i, (cell, text) in enumerate(zip(row.cells, t.header, strict=True)):
        _write(cell, header_text(text), size, bold=True, right=i > 0, keep_next=True)
        _border(cell, "bottom", _RULE_INNER)
    header_rows.append(row)
    for i, row in enumerate(header_rows):
        _row_flags(row, header=True)
        if i == 0:
            for cell in row.cells:
                _border(cell, "top", _RULE_OUTER)
    for values in t.rows:
        row = table.add_row()
        _row_flags(row, header=False)
        if t.is_heading(values):
            cell = row.cells[0].merge(row.cells[-1]) if ncol > 1 else row.cells[0]
            _write(cell, values[0][3:], size, bold=True, keep_next=True)
            continue
        for i, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            _write(cell, text, size, right=i > 0)
    for cell in table.rows[-1].cells:
        _border(cell, "bottom", _RULE_OUTER)
        if t.footnotes:  # the footnotes start on the page of the last row
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    for row in table.rows:  # each cell as wide as the grid columns it spans
        col = 0
        for tc in row._tr.tc_lst:
            span = tc.grid_span
            tc.width = Twips(sum(int(Mm(w).twips) for w in layout.widths_mm[col:col + span]))
            col += span
    for j, note in enumerate(t.footnotes):
        p = document.add_paragraph()
        p.add_run(note).font.size = Pt(FOOTNOTE_FONT_PT)
        p.paragraph_format.space_before = Pt(2 if j == 0 else 0)
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.keep_together = True
        p.paragraph_format.keep_with_next = j < len(t.footnotes) - 1
    return table
