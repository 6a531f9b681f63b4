"""The typed, validated study data: :func:`build_study_data` and :class:`StudyData`.

``build_study_data`` is the one entry point from sources to the model. In one pass it

1. checks that each canonical table has its required columns (over all of its sources:
   ``missing_column``, ``missing_one_of``; a study without a patients table gets
   ``missing_table``);
2. types every cell (:func:`~oncocohort.model.typed.coerce_source`): unreadable and partial
   dates, numbers, yes/no values, codes outside ``allowed`` with "did you mean", ranges
   (grade 1-5, ECOG 0-5, age 0-120, diameters and doses >= 0), empty required cells;
3. merges long and wide layouts (:mod:`~oncocohort.model.combine`): duplicate subjects,
   contradictions;
4. resolves the vital status (:mod:`~oncocohort.model.vital`): a status coded dead dates the
   death at the last contact; a dead patient needs no last-alive date; a death no endpoint
   could count is an error; with ``records_after_cutoff="truncate"``, takes the data as they
   stood at the cut-off (:mod:`~oncocohort.model.cutoff`), each change a warning;
5. checks across records and tables (:mod:`~oncocohort.model.validate`): subjects missing from
   the patients table, impossible dates, the cut-off, AE terms against CTCAE v5.0, the wide
   progression date against the responses.

It returns the typed tables whatever it finds, with every problem; the caller stops on
errors (:attr:`Problems.ok`) and shows warnings.

Types of the result: ``str``/``category`` -> ``object`` (``str`` or ``None``), ``int`` ->
``Int64``, ``float`` -> ``float64``, ``bool`` -> ``boolean``, ``date`` -> ``datetime64[ns]``
(midnight). Free covariates of the patients table are ``float64`` when all their values are
numbers, else text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from oncocohort.model._locate import PRIVATE_COLUMNS, Locator
from oncocohort.model.combine import combine_table
from oncocohort.model.cutoff import truncate_at_cutoff
from oncocohort.model.options import ValidationOptions
from oncocohort.canon.schema import TABLES
from oncocohort.model.typed import coerce_source, empty_table
from oncocohort.model.vital import resolve_vital_status
from oncocohort.model.validate import (
    check_ae_terms,
    check_patient_dates,
    check_progression,
    check_recorded_response,
    check_record_dates,
    check_unknown_subjects,
)
from oncocohort.problems import Problem, Problems
from oncocohort.sources.base import SourceTable

__all__ = ["StudyData", "ValidationOptions", "build_study_data", "check_columns"]


@dataclass(frozen=True)
class StudyData:
    """The six canonical tables, typed; a table without a source is an empty frame with the
    schema's columns and dtypes."""

    patients: pd.DataFrame
    therapy: pd.DataFrame
    therapy_lines: pd.DataFrame
    lesions: pd.DataFrame
    responses: pd.DataFrame
    adverse_events: pd.DataFrame

    def table(self, name: str) -> pd.DataFrame:
        """The canonical table ``name`` (a key of :data:`~oncocohort.canon.schema.TABLES`)."""
        if name not in TABLES:
            raise KeyError(f"no canonical table {name!r}; tables: {', '.join(TABLES)}")
        return getattr(self, name)

    def summary(self) -> pd.DataFrame:
        """One row per table: ``table``, ``rows``, ``subjects`` (distinct ids), ``columns``
        (columns holding at least one value)."""
        rows = []
        for name in TABLES:
            f = self.table(name)
            filled = [c for c in f.columns if f[c].notna().any()]
            rows.append({"table": name, "rows": len(f),
                         "subjects": int(f["subject_id"].dropna().nunique()),
                         "columns": ", ".join(filled)})
        return pd.DataFrame(rows, columns=["table", "rows", "subjects", "columns"])

    def to_frame(self) -> pd.DataFrame:
        """Same as :meth:`summary` (the house-style name for a result's table)."""
        return self.summary()


def check_columns(name: str, sources: Sequence[SourceTable]) -> list[Problem]:
    """``missing_column`` / ``missing_one_of``: the required columns of table ``name``,
    looked for over all of its sources (a wide sheet may supply what a long file lacks).
    Reported against the first source."""
    t = TABLES[name]
    have = set().union(*(s.frame.columns for s in sources))
    first = sources[0]
    problems = []
    for c in t.required:
        if c not in have:
            problems.append(Locator.in_source(
                first, c, "missing_column",
                f"required column `{c}` of the `{name}` table is missing "
                f"({t.column(c).description})"))
    for group in t.requires_one_of:
        if not have.intersection(group):
            problems.append(Locator.in_source(
                first, None, "missing_one_of",
                f"the `{name}` table needs one of the columns "
                f"{' or '.join(f'`{g}`' for g in group)}"))
    return problems


def _sort_key(p: Problem):
    return (p.file or "", p.sheet or "", p.row or 0, p.column or "", p.code)


def _public(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without its private provenance columns, indexed from 0 (on the copy the
    drop made: ``reset_index`` would copy every column again)."""
    out = frame.drop(columns=list(PRIVATE_COLUMNS))
    out.index = pd.RangeIndex(len(out))
    return out


def build_study_data(
    tables: Mapping[str, Sequence[SourceTable]],
    options: ValidationOptions | Mapping[str, object] | None = None,
) -> tuple[StudyData, Problems]:
    """Type, merge and check the study's source tables.

    Parameters
    ----------
    tables
        Canonical table name -> its sources (long files and/or tables unpivoted from a wide
        sheet). Absent names, or empty sequences, mean the table was not supplied.
    options
        Cut-off, partial-date rule, AE synonyms and groups, date formats: a
        :class:`ValidationOptions` (a study's come from
        :meth:`oncocohort.study.options.StudyOptions.from_spec`), or a mapping of its fields.

    Returns
    -------
    (StudyData, Problems)
        Typed tables (rows with problems kept, failed cells empty) and every problem found,
        sorted by file, sheet, row and column.

    Raises
    ------
    ValueError
        For a table name that is not canonical or a source filed under the wrong name (a
        programming error of the caller, not a problem of the user's data).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from oncocohort.sources.base import SourceTable
    >>> raw = pd.DataFrame({"subject_id": ["01"], "index_date": ["2024-01-10"],
    ...                     "age": ["61"], "last_alive_date": ["2024-06"]})
    >>> src = SourceTable("patients", raw, "patients.csv", rows=np.array([2]))
    >>> data, problems = build_study_data({"patients": [src]})
    >>> [(p.row, p.column, p.code) for p in problems]
    [(2, 'last_alive_date', 'partial_date')]
    """
    if options is None:
        options = ValidationOptions()
    elif not isinstance(options, ValidationOptions):
        options = ValidationOptions(**options)
    for name, sources in tables.items():
        if name not in TABLES:
            raise ValueError(f"{name!r} is not a canonical table ({', '.join(TABLES)})")
        for s in sources:
            if s.name != name:
                raise ValueError(f"source table {s.name!r} was passed as {name!r}")
    all_sources = tuple(s for name in TABLES for s in tables.get(name, ()))
    locator = Locator(all_sources)
    problems: list[Problem] = []
    typed_parts: dict[str, list[tuple[SourceTable, pd.DataFrame]]] = {}
    for i, s in enumerate(all_sources):
        frame, found = coerce_source(s, i, options)
        problems += found
        typed_parts.setdefault(s.name, []).append((s, frame))
    merged: dict[str, pd.DataFrame] = {}
    for name, parts in typed_parts.items():
        problems += check_columns(name, [s for s, _ in parts])
        frame, found = combine_table(
            name, [f for s, f in parts if s.origin == "long"],
            [f for s, f in parts if s.origin == "wide"], locator, options)
        problems += found
        merged[name] = frame
    if "adverse_events" in typed_parts:
        problems += check_ae_terms(
            pd.concat([f for _, f in typed_parts["adverse_events"]], ignore_index=True),
            locator, options)
    patients = merged.get("patients")
    if patients is None:
        problems.append(Problem(
            severity="error", code="missing_table",
            message="no patients table: every study needs one (sources.patients or sources.wide)"))
    else:
        patients, found = resolve_vital_status(patients, locator, problems)
        merged["patients"] = patients
        problems += found
        if options.records_after_cutoff == "truncate":
            merged, found = truncate_at_cutoff(merged, locator, options.data_cutoff,
                                               options.date_columns)
            patients = merged["patients"]
            problems += found
        problems += check_unknown_subjects(merged, patients, locator)
        problems += check_patient_dates(patients, locator, options)
        if "responses" in merged:
            problems += check_progression(patients, merged["responses"], locator)
        problems += check_recorded_response(
            [s for s, _ in typed_parts["patients"]],
            [t for t in ("lesions", "responses") if len(merged.get(t, ())) > 0])
    problems += check_record_dates(merged, patients, locator, options)
    data = StudyData(**{name: _public(merged[name]) if name in merged else empty_table(t)
                        for name, t in TABLES.items()})
    return data, Problems.of(sorted(problems, key=_sort_key))
