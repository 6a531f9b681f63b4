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
=============================  ========  ===================================================

Dates are compared as calendar days; "before" and "after" are strict (the same day is
consistent).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from oncocohort.model._locate import Locator, records, subject_of
from oncocohort.model.ctcae import lookup_ctcae_term, resolve_ae_term, suggest_ctcae_terms
from oncocohort.model.options import ValidationOptions
from oncocohort.model.schema import table
from oncocohort.problems import Problem

__all__ = [
    "check_unknown_subjects",
    "check_patient_dates",
    "check_record_dates",
    "check_ae_terms",
    "check_progression",
    "patient_dates",
]

_ASSESSMENTS = {"lesions": "visit_date", "responses": "assessment_date"}
_STARTS = {"therapy": "start_date", "therapy_lines": "start_date", "adverse_events": "onset_date"}


def _lt(a, b) -> bool:
    return not (pd.isna(a) or pd.isna(b)) and a < b


def patient_dates(patients: pd.DataFrame, data_cutoff) -> dict[str, dict]:
    """Per subject (first row): birth, index, death, last_alive and cut-off dates.

    The cut-off is the patient's ``data_cutoff`` when given, else ``data_cutoff``.
    """
    study_cut = pd.NaT if data_cutoff is None else pd.Timestamp(data_cutoff)
    out: dict[str, dict] = {}
    for rec in records(patients):
        s = subject_of(rec)
        if s is None or s in out:
            continue
        cut = rec.get("data_cutoff")
        out[s] = {
            "birth": rec.get("birth_date"), "index": rec.get("index_date"),
            "death": rec.get("death_date"), "last_alive": rec.get("last_alive_date"),
            "cutoff": study_cut if pd.isna(cut) else cut,
        }
    return out


def check_unknown_subjects(
    tables: Mapping[str, pd.DataFrame], patients: pd.DataFrame, locator: Locator
) -> list[Problem]:
    """``unknown_subject``: records whose subject is not in the patients table."""
    known = {s for s in patients["subject_id"] if s is not None and not pd.isna(s)}
    problems = []
    for name, frame in tables.items():
        if name == "patients":
            continue
        seen: dict[tuple, list] = {}
        for rec in records(frame):
            s = subject_of(rec)
            if s is not None and s not in known:
                seen.setdefault((rec["_src"], s), []).append(rec)
        for (_, _s), recs in seen.items():
            n = len(recs)
            problems.append(locator.at(
                recs[0], "subject_id", "unknown_subject",
                f"subject is not in the patients table ({n} record{'s' if n > 1 else ''} "
                f"in the `{name}` table)"))
    return problems


def check_patient_dates(
    patients: pd.DataFrame, locator: Locator, options: ValidationOptions
) -> list[Problem]:
    """Impossible or inconsistent dates within one patient row (see the module table)."""
    problems = []
    dated = [c.name for c in table("patients").columns
             if c.type == "date" and c.name != "data_cutoff"]
    study_cut = None if options.data_cutoff is None else pd.Timestamp(options.data_cutoff)
    for rec in records(patients):
        index = rec.get("index_date")
        pairs = (("birth_date", "birth_after_index", "`birth_date` is after `index_date`"),
                 ("death_date", "death_before_index", "`death_date` is before `index_date`"),
                 ("last_alive_date", "last_alive_before_index",
                  "`last_alive_date` is before `index_date`"),
                 ("eot_date", "eot_before_index", "`eot_date` is before `index_date`"))
        for col, code, msg in pairs:
            bad = (_lt(index, rec.get(col)) if col == "birth_date"
                   else _lt(rec.get(col), index))
            if bad:
                problems.append(locator.at(rec, col, code, msg))
        if _lt(rec.get("death_date"), rec.get("last_alive_date")):
            problems.append(locator.at(
                rec, "last_alive_date", "alive_after_death",
                "`last_alive_date` is after `death_date`; the death date is used",
                severity="warning"))
        cut = rec.get("data_cutoff")
        cut = study_cut if pd.isna(cut) else cut
        for col in dated:
            if _lt(cut, rec.get(col)):
                code = "death_after_cutoff" if col == "death_date" else "after_cutoff"
                problems.append(locator.at(rec, col, code,
                                           f"`{col}` is after the data cut-off"))
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
            yield locator.at(rec, col, "after_cutoff", f"`{col}` is after the data cut-off")
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


def check_record_dates(
    tables: Mapping[str, pd.DataFrame], patients: pd.DataFrame | None, locator: Locator,
    options: ValidationOptions,
) -> list[Problem]:
    """Dates of therapy, assessment and AE records against the patient's dates and the
    cut-off; end before start; AE before index; last assessment after last alive."""
    per_subject = patient_dates(patients, options.data_cutoff) if patients is not None else {}
    problems: list[Problem] = []
    for name, frame in tables.items():
        if name == "patients":
            continue
        last: dict[str, dict] = {}
        assess = _ASSESSMENTS.get(name)
        for rec in records(frame):
            s = subject_of(rec)
            dates = per_subject.get(s)
            problems += _record_date_problems(rec, name, dates, locator)
            if assess and s is not None and not pd.isna(rec.get(assess)):
                if s not in last or last[s][assess] < rec[assess]:
                    last[s] = rec
        for s, rec in last.items():
            d = per_subject.get(s)
            if d is not None and pd.isna(d["death"]) and _lt(d["last_alive"], rec[assess]):
                problems.append(locator.at(
                    rec, assess, "assessment_after_last_alive",
                    "last tumour assessment is after `last_alive_date`", severity="warning"))
    return problems


def check_ae_terms(ae: pd.DataFrame, locator: Locator, options: ValidationOptions) -> list[Problem]:
    """``ae_term`` must be a CTCAE v5.0 term (any case), a synonym (the spec's or
    :data:`~oncocohort.model.ctcae.DEFAULT_SYNONYMS`) or a group of the spec;
    ``ctcae_term``, when given, a CTCAE v5.0 term. Suggestions come from the CTCAE list."""
    problems = []
    for rec in records(ae):
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
    first_pd: dict[str, pd.Timestamp] = {}
    assessed: set[str] = set()
    for rec in records(responses):
        s = subject_of(rec)
        if s is None:
            continue
        assessed.add(s)
        d = rec.get("assessment_date")
        if rec.get("response") == "PD" and not pd.isna(d):
            if s not in first_pd or d < first_pd[s]:
                first_pd[s] = d
    problems = []
    for rec in records(patients):
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
