"""Native Word tables as journals print them (R flextable's ``theme_booktabs``, gtsummary's
``as_flex_table``).

- Three horizontal rules and no others: above the header, under the header, under the last
  row (a short rule under each column spanner, as LaTeX booktabs' ``\\cmidrule``).
- The header rows (spanners and column names) repeat at the top of every page the table
  continues on (``w:tblHeader``); no row splits across pages (``w:cantSplit``); the top rule
  belongs to the header, so every page's part of the table starts with it.
- A table that fits on one page is kept on one page: every row is kept with the next
  (``w:keepNext`` on its paragraphs, as Word's own "keep table together" recipe), so the
  table moves whole to the next page rather than leave a row or two there. A longer table
  (:func:`table_height_mm` over the page's text height) keeps its first two body rows
  together and its last two, so no page shows a single row under the repeated header; a
  short section (``Age (years)`` and its levels) is not split, a long one keeps its heading
  with two rows and ends with two.
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
from dataclasses import dataclass, field

from docx.document import Document
from docx.oxml import parse_xml
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from oncocohort.report.tables import DisplayTable, header_text
from oncocohort.report.textwidth import PT_PER_MM, lines_of, longest_word_pt, text_width_pt

__all__ = ["TableLayout", "compute_table_layout", "add_table_docx", "add_caption", "header_text",
           "table_height_mm", "TABLE_FONT_PT", "CAPTION_FONT_PT", "CAPTION_AFTER_PT", "INDENT_MM",
           "TEXT_LINE_EM", "NORMAL_SPACING", "PARAGRAPH_EM"]

TABLE_FONT_PT = 9.0
FOOTNOTE_FONT_PT = 8.0
INDENT_MM = 3.0            # one indent level (two leading spaces of a label)
CELL_MARGIN_MM = 1.0       # left and right inside every cell
_SLACK_MM = 1.0            # rounding of widths in Word and LibreOffice
LABEL_MAX_MM = 70.0        # a label column wider than this wraps between words
_RULE_OUTER = 8            # eighths of a point: 1 pt top and bottom rules
_RULE_INNER = 4            # 0.5 pt under the header and the spanners
CAPTION_FONT_PT = 10.0
CAPTION_AFTER_PT = 4.0
# A printed line is about 1.15 font sizes in Arial and 1.16 in DejaVu Sans (LibreOffice's
# stand-in where Arial is not installed); a table row with a no-break hyphen or a sign from
# a fallback font measures 1.29 sizes in LibreOffice. Heights are estimated high on purpose:
# a table taken for longer than a page is only kept from leaving a single row behind.
_LINE_EM = 1.3
#: A line of DejaVu Sans, in font sizes, single spaced; the template's Normal style spaces its
#: lines 1.15: a caption's or footnote's line is their product.
TEXT_LINE_EM = 1.17
NORMAL_SPACING = 1.15
PARAGRAPH_EM = NORMAL_SPACING * TEXT_LINE_EM


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


def _row_heights_mm(t: DisplayTable, layout: TableLayout) -> list[float]:
    """An upper estimate of the printed height of each body row of ``t`` (as high as its most
    wrapped cell), in mm."""
    size = layout.font_pt
    pad = 2 * CELL_MARGIN_MM * PT_PER_MM
    inner = [w * PT_PER_MM - pad for w in layout.widths_mm]
    line = _LINE_EM * size / PT_PER_MM
    out = []
    for row in t.rows:
        if t.is_heading(row):
            out.append(line * lines_of(row[0][3:], sum(inner) + pad * (len(inner) - 1), size,
                                     bold=True))
            continue
        indent = INDENT_MM * PT_PER_MM * _indent_level(row[0])
        out.append(line * max(lines_of(row[0].strip(), inner[0] - indent, size),
                              *(lines_of(c, w, size) for c, w in zip(row[1:], inner[1:],
                                                                   strict=True))))
    return out


def table_height_mm(t: DisplayTable, layout: TableLayout, page_width_mm: float) -> float:
    """An upper estimate of the printed height of ``t`` laid out by ``layout``: its caption,
    header and spanner rows, body rows (each as high as its most wrapped cell) and footnotes
    (across ``page_width_mm``), in mm."""
    return _table_height_mm(t, layout, page_width_mm, _row_heights_mm(t, layout))


def _table_height_mm(t: DisplayTable, layout: TableLayout, page_width_mm: float,
                     row_heights_mm: Sequence[float]) -> float:
    """:func:`table_height_mm` with the body rows' heights (:func:`_row_heights_mm`) given."""
    size = layout.font_pt
    pad = 2 * CELL_MARGIN_MM * PT_PER_MM
    inner = [w * PT_PER_MM - pad for w in layout.widths_mm]
    line = _LINE_EM * size
    height = lines_of(t.caption(), page_width_mm * PT_PER_MM, CAPTION_FONT_PT) \
        * PARAGRAPH_EM * CAPTION_FONT_PT + CAPTION_AFTER_PT
    for spans in t.spanner_rows():
        height += line * max(lines_of(text, sum(inner[a:b]) + pad * (b - a - 1), size, bold=True)
                             for text, a, b in spans)
    height += line * max(lines_of(header_text(h), w, size, bold=True)
                         for h, w in zip(t.header, inner, strict=True))
    for note in t.footnotes:
        height += lines_of(note, page_width_mm * PT_PER_MM, FOOTNOTE_FONT_PT) \
            * PARAGRAPH_EM * FOOTNOTE_FONT_PT
    # + the footnotes' 2 pt above them, rounded up
    return height / PT_PER_MM + sum(row_heights_mm) + 1.0


def _kept_rows(t: DisplayTable, layout: TableLayout,
               page_mm: tuple[float, float] | None) -> list[bool]:
    """Per body row of ``t``, whether it is kept on the page of the next row (the last row:
    on the page of the footnotes).

    A table that fits the page's text (``page_mm``: width, height) keeps every row with the
    next. A longer one breaks only where no page is left with a single data row: a heading
    and a label without numbers (``Age (years)`` over its levels) are kept with the next row,
    a label with the rows indented under it when they take no more than a quarter page;
    a section (a heading row and the rows under it, or the rows before the first heading) no
    taller than a quarter of the page is kept whole; a taller one keeps its heading with its
    first two data rows and its last two data rows together; the table's last two data rows
    are kept together."""
    n = len(t.rows)
    keep = [False] * n
    if n and t.footnotes:
        keep[-1] = True
    heights = _row_heights_mm(t, layout)  # measured once: the table's height adds them up
    if page_mm is not None and _table_height_mm(t, layout, page_mm[0], heights) <= page_mm[1]:
        return [True] * (n - 1) + keep[-1:]
    labels = {j for j, row in enumerate(t.rows)
              if t.is_heading(row) or not any(c.strip() for c in row[1:])}
    starts = [j for j in range(n) if j == 0 or t.is_heading(t.rows[j])]
    quarter = page_mm[1] / 4 if page_mm is not None else 0.0
    for a, b in zip(starts, starts[1:] + [n], strict=True):
        data = [j for j in range(a, b) if j not in labels]
        if sum(heights[a:b]) <= quarter or len(data) < 3:
            kept = range(a, b - 1)
        else:
            kept = [*range(a, data[0] + 1), *range(data[-2], b - 1)]
        for j in kept:
            keep[j] = True
    for j in sorted(labels - set(starts)):  # a label and the rows indented under it
        level, k = _indent_level(t.rows[j][0]), j + 1
        while k < n and k not in starts and _indent_level(t.rows[k][0]) > level:
            k += 1
        if sum(heights[j:k]) <= quarter:
            for i in range(j, k - 1):
                keep[i] = True
    data = [j for j in range(n) if j not in labels]
    for j in [*labels, *range(data[-2] if len(data) > 1 else n, n - 1)]:
        keep[j] = keep[j] or j < n - 1
    return keep


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_TBL_LOOK = ('<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
             'w:noHBand="0" w:noVBand="1" w:val="04A0"/>')
_NIL_BORDERS = "<w:tblBorders>" + "".join(
    f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV")
) + "</w:tblBorders>"
_SPACING = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _twips(mm: float) -> int:
    return Mm(mm).twips


def _text_xml(text: str) -> str:
    """The ``w:t`` elements of ``text``, each hyphen between two characters a
    ``w:noBreakHyphen``."""
    out = []
    for i, part in enumerate(_HYPHEN.split(text)):
        if i:
            out.append("<w:noBreakHyphen/>")
        if part:
            out.append(f'<w:t xml:space="preserve">{part.translate(_ESCAPE)}</w:t>')
    return "".join(out)


@dataclass
class _Cell:
    """A table cell spanning grid columns ``start`` to ``stop``; ``borders``: side -> rule
    width in eighths of a point, in the order they are written."""

    text: str
    start: int
    stop: int
    bold: bool = False
    align: str = ""  # "", "right" or "center"
    keep_next: bool = True
    borders: dict[str, int] = field(default_factory=dict)


def _cell_xml(cell: _Cell, widths: Sequence[int], sz: str) -> str:
    """A cell's ``w:tc``: one paragraph with one run (``sz``: its ``w:sz``), no space above or
    below, single line spacing; its text stripped, a leading indent (two spaces a level) made
    a paragraph indent, so that wrapped lines stay indented."""
    level = _indent_level(cell.text)
    span = cell.stop - cell.start
    return "".join((
        f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{sum(widths[cell.start:cell.stop])}"/>',
        f'<w:gridSpan w:val="{span}"/>' if span > 1 else "",
        "<w:tcBorders>" + "".join(
            f'<w:{side} w:val="single" w:sz="{size}" w:space="0" w:color="000000"/>'
            for side, size in cell.borders.items()) + "</w:tcBorders>" if cell.borders else "",
        "</w:tcPr><w:p><w:pPr>",
        "<w:keepNext/>" if cell.keep_next else "",
        _SPACING,
        f'<w:ind w:left="{_twips(INDENT_MM * level)}"/>' if level else "",
        f'<w:jc w:val="{cell.align}"/>' if cell.align else "",
        "</w:pPr><w:r><w:rPr>",
        "<w:b/>" if cell.bold else "",
        sz,
        _text_xml(cell.text.strip()),
        "</w:r></w:p></w:tc>",
    ))


def _table_xml(t: DisplayTable, layout: TableLayout, kept: Sequence[bool]) -> str:
    """The ``w:tbl`` element of ``t``, as XML text (built whole: python-docx's cell by cell
    API took most of the report's time): the properties (fixed layout, the cell margins, no
    grid), the column grid, the header rows, which repeat on every page, and the body rows
    (``kept``: each kept with the next, :func:`_kept_rows`); every row cannot split."""
    widths = [_twips(w) for w in layout.widths_mm]
    margin = _twips(CELL_MARGIN_MM)
    header: list[list[_Cell]] = [
        [_Cell(text, start, stop, bold=True, align="center",
               borders={"bottom": _RULE_INNER} if text else {}) for text, start, stop in spans]
        for spans in t.spanner_rows()]
    header.append([_Cell(header_text(text), i, i + 1, bold=True, align="right" if i else "",
                         borders={"bottom": _RULE_INNER}) for i, text in enumerate(t.header)])
    for cell in header[0]:
        cell.borders["top"] = _RULE_OUTER
    body = [[_Cell(values[0][3:], 0, len(widths), bold=True)] if t.is_heading(values) else
            [_Cell(text, i, i + 1, align="right" if i else "", keep_next=keep)
             for i, text in enumerate(values)]
            for values, keep in zip(t.rows, kept, strict=True)]
    for cell in (body or header)[-1]:
        cell.borders["bottom"] = _RULE_OUTER
    sz = f'<w:sz w:val="{int(Pt(layout.font_pt).pt * 2)}"/></w:rPr>'
    return "".join((
        f'<w:tbl {_W}><w:tblPr><w:tblW w:type="dxa" w:w="{sum(widths)}"/>'
        '<w:jc w:val="left"/><w:tblLayout w:type="fixed"/>', _TBL_LOOK,
        f'<w:tblCellMar><w:left w:w="{margin}" w:type="dxa"/>'
        f'<w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar>', _NIL_BORDERS, "</w:tblPr>",
        "<w:tblGrid>", *(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>",
        *("<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if j < len(header) else "")
          + "</w:trPr>" + "".join(_cell_xml(cell, widths, sz) for cell in row) + "</w:tr>"
          for j, row in enumerate(header + body)),
        "</w:tbl>",
    ))


def _run_xml(text: str, size: float, bold: bool = False) -> str:
    """A ``w:r`` of ``text`` as python-docx's ``add_run`` writes it: a tab a ``w:tab``, a line
    break a ``w:br``, ``xml:space`` kept on a text with spaces at either end."""
    out = [f'<w:r><w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="{int(Pt(size).pt * 2)}"/>'
           "</w:rPr>"]
    for i, line in enumerate(re.split(r"[\r\n]", text)):
        if i:
            out.append("<w:br/>")
        for j, part in enumerate(line.split("\t")):
            if j:
                out.append("<w:tab/>")
            if part:
                space = ' xml:space="preserve"' if part.strip() != part else ""
                out.append(f"<w:t{space}>{part.translate(_ESCAPE)}</w:t>")
    out.append("</w:r>")
    return "".join(out)


def _add_paragraph(document, runs: str, *, keep_next: bool, before: float | None,
                   after: float) -> Paragraph:
    """Append a paragraph of ``runs`` (:func:`_run_xml`) to ``document``, not split across
    pages, kept with the next or not, with ``before`` and ``after`` pt of space."""
    spacing = "" if before is None else f' w:before="{Pt(before).twips}"'
    keep = "<w:keepNext/>" if keep_next else '<w:keepNext w:val="0"/>'
    p = parse_xml(f"<w:p {_W}><w:pPr>{keep}"
                  f'<w:keepLines/><w:spacing{spacing} w:after="{Pt(after).twips}"/></w:pPr>'
                  f"{runs}</w:p>")
    document.element.body._insert_p(p)
    return Paragraph(p, document._body)


def add_caption(document, label: str, sep: str, title: str, size: float = CAPTION_FONT_PT,
                keep_next: bool = True) -> Paragraph:
    """A caption paragraph, kept with what follows (``keep_next``: a table's caption, not a
    figure's, which is under it) and on one page: ``label`` bold (``"Table 2"``), then
    ``sep`` and ``title``; black, as journals print it."""
    runs = _run_xml(label, size, bold=True) + _run_xml(sep, size) if label else ""
    return _add_paragraph(document, runs + _run_xml(title, size), keep_next=keep_next,
                          before=None, after=CAPTION_AFTER_PT)


def add_table_docx(document: Document, t: DisplayTable, layout: TableLayout,
                   caption_sep: str = ". ", page_mm: tuple[float, float] | None = None) -> Table:
    """Append ``t`` (caption, table, footnotes) to a python-docx ``Document`` as a native,
    editable Word table laid out by ``layout``; return the table.

    ``page_mm`` is the (width, height) of the text of the page the table is placed on: a
    table that fits it (:func:`table_height_mm`) is kept on one page; a longer one, or any
    table when ``page_mm`` is not given, breaks only where no page is left with a single
    data row (:func:`_kept_rows`)."""
    add_caption(document, t.label, caption_sep, t.title)
    tbl = parse_xml(_table_xml(t, layout, _kept_rows(t, layout, page_mm)))
    document.element.body._insert_tbl(tbl)
    table = Table(tbl, document._body)
    for j, note in enumerate(t.footnotes):
        _add_paragraph(document, _run_xml(note, FOOTNOTE_FONT_PT),
                       keep_next=j < len(t.footnotes) - 1, before=2 if j == 0 else 0, after=0)
    return table
