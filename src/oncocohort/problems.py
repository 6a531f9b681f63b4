"""Problems found in user input: one record type shared by spec, sources, model and cohort.

A :class:`Problem` names where (file, sheet, row, column, or a YAML path) and what is wrong.
Validation collects every problem in one pass and returns them together; only the CLI decides
to stop (errors) or go on (warnings). Messages must not carry patient-level values beyond the
subject ID.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Problem", "Problems", "InputError", "Severity", "did_you_mean"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in the input.

    ``row`` is the row number a person sees in the file: 1-based, with the header on row 1,
    so the first data row of a CSV or sheet is row 2. ``location`` is used for things that
    are not cells, such as a YAML path (``endpoints.pfs.censor[1].source``).
    """

    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    subject: str | None = None
    location: str | None = None
    code: str = "invalid"

    def where(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        if self.location:
            parts.append(self.location)
        if self.subject:
            parts.append(f"subject {self.subject}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Problems:
    """An immutable collection of problems."""

    items: tuple[Problem, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, items: Iterable[Problem]) -> Problems:
        return cls(tuple(items))

    def __add__(self, other: Problems | Sequence[Problem]) -> Problems:
        more = other.items if isinstance(other, Problems) else tuple(other)
        return Problems(self.items + more)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.items if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.items if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors


class InputError(Exception):
    """Raised when user input has errors; carries every problem found, not just the first."""

    def __init__(self, problems: Problems | Sequence[Problem]):
        self.problems = problems if isinstance(problems, Problems) else Problems.of(problems)
        n = len(self.problems.errors)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the input")


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice (:func:`difflib.get_close_matches`,
    ratio cut-off 0.6, ignoring case), or ``""``: the hint every problem message uses."""
    lowered = {str(c).lower(): str(c) for c in choices}
    close = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[close[0]]}'?" if close else ""
