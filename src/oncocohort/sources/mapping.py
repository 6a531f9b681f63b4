"""Rename a read table's columns to canonical names and recode its values, as the spec says.

Columns
    ``columns:`` maps canonical -> user column. A mapped column absent from the file is an
    error naming the file, sheet and the user's column, with a did-you-mean among the file's
    columns. Unmapped columns already named canonically pass through. Another column of the
    ``patients`` table passes through as a free covariate under its own name only when the spec
    names it somewhere (``named``: a cohort rule, a baseline or subgroup variable, a label, a
    ``values:`` map, an endpoint's ``patients.<column>`` date); every other column is ignored:
    it reaches no output, and one warning per file lists the ignored columns (names, never
    values). A column whose header says it holds a direct identifier or free text
    (:mod:`oncocohort.canon.identifiers`: a name, 姓名, phone, national ID, address, remarks)
    gets a warning of its own, ignored or, when the spec names it, written to the outputs. A
    file column that is not mapped but carries the canonical name of a mapped column is
    dropped with a warning (the mapping wins).

Values
    Per canonical column, the spec's ``values:`` (user code -> canonical code) is applied
    first; its codes match the cell text exactly, else ignoring case and surrounding blanks
    (``1`` in the YAML matches the cell ``"1"``). Then built-in defaults apply, ignoring case:

    * response codes (``response``, ``best_response``): ``complete response`` -> ``CR``,
      ``partial response`` -> ``PR``, ``stable disease`` -> ``SD``, ``progressive disease`` ->
      ``PD``, ``not evaluable`` -> ``NE``, ``non-cr/non-pd`` -> ``NON-CR/NON-PD``;
    * ``sex``: ``male``/``female``, ``男``/``女``, ``男性``/``女性`` -> ``M``/``F`` (numeric
      codes are the spec's to map);
    * ``vital_status``: ``living``, ``生存``, ``存活``, ``健在`` -> ``alive``; ``deceased``,
      ``died``, ``death``, ``死亡``, ``已故`` -> ``dead`` (numeric codes are the spec's to map);
    * yes/no columns: ``y``/``yes``/``1``/``true`` -> ``True``, ``n``/``no``/``0``/``false``
      -> ``False``;
    * any coded column: an allowed code in another case gets its canonical spelling
      (``target`` -> ``TARGET``).

    Anything else is left as read, for ``model/`` to report with the allowed codes. Values are
    not parsed into dates or numbers here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.canon.codes import RESPONSE_CODES, looks_like_vital_status
from oncocohort.canon.distinct import coded_column, column_codes
from oncocohort.canon.identifiers import identifier_kind
from oncocohort.canon.schema import TABLES, Column
from oncocohort.problems import Problem, did_you_mean
from oncocohort.sources.base import SourceTable

__all__ = ["RESPONSE_DEFAULTS", "SEX_DEFAULTS", "VITAL_STATUS_DEFAULTS", "BOOL_DEFAULTS",
           "map_table", "recode_column"]

RESPONSE_DEFAULTS: dict[str, str] = {
    "complete response": "CR",
    "partial response": "PR",
    "stable disease": "SD",
    "progressive disease": "PD",
    "not evaluable": "NE",
    "non-cr/non-pd": "NON-CR/NON-PD",
}
#: Sex words (English, Chinese) that say one thing only; numeric codes (1/2) are the spec's.
SEX_DEFAULTS: dict[str, str] = {"male": "M", "female": "F",
                                "男": "M", "女": "F", "男性": "M", "女性": "F"}
#: Status words (English, Chinese) that say one thing only; numeric codes (1/2, 0/1) mean
#: different things in different hospitals and are always mapped by the spec.
VITAL_STATUS_DEFAULTS: dict[str, str] = {
    "living": "alive", "deceased": "dead", "died": "dead", "death": "dead",
    "生存": "alive", "存活": "alive", "健在": "alive", "死亡": "dead", "已故": "dead",
}
BOOL_DEFAULTS: dict[str, bool] = {
    "y": True, "yes": True, "1": True, "true": True,
    "n": False, "no": False, "0": False, "false": False,
}


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _defaults(column: Column | None) -> dict[str, Any]:
    """Built-in case-insensitive code map (folded key -> canonical value) of a column."""
    if column is None:
        return {}
    out: dict[str, Any] = {}
    if column.allowed:
        out.update({_fold(a): a for a in column.allowed})
    if column.allowed == RESPONSE_CODES:
        out.update(RESPONSE_DEFAULTS)
    if column.name == "sex":
        out.update(SEX_DEFAULTS)
    if column.name == "vital_status":
        out.update(VITAL_STATUS_DEFAULTS)
    if column.type == "bool":
        out.update(BOOL_DEFAULTS)
    return out


def recode_column(values: pd.Series, user_map: Mapping[str, Any],
                  column: Column | None) -> pd.Series:
    """Recode one column: the spec's map (exact, then ignoring case), then built-in defaults.

    ``None`` stays ``None``; values no rule matches are kept as read. A coded column
    (:mod:`oncocohort.canon.distinct`) is recoded per category and stays coded unless a
    spec's code maps to a number.
    """
    exact = dict(user_map)
    folded = {_fold(k): v for k, v in user_map.items()}
    defaults = _defaults(column)

    def one(v: Any) -> Any:
        if v is None:
            return None
        if v in exact:
            return exact[v]
        key = _fold(v)
        if key in folded:
            return folded[key]
        return defaults.get(key, v)

    coded = column_codes(values)
    if not (exact or defaults):  # nothing to recode (ids, dates, numbers): missing as None
        if coded is not None:
            return values
        cells = np.array(values, dtype=object)
        cells[pd.isna(cells)] = None
        return pd.Series(cells, index=values.index, dtype=object)
    # Cells repeat a lot (codes, ids): recode each distinct value once and map back.
    codes, uniques = coded if coded is not None else pd.factorize(
        np.asarray(values, dtype=object), use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        table[i] = one(u)
    table[-1] = None  # code -1: missing
    recoded = None if coded is None else coded_column(codes, table)
    if recoded is None:  # plain cells in, or a spec's code mapped to a number: plain cells
        return pd.Series(table[codes], index=values.index, dtype=object)
    return pd.Series(recoded, index=values.index)


def _rename(name: str, frame: pd.DataFrame, columns: Mapping[str, str], named: Collection[str],
            file: str, sheet: str | None) -> tuple[dict[str, str], list[Problem]]:
    """Which file column becomes which output column (output -> file column), and problems."""
    table = TABLES[name]
    present = [str(c) for c in frame.columns]
    chosen: dict[str, str] = {}
    problems: list[Problem] = []
    for canonical, user in columns.items():
        if user in present:
            chosen[canonical] = user
        else:
            problems.append(Problem(
                "error", f"column '{user}' (for {name}.{canonical}) is not in the file"
                f"{did_you_mean(user, present)}", file=file, sheet=sheet, row=1, column=user,
                code="column_not_found"))
    used = set(columns.values())
    ignored: list[str] = []
    for col in present:
        if col in used:
            continue
        if col in chosen:
            problems.append(Problem(
                "warning", f"column '{col}' is ignored: the spec maps '{chosen[col]}' to "
                f"{name}.{col}", file=file, sheet=sheet, row=1, column=col,
                code="column_shadowed"))
        elif col in table.names or (table.free_columns and col in named):
            chosen[col] = col
        else:
            ignored.append(col)
    return chosen, problems + _ignored(name, ignored, file, sheet, chosen) + _identifiers(
        name, chosen, file, sheet)


def _ignored(name: str, ignored: list[str], file: str, sheet: str | None,
             chosen: Collection[str] = ()) -> list[Problem]:
    """One warning listing the file's columns the spec does not name, one per column of them
    whose header says it is a direct identifier or free text, and ``unmapped_vital_status``
    for one that reads like a vital status when nothing the table keeps says who died."""
    if not ignored:
        return []
    many = len(ignored) > 1
    it = "them" if many else "it"
    where = (f"map {it} under the source's columns:, or name {it} in a cohort rule, baseline "
             f"or subgroups, to use {it}" if TABLES[name].free_columns else
             f"{'they are not columns' if many else 'it is not a column'} of the {name} table "
             "(docs/data-model.md)")
    out = [Problem(
        "warning", f"{len(ignored)} column{'s' if many else ''} of the file "
        f"{'are' if many else 'is'} not named by the spec and ignored (reaching no output): "
        f"{', '.join(repr(c) for c in ignored)}; {where}",
        file=file, sheet=sheet, row=1, code="columns_ignored")]
    for col in ignored:
        kind = identifier_kind(col)
        if kind is not None:
            out.append(Problem(
                "warning", f"column '{col}' looks like it holds {_what(kind)}: it is ignored "
                "and reaches no output, but the file holds it; keep such columns out of the "
                "extracts you share", file=file, sheet=sheet, row=1, column=col,
                code="identifier_ignored"))
    return out + _unmapped_status(name, ignored, file, sheet, chosen)


def _unmapped_status(name: str, ignored: list[str], file: str, sheet: str | None,
                     chosen: Collection[str]) -> list[Problem]:
    """``unmapped_vital_status`` (warning): a patients column that reads like a vital status
    (:func:`~oncocohort.canon.codes.looks_like_vital_status`) is ignored while the table maps
    neither ``death_date`` nor ``vital_status``: the deaths it records reach no endpoint."""
    if name != "patients" or {"death_date", "vital_status"} & set(chosen):
        return []
    return [Problem(
        "warning", f"column '{col}' looks like a vital status, but it is not mapped and the "
        "spec maps neither death_date nor vital_status: the deaths it records are not seen "
        f"by any endpoint (every patient would count as alive). Map it: columns: "
        f"{{vital_status: '{col}'}} and values: {{vital_status: {{<code>: dead, "
        "<code>: alive}}", file=file, sheet=sheet, row=1, column=col,
        code="unmapped_vital_status")
        for col in ignored if looks_like_vital_status(col)]


def _what(kind: str) -> str:
    return ("free text, which can identify a patient" if kind == "free text"
            else f"{kind}, a direct identifier")


def _identifiers(name: str, chosen: Mapping[str, str], file: str,
                 sheet: str | None) -> list[Problem]:
    """A free covariate the spec names whose header says direct identifier or free text: it
    will be written to the outputs (``datasets/patients.csv``), which the user should know."""
    table = TABLES[name]
    out = []
    for target, source in chosen.items():
        if target in table.names:
            continue
        kind = identifier_kind(source) or identifier_kind(target)
        if kind is not None:
            out.append(Problem(
                "warning", f"column '{source}' looks like it holds {_what(kind)}, and the spec "
                f"names it ({name}.{target}): it will be written to the outputs (datasets, "
                "tables); remove it from the spec unless the analysis needs it",
                file=file, sheet=sheet, row=1, column=source, code="identifier_named"))
    return out


def _partial_map(values: pd.Series, user_map: Mapping[str, Any], target: str, source: str,
                 rows: np.ndarray, file: str, sheet: str | None) -> list[Problem]:
    """``partial_values`` (warning): a free covariate's ``values:`` map leaves codes found in
    the column unmapped (they are kept as read)."""
    known = set(user_map) | {_fold(k) for k in user_map}
    text = pd.Series(values.to_numpy(dtype=object)).dropna().astype(str)
    left = text[~text.isin(known) & ~text.map(_fold).isin(known)]
    if left.empty:
        return []
    codes = list(dict.fromkeys(left))
    shown = ", ".join(f"'{c[:30]}'" for c in codes[:12]) + (", ..." if len(codes) > 12 else "")
    return [Problem(
        "warning", f"the values map of {target} leaves {len(codes)} code"
        f"{'s' if len(codes) > 1 else ''} found in the column unmapped, kept as read: {shown} "
        f"({len(left)} rows); add {'them' if len(codes) > 1 else 'it'} to values.{target}, or "
        "map them to null to make them missing", file=file, sheet=sheet,
        row=int(rows[left.index[0]]), column=source, code="partial_values")]


def map_table(name: str, frame: pd.DataFrame, rows: np.ndarray, *,
              columns: Mapping[str, str] | None = None,
              values: Mapping[str, Mapping[str, Any]] | None = None,
              named: Collection[str] = (),
              file: str, sheet: str | None = None,
              origin: str = "long") -> tuple[SourceTable | None, list[Problem]]:
    """Rename and recode one read table into a canonical :class:`SourceTable`.

    Parameters
    ----------
    name
        Canonical table name (``patients``, ``therapy``, ...).
    frame, rows
        What :func:`oncocohort.sources.readers.read_table` returned.
    columns
        Canonical (or, for ``patients``, covariate) name -> the user's column name.
    values
        Per output column: user code -> canonical code.
    named
        Free covariates (``patients`` only) the spec names elsewhere (rules, baseline,
        subgroups, labels, endpoint dates): file columns of these names pass through; the
        keys of ``columns`` and ``values`` are named too. Other columns are ignored.
    file, sheet
        The file as written in the spec, and the sheet, for provenance and messages.
    origin
        ``"long"`` or ``"wide"``, recorded on the table.

    Returns
    -------
    table, problems
        ``table`` is ``None`` when a mapped column is missing (the problem says which).
    """
    columns = dict(columns or {})
    values = {k: {str(c): t for c, t in v.items()} for k, v in (values or {}).items()}
    chosen, problems = _rename(name, frame, columns, {*named, *values}, file, sheet)
    if any(p.severity == "error" for p in problems):
        return None, problems
    schema = TABLES[name]
    out = {}
    for target, source in chosen.items():
        column = schema.column(target) if target in schema.names else None
        out[target] = recode_column(frame[source], values.get(target, {}), column)
        if column is None and values.get(target):
            problems += _partial_map(frame[source], values[target], target, source, rows,
                                     file, sheet)
    mapped = pd.DataFrame(out, index=range(len(frame)))
    provenance = {target: source for target, source in chosen.items()}
    table = SourceTable(name=name, frame=mapped, file=file, sheet=sheet,
                        rows=np.asarray(rows, dtype=np.int64), columns=provenance,
                        origin=origin)  # type: ignore[arg-type]
    return table, problems
