"""What a column holds, from its cells alone: dates and their format, numbers, codes, text.

:func:`profile_column` reads the text cells of one column (as :mod:`oncocohort.sources`
gives them: ``str`` or ``None``; native Excel/SAS dates already ISO text) and returns a
:class:`ColumnContent`. Nothing here looks at the header; :mod:`oncocohort.propose.engine`
weighs the two.

Dates
    A column is read with the model's own date parser (:func:`oncocohort.model.coerce.
    coerce_dates`), so "dates" here means "dates ``validate`` will read". Year-first text
    (``2023-05-03``, ``2023/5/3``, ``2023.05.03``) needs no format. Day-first or month-first
    text (``03/05/2023``) is decided by the cells: a first part above 12 makes the column
    day-first (``%d/%m/%Y``), a second part above 12 month-first (``%m/%d/%Y``); when no cell
    decides, the reading is ``ambiguous`` and the engine asks. ``2023年5月3日`` is year-first
    text too, read with no format like the others and mixed with them in one column (style
    ``chinese`` when every cell is written so, else ``year_first``). Whole numbers between 18264 and 73050 (1950-01-01 to 2100-01-01 as Excel
    serial day numbers) are ``serial``: Excel dates stored as numbers, which the model does
    not read as dates (the engine asks for the column to be formatted as dates).
Codes
    Up to :data:`MAX_CODES` distinct values are a code set (kept with their counts, most
    frequent first, for the code tables of ``init`` and the app).
Direct identifiers by content
    Chinese mobile numbers (``1[3-9]`` + 9 digits), 18-character national ID numbers,
    e-mail addresses: ``patterns`` names the ones most cells match.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from oncocohort.propose._canon import coerce_dates

__all__ = ["MAX_CODES", "ColumnContent", "DateReading", "NumberSummary", "preview_dates",
           "profile_column", "read_dates"]

#: At most this many distinct values make a code set.
MAX_CODES = 12

#: Excel serial day numbers of 1950-01-01 and 2100-01-01 (1900 date system).
SERIAL_RANGE = (18264, 73050)
_EXCEL_EPOCH = dt.date(1899, 12, 30)

DateStyle = Literal["native_or_iso", "year_first", "day_first", "month_first", "ambiguous",
                    "chinese", "serial", "mixed"]

_DM = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})$")
_CN_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$")
_PHONE = re.compile(
    r"^(\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}$"    # Chinese mobile
    r"|^\+\d[\d\- ()]{7,}\d$"                         # international, with +
    r"|^0\d{2,3}[- ]?\d{7,8}$"                           # Chinese landline with area code
    r"|^\(?\d{3}\)?[- ]\d{3}[- ]\d{4}$"                  # North American
)
_NATIONAL_ID = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_LIST_SEPARATORS = re.compile(r"[、，,;；/]")


@dataclass(frozen=True)
class DateReading:
    """How a column reads as dates.

    Attributes
    ----------
    style
        ``native_or_iso`` (Excel/SAS date cells or ISO text), ``year_first`` (``2023/5/3``,
        ``2023.05.03``), ``day_first``, ``month_first``, ``ambiguous`` (day/month order not
        decided by any cell), ``chinese`` (``2023年5月3日``), ``serial`` (Excel day numbers),
        ``mixed`` (day-first and month-first cells both present).
    format
        The ``date_format`` (strptime) the source needs, ``None`` when none is needed (or
        none can be chosen: ``ambiguous``, ``mixed``, ``serial``).
    parsed, partial, failed
        Cells read as full dates with ``format``, partial dates (``2023-05``, ``2023``),
        cells not read as dates.
    failed_positions
        Positions (0-based, in the column) of the failed cells, at most 20.
    first, last
        Earliest and latest date read (``None`` if none).
    deciding
        For ``day_first``/``month_first``: how many cells decide the order.
    """

    style: DateStyle
    format: str | None
    parsed: int
    partial: int
    failed: int
    failed_positions: tuple[int, ...]
    first: dt.date | None
    last: dt.date | None
    deciding: int = 0


@dataclass(frozen=True)
class NumberSummary:
    """Numbers of a column in which every present cell is a number."""

    minimum: float
    maximum: float
    integers: bool
    median: float


@dataclass(frozen=True)
class ColumnContent:
    """The content profile of one column.

    Attributes
    ----------
    rows, present
        Cells, and cells not missing.
    n_distinct
        Distinct present values.
    codes
        ``(value, count)`` of every distinct value when ``n_distinct <= MAX_CODES``: numbers
        in numeric order, other values most frequent first (ties by value); else empty.
    numbers
        When every present cell is a number.
    dates
        When most present cells read as dates (or Excel serial day numbers).
    sequence
        The cells are 1, 2, 3, ... in order (a row-number column).
    unique
        Every present value occurs once.
    id_like
        Looks like patient ids: three rows or more, every row filled, every value once and
        with a digit, not row numbers.
    patterns
        Identifier-like content most cells match: ``phone``, ``national_id``, ``email``;
        ``long_text`` (mean length above 15 characters) and ``list_text`` (several items
        separated by commas or 、 in a fifth of the cells or more).
    """

    rows: int
    present: int
    n_distinct: int
    codes: tuple[tuple[str, int], ...]
    numbers: NumberSummary | None
    dates: DateReading | None
    sequence: bool
    unique: bool
    patterns: frozenset[str]
    id_like: bool = False

    @property
    def empty(self) -> bool:
        return self.present == 0

    @property
    def code_values(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.codes)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _numbers(values: Sequence[str]) -> NumberSummary | None:
    parsed = [_number(v) for v in values]
    if not parsed or any(p is None for p in parsed):
        return None
    nums = sorted(p for p in parsed if p is not None)
    n = len(nums)
    median = nums[n // 2] if n % 2 else (nums[n // 2 - 1] + nums[n // 2]) / 2
    return NumberSummary(nums[0], nums[-1], all(float(x).is_integer() for x in nums), median)


def _reading(values: Sequence[str], fmt: str | None, style: DateStyle,
             deciding: int = 0) -> DateReading:
    c = coerce_dates(list(values), date_format=fmt)
    ok = [t.date() for t in c.values if not (t is None or t != t)]
    failed = [i for i, code in enumerate(c.codes) if code == "invalid_date"]
    partial = sum(code == "partial_date" for code in c.codes)
    return DateReading(style, fmt, len(ok), partial, len(failed), tuple(failed[:20]),
                       min(ok) if ok else None, max(ok) if ok else None, deciding)


def _day_month(values: Sequence[str]) -> DateReading | None:
    """``dd/mm/yyyy`` versus ``mm/dd/yyyy``, decided by the cells, or ``None``."""
    matches = [m for m in map(_DM.match, values) if m]
    if len(matches) < max(1, len(values) // 2):
        return None
    sep = Counter(m[2] for m in matches).most_common(1)[0][0]
    day_first = sum(int(m[1]) > 12 for m in matches)
    month_first = sum(int(m[3]) > 12 for m in matches)
    if day_first and month_first:
        return _reading(values, None, "mixed")
    if day_first:
        return _reading(values, f"%d{sep}%m{sep}%Y", "day_first", day_first)
    if month_first:
        return _reading(values, f"%m{sep}%d{sep}%Y", "month_first", month_first)
    return _reading(values, None, "ambiguous")


def _serial(numbers: NumberSummary | None) -> bool:
    return (numbers is not None and numbers.integers
            and SERIAL_RANGE[0] <= numbers.minimum and numbers.maximum <= SERIAL_RANGE[1])


def serial_to_date(value: float) -> dt.date:
    """The calendar date of an Excel serial day number (1900 date system)."""
    return _EXCEL_EPOCH + dt.timedelta(days=int(value))


def _dates(values: Sequence[str], numbers: NumberSummary | None) -> DateReading | None:
    if _serial(numbers):
        assert numbers is not None
        return DateReading("serial", None, 0, 0, len(values), (), serial_to_date(numbers.minimum),
                           serial_to_date(numbers.maximum))
    if numbers is not None:
        return None
    dm = _day_month(values)
    if dm is not None:
        return dm
    plain = _reading(values, None, "native_or_iso")
    if (plain.parsed + plain.partial) * 2 < len(values):
        return None
    if all(_ISO.match(v) for v in values):
        return plain
    style: DateStyle = "chinese" if all(_CN_DATE.match(v) for v in values) else "year_first"
    return DateReading(style, None, plain.parsed, plain.partial, plain.failed,
                       plain.failed_positions, plain.first, plain.last)


def _patterns(values: Sequence[str]) -> frozenset[str]:
    n = len(values)
    found = set()
    for name, pattern in (("phone", _PHONE), ("national_id", _NATIONAL_ID), ("email", _EMAIL)):
        if n and sum(bool(pattern.match(v)) for v in values) * 5 >= n * 4:
            found.add(name)
    if n and sum(len(v) for v in values) / n > 15:
        found.add("long_text")
    if n and sum(bool(_LIST_SEPARATORS.search(v)) for v in values) * 5 >= n:
        found.add("list_text")
    return frozenset(found)


def _code_order(kv: tuple[str, int]) -> tuple[float, str]:
    return float(kv[0]), kv[0]


def profile_column(cells: Sequence[str | None]) -> ColumnContent:
    """The content profile of one column of text cells (``None`` = missing).

    Examples
    --------
    >>> c = profile_column(["25/03/2022", "03/04/2022", None])
    >>> c.dates.style, c.dates.format, c.dates.parsed
    ('day_first', '%d/%m/%Y', 2)
    >>> profile_column(["1", "2", "2", "1"]).codes
    (('1', 2), ('2', 2))
    """
    values = [v for v in cells if v is not None and v.strip() != ""]
    counts = Counter(values)
    numbers = _numbers(values)
    dates = _dates(values, numbers) if values else None
    codes = tuple(sorted(counts.items(), key=_code_order if numbers else
                         lambda kv: (-kv[1], kv[0])))
    sequence = bool(numbers and numbers.integers and len(values) > 2
                    and [int(float(v)) for v in values] == list(range(1, len(values) + 1)))
    unique = bool(values) and len(counts) == len(values)
    id_like = (unique and len(values) == len(cells) >= 3 and not sequence and dates is None
               and all(any(ch.isdigit() for ch in v) for v in values))
    return ColumnContent(
        rows=len(cells), present=len(values), n_distinct=len(counts),
        codes=codes if len(counts) <= MAX_CODES else (),
        numbers=numbers, dates=dates, sequence=sequence,
        unique=unique, id_like=id_like,
        patterns=_patterns(values) if numbers is None or len(values) == 0 else
        _patterns(values) & {"phone", "national_id"},
    )


def read_dates(cells: Sequence[str | None], fmt: str | None) -> DateReading:
    """The column read with the format a person chose (``day_first``/``month_first`` by the
    format's order, else ``native_or_iso``)."""
    values = [v for v in cells if v is not None and v.strip() != ""]
    style: DateStyle = "native_or_iso"
    if fmt and fmt.startswith("%d"):
        style = "day_first"
    elif fmt and fmt.startswith("%m"):
        style = "month_first"
    elif fmt and "年" in fmt:
        style = "chinese"
    return _reading(values, fmt, style)


def preview_dates(cells: Sequence[str | None], fmt: str | None, n: int = 4
                  ) -> list[tuple[str, str | None]]:
    """Up to ``n`` distinct cells and the date each reads as with ``fmt`` (``None``: not a
    date), for a person to check a date format by eye.

    >>> preview_dates(["03/05/2023", "03/05/2023", "x"], "%d/%m/%Y")
    [('03/05/2023', '2023-05-03'), ('x', None)]
    """
    seen = list(dict.fromkeys(v for v in cells if v is not None and v.strip() != ""))[:n]
    c = coerce_dates(seen, date_format=fmt)
    return [(v, None if code else t.date().isoformat())
            for v, t, code in zip(seen, c.values, c.codes, strict=True)]
