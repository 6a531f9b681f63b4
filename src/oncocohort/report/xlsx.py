"""Every display table in one Excel workbook, a sheet per table (``outputs.formats: [xlsx]``).

Each sheet holds the table's title (bold), its header row (bold), its rows (section headings
bold) and its footnotes below, the cells as the report prints them (text, like the CSV
tables, and neutralised the same way: :func:`~oncocohort.report.results.neutralise_cell`, so
no cell is run as a formula). Same tables, same bytes
(:func:`~oncocohort.report.ooxml.stable_ooxml`).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from oncocohort.report.ooxml import stable_ooxml
from oncocohort.report.results import neutralise_cell
from oncocohort.report.tables import DisplayTable

__all__ = ["render_tables_xlsx", "sheet_names"]

_FIXED_TIME = dt.datetime(2000, 1, 1)
_MAX_SHEET_NAME = 31  # Excel's limit


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


def _append(ws, cells) -> None:
    ws.append([neutralise_cell(c) for c in cells])


def render_tables_xlsx(tables: Sequence[DisplayTable]) -> bytes:
    """The workbook's bytes (``tables.xlsx``)."""
    wb = Workbook()
    wb.remove(wb.active)
    bold, small = Font(bold=True), Font(italic=True, size=8)
    for t, name in zip(tables, sheet_names(tables), strict=True):
        ws = wb.create_sheet(name)
        put = functools.partial(_append, ws)
        put([t.title])
        ws.cell(row=1, column=1).font = bold
        put(t.header)
        for cell in ws[2]:
            cell.font = bold
        for row in t.rows:
            if t.is_heading(row):
                put([row[0][3:]])
                ws.cell(row=ws.max_row, column=1).font = bold
            else:
                put(row)
        if t.footnotes:
            ws.append([])
        for f in t.footnotes:
            put([f])
            ws.cell(row=ws.max_row, column=1).font = small
        ws.column_dimensions["A"].width = min(60, 2 + max(
            (len(str(r[0])) for r in t.rows), default=10))
    wb.properties.creator = "oncocohort"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return stable_ooxml(buf.getvalue(), _FIXED_TIME)
