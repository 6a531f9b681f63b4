"""What the proposal engine returns: frozen records with ``to_frame()``.

Evidence and open questions are :class:`Note` records (a message code and its parameters),
not sentences, so that ``init`` and the web app word them in English or Chinese from one
catalogue (:mod:`oncocohort.propose.messages`). Notes never carry a patient's value: they
quote headers, codes (``1``, ``男``, ``PR``), counts, and the *shape* of a date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from oncocohort.propose.content import ColumnContent
from oncocohort.propose.roles import ROLES

__all__ = ["ColumnProposal", "Note", "SheetProposal", "Todo", "SURE"]

#: Confidence at or above which a proposal is stated as sure.
SURE = 0.8


@dataclass(frozen=True)
class Note:
    """A message code and its parameters (text values), worded by the message catalogue."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> Note:
        return cls(code, tuple((k, str(v)) for k, v in params.items()))

    @property
    def kwargs(self) -> dict[str, str]:
        return dict(self.params)


@dataclass(frozen=True)
class Todo:
    """A question ``init`` cannot decide, about one column (``position``) or the sheet."""

    note: Note
    position: int | None = None


@dataclass(frozen=True)
class ColumnProposal:
    """The proposed role of one column.

    Attributes
    ----------
    position
        0-based position of the column in the sheet.
    header
        The header as written in the file.
    role
        A key of :data:`oncocohort.propose.roles.ROLES`.
    confidence
        0-1; at least :data:`SURE` is stated as sure, below as a guess. ``1.0`` for a
        choice made by the user.
    evidence
        Why: the header term matched, what the cells hold, what else it looked like.
    content
        The content profile of the column's cells.
    variable
        The name the spec gives the column (canonical column or covariate name), ``None``
        for columns left out and AE grade columns.
    codes
        For coded columns: each code found -> the canonical code (``M``, ``PR``, ``dead``,
        ``alive``...), ``None`` where it could not be decided.
    date_format
        strptime format the column's text dates need (``None``: none needed).
    ae_term
        For AE grade columns: the CTCAE v5.0 term, ``None`` if not found.
    label
        Display label for a covariate (the header, for covariates given a made-up name).
    alternatives
        Other roles the header or content suggested, best first.
    variable_label
        The variable label of an SPSS, Stata or SAS column (``"Treatment start date"`` for
        ``startdt``), when it has one that differs from its name; ``None`` otherwise.
    """

    position: int
    header: str
    role: str
    confidence: float
    evidence: tuple[Note, ...]
    content: ColumnContent
    variable: str | None = None
    codes: tuple[tuple[str, str | None], ...] = ()
    date_format: str | None = None
    ae_term: str | None = None
    label: str | None = None
    alternatives: tuple[str, ...] = ()
    variable_label: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")

    @property
    def level(self) -> Literal["sure", "guess", "left_out"]:
        if ROLES[self.role].group == "left_out":
            return "left_out"
        return "sure" if self.confidence >= SURE else "guess"

    @property
    def code_map(self) -> dict[str, str | None]:
        return dict(self.codes)


@dataclass(frozen=True)
class SheetProposal:
    """The proposal for one sheet (one row per patient).

    Attributes
    ----------
    file
        The file as the user named it (for messages and the spec).
    sheet
        The sheet name for workbooks, else ``None``.
    sheets
        Every sheet of the workbook (empty for other formats).
    header_row
        The row a person sees the header on (1 = first row of the sheet).
    title_rows
        Rows above the header that hold a title or notes (empty if none).
    data_rows
        The row number a person sees of each data row (for questions about cells).
    columns
        One proposal per column, in sheet order.
    encoding
        Text encoding of a CSV file when it is not UTF-8 (e.g. ``gb18030``).
    """

    file: str
    sheet: str | None
    sheets: tuple[str, ...]
    header_row: int
    title_rows: tuple[int, ...]
    data_rows: tuple[int, ...]
    columns: tuple[ColumnProposal, ...]
    encoding: str | None = None

    @property
    def rows(self) -> int:
        """Data rows (patients, when the sheet has one row per patient)."""
        return len(self.data_rows)

    def by_role(self, name: str) -> tuple[ColumnProposal, ...]:
        """The columns proposed for role ``name``, in sheet order."""
        return tuple(c for c in self.columns if c.role == name)

    def first(self, name: str) -> ColumnProposal | None:
        found = self.by_role(name)
        return found[0] if found else None

    @property
    def latest_date(self) -> dt.date | None:
        """The latest full date in any date column that is mapped (for the cut-off guess)."""
        last = [c.content.dates.last for c in self.columns
                if c.content.dates is not None and c.content.dates.last is not None
                and ROLES[c.role].kind == "date" and c.content.dates.style != "serial"]
        return max(last) if last else None

    def to_frame(self) -> pd.DataFrame:
        """One row per column: position, header, role, level, confidence, variable."""
        return pd.DataFrame({
            "position": [c.position for c in self.columns],
            "header": [c.header for c in self.columns],
            "role": [c.role for c in self.columns],
            "level": [c.level for c in self.columns],
            "confidence": [c.confidence for c in self.columns],
            "variable": [c.variable for c in self.columns],
        })
