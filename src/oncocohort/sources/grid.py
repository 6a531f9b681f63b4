"""A sheet as a grid of text cells, and where its header row is.

Readers (:func:`oncocohort.sources.readers.read_table`) take the first non-empty row of a
sheet as its header, unless the source's ``header_row`` says otherwise. Exports often put a
title above it ("XX医院随访登记表", an export date): :func:`grid_from_table` turns what the
reader returned back into the rows of the sheet, and :func:`find_header` finds the row that
looks like a header (``oncocohort init`` proposes it; reading a source without
``header_row``, the sources hint at it):

* at least half as many filled cells as the fullest of the first rows, and at least two;
* most filled cells are words, not numbers or dates;
* the first such row among the first :data:`SEARCH_ROWS` rows.

Rows above it are title rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Grid", "SEARCH_ROWS", "find_header", "grid_from_table"]

#: How many rows from the top may hold the header.
SEARCH_ROWS = 10

_PLACEHOLDER = re.compile(r"^column \d+$")
_NUMBER_OR_DATE = re.compile(r"^[\d\s.,:/\-+%T]+$")


@dataclass(frozen=True)
class Grid:
    """Rows of text cells (``None`` = empty) with the row numbers a person sees."""

    cells: tuple[tuple[str | None, ...], ...]
    row_numbers: tuple[int, ...]

    @property
    def width(self) -> int:
        return max((len(r) for r in self.cells), default=0)


def grid_from_table(frame: pd.DataFrame, rows: np.ndarray, *, first_row: int = 1) -> Grid:
    """The sheet's rows from a reader's ``(frame, rows)``: the header line first.

    ``first_row`` is the row number of the header line the reader used (1 for CSV; for a
    worksheet its first non-empty row). Header cells the reader had to name
    (``column 3``) are empty cells of the sheet.
    """
    header = tuple(None if _PLACEHOLDER.match(str(c)) else str(c) for c in frame.columns)
    body = [tuple(r) for r in frame.itertuples(index=False, name=None)]
    return Grid((header, *body), (first_row, *(int(r) for r in rows)))


def _filled(row: Sequence[str | None]) -> list[str]:
    return [c for c in row if c is not None and c.strip()]


def find_header(grid: Grid) -> int:
    """Index (into ``grid.cells``) of the header row.

    Examples
    --------
    >>> g = Grid((("Hospital follow-up list", None, None), ("ID", "Age", "Sex"),
    ...           ("1", "60", "M")), (1, 2, 3))
    >>> find_header(g)
    1
    """
    top = grid.cells[:SEARCH_ROWS]
    fullest = max((len(_filled(r)) for r in top), default=0)
    for i, row in enumerate(top):
        filled = _filled(row)
        if len(filled) < max(2, fullest / 2):
            continue
        words = sum(not _NUMBER_OR_DATE.match(c) for c in filled)
        if words * 5 >= len(filled) * 4:
            return i
    return 0
