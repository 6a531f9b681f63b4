"""Type one source table: canonical columns coerced, cell problems located.

:func:`coerce_source` is the per-source step of :func:`~oncocohort.model.dataset.build_study_data`:
it parses every cell of a :class:`~oncocohort.sources.base.SourceTable` into the schema's
types, reports cells that fail (with the file, sheet, person-visible row and the user's own
column name), values outside the schema's range, empty required cells and partial dates
imputed, and returns a typed frame with the private provenance columns ``_src``/``_row``.
Messages never quote dates or numbers of a patient; they quote codes and the *shape* of an
unreadable date (``99/99/9999``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from oncocohort.canon.schema import FREE_NUMBER_LIMIT, Column, Table, table
from oncocohort.model.coerce import (
    DATE_RANGE,
    Coerced,
    coerce_column,
    coerce_numbers,
    coerce_text,
)
from oncocohort.model.options import ValidationOptions
from oncocohort.problems import Problem
from oncocohort.sources.base import SourceTable

__all__ = ["coerce_source", "empty_table", "cell_message"]

_DTYPES = {
    "str": object,
    "category": object,
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
}


def empty_table(t: Table) -> pd.DataFrame:
    """A zero-row frame with the schema's columns and dtypes."""
    return pd.DataFrame({c.name: pd.Series([], dtype=_DTYPES[c.type]) for c in t.columns})


def _all_missing(column: Column, n: int) -> pd.Series:
    dtype = _DTYPES[column.type]
    if dtype is object:  # (a None scalar would be filled in as NaN)
        return pd.Series(np.full(n, None, dtype=object))
    fill = {"date": pd.NaT, "float": np.nan}.get(column.type, pd.NA)
    return pd.Series(fill, index=pd.RangeIndex(n), dtype=dtype)


def cell_message(column: Column, code: str, detail: str | None, date_format: str | None,
                 shared: int | None = 1) -> str:
    """The message for a cell that failed to parse (no patient value is quoted).

    ``shared``, for an unreadable date: how many cells of the column have its layout, said
    with the first of them (``None``: a later one, whose message gives the layout only)."""
    name = f"`{column.name}`"
    if code == "invalid_date":
        if shared is None:
            return f"{name} is not a valid date (shaped like {detail!r})"
        expected = f"{date_format!r} or YYYY-MM-DD" if date_format else "YYYY-MM-DD"
        many = f"; {shared} cells of this column are shaped so" if shared > 1 else ""
        return (f"{name} is not a valid date (value shaped like {detail!r}; expected "
                f"{expected}; give the source a date_format for other layouts{many})")
    if code == "date_out_of_range":
        first, last = DATE_RANGE
        return (f"{name} is outside the plausible dates ({first.isoformat()} to "
                f"{last.isoformat()}); leave the cell empty when there is no date (e.g. "
                "ongoing) rather than writing a placeholder date")
    if code == "partial_date":
        return (f"{name} is a partial date (year-month or year only); set "
                "conventions.partial_dates to first, mid or last to impute such dates")
    if code == "not_a_number":
        return f"{name} is not a number"
    if code == "not_an_integer":
        return f"{name} must be a whole number"
    if code == "out_of_range":
        return _range_message(column)
    if code == "invalid_bool":
        return f"{name} must be yes/no (true/false, y/n, 1/0)"
    if code == "invalid_code":
        allowed = ", ".join(column.allowed or ())
        hint = f"; did you mean {detail!r}?" if detail else ""
        return f"{name} is not one of the allowed codes ({allowed}){hint}"
    return f"{name} is invalid"


def _range_message(column: Column) -> str:
    lo, hi = column.minimum, column.maximum
    unit = f" {column.unit}" if column.unit else ""
    if lo is not None and hi is not None:
        return f"`{column.name}` must be between {lo:,g} and {hi:,g}{unit}"
    if lo is not None:
        return f"`{column.name}` must be at least {lo:,g}{unit}"
    if hi is not None:
        return f"`{column.name}` must be at most {hi:,g}{unit}"
    return f"`{column.name}` is too large"


def _out_of_range(values: pd.Series, column: Column) -> np.ndarray:
    v = values.astype("float64")
    bad = np.zeros(len(v), dtype=bool)
    if column.minimum is not None:
        bad |= (v < column.minimum).to_numpy(na_value=False)
    if column.maximum is not None:
        bad |= (v > column.maximum).to_numpy(na_value=False)
    return bad


def _free_column(raw: pd.Series) -> pd.Series:
    """A free covariate: numbers when every non-missing value is a number (and there is
    one), else text."""
    num = coerce_numbers(raw)  # a cell it does not fail on is missing or a finite number
    if not num.failed.any() and num.values.notna().any():
        return num.values
    return coerce_text(raw).values


def _cell_findings(res: Coerced, col: Column, fmt: str | None):
    """(index, code, message) of each failed, out-of-range or empty required cell (codes
    outside the allowed ones are reported once per column: :func:`_code_findings`)."""
    failed = np.flatnonzero(res.failed)
    # a date layout the column is written in: what to do is said with its first cell (and
    # how many cells share it), not repeated on every patient's line
    shapes: dict[str | None, int] = {}
    for i in failed:
        if res.codes[i] == "invalid_date":
            shapes[res.details[i]] = shapes.get(res.details[i], 0) + 1
    for i in failed:
        i = int(i)
        code, detail = res.codes[i], res.details[i]
        if code == "invalid_code":
            continue
        # the count once, with the layout's first cell; None for the cells after it
        shared = shapes.pop(detail, None) if code == "invalid_date" else None
        yield i, code, cell_message(col, code, detail, fmt, shared)
    if col.type in ("int", "float"):
        for i in np.flatnonzero(_out_of_range(res.values, col)):
            yield int(i), "out_of_range", _range_message(col)
    if col.required:
        for i in np.flatnonzero(res.values.isna().to_numpy() & ~res.failed):
            yield int(i), "missing_value", f"`{col.name}` is required but empty"


_MAX_CODES = 12  # codes quoted in one message


def _code_findings(raw: pd.Series, res: Coerced, col: Column,
                   rows: np.ndarray) -> tuple[int, str] | None:
    """One ``invalid_code`` finding for a whole column: (first bad index, message) with every
    code found that is not allowed, how many rows hold it and where, and a ``values:`` block
    to map them; ``None`` when every code is allowed."""
    if not res.failed.any() or "invalid_code" not in res.codes:  # the usual case
        return None
    bad = np.fromiter((c == "invalid_code" for c in res.codes), dtype=bool,
                      count=len(res.codes))
    found = pd.Series(raw.to_numpy(dtype=object)[bad]).astype(str).str.strip()
    where = rows[bad]
    counts = found.value_counts(sort=False)
    parts = []
    guess = np.asarray(res.details, dtype=object)[bad]
    close = {c: d for c, d in zip(found, guess, strict=True) if d}
    for code, n in list(counts.items())[:_MAX_CODES]:
        at = ", ".join(str(r) for r in where[(found == code).to_numpy()][:3])
        hint = f"; did you mean {close[code]!r}?" if code in close else ""
        parts.append(f"'{code[:30]}' ({n} row{'s' if n > 1 else ''}: {at}"
                     f"{', ...' if n > 3 else ''}{hint})")
    more = f" and {len(counts) - _MAX_CODES} more" if len(counts) > _MAX_CODES else ""
    allowed = ", ".join(col.allowed or ())
    choice = "<" + " or ".join(col.allowed or ()) + ">"
    suggestion = ", ".join(f"{_yaml_key(c)}: {close.get(c, choice)}"
                           for c in list(counts.index)[:_MAX_CODES])
    message = (f"`{col.name}` holds codes that are not among the allowed ones ({allowed}): "
               f"{'; '.join(parts)}{more}. Map them in this source's values, e.g. "
               f"values: {{{col.name}: {{{suggestion}}}}}")
    return int(np.flatnonzero(bad)[0]), message


def _yaml_key(code: str) -> str:
    """A code as a double-quoted YAML key."""
    return '"' + code.replace("\\", "\\\\").replace('"', '\\"') + '"'


def coerce_source(
    source: SourceTable, src_index: int, options: ValidationOptions
) -> tuple[pd.DataFrame, list[Problem]]:
    """Type every canonical column of ``source`` and report its cell-level problems.

    Returns the typed frame (every schema column present, free covariates of the patients
    table kept, unknown columns of other tables dropped with a warning, plus ``_src`` and
    ``_row``) and the problems: ``invalid_date``, ``partial_date``, ``not_a_number``,
    ``not_an_integer``, ``invalid_bool``, ``invalid_code``, ``out_of_range``,
    ``missing_value`` (an empty required cell), ``partial_date_imputed`` (one warning per
    column, with the count and rows) and ``unknown_column`` (warning).
    """
    t = table(source.name)
    fmt = options.date_format_for(source.name, source.origin)
    rows = np.asarray(source.rows, dtype=np.int64)
    subject_ids = (coerce_text(source.frame["subject_id"].reset_index(drop=True))
                   if "subject_id" in source.frame.columns else None)
    subjects = (subject_ids.values if subject_ids is not None
                else pd.Series([None] * len(rows)))
    problems: list[Problem] = []

    def cell(i: int, column: str, code: str, message: str) -> Problem:
        return Problem(severity="error", message=message, file=source.file,
                       sheet=source.sheet, row=int(rows[i]), column=source.user_column(column),
                       subject=subjects.iloc[i], code=code)

    out: dict[str, pd.Series] = {}
    for name in source.frame.columns:
        raw = source.frame[name].reset_index(drop=True)
        if name in t.names:
            col = t.column(name)
            res = (subject_ids if name == "subject_id" and col.type == "str" else
                   coerce_column(raw, col, partial_dates=options.partial_dates,
                                 date_format=fmt))  # the subjects' ids: coerced once
            problems += [cell(i, name, code, message)
                         for i, code, message in _cell_findings(res, col, fmt)]
            codes = _code_findings(raw, res, col, rows)
            if codes is not None:  # one problem per column; its subject if only one row
                one = sum(c == "invalid_code" for c in res.codes) == 1
                p = cell(codes[0], name, "invalid_code", codes[1])
                problems.append(p if one else replace(p, subject=None))
            n_imp = res.imputed.count(True)  # (C speed: a tuple of bools)
            if n_imp:
                where = ", ".join(str(r) for r in rows[np.asarray(res.imputed)][:20])
                problems.append(Problem(
                    severity="warning", file=source.file, sheet=source.sheet,
                    column=source.user_column(name), code="partial_date_imputed",
                    message=(f"{n_imp} partial date{'s' if n_imp > 1 else ''} in `{name}` "
                             f"imputed by the rule {options.partial_dates!r} (rows {where})")))
            out[name] = res.values
        elif t.free_columns and name in options.date_columns:
            col = Column(name, "date", "A date an endpoint names (patients.<column>).")
            res = coerce_column(raw, col, partial_dates=options.partial_dates, date_format=fmt)
            problems += [cell(i, name, code, message)
                         for i, code, message in _cell_findings(res, col, fmt)]
            out[name] = res.values
        elif t.free_columns:
            values = _free_column(source.frame[name]).reset_index(drop=True)
            if values.dtype == "float64":
                for i in np.flatnonzero((values.abs() > FREE_NUMBER_LIMIT).to_numpy()):
                    problems.append(cell(int(i), name, "out_of_range",
                                         f"`{name}` must be between -1e15 and 1e15"))
            out[name] = values
        else:
            problems.append(Problem(
                severity="warning", file=source.file, sheet=source.sheet,
                column=source.user_column(name), code="unknown_column",
                message=(f"column is not part of the `{t.name}` table and is ignored "
                         f"(known columns: {', '.join(t.names)})")))
    n = len(rows)
    typed = pd.DataFrame({
        c.name: out[c.name] if c.name in out else _all_missing(c, n) for c in t.columns
    }, index=pd.RangeIndex(n))
    for name, values in out.items():
        if name not in t.names:
            typed[name] = values
    typed["_src"] = src_index
    typed["_row"] = rows
    return typed, problems
