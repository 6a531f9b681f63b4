"""Parse raw cell values into the canonical types, cell by cell, reporting what fails.

Sources hand over raw values (text as read, or already-typed values from Parquet/SAS files).
Each ``coerce_*`` function maps one column of them to a typed :class:`pandas.Series` and
says, per cell, whether it failed and why; it never raises on bad data and never reads or
writes anything. :mod:`oncocohort.model.dataset` turns the failures into
:class:`~oncocohort.problems.Problem` records with file, sheet, row and column.

Conventions
-----------
Missing
    ``None``, ``NaN``, ``NaT``, and the texts ``""``, ``"NA"``, ``"N/A"``, ``"NaN"``,
    ``"None"``, ``"null"`` and ``"."`` (SAS), in any case and with surrounding blanks, are
    missing values. ``NE`` is *not* missing: it is a response code.
Dates
    Typed as ``datetime64[ns]`` at midnight (pandas' native date type, so that date
    arithmetic, ``.dt`` and comparisons work everywhere downstream). Accepted text: year
    first ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY.MM.DD`` or ``YYYY年M月D日`` as Chinese
    workbooks write it (one- or two-digit month and day; the styles may be mixed in one
    column), optionally followed by a time which is dropped (Excel cells read as text look
    like ``2014-02-03 00:00:00``); or exactly the source's ``date_format`` (``strptime``
    codes) when the spec gives one. Day-first or month-first text such as ``03/02/2014`` is
    ambiguous and is rejected unless ``date_format`` says how to read it. A time part must be
    a time of day (hours 0-23, minutes and seconds 0-59): ``2023-05-03T25:61:00`` is invalid.
    Dates outside :data:`DATE_RANGE` (1900-01-01 to 2100-12-31) are implausible for a
    patient's record and fail with ``date_out_of_range``; this also keeps placeholders such
    as ``9999-12-31`` ("ongoing") out of the analysis instead of overflowing it.
Partial dates
    ``YYYY-MM`` (also ``YYYY/MM``, ``YYYY年M月``, ``MM/YYYY``) and ``YYYY``. With ``partial_dates="reject"``
    they are errors; otherwise they are imputed like admiral's ``date_imputation``:
    ``first`` -> 2014-02-01 / 2014-01-01; ``mid`` -> 2014-02-15 / 2014-06-30; ``last`` ->
    2014-02-28 / 2014-12-31 (the last day of the month, leap years included).
Numbers
    ``float``: any finite decimal number with a ``.`` decimal point; ``int``: a number with
    no fractional part (``"2"`` and ``"2.0"`` are 2, ``"2.5"`` is an error), typed ``Int64``;
    beyond 2**53 in size it is ``out_of_range`` (no column's bounds go that far).
Booleans
    ``true/false``, ``yes/no``, ``y/n``, ``t/f``, ``1/0`` in any case, typed ``boolean``.
Categories
    Matched to the allowed codes ignoring case and repeated blanks and returned in the
    canonical spelling (``"pr"`` -> ``PR``, ``"Non-CR/Non-PD"`` -> ``NON-CR/NON-PD``).
Text
    Stripped of surrounding blanks; typed ``object`` holding ``str`` or ``None``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from oncocohort.canon.distinct import column_codes
from oncocohort.canon.schema import DATE_RANGE, Column

__all__ = [
    "PartialDateRule",
    "Coerced",
    "DATE_RANGE",
    "MISSING_TEXTS",
    "is_missing",
    "value_shape",
    "coerce_dates",
    "coerce_numbers",
    "coerce_bools",
    "coerce_codes",
    "coerce_text",
    "coerce_column",
]

PartialDateRule = Literal["reject", "first", "mid", "last"]

MISSING_TEXTS: frozenset[str] = frozenset({"", "na", "n/a", "nan", "none", "null", "."})
_TRUE = frozenset({"true", "yes", "y", "t", "1", "1.0"})
_FALSE = frozenset({"false", "no", "n", "f", "0", "0.0"})

_FULL_DATE = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"
)

#: ``2023年5月3日`` (and ``2023年5月``), blanks allowed around the characters: rewritten as
#: ``2023-5-3`` (``2023-5``) before the patterns above and below are tried.
_CHINESE_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?$")

_YEAR_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_EXACT_INTEGERS = 2**53  # the whole numbers a float holds exactly


@dataclass(frozen=True)
class Coerced:
    """A typed column and, per cell, what went wrong.

    Attributes
    ----------
    values
        The typed values (failed cells are missing), same length and order as the input,
        with a default ``RangeIndex``.
    codes
        Per cell: ``None`` if the cell parsed (or was missing), else a problem code
        (``invalid_date``, ``date_out_of_range``, ``partial_date``, ``not_a_number``,
        ``not_an_integer``, ``invalid_bool``, ``invalid_code``).
    details
        Per cell: extra text for the message (the shape of an unreadable date, the closest
        allowed code), or ``None``.
    imputed
        Per cell: ``True`` where a partial date was imputed.
    failed
        Boolean mask of the cells that failed (``codes`` not ``None``; read-only).
    """

    values: pd.Series
    codes: tuple[str | None, ...]
    details: tuple[str | None, ...]
    imputed: tuple[bool, ...]
    failed: np.ndarray


def is_missing(value: Any) -> bool:
    """Whether a raw cell counts as missing (see the module conventions)."""
    if type(value) is str:  # most cells: the last rule only
        return value.strip().casefold() in MISSING_TEXTS
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.floating) and np.isnan(value):
        return True
    if isinstance(value, np.datetime64) and np.isnat(value):
        return True
    if isinstance(value, str):
        return value.strip().casefold() in MISSING_TEXTS
    return False


def value_shape(value: Any) -> str:
    """The *shape* of a value for messages, without its content: digits -> 9, letters -> A.

    >>> value_shape("03/02/2014")
    '99/99/9999'
    >>> value_shape("3 Feb 14")
    '9 AAA 99'
    """
    text = str(value).strip()[:20]
    return re.sub(r"[^\W\d_]", "A", re.sub(r"\d", "9", text))


def _per_value(values: Sequence[Any], one, missing: Any, dtype: str) -> Coerced:
    """Apply ``one(v) -> (value, code, detail, imputed)`` to each cell, as a :class:`Coerced`.

    Columns repeat values a lot (ids, dates, codes): when the column is coded
    (:mod:`oncocohort.canon.distinct`: its categories are its distinct cells) or its cells
    are text (or all of one type), ``one`` runs once per distinct value and the results are
    mapped back to the cells. Columns mixing value types (where ``True == 1 == 1.0`` would
    merge cells that read differently) are done cell by cell. Per distinct value, missing
    cells get ``(missing, None, None, False)`` directly (``one`` gives the same for them).
    """
    coded = column_codes(values)
    if coded is not None:  # a coded column: its categories are its distinct cells
        positions, uniques = coded
        results = [one(u) for u in uniques]
    else:
        if isinstance(values, pd.Series):
            arr = values.to_numpy(dtype=object)
        else:
            arr = np.empty(len(values), dtype=object)  # element-wise: cells may be sequences
            arr[:] = list(values)
        if _distinct_safe(arr):
            positions, uniques = pd.factorize(arr, use_na_sentinel=True)
            results = [one(u) for u in uniques]
        else:
            positions = np.arange(len(arr))
            results = [one(v) for v in arr]
    results.append((missing, None, None, False))  # position -1: missing cell
    typed = pd.Series([r[0] for r in results], dtype=dtype)
    out = typed.iloc[positions].reset_index(drop=True)
    n = len(positions)
    codes_u = np.array([r[1] for r in results], dtype=object)
    if all(c is None for c in codes_u):  # per distinct value: a short loop
        codes: tuple = (None,) * n
    else:
        codes = tuple(codes_u[positions].tolist())
    details_u = np.array([r[2] for r in results], dtype=object)
    if all(d is None for d in details_u):
        details: tuple = (None,) * n
    else:
        details = tuple(details_u[positions].tolist())
    imputed_u = np.array([bool(r[3]) for r in results], dtype=bool)
    imputed = tuple(imputed_u[positions].tolist()) if imputed_u.any() else (False,) * n
    failed = np.array([c is not None for c in codes_u], dtype=bool)[positions]
    failed.setflags(write=False)
    return Coerced(out, codes, details, imputed, failed)


_NA_TYPES = frozenset({type(None), type(pd.NA), type(pd.NaT)})


def _distinct_safe(arr: np.ndarray) -> bool:
    """Whether cells may be handled once per distinct value: at most one type besides text
    and missing markers (``True == 1 == 1.0`` would merge cells that read differently)."""
    if pd.api.types.infer_dtype(arr, skipna=True) in ("string", "empty"):
        return True
    types = set(map(type, arr)) - _NA_TYPES
    types.discard(str)
    return len(types) <= 1


def _impute(year: int, month: int | None, rule: PartialDateRule) -> dt.date:
    if rule == "first":
        return dt.date(year, month or 1, 1)
    if rule == "last":
        m = month or 12
        return dt.date(year, m, calendar.monthrange(year, m)[1])
    # "mid", as admiral: day 15 when only the day is missing, 30 June when the month is too
    return dt.date(year, month, 15) if month else dt.date(year, 6, 30)


def _typed_date(value: Any) -> dt.date | None:
    """The date of an already-typed value (Excel, Parquet, SAS cells), else ``None``."""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        day = value.astype("datetime64[D]").item()  # a date; an int beyond year 9999
        return day if isinstance(day, dt.date) else dt.date.max
    return None


def _partial(text: str) -> tuple[int, int | None] | None:
    """(year, month or None) of a partial date text, else ``None``."""
    if m := _YEAR_MONTH.match(text):
        return int(m[1]), int(m[2])
    if m := _MONTH_YEAR.match(text):
        return int(m[2]), int(m[1])
    if m := _YEAR.match(text):
        return int(m[1]), None
    return None


def _parse_date(
    value: Any, rule: PartialDateRule, fmt: str | None
) -> tuple[dt.date | None, str | None, bool]:
    """(date, problem code, imputed) for one non-missing cell."""
    typed = _typed_date(value)
    if typed is not None:
        return typed, None, False
    text = str(value).strip()
    if fmt:
        try:
            return dt.datetime.strptime(text, fmt).date(), None, False
        except ValueError:
            pass
    if m := _CHINESE_DATE.match(text):
        text = "-".join(x for x in m.groups() if x)
    if m := _FULL_DATE.match(text):
        hour, minute, second = (int(x) if x else 0 for x in m.group(4, 5, 6))
        if hour > 23 or minute > 59 or second > 59:
            return None, "invalid_date", False
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), None, False
        except ValueError:
            return None, "invalid_date", False
    partial = _partial(text)
    if partial is None or (partial[1] is not None and not 1 <= partial[1] <= 12):
        return None, "invalid_date", False
    if rule == "reject":
        return None, "partial_date", False
    return _impute(partial[0], partial[1], rule), None, True


def coerce_dates(
    values: Sequence[Any],
    *,
    partial_dates: PartialDateRule = "reject",
    date_format: str | None = None,
) -> Coerced:
    """Parse dates; see the module conventions for what is accepted and how partial dates
    are imputed.

    Examples
    --------
    >>> c = coerce_dates(["2014-02-03", "2014-02", "", "31/12/2014"], partial_dates="last")
    >>> [str(v.date()) if not pd.isna(v) else None for v in c.values]
    ['2014-02-03', '2014-02-28', None, None]
    >>> c.codes
    (None, None, None, 'invalid_date')
    >>> c.imputed
    (False, True, False, False)
    >>> coerce_dates(["2023年5月3日", "2023/5/4", "2023-05-05"]).values.dt.day.tolist()
    [3, 4, 5]
    """
    def one(v: Any):
        if is_missing(v):
            return pd.NaT, None, None, False
        date, code, imp = _parse_date(v, partial_dates, date_format)
        if date is not None and not DATE_RANGE[0] <= date <= DATE_RANGE[1]:
            return pd.NaT, "date_out_of_range", None, False
        return (pd.NaT if date is None else pd.Timestamp(date), code,
                value_shape(v) if code == "invalid_date" else None, imp)

    return _per_value(values, one, pd.NaT, "datetime64[ns]")


def _to_float(v: Any) -> float | None:
    if isinstance(v, bool | np.bool_):
        return None
    if isinstance(v, int | float | np.integer | np.floating):
        f = float(v)
    else:
        try:
            f = float(str(v).strip())
        except ValueError:
            return None
    return f if math.isfinite(f) else None


def coerce_numbers(values: Sequence[Any], *, integer: bool = False) -> Coerced:
    """Parse numbers: ``float64``, or nullable ``Int64`` when ``integer``.

    >>> coerce_numbers(["1", "2.0", "2.5", "x"], integer=True).codes
    (None, None, 'not_an_integer', 'not_a_number')
    """
    missing = None if integer else np.nan

    def one(v: Any):
        if is_missing(v):
            return missing, None, None, False
        f = _to_float(v)
        if f is None:
            return missing, "not_a_number", None, False
        if integer and not f.is_integer():
            return missing, "not_an_integer", None, False
        if integer and abs(f) > _EXACT_INTEGERS:  # no Int64 holds it: outside any bounds
            return missing, "out_of_range", None, False
        return (int(f) if integer else f), None, None, False

    return _per_value(values, one, missing, "Int64" if integer else "float64")


def coerce_bools(values: Sequence[Any]) -> Coerced:
    """Parse yes/no values into the nullable ``boolean`` dtype.

    >>> coerce_bools(["Yes", "n", "", "maybe"]).values.tolist()
    [True, False, <NA>, <NA>]
    """
    def one(v: Any):
        if is_missing(v):
            return pd.NA, None, None, False
        key = str(v).strip().casefold()
        if isinstance(v, bool | np.bool_):
            return bool(v), None, None, False
        if key in _TRUE:
            return True, None, None, False
        if key in _FALSE:
            return False, None, None, False
        return pd.NA, "invalid_bool", None, False

    return _per_value(values, one, pd.NA, "boolean")


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def coerce_codes(values: Sequence[Any], allowed: Sequence[str]) -> Coerced:
    """Match codes to ``allowed`` ignoring case and blanks; unknown codes fail with the
    closest allowed code (:func:`difflib.get_close_matches`, cut-off 0.5) as detail.

    >>> c = coerce_codes(["pr", "PRR", "maybe"], ["CR", "PR", "SD", "PD", "NE"])
    >>> list(c.values), c.codes, c.details
    (['PR', None, None], (None, 'invalid_code', 'invalid_code'), (None, 'PR', None))
    """
    lookup = {_fold(a): a for a in allowed}
    def one(v: Any):
        if is_missing(v):
            return None, None, None, False
        key = _fold(str(v))
        if key in lookup:
            return lookup[key], None, None, False
        close = difflib.get_close_matches(key, list(lookup), n=1, cutoff=0.5)
        return None, "invalid_code", lookup[close[0]] if close else None, False

    return _per_value(values, one, None, "object")


def coerce_text(values: Sequence[Any]) -> Coerced:
    """Strip text; missing values become ``None`` (``object`` dtype)."""
    def one(v: Any):
        if type(v) is str:  # most cells: is_missing's rule for text, inline
            text = v.strip()
            return (None if text.casefold() in MISSING_TEXTS else text), None, None, False
        return (None if is_missing(v) else str(v).strip()), None, None, False

    return _per_value(values, one, None, "object")


def coerce_column(
    values: Sequence[Any],
    column: Column,
    *,
    partial_dates: PartialDateRule = "reject",
    date_format: str | None = None,
) -> Coerced:
    """Coerce ``values`` to the type of the schema ``column``."""
    if column.type == "date":
        return coerce_dates(values, partial_dates=partial_dates, date_format=date_format)
    if column.type in ("int", "float"):
        return coerce_numbers(values, integer=column.type == "int")
    if column.type == "bool":
        return coerce_bools(values)
    if column.type == "category":
        return coerce_codes(values, column.allowed or ())
    return coerce_text(values)
