"""Truncation at the data cut-off: the data as they stood on the cut-off date.

With ``study.records_after_cutoff: truncate`` a study can be analysed at a cut-off earlier
than the data (an interim analysis, the cut-off of the paper being reproduced) without
editing the data. :func:`truncate_at_cutoff` runs on the merged, typed tables after the vital
status is resolved and before the date checks, so those find nothing after the cut-off. The
cut-off of a patient is the patients column ``data_cutoff`` when given, else the study's.

Rules (a date *after* the cut-off is strictly later than it; the cut-off day itself counts)
-----------------------------------------------------------------------------------------
1. A patient whose ``index_date`` is after the cut-off had not started the studied regimen:
   the patient and every record of the patient are left out of the study.
2. ``death_date`` after the cut-off: the death is not known at the cut-off; the patient was
   alive then, so ``death_date`` is cleared, ``vital_status`` becomes ``alive`` and
   ``last_alive_date`` the cut-off (the patient is censored at the cut-off).
3. ``last_alive_date`` after the cut-off becomes the cut-off (follow-up ends there).
4. ``eot_date`` after the cut-off: the patient was on treatment at the cut-off (``eot_date``
   and ``eot_reason`` cleared). ``progression_date`` and any other date column of the
   patients table an endpoint names (``date_columns``) after the cut-off are cleared: events
   after the cut-off are ignored.
5. Records that start after the cut-off are left out: therapy administrations and lines of
   therapy (``start_date``), tumour assessments (``visit_date``, ``assessment_date``) and
   adverse events (``onset_date``). An ``end_date`` after the cut-off of a record kept is set
   to the cut-off for therapy (treatment up to the cut-off) and cleared for an adverse event
   (ongoing at the cut-off).

Every rule that changes something gives one warning ``truncated_at_cutoff`` per table and
column: how many values or records, where (file, sheet, the first rows), and what was done;
``validate`` and ``run`` list them and the run writes them to ``validation.txt``.

With ``records_after_cutoff: error`` (the default) the same dates are errors (``after_cutoff``,
``death_after_cutoff``: :mod:`oncocohort.model.validate`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from oncocohort.model._locate import Locator, records
from oncocohort.problems import Problem

__all__ = ["truncate_at_cutoff"]

#: Per records table: the date that starts a record (after the cut-off: the record is left
#: out), and what happens to an ``end_date`` after the cut-off (``"cutoff"`` or ``"clear"``).
_RECORD_START = {"therapy": ("start_date", "cutoff"), "therapy_lines": ("start_date", "cutoff"),
                 "lesions": ("visit_date", None), "responses": ("assessment_date", None),
                 "adverse_events": ("onset_date", "clear")}
_FIRST_ROWS = 10


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column]).astype("datetime64[ns]")


def _warning(frame: pd.DataFrame, mask: pd.Series, locator: Locator, column: str | None,
             what: str) -> Problem:
    """One warning for the rows of ``frame`` under ``mask``: count, first rows, action."""
    rows = list(records(frame.loc[mask].head(_FIRST_ROWS)))
    first = locator.at(rows[0], column, "truncated_at_cutoff", "", severity="warning")
    same = [r for r in rows if int(r["_src"]) == int(rows[0]["_src"])]
    shown = ", ".join(str(int(r["_row"])) for r in same)
    n = int(mask.sum())
    more = ", ..." if n > len(same) else ""
    return Problem(severity="warning", code="truncated_at_cutoff", file=first.file,
                   sheet=first.sheet, column=first.column,
                   message=f"{what.format(n=n, s='' if n == 1 else 's')} "
                           f"(row{'' if n == 1 else 's'} {shown}{more}; "
                           "records_after_cutoff: truncate)")


def _patient_cutoffs(patients: pd.DataFrame, data_cutoff) -> pd.Series:
    own = _dates(patients, "data_cutoff")
    study = pd.NaT if data_cutoff is None else pd.Timestamp(data_cutoff)
    return own.fillna(study)


def truncate_at_cutoff(
    tables: Mapping[str, pd.DataFrame],
    locator: Locator,
    data_cutoff,
    date_columns: Sequence[str] = (),
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """The merged tables as they stood at the cut-off (module rules 1-5), and the warnings.

    Parameters
    ----------
    tables
        Merged, typed canonical tables with their private ``_src``/``_row`` columns,
        ``patients`` among them (vital status resolved).
    locator
        Provenance of the rows, for the warnings.
    data_cutoff
        The study's cut-off (a ``data_cutoff`` column of the patients overrides it).
    date_columns
        Further date columns of the patients table that endpoints name.

    Returns
    -------
    tables, problems
        New frames (the inputs are not changed) and one warning per rule, table and column
        that changed something.

    Examples
    --------
    >>> import numpy as np
    >>> from oncocohort.sources.base import SourceTable
    >>> p = pd.DataFrame({"subject_id": ["1", "2"],
    ...     "index_date": pd.to_datetime(["2024-01-01", "2024-08-01"]),
    ...     "death_date": pd.to_datetime(["2024-09-01", None]),
    ...     "last_alive_date": pd.to_datetime(["2024-09-01", "2024-09-01"]),
    ...     "_src": [0, 0], "_row": [2, 3]})
    >>> loc = Locator((SourceTable("patients", p, "p.csv", rows=np.array([2, 3])),))
    >>> out, problems = truncate_at_cutoff({"patients": p}, loc, "2024-06-30")
    >>> kept = out["patients"][["subject_id", "death_date", "last_alive_date"]]
    >>> kept.astype(str).values.tolist()
    [['1', 'NaT', '2024-06-30']]
    >>> for problem in problems:
    ...     print(problem.message.split(":")[0])
    1 patient with an index date after the data cut-off
    1 death after the data cut-off
    """
    out = {name: frame.copy() for name, frame in tables.items()}
    cut = _patient_cutoffs(out["patients"], data_cutoff)
    problems = _drop_late_patients(out, cut, locator)
    cut = cut.loc[out["patients"].index]
    out["patients"], more = _truncate_patients(out["patients"].copy(), cut, locator,
                                               date_columns)
    problems += more
    by_subject = pd.Series(cut.to_numpy(),
                           index=out["patients"]["subject_id"].astype(str).to_numpy())
    for name in _RECORD_START:
        frame = out.get(name)
        if frame is not None and not frame.empty:
            out[name], more = _truncate_records(name, frame, by_subject, locator)
            problems += more
    out["patients"] = out["patients"].reset_index(drop=True)
    return out, problems


def _drop_late_patients(out: dict[str, pd.DataFrame], cut: pd.Series,
                        locator: Locator) -> list[Problem]:
    """Rule 1, in place on ``out``: patients starting after the cut-off and their records."""
    patients = out["patients"]
    late = _dates(patients, "index_date") > cut
    if not late.any():
        return []
    problem = _warning(patients, late, locator, "index_date",
                       "{n} patient{s} with an index date after the data cut-off: left out "
                       "of the study, with every record")
    gone = set(patients.loc[late, "subject_id"].astype(str))
    out["patients"] = patients.loc[~late]
    for name, frame in out.items():
        if name != "patients" and "subject_id" in frame.columns:
            out[name] = frame.loc[~frame["subject_id"].astype(str).isin(gone)]
    return [problem]


def _truncate_patients(patients: pd.DataFrame, cut: pd.Series, locator: Locator,
                       date_columns: Sequence[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Rules 2-4 on the patients table."""
    problems = []
    death = _dates(patients, "death_date") > cut
    if death.any():
        problems.append(_warning(patients, death, locator, "death_date",
                                 "{n} death{s} after the data cut-off: not known at the cut-off; "
                                 "the patient is censored alive at the cut-off"))
        patients.loc[death, "death_date"] = pd.NaT
        patients.loc[death, "last_alive_date"] = cut[death]
        if "vital_status" in patients.columns:
            patients.loc[death & patients["vital_status"].eq("dead"), "vital_status"] = "alive"
    alive = _dates(patients, "last_alive_date") > cut
    if alive.any():
        problems.append(_warning(patients, alive, locator, "last_alive_date",
                                 "{n} last contact{s} after the data cut-off: follow-up ends at "
                                 "the cut-off"))
        patients.loc[alive, "last_alive_date"] = cut[alive]
    cleared = {"eot_date": "{n} end{s} of treatment after the data cut-off: on treatment at "
                           "the cut-off",
               "progression_date": "{n} progression date{s} after the data cut-off: ignored"}
    cleared.update({c: f"{{n}} `{c}` date{{s}} after the data cut-off: ignored"
                    for c in date_columns if c not in cleared})
    for column, what in cleared.items():
        after = _dates(patients, column) > cut
        if not after.any():
            continue
        problems.append(_warning(patients, after, locator, column, what))
        patients.loc[after, column] = pd.NaT
        if column == "eot_date" and "eot_reason" in patients.columns:
            patients.loc[after, "eot_reason"] = None
    return patients, problems


def _truncate_records(name: str, frame: pd.DataFrame, by_subject: pd.Series,
                      locator: Locator) -> tuple[pd.DataFrame, list[Problem]]:
    """Rule 5 on one records table (``by_subject``: each patient's cut-off)."""
    start, end_rule = _RECORD_START[name]
    if start not in frame.columns:
        return frame.reset_index(drop=True), []
    problems = []
    limit = pd.to_datetime(frame["subject_id"].astype(str).map(by_subject))
    limit = limit.astype("datetime64[ns]")
    after = _dates(frame, start) > limit
    if after.any():
        problems.append(_warning(frame, after, locator, start,
                                 f"{{n}} `{name}` record{{s}} after the data cut-off: left out"))
        frame, limit = frame.loc[~after], limit.loc[~after]
    ends = (_dates(frame, "end_date") > limit) if end_rule else pd.Series(False, frame.index)
    if ends.any():
        frame = frame.copy()
        if end_rule == "cutoff":
            problems.append(_warning(frame, ends, locator, "end_date",
                                     f"{{n}} `{name}` end date{{s}} after the data cut-off: "
                                     "set to the cut-off"))
            frame.loc[ends, "end_date"] = limit[ends]
        else:
            problems.append(_warning(frame, ends, locator, "end_date",
                                     f"{{n}} `{name}` end date{{s}} after the data cut-off: "
                                     "ongoing at the cut-off"))
            frame.loc[ends, "end_date"] = pd.NaT
    return frame.reset_index(drop=True), problems
