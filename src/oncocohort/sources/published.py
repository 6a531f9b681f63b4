"""Read a published arm: the points digitised from its Kaplan-Meier figure and its numbers at
risk (the spec's ``comparisons.external`` files).

``read_published_arm`` returns the two tables as numbers, or every problem found in them with
the file, the row a person sees (header = row 1) and the column: a file that cannot be read, a
missing column, a value that is not a number, a time below 0, a survival outside 0-1 (or
0-100, read as percent when a value exceeds 1.05), numbers at risk that are not whole, not
starting at time 0, or increasing. Nothing else is checked here; the reconstruction works on
what is read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from oncocohort.problems import InputError, Problem
from oncocohort.sources.readers import read_table

__all__ = ["read_published_arm"]

#: survival read a little above 1 (the top of the figure) is reading noise; beyond, percent
_FRACTION_MAX = 1.05


def _numbers(frame: pd.DataFrame, rows: np.ndarray, column: str, file: str,
             problems: list[Problem]) -> np.ndarray:
    if column not in frame.columns:
        problems.append(Problem("error", f"column {column!r} is missing (columns: "
                                f"{', '.join(map(str, frame.columns))})", file=file,
                                column=column, code="missing_column"))
        return np.array([])
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
    for i in np.flatnonzero(~np.isfinite(values)):
        problems.append(Problem("error", "not a number" if frame[column].iloc[i] is not None
                                else "missing value", file=file, row=int(rows[i]),
                                column=column, code="not_a_number"))
    return values


def _read(path: Path, file: str, problems: list[Problem]):
    try:
        return read_table(path, label=file)
    except InputError as exc:
        problems += exc.problems
        return None, None


def read_published_arm(curve_path: Path, at_risk_path: Path, *, curve_file: str,
                       at_risk_file: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The digitised curve (``time``, ``survival`` as a fraction) and the numbers at risk
    (``time``, ``n_at_risk``), in the files' order.

    ``curve_file`` and ``at_risk_file`` name the files in messages (as the spec writes them).
    Raises :class:`~oncocohort.problems.InputError` with every problem of both files.
    """
    problems: list[Problem] = []
    curve, c_rows = _read(Path(curve_path), curve_file, problems)
    risk, r_rows = _read(Path(at_risk_path), at_risk_file, problems)
    out_curve = out_risk = None
    if curve is not None:
        t = _numbers(curve, c_rows, "time", curve_file, problems)
        s = _numbers(curve, c_rows, "survival", curve_file, problems)
        if t.size and s.size:
            for i in np.flatnonzero(t < 0):
                problems.append(Problem("error", "time below 0", file=curve_file,
                                        row=int(c_rows[i]), column="time", code="out_of_range"))
            finite = s[np.isfinite(s)]
            percent = finite.size > 0 and finite.max() > _FRACTION_MAX
            top, scale = (100.5, "100 (percent)") if percent else (_FRACTION_MAX, "1")
            for i in np.flatnonzero((s < 0) | (s > top)):
                problems.append(Problem("error", f"survival must lie between 0 and {scale}",
                                        file=curve_file, row=int(c_rows[i]),
                                        column="survival", code="out_of_range"))
            if not len(t):
                problems.append(Problem("error", "no points", file=curve_file, code="empty"))
            out_curve = pd.DataFrame({"time": t, "survival": s / 100.0 if percent else s})
    if risk is not None:
        t = _numbers(risk, r_rows, "time", at_risk_file, problems)
        n = _numbers(risk, r_rows, "n_at_risk", at_risk_file, problems)
        if t.size and n.size and np.isfinite(t).all() and np.isfinite(n).all():
            if t[0] != 0:
                problems.append(Problem("error", "the first time must be 0 (the number of "
                                        "patients at the start)", file=at_risk_file,
                                        row=int(r_rows[0]), column="time", code="out_of_range"))
            for i in np.flatnonzero(np.diff(t) <= 0) + 1:
                problems.append(Problem("error", "times must increase down the table",
                                        file=at_risk_file, row=int(r_rows[i]), column="time",
                                        code="out_of_order"))
            for i in np.flatnonzero((n != np.round(n)) | (n < 0)):
                problems.append(Problem("error", "not a whole number >= 0", file=at_risk_file,
                                        row=int(r_rows[i]), column="n_at_risk",
                                        code="out_of_range"))
            for i in np.flatnonzero(np.diff(n) > 0) + 1:
                problems.append(Problem("error", "more at risk than at the time before",
                                        file=at_risk_file, row=int(r_rows[i]),
                                        column="n_at_risk", code="out_of_order"))
            out_risk = pd.DataFrame({"time": t, "n_at_risk": n.astype(np.int64)})
        elif t.size == 0 and n.size == 0 and "time" in risk and "n_at_risk" in risk:
            problems.append(Problem("error", "no rows", file=at_risk_file, code="empty"))
    if problems:
        raise InputError(problems)
    return out_curve, out_risk
