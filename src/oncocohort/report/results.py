"""The results files as text: the ARD (CSV and JSON), any frame as stable CSV, the validation
problems. Pure: the writer (:mod:`oncocohort.write`) puts the text in files."""

from __future__ import annotations

import json
import math
import re

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
    """
    return _neutralised(frame).to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")


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
