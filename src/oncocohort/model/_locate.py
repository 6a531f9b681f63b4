"""Provenance of typed rows: from a row of a typed table back to file, sheet, row, column.

Typed tables carry two private columns while they are checked: ``_src`` (index of the
:class:`~oncocohort.sources.base.SourceTable` the row came from) and ``_row`` (the row number
a person sees in that file). :class:`Locator` turns them into :class:`Problem` records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from oncocohort.problems import Problem, Severity
from oncocohort.sources.base import SourceTable

__all__ = ["Locator", "PRIVATE_COLUMNS", "subject_of"]

PRIVATE_COLUMNS = ("_src", "_row")


def subject_of(record: Mapping[str, Any]) -> str | None:
    """The subject id of a record, or ``None`` when missing."""
    s = record.get("subject_id")
    return None if s is None or (isinstance(s, float) and pd.isna(s)) else str(s)


@dataclass(frozen=True)
class Locator:
    """Every source of the study, in the order of the ``_src`` indices."""

    sources: tuple[SourceTable, ...]

    def source(self, record: Mapping[str, Any]) -> SourceTable:
        return self.sources[int(record["_src"])]

    def where(self, record: Mapping[str, Any]) -> str:
        """Human-readable location of a record, for messages that name a second row."""
        s = self.source(record)
        sheet = f", sheet {s.sheet!r}" if s.sheet else ""
        return f"{s.file}{sheet}, row {int(record['_row'])}"

    def at(
        self,
        record: Mapping[str, Any],
        column: str | None,
        code: str,
        message: str,
        severity: Severity = "error",
    ) -> Problem:
        """A problem at one cell (or one row when ``column`` is ``None``) of a typed table."""
        s = self.source(record)
        return Problem(
            severity=severity,
            message=message,
            file=s.file,
            sheet=s.sheet,
            row=int(record["_row"]),
            column=None if column is None else s.user_column(column),
            subject=subject_of(record),
            code=code,
        )

    @staticmethod
    def in_source(
        s: SourceTable,
        column: str | None,
        code: str,
        message: str,
        severity: Severity = "error",
        row: int | None = None,
        subject: str | None = None,
    ) -> Problem:
        """A problem about a whole source (a missing column) or one of its raw rows."""
        return Problem(
            severity=severity,
            message=message,
            file=s.file,
            sheet=s.sheet,
            row=row,
            column=None if column is None else s.user_column(column),
            subject=subject,
            code=code,
        )


def records(frame: pd.DataFrame) -> Sequence[dict[str, Any]]:
    """Rows of ``frame`` as dicts (missing values as ``None``/``NaT``)."""
    return frame.to_dict("records")
