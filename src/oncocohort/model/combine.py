"""Put the typed sources of one canonical table together; wide and long layouts merged.

A table may come from several sources: the long file(s) of the domain (``origin="long"``)
and the rows unpivoted from the hospital's one-row-per-patient sheet (``origin="wide"``).

Rules
-----
* Sources of the same origin are stacked.
* ``patients``: a subject id may appear once per origin (``duplicate_subject`` names both
  rows).
* ``lesions``: a lesion is measured once per visit: a (subject, visit date, lesion id) key
  repeated within one layout is a ``duplicate_record`` naming both rows (RECIST sums one
  diameter per lesion and visit; the derivation would otherwise refuse the table at run). A subject in both layouts keeps the long row; its empty cells are filled from the
  wide row; a cell given in both with different values is a ``wide_long_conflict``.
* ``adverse_events``: the wide sheet carries only the worst grade per term (no dates), so
  when a long AE table exists it is used alone, and each (subject, term) of the wide sheet is
  compared with it: the worst grade must agree, the term resolved through CTCAE, synonyms and
  groups (:func:`~oncocohort.canon.ctcae.resolve_ae_term`), else ``wide_long_conflict``.
* other tables: rows are matched on the table key; a key in both layouts keeps the long row,
  and differing values are a ``wide_long_conflict``.

The long layout wins every disagreement, and every disagreement is an error, so that a run
never goes on silently with one of two contradicting records.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from oncocohort.model._locate import Locator, records, subject_of
from oncocohort.canon.ctcae import normalize_term, resolve_ae_term
from oncocohort.model.options import ValidationOptions
from oncocohort.canon.schema import table
from oncocohort.problems import Problem

__all__ = ["check_duplicate_keys", "check_duplicate_subjects", "combine_table"]

#: Tables whose key must be unique within one layout (what the derivations require).
UNIQUE_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "lesions": (("subject_id", "visit_date", "lesion_id"),
                "lesion recorded twice at one visit (same subject, visit date and lesion id"),
}


def _stack(frames: Sequence[pd.DataFrame]) -> pd.DataFrame | None:
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def check_duplicate_subjects(patients: pd.DataFrame, locator: Locator) -> list[Problem]:
    """``duplicate_subject`` for each repeat of a subject id, naming the first row."""
    problems = []
    if "subject_id" not in patients.columns:
        return problems
    ids = patients["subject_id"].to_numpy(dtype=object)
    present = pd.notna(ids)
    keys = np.array([str(v) if p else None for v, p in zip(ids, present, strict=True)],
                    dtype=object)
    repeated = present & pd.Series(keys).duplicated(keep=False).to_numpy()
    if not repeated.any():
        return problems
    # only the rows of repeated ids are turned into records, in their original order
    positions = np.flatnonzero(repeated)
    first: dict[str, dict] = {}
    for rec in records(patients.iloc[positions]):
        s = subject_of(rec)
        if s in first:
            problems.append(locator.at(
                rec, "subject_id", "duplicate_subject",
                f"subject id appears more than once in the patients table (also at "
                f"{locator.where(first[s])})"))
        else:
            first[s] = rec
    return problems


def check_duplicate_keys(frame: pd.DataFrame, key: Sequence[str], what: str,
                         locator: Locator) -> list[Problem]:
    """``duplicate_record`` for each repeat of a complete ``key``, naming the first row
    (``what`` opens the message; the location of the first row closes its parenthesis)."""
    if any(c not in frame.columns for c in key):
        return []
    keys = frame[list(key)]
    complete = keys.notna().all(axis=1)
    repeated = (complete & keys.duplicated(keep=False)).to_numpy()
    if not repeated.any():
        return []
    first: dict[tuple, dict] = {}
    problems = []
    for rec in records(frame.iloc[np.flatnonzero(repeated)]):
        k = tuple(str(rec[c]) for c in key)
        if k in first:
            problems.append(locator.at(
                rec, key[-1], "duplicate_record",
                f"{what}; also at {locator.where(first[k])}): keep one of the rows"))
        else:
            first[k] = rec
    return problems


def _same(a, b) -> bool:
    if pd.isna(a) or pd.isna(b):
        return True
    return bool(a == b)


def _compare_rows(
    lrec: dict, wrec: dict, columns: Sequence[str], locator: Locator
) -> tuple[list[Problem], dict]:
    """Conflicts between a long and a wide row of the same key, and the long row's gaps
    that the wide row fills."""
    problems, fill = [], {}
    for c in columns:
        if not _same(lrec[c], wrec[c]):
            problems.append(locator.at(
                lrec, c, "wide_long_conflict",
                f"`{c}` differs from the wide sheet ({locator.where(wrec)}); the long "
                "table's value is used"))
        elif pd.isna(lrec[c]) and not pd.isna(wrec[c]):
            fill[c] = wrec[c]
    return problems, fill


def _merge_on_key(
    long: pd.DataFrame, wide: pd.DataFrame, key: Sequence[str], locator: Locator
) -> tuple[pd.DataFrame, list[Problem]]:
    long_recs = records(long)
    index: dict[tuple, int] = {}
    for i, rec in enumerate(long_recs):
        k = tuple(rec.get(c) for c in key)
        if not any(pd.isna(v) for v in k):
            index.setdefault(k, i)
    shared = [c for c in wide.columns if c in long.columns and c not in key
              and not c.startswith("_")]
    problems: list[Problem] = []
    fills: dict[int, dict] = {}
    extra = []
    for rec in records(wide):
        i = index.get(tuple(rec.get(c) for c in key))
        if i is None:
            extra.append(rec)
            continue
        found, fill = _compare_rows(long_recs[i], rec, shared, locator)
        problems += found
        if fill:
            fills[i] = fill
    merged = long.copy()
    for c in wide.columns:
        if c not in merged.columns:
            merged[c] = pd.Series([None] * len(merged), dtype=wide[c].dtype)
    by_column: dict[str, tuple[list[int], list]] = {}
    for i, values in fills.items():
        for c, v in values.items():
            at, vs = by_column.setdefault(c, ([], []))
            at.append(i)
            vs.append(v)
    for c, (at, vs) in by_column.items():  # one assignment per column, not per cell
        merged.loc[at, c] = vs if len(vs) > 1 else vs[0]
    if extra:
        merged = pd.concat([merged, pd.DataFrame(extra).astype(wide.dtypes.to_dict())],
                           ignore_index=True)
    return merged, problems


def _worst(grades: list) -> float | None:
    known = [float(g) for g in grades if not pd.isna(g)]
    return max(known) if known else None


def _ae_keys(frame: pd.DataFrame, options: ValidationOptions) -> list[tuple[str, str] | None]:
    """(subject, resolved term) of every row (``None`` without either); each distinct term is
    resolved once."""
    n = len(frame)
    subjects = (frame["subject_id"].tolist() if "subject_id" in frame.columns
                else [None] * n)
    terms = frame["ae_term"].tolist() if "ae_term" in frame.columns else [None] * n
    resolved: dict[str, str] = {}
    keys: list[tuple[str, str] | None] = []
    for s, term in zip(subjects, terms, strict=True):
        if s is None or pd.isna(s) or term is None or pd.isna(term):
            keys.append(None)
            continue
        text = str(term)
        if text not in resolved:
            found = resolve_ae_term(text, options.ae_synonyms, options.ae_groups)
            resolved[text] = normalize_term(found or text)
        keys.append((str(s), resolved[text]))
    return keys


def _compare_ae(
    long: pd.DataFrame, wide: pd.DataFrame, locator: Locator, options: ValidationOptions
) -> list[Problem]:
    long_grades: dict[tuple, list] = {}
    long_g = long["grade"].tolist() if "grade" in long.columns else [None] * len(long)
    for k, g in zip(_ae_keys(long, options), long_g, strict=True):
        if k is not None:
            long_grades.setdefault(k, []).append(g)
    wide_first: dict[tuple, int] = {}
    wide_grades: dict[tuple, list] = {}
    wide_g = wide["grade"].tolist() if "grade" in wide.columns else [None] * len(wide)
    for i, (k, g) in enumerate(zip(_ae_keys(wide, options), wide_g, strict=True)):
        if k is not None:
            wide_first.setdefault(k, i)
            wide_grades.setdefault(k, []).append(g)
    findings = []
    for k, i in wide_first.items():
        if k not in long_grades:
            findings.append((i, "adverse event graded in the wide sheet has no record for "
                             "this subject in the adverse-event table"))
        elif _worst(wide_grades[k]) != _worst(long_grades[k]):
            findings.append((i, "worst grade in the wide sheet differs from the worst grade "
                             "of this term in the adverse-event table; the adverse-event "
                             "table is used"))
    if not findings:
        return []
    recs = records(wide.iloc[[i for i, _ in findings]])
    return [locator.at(rec, "grade", "wide_long_conflict", message)
            for rec, (_, message) in zip(recs, findings, strict=True)]


def combine_table(
    name: str,
    long_frames: Sequence[pd.DataFrame],
    wide_frames: Sequence[pd.DataFrame],
    locator: Locator,
    options: ValidationOptions,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Merge the typed long and wide sources of canonical table ``name`` (see the rules).

    Returns ``None`` when the table has no source. For ``patients`` the duplicate-subject
    check runs per layout, and only the first row of a repeated subject is kept.
    """
    long, wide = _stack(long_frames), _stack(wide_frames)
    problems: list[Problem] = []
    if name == "patients":
        for part in (long, wide):
            if part is not None:
                problems += check_duplicate_subjects(part, locator)
        long, wide = (None if p is None else
                      p[~(p["subject_id"].notna() & p["subject_id"].duplicated())]
                      .reset_index(drop=True) for p in (long, wide))
    if name in UNIQUE_KEYS:
        key, what = UNIQUE_KEYS[name]
        for part in (long, wide):
            if part is not None:
                problems += check_duplicate_keys(part, key, what, locator)
    if long is None or wide is None:
        return (long if wide is None else wide), problems
    if name == "adverse_events":
        return long, problems + _compare_ae(long, wide, locator, options)
    merged, conflicts = _merge_on_key(long, wide, table(name).key, locator)
    return merged, problems + conflicts
