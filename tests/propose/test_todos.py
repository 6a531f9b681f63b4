"""Open questions: computed from the roles, so a changed role changes them."""

from __future__ import annotations

from dataclasses import replace

from oncocohort.propose import open_todos, propose_columns, propose_workbook, with_role
from oncocohort.propose.engine import propose_sheet
from oncocohort.propose.grid import Grid


def _codes(sheet):
    return [(t.note.code, t.position) for t in open_todos(sheet)]


def test_messy_workbook_questions(workbooks):
    p = propose_workbook(workbooks / "messy_zh.xlsx")
    pos = {c.header: c.position for c in p.columns}
    assert _codes(p) == [("sex_codes", pos["性别"]), ("status_codes", pos["生存状态"])]


def test_clear_workbook_has_no_question(workbooks):
    assert open_todos(propose_workbook(workbooks / "clear.xlsx")) == ()


def test_answering_in_the_proposal_closes_the_question(workbooks):
    p = propose_workbook(workbooks / "messy_zh.xlsx")
    sex = p.first("sex")
    answered = replace(sex, codes=(("1", "M"), ("2", "F")))
    p2 = replace(p, columns=tuple(answered if c.position == sex.position else c
                                  for c in p.columns), title_rows=())
    assert [t.note.code for t in open_todos(p2)] == ["status_codes"]


def _sheet(headers, *columns):
    rows = tuple(zip(*columns, strict=True))
    grid = Grid((tuple(headers), *rows), tuple(range(1, len(rows) + 2)))
    return propose_sheet(grid, file="x.csv")


def test_missing_roles_are_asked():
    p = _sheet(["Sex"], ["M", "F", "M"])
    assert [t.note.code for t in open_todos(p)] == [
        "missing_role", "missing_role", "missing_role", "missing_age", "no_death"]
    assert [t.note.kwargs.get("role") for t in open_todos(p)][:3] == [
        "subject_id", "index_date", "last_alive_date"]


def test_date_questions_with_their_rows():
    p = _sheet(["Patient ID", "Start date", "Last follow-up", "Date of death", "Age"],
               ["P1", "P2", "P3", "P4"],
               ["03/05/2023", "04/06/2023", "01/02/2023", "02/03/2023"],
               ["2024-01-01", "2024-02", "2024-03-01", "unknown"],
               ["44927", "44928", None, None], ["60", "61", "62", "63"])
    todos = {t.note.code: t.note.kwargs for t in open_todos(p)}
    assert set(todos) == {"ambiguous_dates", "partial_dates", "bad_dates", "serial_dates"}
    assert todos["bad_dates"]["rows"] == "5"  # the fourth patient is on row 5
    assert todos["partial_dates"]["k"] == "1"


def test_choosing_a_role_in_the_app_opens_its_questions():
    (col,) = propose_columns(["Group"], [["1", "2", "1"]])
    assert col.role == "covariate"
    as_status = with_role(col, "vital_status")
    assert dict(as_status.codes) == {"1": None, "2": None}


def test_repeated_ids_are_asked():
    p = _sheet(["Patient ID", "Age"], ["P1", "P1", "P2"], ["60", "60", "70"])
    assert "duplicate_ids" in [t.note.code for t in open_todos(p)]
