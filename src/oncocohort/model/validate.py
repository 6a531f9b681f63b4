"""Checks across records and tables of the typed, merged study data.

Each ``check_*`` function takes typed tables (with the private provenance columns
``_src``/``_row``) and returns a list of :class:`~oncocohort.problems.Problem`; none stops at
the first problem. Which findings are errors and which warnings:

=============================  ========  ===================================================
code                           severity  finding
=============================  ========  ===================================================
``unknown_subject``            error     records of a subject missing from ``patients`` (once
                                         per subject and source, at its first row)
``birth_after_index``          error     ``birth_date`` after ``index_date``
``death_before_index``         error     ``death_date`` before ``index_date``
``last_alive_before_index``    error     ``last_alive_date`` before ``index_date``
``eot_before_index``           error     ``eot_date`` before ``index_date``
``death_after_cutoff``         error     ``death_date`` after the data cut-off
``after_cutoff``               error     any other date after the data cut-off
``before_birth``               error     a record (therapy, assessment, AE...) before birth
``after_death``                error     a record starting after the death date
``end_before_start``           error     ``end_date`` before ``start_date``/``onset_date``
``progression_conflict``       error     ``progression_date`` of the patients table is not
                                         the first PD date of the responses table
``unknown_ae_term``            error     ``ae_term`` is no CTCAE v5.0 term, synonym or group
``unknown_ctcae_term``         error     ``ctcae_term`` is no CTCAE v5.0 term
``alive_after_death``          warning   ``last_alive_date`` after ``death_date``: the death
                                         date is used for survival, so the run can go on
``assessment_after_last_alive`` warning  the last tumour assessment is after
                                         ``last_alive_date`` of a patient not known dead
``ae_before_index``            warning   AE onset before the index date (pre-existing)
``recorded_response_unused``   warning   ``best_response`` of the patients table is given
                                         with tumour assessments: the derived best response
                                         is analysed, not the recorded one
=============================  ========  ===================================================

Dates are compared as calendar days; "before" and "after" are strict (the same day is
consistent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from oncocohort.model._locate import Locator, records, subject_of
from oncocohort.canon.ctcae import lookup_ctcae_term, resolve_ae_term, suggest_ctcae_terms
from oncocohort.model.options import ValidationOptions
from oncocohort.canon.schema import table
from oncocohort.problems import Problem
from oncocohort.sources.base import SourceTable

__all__ = [
    "check_unknown_subjects",
    "check_patient_dates",
    "check_record_dates",
    "check_ae_terms",
    "check_progression",
    "check_recorded_response",
    "patient_dates",
]

#: How an ``after_cutoff`` error can be resolved other than by correcting a typo.
_TRUNCATE = ("; to analyse the data as they stood at the cut-off, set "
             "study.records_after_cutoff: truncate")
_ASSESSMENTS = {"lesions": "visit_date", "responses": "assessment_date"}
_STARTS = {"therapy": "start_date", "therapy_lines": "start_date", "adverse_events": "onset_date"}


def _lt(a, b) -> bool:
    return not (pd.isna(a) or pd.isna(b)) and a < b


def _subject_codes(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row, a code into the subject ids as text (as :func:`subject_of`): the ids and,
    last, ``NaN`` for a missing one (a table holds each subject's rows many times: work
    per subject is done on the ids and taken to the rows by the codes)."""
    if "subject_id" not in frame.columns:
        return np.zeros(len(frame), dtype=np.intp), np.array([np.nan], dtype=object)
    codes, uniques = pd.factorize(frame["subject_id"].to_numpy(dtype=object),
                                  use_na_sentinel=True)
    codes[codes < 0] = len(uniques)
    return codes, np.array([str(u) for u in uniques] + [np.nan], dtype=object)


def _subjects(frame: pd.DataFrame) -> pd.Series:
    """Per row, the subject id as text (as :func:`subject_of`), missing as ``NaN``."""
    codes, ids = _subject_codes(frame)
    return pd.Series(ids[codes], index=range(len(frame)), dtype=object)


def _dates(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    """A date column as ``datetime64[ns]`` values (all ``NaT`` when absent)."""
    if column is None or column not in frame.columns:
        return np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[ns]")
    values = frame[column]
    if values.dtype.kind != "M":  # (to_datetime on datetime64 is slow: it probes a cache)
        values = pd.to_datetime(values)
    return values.to_numpy(dtype="datetime64[ns]")


def _lt_mask(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Vectorised :func:`_lt`: ``a < b`` where both are known (NaT compares false)."""
    return a < b


def _rows(frame: pd.DataFrame, positions) -> list[dict]:
    """The records (as :func:`records`) of the rows at ``positions``, in that order."""
    positions = np.asarray(positions, dtype=np.int64)
    if len(positions) == 0:
        return []
    return list(records(frame.iloc[positions]))


def _patient_frame(patients: pd.DataFrame, data_cutoff) -> pd.DataFrame:
    """Per subject (first row): ``birth``, ``index``, ``death``, ``last_alive``, ``cutoff``
    (the patient's ``data_cutoff`` when given, else the study's), indexed by subject id."""
    study_cut = pd.NaT if data_cutoff is None else pd.Timestamp(data_cutoff)
    keys = _subjects(patients)
    first = (keys.notna() & ~keys.duplicated()).to_numpy()
    out = pd.DataFrame({
        "birth": _dates(patients, "birth_date")[first],
        "index": _dates(patients, "index_date")[first],
        "death": _dates(patients, "death_date")[first],
        "last_alive": _dates(patients, "last_alive_date")[first],
        "cutoff": _dates(patients, "data_cutoff")[first],
    }, index=pd.Index(keys[first].to_numpy(dtype=object), dtype=object))
    out["cutoff"] = out["cutoff"].fillna(study_cut)
    return out


def patient_dates(patients: pd.DataFrame, data_cutoff) -> dict[str, dict]:
    """Per subject (first row): birth, index, death, last_alive and cut-off dates.

    The cut-off is the patient's ``data_cutoff`` when given, else ``data_cutoff``.
    """
    return _patient_frame(patients, data_cutoff).to_dict("index")


def check_unknown_subjects(
    tables: Mapping[str, pd.DataFrame], patients: pd.DataFrame, locator: Locator
) -> list[Problem]:
    """``unknown_subject``: records whose subject is not in the patients table."""
    known = {s for s in patients["subject_id"] if s is not None and not pd.isna(s)}
    problems = []
    for name, frame in tables.items():
        if name == "patients":
            continue
        codes, ids = _subject_codes(frame)
        unknown = np.append(~pd.Series(ids[:-1]).isin(known).to_numpy(), False)[codes]
        if not unknown.any():
            continue
        pos = np.flatnonzero(unknown)
        groups = pd.DataFrame({"src": frame["_src"].to_numpy()[pos],
                               "s": ids[codes[pos]], "pos": pos})
        grouped = groups.groupby(["src", "s"], sort=False)["pos"]
        firsts, sizes = grouped.first(), grouped.size()
        for rec, n in zip(_rows(frame, firsts.to_numpy()), sizes.loc[firsts.index], strict=True):
            n = int(n)
            problems.append(locator.at(
                rec, "subject_id", "unknown_subject",
                f"subject is not in the patients table ({n} record{'s' if n > 1 else ''} "
                f"in the `{name}` table)"))
    return problems


_PATIENT_PAIRS = (
    ("birth_date", "birth_after_index", "`birth_date` is after `index_date`"),
    ("death_date", "death_before_index", "`death_date` is before `index_date`"),
    ("last_alive_date", "last_alive_before_index", "`last_alive_date` is before `index_date`"),
    ("eot_date", "eot_before_index", "`eot_date` is before `index_date`"),
)


def _patient_row_problems(rec: dict, locator: Locator, dated: list[str], study_cut):
    index = rec.get("index_date")
    for col, code, msg in _PATIENT_PAIRS:
        bad = (_lt(index, rec.get(col)) if col == "birth_date"
               else _lt(rec.get(col), index))
        if bad:
            yield locator.at(rec, col, code, msg)
    if _lt(rec.get("death_date"), rec.get("last_alive_date")):
        yield locator.at(
            rec, "last_alive_date", "alive_after_death",
            "`last_alive_date` is after `death_date`; the death date is used",
            severity="warning")
    cut = rec.get("data_cutoff")
    cut = study_cut if pd.isna(cut) else cut
    for col in dated:
        if _lt(cut, rec.get(col)):
            code = "death_after_cutoff" if col == "death_date" else "after_cutoff"
            yield locator.at(rec, col, code, f"`{col}` is after the data cut-off{_TRUNCATE}")


def check_patient_dates(
    patients: pd.DataFrame, locator: Locator, options: ValidationOptions
) -> list[Problem]:
    """Impossible or inconsistent dates within one patient row (see the module table)."""
    dated = [c.name for c in table("patients").columns
             if c.type == "date" and c.name != "data_cutoff"]
    dated += [c for c in options.date_columns if c in patients.columns and c not in dated]
    study_cut = None if options.data_cutoff is None else pd.Timestamp(options.data_cutoff)
    # Find the rows with a finding by whole-column comparisons; word them row by row.
    index = _dates(patients, "index_date")
    flagged = _lt_mask(index, _dates(patients, "birth_date"))
    for col in ("death_date", "last_alive_date", "eot_date"):
        flagged |= _lt_mask(_dates(patients, col), index)
    flagged |= _lt_mask(_dates(patients, "death_date"), _dates(patients, "last_alive_date"))
    cut = _dates(patients, "data_cutoff")
    if study_cut is not None:
        cut = np.where(np.isnat(cut), np.datetime64(study_cut, "ns"), cut)
    for col in dated:
        flagged |= _lt_mask(cut, _dates(patients, col))
    problems: list[Problem] = []
    for rec in _rows(patients, np.flatnonzero(flagged)):
        problems += _patient_row_problems(rec, locator, dated, study_cut)
    return problems


def _record_date_problems(rec: dict, name: str, dates: dict | None, locator: Locator):
    start_col = _STARTS.get(name) or _ASSESSMENTS.get(name)
    for col in [c.name for c in table(name).columns if c.type == "date"]:
        value = rec.get(col)
        if pd.isna(value):
            continue
        if dates is not None and _lt(value, dates["birth"]):
            yield locator.at(rec, col, "before_birth", f"`{col}` is before `birth_date`")
        if dates is not None and _lt(dates["cutoff"], value):
            yield locator.at(rec, col, "after_cutoff",
                             f"`{col}` is after the data cut-off{_TRUNCATE}")
        if dates is not None and col == start_col and _lt(dates["death"], value):
            yield locator.at(rec, col, "after_death", f"`{col}` is after `death_date`")
    if "end_date" in rec and start_col in rec and _lt(rec["end_date"], rec[start_col]):
        yield locator.at(rec, "end_date", "end_before_start",
                         f"`end_date` is before `{start_col}`")
    if (name == "adverse_events" and dates is not None
            and _lt(rec.get("onset_date"), dates["index"])):
        yield locator.at(rec, "onset_date", "ae_before_index",
                         "AE onset is before `index_date` (a pre-existing condition?)",
                         severity="warning")


def _flag_record_dates(frame: pd.DataFrame, name: str, pdates: pd.DataFrame) -> np.ndarray:
    """Rows of ``frame`` for which :func:`_record_date_problems` may find something
    (whole-column comparisons against the patient's dates aligned by subject)."""
    start_col = _STARTS.get(name) or _ASSESSMENTS.get(name)
    n = len(frame)
    flagged = np.zeros(n, dtype=bool)
    birth, cutoff, death, index = (pdates[c].to_numpy(dtype="datetime64[ns]")
                                   for c in ("birth", "cutoff", "death", "index"))
    for col in [c.name for c in table(name).columns if c.type == "date"]:
        if col not in frame.columns:
            continue
        value = _dates(frame, col)
        flagged |= _lt_mask(value, birth) | _lt_mask(cutoff, value)
        if col == start_col:
            flagged |= _lt_mask(death, value)
    if "end_date" in frame.columns and start_col in frame.columns:
        flagged |= _lt_mask(_dates(frame, "end_date"), _dates(frame, start_col))
    if name == "adverse_events":
        flagged |= _lt_mask(_dates(frame, "onset_date"), index)
    return flagged


def check_record_dates(
    tables: Mapping[str, pd.DataFrame], patients: pd.DataFrame | None, locator: Locator,
    options: ValidationOptions,
) -> list[Problem]:
    """Dates of therapy, assessment and AE records against the patient's dates and the
    cut-off; end before start; AE before index; last assessment after last alive."""
    pframe = (_patient_frame(patients, options.data_cutoff) if patients is not None
              else _patient_frame(pd.DataFrame({"subject_id": []}), options.data_cutoff))
    problems: list[Problem] = []
    for name, frame in tables.items():
        if name == "patients":
            continue
        codes, ids = _subject_codes(frame)
        aligned = pframe.reindex(ids).iloc[codes]
        flagged = np.flatnonzero(_flag_record_dates(frame, name, aligned))
        for rec in _rows(frame, flagged):
            s = subject_of(rec)
            dates = pframe.loc[s].to_dict() if s is not None and s in pframe.index else None
            problems += _record_date_problems(rec, name, dates, locator)
        assess = _ASSESSMENTS.get(name)
        if not assess or assess not in frame.columns:
            continue
        when = _dates(frame, assess)
        usable = np.flatnonzero(~np.isnat(when) & (codes < len(ids) - 1))
        if not len(usable):
            continue
        # per subject, the first row holding its latest assessment (order of first mention)
        latest = (pd.DataFrame({"s": ids[codes[usable]],
                                "when": when[usable]}, index=usable)
                  .groupby("s", sort=False)["when"].idxmax())
        d = pframe.reindex(latest.index.to_numpy(dtype=object))
        last_when = when[latest.to_numpy()]
        bad = (np.isnat(d["death"].to_numpy(dtype="datetime64[ns]"))
               & _lt_mask(d["last_alive"].to_numpy(dtype="datetime64[ns]"), last_when))
        for rec in _rows(frame, latest.to_numpy()[bad]):
            problems.append(locator.at(
                rec, assess, "assessment_after_last_alive",
                "last tumour assessment is after `last_alive_date`", severity="warning"))
    return problems


def check_ae_terms(ae: pd.DataFrame, locator: Locator, options: ValidationOptions) -> list[Problem]:
    """``ae_term`` must be a CTCAE v5.0 term (any case), a synonym (the spec's or
    :data:`~oncocohort.canon.ctcae.DEFAULT_SYNONYMS`) or a group of the spec;
    ``ctcae_term``, when given, a CTCAE v5.0 term. Suggestions come from the CTCAE list."""
    problems = []
    # Resolve each distinct term once; word the problems only for the rows that have one.
    flagged = np.zeros(len(ae), dtype=bool)
    for col, known in (("ae_term", lambda t: resolve_ae_term(
            t, options.ae_synonyms, options.ae_groups) is not None),
            ("ctcae_term", lambda t: lookup_ctcae_term(t) is not None)):
        if col not in ae.columns:
            continue
        values = ae[col].to_numpy(dtype=object)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        bad = np.array([not known(u) for u in uniques] + [False], dtype=bool)
        flagged |= bad[codes]
    for rec in _rows(ae, np.flatnonzero(flagged)):
        term = rec.get("ae_term")
        if term is not None and not pd.isna(term):
            if resolve_ae_term(term, options.ae_synonyms, options.ae_groups) is None:
                close = suggest_ctcae_terms(term, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append(locator.at(
                    rec, "ae_term", "unknown_ae_term",
                    f"{term!r} is not a CTCAE v5.0 term, nor a synonym or group of the "
                    f"spec (safety.synonyms, safety.groups){hint}"))
        given = rec.get("ctcae_term")
        if given is not None and not pd.isna(given):
            if lookup_ctcae_term(given) is None:
                close = suggest_ctcae_terms(given, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append(locator.at(
                    rec, "ctcae_term", "unknown_ctcae_term",
                    f"{given!r} is not a CTCAE v5.0 term{hint}"))
    return problems


def check_progression(
    patients: pd.DataFrame, responses: pd.DataFrame, locator: Locator
) -> list[Problem]:
    """``progression_date`` of the patients table (wide layout) against the responses.

    For a subject with assessments in the responses table, a given progression date must be
    the date of the first ``PD``; a subject without any ``PD`` must have none. An empty
    progression date is not checked (the assessments are then used).
    """
    keys = _subjects(responses)
    has = keys.notna().to_numpy()
    assessed = set(keys[has])
    when = _dates(responses, "assessment_date")
    is_pd = (responses["response"].to_numpy(dtype=object) == "PD"
             if "response" in responses.columns else np.zeros(len(responses), dtype=bool))
    use = has & is_pd & ~np.isnat(when)
    first_pd: dict[str, pd.Timestamp] = (
        pd.Series(when[use], index=keys.to_numpy(dtype=object)[use]).groupby(level=0).min()
        .to_dict() if use.any() else {})
    problems = []
    pkeys = _subjects(patients)
    candidates = (pkeys.isin(assessed).to_numpy()
                  & ~np.isnat(_dates(patients, "progression_date")))
    for rec in _rows(patients, np.flatnonzero(candidates)):
        s, given = subject_of(rec), rec.get("progression_date")
        if s not in assessed or pd.isna(given):
            continue
        if s not in first_pd:
            problems.append(locator.at(
                rec, "progression_date", "progression_conflict",
                "`progression_date` is given but no assessment of this subject in the "
                "responses table is PD"))
        elif given != first_pd[s]:
            problems.append(locator.at(
                rec, "progression_date", "progression_conflict",
                "`progression_date` is not the date of the first PD in the responses table"))
    return problems


def check_recorded_response(sources: Sequence[SourceTable],
                            assessed: Sequence[str]) -> list[Problem]:
    """``recorded_response_unused``: a best response recorded in the patients table
    (``best_response`` with a value, in any of the ``sources`` of ``patients``) of a study
    also given tumour assessments (``assessed``: the names of the non-empty ``lesions`` /
    ``responses`` tables). The best overall response is then derived from the assessments
    (RECIST 1.1 with the spec's conventions: dates, confirmation, measurements) and the
    recorded one is not analysed; the report says in how many patients the two differ. One
    warning per source, at its column."""
    if not assessed:
        return []
    tables = " and ".join(f"`{t}`" for t in assessed)
    return [Locator.in_source(
        s, "best_response", "recorded_response_unused",
        f"the best response recorded here is not analysed: the study has tumour assessments "
        f"({tables}), from which the best overall response is derived per RECIST 1.1 and "
        f"the spec's conventions; the report states in how many patients the two differ",
        severity="warning")
        for s in sources
        if "best_response" in s.frame.columns and s.frame["best_response"].notna().any()]
