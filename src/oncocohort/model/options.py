"""Options of data-model validation (filled from the study spec by
:meth:`oncocohort.study.options.StudyOptions.from_spec`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from oncocohort.canon.conventions import (
    DEFAULT_RECORDS_AFTER_CUTOFF,
    Conventions,
    PartialDates,
    RecordsAfterCutoff,
)

__all__ = ["ValidationOptions"]

_EMPTY: Mapping = MappingProxyType({})


@dataclass(frozen=True)
class ValidationOptions:
    """How raw values are typed and checked.

    Attributes
    ----------
    data_cutoff
        The study's data cut-off (``study.data_cutoff``); a ``data_cutoff`` column of the
        patients table overrides it per patient. ``None``: no cut-off checks.
    records_after_cutoff
        ``study.records_after_cutoff``: a date after the cut-off is an error (``"error"``) or
        the data are truncated at the cut-off (``"truncate"``, :mod:`.cutoff`).
    date_columns
        Free columns of the patients table typed as dates (with the source's
        ``date_format``): those the endpoints name as ``patients.<column>``.
    partial_dates
        ``conventions.partial_dates``: ``"reject"`` (partial dates are errors) or the
        imputation rule ``"first"``, ``"mid"``, ``"last"`` (see :mod:`.coerce`).
    ae_synonyms
        ``safety.synonyms``: recorded term (matched ignoring case) -> CTCAE v5.0 term.
    ae_groups
        ``safety.groups``: group name -> CTCAE terms; a group name is an acceptable AE term.
    date_format
        ``strptime`` format for text dates in every source (``None``: ISO, year first).
    date_formats
        Per-source override of ``date_format``, keyed like the spec's ``sources:`` block:
        a canonical table name, or ``"wide"`` for tables unpivoted from the wide sheet.
    """

    data_cutoff: dt.date | None = None
    records_after_cutoff: RecordsAfterCutoff = DEFAULT_RECORDS_AFTER_CUTOFF
    date_columns: tuple[str, ...] = ()
    partial_dates: PartialDates = Conventions().partial_dates
    ae_synonyms: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    ae_groups: Mapping[str, Sequence[str]] = field(default_factory=lambda: _EMPTY)
    date_format: str | None = None
    date_formats: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    def __post_init__(self) -> None:
        if self.partial_dates not in ("reject", "first", "mid", "last"):
            raise ValueError(
                f"partial_dates must be reject, first, mid or last, not {self.partial_dates!r}"
            )
        if self.records_after_cutoff not in ("error", "truncate"):
            raise ValueError("records_after_cutoff must be error or truncate, not "
                             f"{self.records_after_cutoff!r}")
        object.__setattr__(self, "date_columns", tuple(self.date_columns))
        if isinstance(self.data_cutoff, dt.datetime):
            object.__setattr__(self, "data_cutoff", self.data_cutoff.date())

    def date_format_for(self, table: str, origin: str) -> str | None:
        """The date format of a source of canonical ``table`` with ``origin`` long/wide."""
        key = "wide" if origin == "wide" else table
        return self.date_formats.get(key, self.date_format)
