"""Spec checks that need more than one field: the canonical data model and the source files.

They run on the raw YAML mapping, defensively, so that they report alongside the field-level
errors of the pydantic models (every problem in one pass) even when those fail. Each check
yields ``(location, message, code)`` with ``location`` the YAML path as users read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from oncocohort.canon.formats import SOURCE_SUFFIXES, TODO
from oncocohort.canon.schema import TABLES
from oncocohort.problems import did_you_mean

__all__ = ["TODO", "check_sources", "open_question", "yaml_path"]

Finding = tuple[str, str, str]

_BOOL_CODES = (True, False, "true", "false")

_OPEN = "an open question of `oncocohort init`: "


def yaml_path(loc: tuple[Any, ...]) -> str:
    """Render a location tuple as users read a YAML path: ``endpoints.pfs.censor[1]``."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str) and part.replace("_", "a").replace("-", "a").isalnum():
            out += f".{part}" if out else part
        else:
            out += f"[{str(part)!r}]"
    return out


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _check_file(name: str, src: dict, base_dir: Path) -> Iterator[Finding]:
    file = src.get("file")
    if not (isinstance(file, str) and file):
        return
    kind = SOURCE_SUFFIXES.get(Path(file).suffix.lower())
    if kind is None:
        yield (yaml_path(("sources", name, "file")), f"unknown file type "
               f"'{Path(file).suffix}'; use one of {', '.join(sorted(SOURCE_SUFFIXES))}",
               "unknown_format")
    elif not (base_dir / file).is_file():
        yield (yaml_path(("sources", name, "file")), f"file not found: {file}", "file_not_found")
    if src.get("sheet") is not None and kind not in (None, "xlsx"):
        yield (yaml_path(("sources", name, "sheet")), "a sheet is only for Excel workbooks "
               "(.xlsx)", "sheet_not_workbook")


#: The question behind a ``TODO`` that ``oncocohort init`` writes outside ``sources:``, by its
#: YAML path.
_TODO_FIELDS = {
    ("study", "data_cutoff"): "what is the study's data cut-off, the date up to which the "
                              "data were collected? Write it here as YYYY-MM-DD (e.g. "
                              "2024-12-31)",
}


def open_question(loc: tuple[Any, ...]) -> str:
    """The message of a ``TODO`` that a field of the spec model rejects (its own error would
    be pydantic's "not a valid date"): the open question of ``oncocohort init`` at ``loc``.

    >>> open_question(("study", "data_cutoff"))[:60]
    "'TODO' is an open question of `oncocohort init`: what is the"
    """
    question = _TODO_FIELDS.get(tuple(loc), "what goes here? Write the value, or remove the line")
    return f"'{TODO}' is {_OPEN}{question}"


def _todo_column(table: str, canonical: str) -> str:
    column = TABLES[table].column(canonical) if canonical in TABLES[table].names else None
    what = re.split(r"[.:;(]", column.description)[0].strip() if column is not None else ""
    also = " (or map vital_status, alive/dead, instead)" if canonical == "death_date" else ""
    return (f"'{TODO}' is {_OPEN}which column of the file is {table}.{canonical}"
            f"{f' ({what.lower()})' if what else ''}? Write its header here{also}, or remove "
            "the line")


def _check_columns(name: str, src: dict) -> Iterator[Finding]:
    table = "patients" if name == "wide" else name
    known = TABLES[table].names
    for canonical, column in _mapping(src.get("columns")).items():
        loc = yaml_path(("sources", name, "columns", canonical))
        if column == TODO:
            yield loc, _todo_column(table, str(canonical)), "open_todo"
        if TABLES[table].free_columns:
            if not (isinstance(canonical, str) and canonical.isidentifier()):
                yield (loc, f"'{canonical}' is not a usable column name (letters, digits, _)",
                       "bad_column_name")
        elif canonical not in known:
            yield (loc, f"'{canonical}' is not a column of table {table}"
                   f"{did_you_mean(str(canonical), known)}", "unknown_column")


def _check_values(name: str, src: dict) -> Iterator[Finding]:
    table = TABLES["patients" if name == "wide" else name]
    mapped = set(_mapping(src.get("columns")))
    for canonical, codes in _mapping(src.get("values")).items():
        loc = ("sources", name, "values", canonical)
        if canonical not in table.names and canonical not in mapped:
            if not table.free_columns:
                yield (yaml_path(loc), f"'{canonical}' is not a column of table {table.name}"
                       f"{did_you_mean(str(canonical), table.names)}", "unknown_column")
            continue
        if canonical not in table.names:
            continue
        column = table.column(canonical)
        for user_code, target in _mapping(codes).items():
            where = yaml_path((*loc, str(user_code)))
            if target is None:
                continue  # a code mapped to null means missing
            if target == TODO:
                yield (where, f"'{TODO}' is {_OPEN}what does code '{user_code}' of "
                       f"{table.name}.{canonical} mean? One of "
                       f"{', '.join(column.allowed) if column.allowed else 'true, false'}",
                       "open_todo")
            elif column.allowed and str(target).upper() not in {a.upper() for a in column.allowed}:
                yield (where, f"'{target}' is not a code of {table.name}.{canonical}; allowed: "
                       f"{', '.join(column.allowed)}", "unknown_code")
            elif column.type == "bool" and target not in _BOOL_CODES:
                yield (where, f"'{target}' is not true or false ({table.name}.{canonical} is "
                       "yes/no)", "unknown_code")


def _check_wide(src: dict) -> Iterator[Finding]:
    grades = _mapping(src.get("ae_grades"))
    mapped = {v: k for k, v in _mapping(src.get("columns")).items()}
    for term, column in grades.items():
        if column in mapped:
            yield (yaml_path(("sources", "wide", "ae_grades", str(term))),
                   f"column '{column}' is also mapped to '{mapped[column]}' in columns",
                   "column_used_twice")


def check_sources(data: Any, base_dir: Path) -> list[Finding]:
    """Cross-field checks of ``sources:`` in a raw spec mapping.

    Checks: each source's file has a known type and exists (resolved against ``base_dir``), and
    ``sheet`` is only given for workbooks; ``columns`` keys are
    canonical columns of the table (any identifier for ``patients``/``wide``, whose extra
    columns are free covariates); ``values`` targets are allowed codes of category columns and
    true/false for yes/no columns; a wide AE-grade column is not also a patients column. A
    column or a code given as ``TODO`` is a question ``oncocohort init`` left open, and said
    so (code ``open_todo``), so that ``validate`` lists the open questions before the data
    are read.
    """
    sources = _mapping(_mapping(data).get("sources"))
    found: list[Finding] = []
    for name, src in sources.items():
        if not isinstance(src, dict) or (name not in TABLES and name != "wide"):
            continue  # shape errors are reported by the pydantic models
        found += _check_file(name, src, base_dir)
        found += _check_columns(name, src)
        found += _check_values(name, src)
        if name == "wide":
            found += _check_wide(src)
    return found
