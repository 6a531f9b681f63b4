"""Read every source a study spec names into canonical :class:`SourceTable` lists.

One pass over the spec's ``sources:``: each long source is read (:mod:`.readers`), renamed and
recoded (:mod:`.mapping`); the ``wide`` sheet is unpivoted (:mod:`.wide`). Every problem is
collected and returned, none raised: a source that cannot be read or mapped contributes its
problems and no table, and the others are still read.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from oncocohort.problems import InputError, Problem, Problems, did_you_mean
from oncocohort.sources.base import SourceTable
from oncocohort.sources.mapping import map_table
from oncocohort.sources.readers import read_table_header
from oncocohort.sources.wide import unpivot_wide
from oncocohort.spec.model import Source, Sources

__all__ = ["load_sources"]


def _read(source: Source) -> tuple[Any, list[Problem]]:
    """The source's frame, row numbers, header row and the row that looks like the header."""
    try:
        return read_table_header(source.path, sheet=source.sheet, label=source.file,
                                 encoding=source.encoding, header_row=source.header_row), []
    except InputError as exc:
        return None, list(exc.problems)


def _drop_ignored(frame: Any, source: Source) -> tuple[Any, list[Problem]]:
    """The frame without the source's ``ignore_columns``; a listed column the file does not
    have is an error (a typo would otherwise let an identifier through)."""
    present = [str(c) for c in frame.columns]
    problems = [Problem(
        "error", f"column '{col}' (in ignore_columns) is not in the file"
        f"{did_you_mean(col, present)}", file=source.file, sheet=source.sheet, row=1,
        column=col, code="column_not_found")
        for col in source.ignore_columns if col not in present]
    drop = [c for c in frame.columns if str(c) in set(source.ignore_columns)]
    return frame.drop(columns=drop), problems


def load_sources(sources: Sources, named: Collection[str] = ()
                 ) -> tuple[dict[str, list[SourceTable]], Problems]:
    """Read, rename and recode every source of a study spec.

    Parameters
    ----------
    sources
        The spec's ``sources:`` block.
    named
        The free patients columns (covariates) the rest of the spec names: only these, the
        canonical columns and the mapped ones are kept; every other column is ignored with a
        warning (:func:`oncocohort.sources.mapping.map_table`).

    Returns
    -------
    tables, problems
        Canonical table name -> the tables read for it, long sources first then the tables
        unpivoted from ``wide`` (both kept when both are given; ``model/`` checks they agree).
        ``problems`` holds every problem found (file, sheet, row, user column).
    """
    tables: dict[str, list[SourceTable]] = {}
    problems: list[Problem] = []
    for name, source in sources.items():
        found, more = _load_one(name, source, named)
        problems += more
        for key, items in found.items():
            tables.setdefault(key, []).extend(items)
    if any({"death_date", "vital_status"} & set(t.frame.columns)
           for t in tables.get("patients", [])):
        # Another source of the patients table (the wide sheet, say) says who died.
        problems = [p for p in problems if p.code != "unmapped_vital_status"]
    return tables, Problems.of(problems)


def _load_one(name: str, source: Source, named: Collection[str]
              ) -> tuple[dict[str, list[SourceTable]], list[Problem]]:
    """One source read, renamed and recoded: its tables and its problems."""
    read, problems = _read(source)
    if read is None:
        return {}, problems
    frame, rows, header, looks = read
    frame, problems = _drop_ignored(frame, source)
    if not problems:
        if name == "wide":
            found, problems = unpivot_wide(frame, rows, columns=source.columns,
                                           values=source.values, ae_grades=source.ae_grades,
                                           ae_related=source.ae_related, named=named,
                                           file=source.file, sheet=source.sheet)
        else:
            table, problems = map_table(name, frame, rows, columns=source.columns,
                                        values=source.values, named=named, file=source.file,
                                        sheet=source.sheet)
            found = {name: [table]} if table is not None else {}
    else:
        found = {}
    if header != 1:  # the mapping numbers the header row 1; it is the sheet's row `header`
        problems = [replace(p, row=header) if p.code in _AT_HEADER and p.row == 1 else p
                    for p in problems]
    if source.header_row is None and looks != header:
        problems = _header_hint(problems, source, header, looks)
    return found, problems


#: Problems the mapping reports at the header row; a header read from the wrong row causes
#: them, so they are folded into one error with the hint.
_AT_HEADER = frozenset({"column_not_found", "columns_ignored", "identifier_ignored",
                        "identifier_named", "unmapped_vital_status", "column_shadowed"})


def _header_hint(problems: list[Problem], source: Source, header: int,
                 looks: int) -> list[Problem]:
    """The header read (row ``header``) looks like a title and row ``looks`` like the header:
    ``header_row_hint``, a warning; when columns the spec names are then not found, one error
    naming them and the row to set instead (not one error per column and a warning listing
    the title's text as an ignored column)."""
    missing = [p.column for p in problems if p.code == "column_not_found"]
    if not missing:
        return [Problem(
            "warning", f"the header looks like row {looks}, not row {header} (the rows above "
            f"it look like a title); set header_row: {looks} on this source", file=source.file,
            sheet=source.sheet, row=header, code="header_row_hint"), *problems]
    shown = ", ".join(f"'{c}'" for c in missing[:10]) + (", ..." if len(missing) > 10 else "")
    many = len(missing) > 1
    folded = Problem(
        "error", f"{len(missing)} column{'s' if many else ''} the spec names "
        f"{'are' if many else 'is'} not in the header read from row {header}: {shown}; the "
        f"header looks like row {looks} (the rows above it look like a title): set "
        f"header_row: {looks} on this source", file=source.file, sheet=source.sheet,
        row=header, code="column_not_found")
    return [folded] + [p for p in problems if p.code not in _AT_HEADER]
