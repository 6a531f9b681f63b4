"""The questions a proposal leaves open: what ``init`` writes as TODO and the app asks.

They follow from the roles chosen (the engine's, or the user's in the app), so they are
computed, never stored: change a role and the questions change with it.

Sheet questions (a title above the header is no question: the spec's ``header_row`` reads
past it): a role the study needs with no column (patient
id, index date, last follow-up, age or birth date); nothing that says who died. Column
questions: codes without a meaning (``1``/``2`` for sex or vital status), response or
end-of-treatment codes that are not RECIST/canonical ones, dates whose day/month order no
cell decides (or that mix both orders), Excel serial numbers, partial dates, cells that are
not dates (with their rows), two text-date formats in one sheet, an AE grade column without a
CTCAE term, patient ids repeated.
"""

from __future__ import annotations

from oncocohort.propose.results import ColumnProposal, Note, SheetProposal, Todo
from oncocohort.propose.roles import ROLES

__all__ = ["open_todos", "REQUIRED_ROLES"]

#: Roles a one-row-per-patient study cannot do without.
REQUIRED_ROLES: tuple[str, ...] = ("subject_id", "index_date", "last_alive_date")

_CODE_TODO = {"sex": "sex_codes", "vital_status": "status_codes",
              "best_response": "response_codes", "eot_reason": "eot_codes"}


def _codes(col: ColumnProposal) -> list[Todo]:
    missing = [code for code, target in col.codes if target is None]
    if not missing or col.role not in _CODE_TODO:
        return []
    return [Todo(Note.of(_CODE_TODO[col.role], column=col.header, codes=", ".join(missing)),
                 col.position)]


def _dates(col: ColumnProposal, data_rows: tuple[int, ...]) -> list[Todo]:
    d = col.content.dates
    if ROLES[col.role].kind != "date":
        return []
    if d is None:
        if col.content.empty:
            return []
        return [Todo(Note.of("not_dates", column=col.header), col.position)]
    out = []
    if d.style in ("ambiguous", "mixed", "serial"):
        out.append(Todo(Note.of(f"{d.style}_dates", column=col.header), col.position))
        return out
    if d.partial:
        out.append(Todo(Note.of("partial_dates", column=col.header, k=d.partial),
                        col.position))
    if d.failed:
        rows = ", ".join(str(data_rows[i]) for i in d.failed_positions if i < len(data_rows))
        out.append(Todo(Note.of("bad_dates", column=col.header, k=d.failed, rows=rows),
                        col.position))
    return out


def _sheet(sheet: SheetProposal) -> list[Todo]:
    out = []
    roles = {c.role for c in sheet.columns}
    for name in REQUIRED_ROLES:
        if name not in roles:
            out.append(Todo(Note.of("missing_role", role=name)))
    if not roles & {"age", "birth_date"}:
        out.append(Todo(Note.of("missing_age")))
    if not roles & {"death_date", "vital_status"}:
        out.append(Todo(Note.of("no_death")))
    formats = {c.date_format for c in sheet.columns
               if c.date_format and ROLES[c.role].kind == "date"}
    if len(formats) > 1:
        out.append(Todo(Note.of("date_formats", formats=", ".join(sorted(formats)))))
    return out


def open_todos(sheet: SheetProposal) -> tuple[Todo, ...]:
    """Every open question of a proposal: the sheet's first, then column by column."""
    out = _sheet(sheet)
    for col in sheet.columns:
        if ROLES[col.role].group == "left_out":
            continue
        if col.role == "subject_id" and not col.content.unique and not col.content.empty:
            out.append(Todo(Note.of("duplicate_ids", column=col.header,
                                    rows=col.content.present, k=col.content.n_distinct),
                            col.position))
        if col.role == "ae_grade" and not col.ae_term:
            out.append(Todo(Note.of("ae_term", column=col.header), col.position))
        out += _codes(col)
        out += _dates(col, sheet.data_rows)
    return tuple(out)
