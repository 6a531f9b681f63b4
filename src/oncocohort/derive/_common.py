"""Helpers shared by the derivations: their data error, the guards on their input frames (the
columns they need, one patients row per subject, no unknown subjects), dates as int64
nanoseconds, and the earliest or latest of several named dates.

The model layer reports these problems with file and row for user data; the derivations are
also called directly (tests, users' own frames), so they check again and raise
:class:`DeriveDataError`: an :class:`~oncocohort.problems.InputError` (the CLI shows it as a
problem in the input, exit 2, no traceback) that is also a ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from oncocohort.problems import InputError, Problem

__all__ = ["DeriveDataError", "require_columns", "index_patients", "check_known_subjects",
           "as_ns", "first_reached"]


class DeriveDataError(InputError, ValueError):
    """Data a derivation cannot use (a missing column, a subject with several patients rows
    or none, a record without a required date): an input problem whose message names the
    table and the subjects, never other patient values. Its text (``str``) is the message."""

    def __init__(self, message: str, *, location: str | None = None,
                 code: str = "invalid") -> None:
        super().__init__([Problem("error", message, location=location, code=code)])
        self.args = (message,)


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Error naming the ``columns`` that ``frame`` (the table ``what``) lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DeriveDataError(f"{what} lacks column(s): {', '.join(missing)}",
                              code="missing_column")


def index_patients(patients: pd.DataFrame) -> pd.DataFrame:
    """``patients`` indexed by text ``subject_id``; error if a subject has several rows."""
    pat = patients.assign(subject_id=patients["subject_id"].astype(str)).set_index("subject_id")
    if pat.index.duplicated().any():
        dup = sorted(pat.index[pat.index.duplicated()].unique())
        raise DeriveDataError(f"patients has more than one row for subject(s): "
                              f"{', '.join(dup)}", code="duplicate")
    return pat


def check_known_subjects(ids: Iterable, known: Iterable, table: str) -> None:
    """Error naming the subjects of ``table`` that are not among the ``known`` patients."""
    unknown = sorted(_texts(ids) - _texts(known))
    if unknown:
        raise DeriveDataError(f"{table} has subject(s) not in patients: {', '.join(unknown)}",
                              code="unknown_subject")


def _texts(values: Iterable) -> set[str]:
    """``set(map(str, values))``, each distinct text converted once (ids repeat)."""
    values = np.asarray(values if isinstance(values, pd.Series | pd.Index | np.ndarray)
                        else list(values), dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return set(pd.unique(values).tolist())
    return set(map(str, values))


def as_ns(values) -> np.ndarray:
    """Dates as int64 nanoseconds (NaT as the int64 minimum)."""
    values = pd.Series(values)
    if values.dtype.kind != "M":  # (to_datetime on datetime64 is slow: it probes a cache)
        values = pd.to_datetime(values)
    return values.to_numpy().astype("datetime64[ns]").view("int64")


def first_reached(dates: pd.DataFrame, names: Sequence[str],
                  which: Literal["earliest", "latest"]) -> tuple[pd.Series, pd.Series]:
    """Row-wise earliest (or latest) date over the columns ``names`` of ``dates``, and the
    name of the first column in ``names`` holding it (the first listed wins ties; missing
    where every date is missing)."""
    values = dates[list(names)]
    best = values.min(axis=1) if which == "earliest" else values.max(axis=1)
    src = pd.Series(None, index=dates.index, dtype=object)
    for name in reversed(names):  # first listed wins ties
        src = src.mask(values[name].eq(best) & best.notna(), name)
    return best, src
