"""Unpivot a hospital's one-row-per-patient sheet into canonical tables (``origin="wide"``).

Hospitals often keep one sheet with a row per patient: baseline, dates, the recorded best
response and progression date, and one column per adverse event holding its worst grade. The
spec's ``sources.wide`` block names those columns; this module turns the sheet into:

* a ``patients`` :class:`~oncocohort.sources.base.SourceTable`: the mapped columns (including
  ``best_response`` and ``progression_date``, which are patients columns in
  :mod:`oncocohort.canon.schema`) plus the free covariates the spec names (other columns,
  and the AE-grade columns, are left out: :func:`oncocohort.sources.mapping.map_table`);
* one ``adverse_events`` table per term of ``ae_grades``: a row per patient whose grade cell
  is not empty and not 0, with ``ae_term`` the term as written in the spec, ``grade`` the cell
  as read, and ``related`` from ``ae_related`` (``None`` when not given). Its ``rows`` are the
  wide sheet's rows and its ``columns`` point ``grade`` (and ``ae_term``) at the grade column,
  so a bad grade is reported at its cell. One table per term keeps that provenance exact.

When long tables are given too, both are returned; ``model/`` checks that they agree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.canon.distinct import column_cells
from oncocohort.canon.schema import TABLES
from oncocohort.problems import Problem, did_you_mean
from oncocohort.sources.base import SourceTable
from oncocohort.sources.mapping import map_table, recode_column

__all__ = ["unpivot_wide", "is_no_event"]


def is_no_event(grade: Any) -> bool:
    """A wide grade cell that records no event: missing, or a number equal to 0."""
    if grade is None:
        return True
    try:
        return float(str(grade).strip()) == 0.0
    except ValueError:
        return False


def _ae_table(term: str, column: str, ids: pd.Series, grades: pd.Series, rows: np.ndarray,
              related: bool | None, grade_codes: Mapping[str, Any], file: str,
              sheet: str | None, id_column: str) -> SourceTable:
    keep = np.array([not is_no_event(g) for g in grades], dtype=bool)
    n = int(keep.sum())
    grade = recode_column(grades[keep].reset_index(drop=True), grade_codes,
                          TABLES["adverse_events"].column("grade"))
    frame = pd.DataFrame({
        "subject_id": pd.Series(list(ids[keep]), dtype=object),
        "ae_term": pd.Series([term] * n, dtype=object),
        "grade": grade,
        "related": pd.Series([related] * n, dtype=object),
    })
    return SourceTable(name="adverse_events", frame=frame, file=file, sheet=sheet,
                       rows=np.asarray(rows, dtype=np.int64)[keep],
                       columns={"subject_id": id_column, "ae_term": column, "grade": column},
                       origin="wide")


def unpivot_wide(frame: pd.DataFrame, rows: np.ndarray, *,
                 columns: Mapping[str, str] | None = None,
                 values: Mapping[str, Mapping[str, Any]] | None = None,
                 ae_grades: Mapping[str, str] | None = None,
                 ae_related: bool | None = None,
                 named: Collection[str] = (),
                 file: str, sheet: str | None = None,
                 ) -> tuple[dict[str, list[SourceTable]], list[Problem]]:
    """Split a one-row-per-patient sheet into canonical tables.

    Parameters
    ----------
    frame, rows
        The wide sheet as read by :func:`oncocohort.sources.readers.read_table`.
    columns, values, named
        As for :func:`oncocohort.sources.mapping.map_table` on ``patients``.
    ae_grades
        AE term -> the column holding its worst grade (empty or 0: no event).
    ae_related
        Whether the wide AEs are treatment-related (``None``: not recorded).
    file, sheet
        Provenance for messages.

    Returns
    -------
    tables, problems
        ``{"patients": [...], "adverse_events": [one table per term]}`` (keys only for
        tables produced) and every problem found.
    """
    columns = dict(columns or {})
    ae_grades = dict(ae_grades or {})
    present = [str(c) for c in frame.columns]
    problems: list[Problem] = []
    grade_columns = []
    for term, column in ae_grades.items():
        if column in present:
            grade_columns.append((term, column))
        else:
            problems.append(Problem(
                "error", f"column '{column}' (AE grade of '{term}') is not in the file"
                f"{did_you_mean(column, present)}", file=file, sheet=sheet, row=1,
                column=column, code="column_not_found"))
    patients_frame = frame.drop(columns=[c for _, c in grade_columns])
    patients, more = map_table("patients", patients_frame, rows, columns=columns,
                               values=values, named=named, file=file, sheet=sheet,
                               origin="wide")
    problems += more
    out: dict[str, list[SourceTable]] = {}
    if patients is not None:
        out["patients"] = [patients]
    id_column = columns.get("subject_id", "subject_id")
    if id_column in present and grade_columns:
        grade_codes = {str(k): v for k, v in (values or {}).get("grade", {}).items()}
        out["adverse_events"] = [
            _ae_table(term, column, pd.Series(column_cells(frame[id_column])),
                      pd.Series(column_cells(frame[column])), rows, ae_related, grade_codes,
                      file, sheet, id_column)
            for term, column in grade_columns
        ]
    return out, problems
