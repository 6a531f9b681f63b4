"""What the report page offers: the files of a finished run, by fixed names only, and the
problems of a stopped run placed at their cells."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from oncocohort.problems import Problem
from oncocohort.propose.grid import Grid
from oncocohort.propose.results import SheetProposal

__all__ = ["DOWNLOADS", "CellProblem", "download", "place_problems"]

#: Download name -> (file inside the results folder, media type). Nothing else is served.
DOWNLOADS: dict[str, tuple[str, str]] = {
    "report.html": ("report.html", "text/html; charset=utf-8"),
    "report.docx": ("report.docx", "application/vnd.openxmlformats-officedocument."
                                   "wordprocessingml.document"),
    "ard.csv": ("results/ard.csv", "text/csv; charset=utf-8"),
    "ard.json": ("results/ard.json", "application/json"),
    "tables.zip": ("tables", "application/zip"),
}


def download(results: Path, name: str) -> tuple[bytes, str] | None:
    """The bytes and media type of download ``name``, ``None`` if unknown or absent."""
    if name not in DOWNLOADS:
        return None
    relative, media = DOWNLOADS[name]
    path = results / relative
    if name == "tables.zip":
        if not path.is_dir():
            return None
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(path.glob("*.csv")):
                z.writestr(zipfile.ZipInfo(f"tables/{f.name}", (1980, 1, 1, 0, 0, 0)),
                           f.read_bytes())
        return buf.getvalue(), media
    return (path.read_bytes(), media) if path.is_file() else None


@dataclass(frozen=True)
class CellProblem:
    """A problem with, when it concerns a cell of the uploaded sheet, that row's mapped cells
    (header, cell text, whether it is the cell in question)."""

    problem: Problem
    row: int | None
    cells: tuple[tuple[str, str, bool], ...]


def place_problems(problems: list[Problem], grid: Grid, sheet: SheetProposal
                   ) -> list[CellProblem]:
    """Each problem with the cells of its row (mapped columns only: never identifiers)."""
    index = {n: i for i, n in enumerate(grid.row_numbers)}
    header_at = index.get(sheet.header_row)
    headers = grid.cells[header_at] if header_at is not None else ()
    where = {h: j for j, h in enumerate(headers) if h is not None}
    shown = [c.header for c in sheet.columns if c.variable or c.role == "ae_grade"]
    out = []
    for p in problems:
        at = index.get(p.row) if p.row is not None else None
        if at is None or p.column not in where:
            out.append(CellProblem(p, None, ()))
            continue
        row = grid.cells[at]
        cells = tuple((h, row[where[h]] or "" if where[h] < len(row) else "", h == p.column)
                      for h in shown if h in where)
        out.append(CellProblem(p, p.row, cells))
    return out
