"""What a source hands to the model: a table renamed to canonical columns, with provenance.

Readers (``sources/readers.py``) read a file or sheet; the mapping step (``sources/mapping.py``)
renames the user's columns to canonical names and recodes values (``M/F``, ``1/2``, ``男/女``,
``partial response`` -> ``PR``) as the spec says. Values are *not* parsed into dates or numbers
here: ``model/`` does that and reports what fails, naming the file, sheet, row and the user's own
column name, which is why every :class:`SourceTable` keeps its provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["SourceTable"]


@dataclass(frozen=True)
class SourceTable:
    """A canonical table as read from one file/sheet, before typing and validation.

    Attributes
    ----------
    name
        Canonical table name (a key of :data:`oncocohort.canon.schema.TABLES`).
    frame
        Columns renamed to canonical names; values recoded by the spec but otherwise raw
        (object/str dtype). Unmapped extra columns of the patients table are kept under the
        name the spec gives them (free covariates).
    file
        Path of the file as the user wrote it in the spec (for messages).
    sheet
        Sheet name for workbooks, else ``None``.
    rows
        For each row of ``frame``, the row number a person sees in the file (header = row 1,
        first data row = 2). Same length as ``frame``.
    columns
        Canonical column name -> the user's column name in the file (for messages).
    origin
        ``"long"`` for one-table-per-domain data, ``"wide"`` when the table was unpivoted from
        a one-row-per-patient hospital sheet.
    """

    name: str
    frame: pd.DataFrame
    file: str
    sheet: str | None = None
    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    columns: dict[str, str] = field(default_factory=dict)
    origin: Literal["long", "wide"] = "long"

    def __post_init__(self) -> None:
        if len(self.rows) != len(self.frame):
            raise ValueError("rows must give one file row number per frame row")

    def user_column(self, canonical: str) -> str:
        """The user's name for a canonical column (the canonical name if not mapped)."""
        return self.columns.get(canonical, canonical)
