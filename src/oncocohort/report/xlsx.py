"""Every display table in one Excel workbook, a sheet per table (``outputs.formats: [xlsx]``),
formatted as the Word tables are (:mod:`.docx_tables`).

Each sheet holds the table's caption (its number bold), the column spanners (merged, centered,
a thin rule under each), the header row (bold, a rule above and below), the rows (section
headings bold, labels indented by the cell's indent, numbers right-aligned), a rule under the
last row and the footnotes below in a smaller size. Column widths come from the content; the
header rows are frozen on screen and repeated on every printed page, and a table too wide for
a portrait page prints landscape. The cells are text as the report prints them (like the CSV
tables) and neutralized the same way (:func:`~oncocohort.report.results.neutralise_cell`), so
no cell is run as a formula. Same tables, same bytes
(:func:`~oncocohort.report.ooxml.stable_ooxml`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from oncocohort.report.format import DEFAULT_STYLE, HouseStyle
from oncocohort.report.ooxml import stable_ooxml
from oncocohort.report.results import neutralise_cell
from oncocohort.report.tables import DisplayTable
from oncocohort.report.textwidth import text_width_pt

if TYPE_CHECKING:
    from openpyxl.styles import Alignment

# openpyxl is imported by the functions that write a workbook, not with this module: a run
# without ``xlsx`` in its formats does not pay its import (0.1 s of CPU; docs/architecture.md,
# the deferred imports listed in tests/test_layers.py).

__all__ = ["render_tables_xlsx", "sheet_names"]

_FIXED_TIME = dt.datetime(2000, 1, 1)
_MAX_SHEET_NAME = 31  # Excel's limit
_FONT = "Arial"
_SIZE = 9
_THICK, _THIN = "medium", "thin"  # the rules' line styles (black)
_CHAR_PT = 7.0  # an Excel width unit: about the width of a digit of the default font at 11 pt
_PORTRAIT_CHARS = 95  # what fits an A4 portrait page's printable width at 9 pt


def sheet_names(tables: Sequence[DisplayTable]) -> list[str]:
    """A sheet name per table: its name, cut to Excel's 31 characters and made unique."""
    names: list[str] = []
    for t in tables:
        base = t.name[:_MAX_SHEET_NAME]
        name, i = base, 1
        while name in names:
            i += 1
            suffix = f"_{i}"
            name = base[:_MAX_SHEET_NAME - len(suffix)] + suffix
        names.append(name)
    return names


def _put(ws, row: int, col: int, text: str, *, bold: bool = False, size: float = _SIZE,
         italic: bool = False, align: Alignment | None = None):
    from openpyxl.styles import Font

    cell = ws.cell(row=row, column=col, value=neutralise_cell(text))
    cell.font = Font(name=_FONT, size=size, bold=bold, italic=italic)
    if align is not None:
        cell.alignment = align
    return cell


def _rule(ws, row: int, ncol: int, *, top: str | None = None,
          bottom: str | None = None) -> None:
    """A black rule of line style ``top`` above, ``bottom`` under the cells of ``row``."""
    from openpyxl.styles import Border, Side

    for col in range(1, ncol + 1):
        cell = ws.cell(row=row, column=col)
        old = cell.border
        cell.border = Border(top=Side(style=top, color="000000") if top else old.top,
                             bottom=Side(style=bottom, color="000000") if bottom else old.bottom)


def _widths(t: DisplayTable) -> list[float]:
    """Column widths in Excel units: the longest cell of each column (header words wrap)."""
    out = []
    for i, h in enumerate(t.header):
        cells = [r[i] for r in t.rows if not t.is_heading(r) and i < len(r)]
        body = max((text_width_pt(c, _SIZE) for c in cells), default=0.0)
        head = max((text_width_pt(w, _SIZE, bold=True) for w in h.split()), default=0.0)
        out.append(max(body, head) / _CHAR_PT * 11 / _SIZE + 2)
    return out


def _lines(text: str, width: float) -> int:
    """Lines ``text`` (bold) takes in a column ``width`` Excel units wide, wrapped between
    words."""
    room = (width - 2) * _CHAR_PT * _SIZE / 11
    lines, line = 1, ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and text_width_pt(trial, _SIZE, bold=True) > room:
            lines, line = lines + 1, word
        else:
            line = trial
    return lines


def _sheet(ws, t: DisplayTable, caption_sep: str) -> None:
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter

    ncol = len(t.header)
    r = 1
    _put(ws, r, 1, t.caption(caption_sep), bold=True, size=10)
    r += 1
    first_head = r
    for spans in t.spanner_rows():
        for text, start, stop in spans:
            _put(ws, r, start + 1, text, bold=True, align=Alignment(horizontal="center"))
            if stop - start > 1:
                ws.merge_cells(start_row=r, start_column=start + 1, end_row=r,
                               end_column=stop)
            if text:
                for col in range(start + 1, stop + 1):
                    ws.cell(row=r, column=col).border = Border(bottom=Side(style=_THIN,
                                                                           color="000000"))
        r += 1
    for i, h in enumerate(t.header):
        _put(ws, r, i + 1, h, bold=True, align=Alignment(
            horizontal="right" if i else "left", vertical="bottom", wrap_text=True))
    _rule(ws, first_head, ncol, top=_THICK)
    _rule(ws, r, ncol, bottom=_THIN)
    last_head = r
    for row in t.rows:
        r += 1
        if t.is_heading(row):
            _put(ws, r, 1, row[0][3:], bold=True)
            continue
        for i, text in enumerate(row):
            indent = (len(text) - len(text.lstrip(" "))) // 2
            _put(ws, r, i + 1, text.strip() if i == 0 else text,
                 align=Alignment(horizontal="right") if i else Alignment(indent=indent))
    _rule(ws, r, ncol, bottom=_THICK)
    for note in t.footnotes:
        r += 1
        _put(ws, r, 1, note, size=8, italic=True)
    widths = _widths(t)
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = round(w, 1)
    lines = max(_lines(h, w) for h, w in zip(t.header, widths, strict=True))
    ws.row_dimensions[last_head].height = 12 * lines  # wrapped headers: rows made tall enough
    ws.freeze_panes = ws.cell(row=last_head + 1, column=1)
    ws.print_title_rows = f"{first_head}:{last_head}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sum(widths) > _PORTRAIT_CHARS else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.sheet_view.showGridLines = False


def render_tables_xlsx(tables: Sequence[DisplayTable],
                       style: HouseStyle = DEFAULT_STYLE) -> bytes:
    """The workbook's bytes (``tables.xlsx``); captions numbered as ``style`` says."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for t, name in zip(tables, sheet_names(tables), strict=True):
        _sheet(wb.create_sheet(name), t, style.caption_sep)
    wb.properties.creator = "oncocohort"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return stable_ooxml(buf.getvalue(), _FIXED_TIME)
