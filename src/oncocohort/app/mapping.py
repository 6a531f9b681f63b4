"""The mapping screen's content: one row per column, from the proposal (no web code here)."""

from __future__ import annotations

from dataclasses import dataclass

from oncocohort.app.analysis_form import level_labels
from oncocohort.propose._canon import EOT_REASONS, RESPONSE_CODES, SEX_CODES
from oncocohort.propose.analysis import AnalysisChoices
from oncocohort.propose.codes import STATUS_CODES
from oncocohort.propose.content import preview_dates
from oncocohort.propose.messages import describe, role_label
from oncocohort.propose.results import ColumnProposal, SheetProposal
from oncocohort.propose.roles import ROLES
from oncocohort.propose.todos import open_todos

__all__ = ["CANONICAL_CODES", "DATE_FORMATS", "ColumnRow", "mapping_rows", "todo_list"]

#: The codes a coded role's values can mean.
CANONICAL_CODES: dict[str, tuple[str, ...]] = {
    "sex": SEX_CODES, "vital_status": STATUS_CODES, "best_response": RESPONSE_CODES,
    "eot_reason": EOT_REASONS,
}
#: Date formats offered for text dates ("" = year first or native dates: none needed).
DATE_FORMATS: tuple[str, ...] = ("", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%m.%d.%Y",
                                 "%d-%m-%Y", "%m-%d-%Y", "%Y年%m月%d日")


@dataclass(frozen=True)
class ColumnRow:
    """What the mapping screen shows of one column."""

    position: int
    header: str
    role: str
    level: str
    confidence: float
    evidence: tuple[str, ...]
    roles: tuple[tuple[str, str], ...]
    codes: tuple[tuple[str, int, str | None], ...]
    code_choices: tuple[str, ...]
    dates: tuple[tuple[str, str | None], ...]
    date_format: str
    date_formats: tuple[str, ...]
    numbers: tuple[str, str] | None
    questions: tuple[str, ...]
    target: str | None
    levels: tuple[tuple[str, int, str], ...] = ()
    #: The SPSS/Stata variable label of the column, when it says more than its name.
    label: str | None = None


def _codes(col: ColumnProposal) -> tuple[tuple[str, int, str | None], ...]:
    counts = dict(col.content.codes)
    if col.codes:
        return tuple((code, counts.get(code, 0), target) for code, target in col.codes)
    if ROLES[col.role].group == "covariate" and col.role == "covariate":
        return tuple((code, n, None) for code, n in col.content.codes)
    return ()


def _levels(col: ColumnProposal, shown: dict[str, tuple[tuple[str, str], ...]]
            ) -> tuple[tuple[str, int, str], ...]:
    """The levels of a categorical Table 1 column: code, rows, the label shown."""
    if not col.variable or col.variable not in shown:
        return ()
    counts: dict[str, int] = {}
    targets = col.code_map
    for cell, n in col.content.codes:
        code = targets.get(cell, cell) if targets else cell
        if code is not None:
            counts[code] = counts.get(code, 0) + n
    return tuple((code, counts.get(code, 0), label) for code, label in shown[col.variable])


def mapping_rows(sheet: SheetProposal, cells: list[list[str | None]], lang: str,
                 choices: AnalysisChoices | None = None) -> list[ColumnRow]:
    """One :class:`ColumnRow` per column of the proposal, worded in ``lang``; a categorical
    Table 1 column with its levels as the report labels them (``choices``' labels first)."""
    shown = level_labels(sheet, choices or AnalysisChoices(), lang)
    questions: dict[int, list[str]] = {}
    for todo in open_todos(sheet):
        if todo.position is not None:
            questions.setdefault(todo.position, []).append(describe(todo.note, lang))
    roles = tuple((name, role_label(name, lang)) for name in ROLES)
    rows = []
    for col in sheet.columns:
        is_date = ROLES[col.role].kind == "date" and col.content.dates is not None
        formats = DATE_FORMATS if not col.date_format or col.date_format in DATE_FORMATS \
            else (*DATE_FORMATS, col.date_format)
        n = col.content.numbers
        rows.append(ColumnRow(
            position=col.position, header=col.header, role=col.role, level=col.level,
            confidence=col.confidence,
            evidence=tuple(describe(note, lang) for note in col.evidence),
            roles=roles, codes=_codes(col),
            code_choices=CANONICAL_CODES.get(col.role, ()),
            dates=tuple(preview_dates(cells[col.position], col.date_format)) if is_date
            else (),
            date_format=col.date_format or "", date_formats=formats,
            numbers=(f"{n.minimum:g}", f"{n.maximum:g}") if n and col.level != "left_out"
            else None,
            questions=tuple(questions.get(col.position, ())),
            target=col.variable or col.ae_term, levels=_levels(col, shown),
            label=col.variable_label if col.variable_label not in (None, col.header)
            else None))
    return rows


def todo_list(sheet: SheetProposal, spec_todos: tuple[str, ...], lang: str
              ) -> list[tuple[int | None, str]]:
    """Every open question of the spec, with the column it concerns (``None``: the sheet).

    ``spec_todos`` are the rendered spec's questions: the proposal's own
    (:func:`~oncocohort.propose.todos.open_todos`) first, then those the spec adds.
    """
    own = [(t.position, describe(t.note, lang)) for t in open_todos(sheet)]
    return own + [(None, text) for text in spec_todos[len(own):]]
