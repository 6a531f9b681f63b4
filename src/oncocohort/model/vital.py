"""Vital status: who is dead, since when, and who was last seen alive when.

Hospital extracts record death in three ways: a date of death (``death_date``), a status
column (``vital_status``, coded ``alive``/``dead`` after the spec's ``values:`` map, e.g.
``{1: alive, 2: dead}``, ``{0: alive, 1: dead}``, ``{生存: alive, 死亡: dead}``) next to one
last-contact date, or an end-of-treatment reason ``death``. :func:`resolve_vital_status` turns
them into the two dates every survival endpoint reads, ``death_date`` and
``last_alive_date``, and reports what it cannot resolve, one problem per patient row.

Rules, in order
---------------
1. ``vital_status == "dead"`` and no ``death_date``: the death date is the last-contact date
   (``last_alive_date``: for a patient recorded as dead, the last contact is the death). No
   last-contact date either: ``death_date_unknown`` (error).
2. ``vital_status == "alive"`` with a ``death_date``: ``vital_status_conflict`` (error).
3. No ``last_alive_date`` and a ``death_date``: the patient was alive up to the death, so
   ``last_alive_date`` is the death date (a dead patient needs no separate last-alive date).
   Neither date: ``missing_value`` on ``last_alive_date`` (error).
4. ``eot_reason == "death"`` and still no death date: ``death_not_dated`` (error): the data
   say the patient died but no endpoint could count the death.
5. No patient has a death date, ``vital_status`` is not mapped, and a free column the spec
   names (a baseline variable, say) reads like a vital status (``status``, ``dead``,
   ``event``, ``生存状态``...: :func:`oncocohort.canon.codes.looks_like_vital_status`):
   ``unmapped_vital_status`` (warning, once): its deaths are invisible to every endpoint. A
   column the spec does not name never gets here; reading the source gives the same warning
   for it (:mod:`oncocohort.sources.mapping`).

The rules run on the merged, typed patients table, before the date checks, so a death date
taken from the last contact is checked against the index date and the cut-off like any other.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from oncocohort.canon.codes import looks_like_vital_status
from oncocohort.canon.schema import table
from oncocohort.model._locate import Locator, records
from oncocohort.problems import Problem

__all__ = ["resolve_vital_status"]

def resolve_vital_status(patients: pd.DataFrame, locator: Locator,
                         found: Sequence[Problem] = ()) -> tuple[pd.DataFrame, list[Problem]]:
    """Fill ``death_date`` and ``last_alive_date`` from the vital status (module rules 1-5).

    Parameters
    ----------
    patients
        The merged, typed patients table, with its provenance columns ``_src``/``_row``.
    locator
        Turns a row into the file, sheet and row a person sees.
    found
        The problems found so far: a row with an error in one of the dates or the status (an
        unreadable date is empty here) gets no second problem from these rules.

    Returns
    -------
    patients, problems
        A copy with the dates filled, and one problem per row that cannot be resolved.

    Examples
    --------
    >>> import numpy as np
    >>> from oncocohort.sources.base import SourceTable
    >>> p = pd.DataFrame({"subject_id": ["1", "2"], "vital_status": ["dead", "alive"],
    ...                   "death_date": pd.to_datetime([None, None]),
    ...                   "last_alive_date": pd.to_datetime(["2024-03-01", "2024-06-30"]),
    ...                   "_src": [0, 0], "_row": [2, 3]})
    >>> src = SourceTable("patients", p, "p.csv", rows=np.array([2, 3]))
    >>> out, problems = resolve_vital_status(p, Locator((src,)))
    >>> [str(d.date()) if not pd.isna(d) else None for d in out["death_date"]], problems
    (['2024-03-01', None], [])
    """
    p = patients.copy()
    n = len(p)
    none = pd.Series(pd.NaT, index=p.index, dtype="datetime64[ns]")
    death = p["death_date"] if "death_date" in p else none
    alive = p["last_alive_date"] if "last_alive_date" in p else none
    status = (p["vital_status"] if "vital_status" in p
              else pd.Series(None, index=p.index, dtype=object))
    dead = status.eq("dead").to_numpy(dtype=bool)
    unknown = dead & death.isna().to_numpy() & alive.isna().to_numpy()
    conflict = status.eq("alive").to_numpy(dtype=bool) & death.notna().to_numpy()
    death = death.mask(pd.Series(dead, index=p.index) & death.isna(), alive)
    neither = (death.isna() & alive.isna()).to_numpy() & ~unknown
    alive = alive.fillna(death)
    p["death_date"] = death.astype("datetime64[ns]")
    p["last_alive_date"] = alive.astype("datetime64[ns]")
    reason = (p["eot_reason"] if "eot_reason" in p
              else pd.Series(None, index=p.index, dtype=object))
    undated = reason.eq("death").to_numpy(dtype=bool) & death.isna().to_numpy()
    findings = (
        (unknown, "vital_status", "death_date_unknown",
         "`vital_status` is dead but there is neither a `death_date` nor a last-contact date "
         "(`last_alive_date`) to date the death"),
        (conflict, "vital_status", "vital_status_conflict",
         "`vital_status` is alive but a `death_date` is given"),
        (neither, "last_alive_date", "missing_value",
         "`last_alive_date` is required but empty (the last contact date; for a dead patient "
         "the `death_date` is enough)"),
        (undated, "eot_reason", "death_not_dated",
         "`eot_reason` is death but the patient has no death date: no endpoint can count "
         "this death; give `death_date`, or `vital_status` (dead) with the last contact as "
         "`last_alive_date`"),
    )
    cascade = _rows_with_errors(p, locator, found)
    problems: list[Problem] = []
    for mask, column, code, message in findings:
        for rec in records(p.iloc[np.flatnonzero(mask[:n] & ~cascade)]):
            problems.append(locator.at(rec, column, code, message))
    problems += _unmapped_status(p, locator)
    return p, problems


_COLUMNS = ("death_date", "last_alive_date", "vital_status", "eot_reason")


def _rows_with_errors(p: pd.DataFrame, locator: Locator, found: Sequence[Problem]) -> np.ndarray:
    """Rows already reported with an error in one of the columns the rules read."""
    bad = {(q.file, q.sheet, q.row, q.column) for q in found if q.severity == "error"}
    if not bad or not len(p):
        return np.zeros(len(p), dtype=bool)
    out = np.zeros(len(p), dtype=bool)
    for i, (src, row) in enumerate(zip(p["_src"], p["_row"], strict=True)):
        s = locator.sources[int(src)]
        out[i] = any((s.file, s.sheet, int(row), s.user_column(c)) in bad for c in _COLUMNS)
    return out


def _unmapped_status(p: pd.DataFrame, locator: Locator) -> list[Problem]:
    """Rule 5: a free column that reads like a vital status, and no death anywhere."""
    if not len(p) or p["death_date"].notna().any() or (
            "vital_status" in p and p["vital_status"].notna().any()):
        return []
    known = set(table("patients").names) | {"_src", "_row"}
    out = []
    for name in p.columns:
        if name in known or not looks_like_vital_status(name) or not p[name].notna().any():
            continue
        first = records(p.iloc[[int(np.flatnonzero(p[name].notna().to_numpy())[0])]])[0]
        s = locator.source(first)
        out.append(Locator.in_source(
            s, name, "unmapped_vital_status",
            f"no patient has a death date, and column '{s.user_column(name)}' looks like a "
            "vital status that is not mapped: deaths it records are not seen by any "
            f"endpoint. Map it: columns: {{vital_status: '{s.user_column(name)}'}} and "
            "values: {vital_status: {<code>: dead, <code>: alive}}", severity="warning"))
    return out
