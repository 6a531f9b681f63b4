"""Item 4: text from the user is printed as written, never read as console markup.

Square brackets in a cell, a column name or a file name (``Rash [/bold]``, ``[/red]ECOG``,
``Age [years]``) once crashed the problem printer (rich ``MarkupError``: traceback, every
problem lost) or vanished from the message.
"""

from __future__ import annotations

from adversarial._study import assert_user_error


def test_an_ae_term_with_a_closing_tag_is_printed_as_written(demo):
    row = demo.find_row("adverse_events.csv", subject_id="ESCC-0001")
    demo.set_cell("adverse_events.csv", row, "ae_term", "Rash [/bold]")
    assert_user_error(demo.validate(), f"adverse_events.csv, row {row}, column 'ae_term'",
                      "'Rash [/bold]' is not a CTCAE v5.0 term")


def _rename_column(demo, old: str, new: str) -> None:
    rows = demo.rows("patients.csv")
    rows[0][rows[0].index(old)] = new
    demo.write_rows("patients.csv", rows)
    demo.edit_spec(lambda s: s["sources"]["patients"].setdefault("columns", {})
                   .update({old: new}))


def test_a_column_name_with_markup_is_printed_as_written(demo):
    _rename_column(demo, "ecog", "[/red]ECOG")
    demo.set_cell("patients.csv", 2, "[/red]ECOG", "seven")
    assert_user_error(demo.validate(), "patients.csv, row 2, column '[/red]ECOG'",
                      "`ecog` is not a number")


def test_brackets_that_look_like_a_style_are_kept(demo):
    _rename_column(demo, "age", "Age [years]")
    _rename_column(demo, "ecog", "[bold]ECOG[/bold]")
    demo.set_cell("patients.csv", 2, "Age [years]", "old")
    demo.set_cell("patients.csv", 3, "[bold]ECOG[/bold]", "x")
    assert_user_error(demo.validate(), "row 2, column 'Age [years]'",
                      "row 3, column '[bold]ECOG[/bold]'")


def test_a_file_name_with_markup_is_printed_as_written(demo):
    (demo.folder / "[").mkdir()  # the path [/bold]p.csv: file "bold]p.csv" in folder "["
    (demo.folder / "patients.csv").rename(demo.folder / "[/bold]p.csv")
    demo.edit_spec(lambda s: s["sources"]["patients"].update(file="[/bold]p.csv"))
    demo.set_cell("[/bold]p.csv", 2, "ecog", "x")
    assert_user_error(demo.validate(), "[/bold]p.csv, row 2, column 'ecog'")


def test_a_missing_file_with_markup_in_its_name(demo):
    demo.edit_spec(lambda s: s["sources"]["patients"].update(file="[red]gone[/red].csv"))
    assert_user_error(demo.validate(), "file not found: [red]gone[/red].csv")


def test_the_output_folder_name_is_printed_as_written(demo, tmp_path):
    out = tmp_path / "[/bold]results"
    outcome = demo.run(out)
    assert outcome.code == 0, outcome.output
    assert f"Outputs written to {out}" in outcome.output
