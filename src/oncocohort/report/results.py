"""The results files as text: the ARD (CSV and JSON), any frame as stable CSV, the validation
problems. Pure: the writer (:mod:`oncocohort.write`) puts the text in files."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from oncocohort.problems import Problems

__all__ = ["neutralise_cell", "render_frame_csv", "render_ard_json", "render_problems"]

#: What a spreadsheet reads as the start of a formula (OWASP, "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def neutralise_cell(text: str) -> str:
    """A text cell made safe to open in a spreadsheet: text beginning (after any blanks) with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return that is not a plain number gets a
    leading ``'`` (OWASP's advice against CSV/formula injection), so ``=HYPERLINK(...)`` is
    shown as written instead of run. Numbers (``-1.5``, ``+3``, ``-2e-05``) are left as they are.

    >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("@SUM(1+1)"), neutralise_cell("-1.5")
    ("'=HYPERLINK(1)", "'@SUM(1+1)", '-1.5')
    """
    head = text.lstrip(" ")  # indented labels too: some spreadsheets strip the blanks
    if head.startswith(_FORMULA_START) and not _NUMBER.match(head):
        return "'" + text
    return text


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells and column names neutralized; infinite numbers written as missing."""
    out = frame.copy(deep=False)
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in frame.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if pd.api.types.is_float_dtype(col.dtype):
            if np.isinf(col.to_numpy(dtype="float64", na_value=np.nan)).any():
                out.isetitem(i, col.where(~col.isin([np.inf, -np.inf])))
        elif not (pd.api.types.is_numeric_dtype(col.dtype) or
                  pd.api.types.is_datetime64_any_dtype(col.dtype)) and _needs_neutralising(col):
            out.isetitem(i, col.map(lambda v: neutralise_cell(v) if isinstance(v, str) else v,
                                    na_action="ignore"))
    return out


def _needs_neutralising(col: pd.Series) -> bool:
    """Whether a cell of ``col`` would change (each distinct value checked once: a dataset's
    text columns repeat their codes, and almost never hold a formula)."""
    return any(isinstance(v, str) and v.lstrip(" ").startswith(_FORMULA_START)
               and neutralise_cell(v) != v for v in col.dropna().unique())


def render_frame_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text with stable formatting (ISO dates, no index, ``\\n`` lines).

    Every text cell (and column name) goes through :func:`neutralise_cell`; infinite
    numbers are written as empty cells, like missing ones (``docs/report.md``).

    The text is what ``DataFrame.to_csv(index=False, date_format="%Y-%m-%d",
    lineterminator="\\n")`` writes, byte for byte, built a column at a time (each column's
    cells formatted in one numpy operation, or once per distinct value for text) and joined
    once: pandas formats dates one ``strftime`` at a time and hands every cell to the csv
    module (10 s of CPU for the 100,000-patient datasets, 14 million cells). A frame this does
    not cover (a column of another type, one column, no rows) goes through pandas.
    """
    cells = _column_cells(frame)
    if cells is None:
        return _neutralised(frame).to_csv(index=False, date_format="%Y-%m-%d",
                                          lineterminator="\n")
    header = _csv_row([neutralise_cell(c) for c in frame.columns])
    return header + "\n".join(map(",".join, zip(*cells))) + "\n"


#: Characters that may make the csv module quote a cell (it decides, for those cells only).
_SPECIAL = re.compile(r'[,"\n\r\x00]')


def _csv_row(cells: list[str]) -> str:
    """One row as the csv module writes it (QUOTE_MINIMAL, ``\\n`` line ending)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def _csv_cells(texts: np.ndarray) -> np.ndarray:
    """Distinct cell texts quoted as the csv module quotes them (most need nothing)."""
    special = [i for i, t in enumerate(texts) if _SPECIAL.search(t)]
    if special:
        texts = texts.copy()
        for i in special:
            texts[i] = _csv_row([texts[i], ""])[:-2]  # the cell, without ",\n"
    return texts


def _column_cells(frame: pd.DataFrame) -> list[list[str]] | None:
    """Each column's cells as CSV text, or ``None`` when a column is of a type not covered."""
    if (frame.shape[1] < 2 or len(frame) == 0 or isinstance(frame.columns, pd.MultiIndex)
            or not all(isinstance(c, str) for c in frame.columns)):
        return None
    cells = []
    for i in range(frame.shape[1]):
        column = _cells(frame.iloc[:, i])
        if column is None:
            return None
        cells.append(column.tolist())
    return cells


def _cells(col: pd.Series) -> np.ndarray | None:
    """One column's cells as pandas' CSV writer formats them (missing as empty), each distinct
    value formatted once (a dataset's columns repeat their values)."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype):
        values = np.ascontiguousarray(col.to_numpy())
        if dtype.kind == "f":  # numpy's str of each number (as pandas); infinite ones empty
            return _distinct_cells(values.view(f"i{dtype.itemsize}"), ~np.isfinite(values),
                                   lambda bits: bits.view(dtype).astype(str))
        if dtype.kind in "iu":
            return _distinct_cells(values, None, lambda numbers: numbers.astype(str))
        if dtype.kind == "b":
            return _BOOL_CELLS[values.view(np.uint8)]
        if dtype.kind == "M":
            return _date_cells(values)
        if dtype == object:
            return _text_cells(values)
        return None
    if isinstance(dtype, (pd.Int64Dtype, pd.BooleanDtype)):
        missing = col.isna().to_numpy()
        if isinstance(dtype, pd.BooleanDtype):
            return np.where(missing, "", _BOOL_CELLS[
                col.to_numpy(dtype=bool, na_value=False).view(np.uint8)]).astype(object)
        return _distinct_cells(col.to_numpy(dtype="int64", na_value=0), missing,
                               lambda numbers: numbers.astype(str))
    return None


_BOOL_CELLS = np.array(["False", "True"], dtype=object)


def _distinct_cells(keys: np.ndarray, missing: np.ndarray | None,
                    texts_of: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Cells formatted once per distinct key (``texts_of`` maps distinct keys to their
    texts); missing cells empty. Floats are keyed by their bits: ``-0.0`` is not ``0.0``."""
    codes, distinct = pd.factorize(keys)
    if missing is not None and missing.any():
        codes[missing] = -1
    return np.append(texts_of(np.asarray(distinct)).astype(object), "")[codes]


def _date_cells(values: np.ndarray) -> np.ndarray | None:
    """ISO dates (``%Y-%m-%d`` of each timestamp), four-digit years only."""
    missing = np.isnat(values)
    days = values[~missing].astype("datetime64[D]")
    if len(days) and (days.min() < np.datetime64("1000-01-01")
                      or days.max() > np.datetime64("9999-12-31")):
        return None  # pandas' strftime writes such years otherwise
    return _distinct_cells(values.view("i8"), missing, lambda stamps: np.datetime_as_string(
        stamps.view(values.dtype).astype("datetime64[D]")))


def _text_cells(values: np.ndarray) -> np.ndarray:
    """An object column's cells: text neutralised, other values as ``str`` (as the csv module
    writes them), missing ones empty; text formatted and quoted once per distinct value."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        codes, distinct = pd.factorize(values)  # missing cells (None, NaN, NaT, NA): -1
        texts = np.array([neutralise_cell(v) for v in distinct], dtype=object)
    else:  # mixed values: each one formatted, then quoted once per distinct text
        missing = pd.isna(values)
        values = np.array([neutralise_cell(v) if isinstance(v, str) else str(v)
                           for v in values.tolist()], dtype=object)
        values[missing] = None
        codes, texts = pd.factorize(values)
    return np.append(_csv_cells(np.asarray(texts, dtype=object)), "")[codes]


def render_ard_json(ard: pd.DataFrame) -> str:
    """The ARD as a JSON list of records (NaN and infinities as null), stable formatting."""
    records = []
    for rec in ard.to_dict(orient="records"):
        records.append({k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                        for k, v in rec.items()})
    return json.dumps(records, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def render_problems(problems: Problems) -> str:
    """The validation report as plain text: one line per problem, errors first."""
    lines = [f"error: {p}" for p in problems.errors] + [f"warning: {p}" for p in problems.warnings]
    return "\n".join(lines) + ("\n" if lines else "")
