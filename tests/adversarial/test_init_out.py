"""Item 1 and item 4 for ``oncocohort init --out``: the spec file to write.

``--out`` is user text (printed as written, never read as console markup), and where it cannot
be written (a folder, even with ``--force``; a folder that cannot be written, such as
``/proc``) ``init`` says so with exit 2 before it reads the workbook, and leaves everything as
it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adversarial._study import assert_user_error, run_cli

WORKBOOK = Path(__file__).parents[1] / "fixtures" / "workbooks" / "clear.csv"


@pytest.fixture
def nothing_proposed(monkeypatch):
    """Fail the test if ``init`` reads the workbook (it must refuse before proposing)."""
    import oncocohort.propose.workbook as workbook

    def proposed(*args, **kwargs):
        raise AssertionError("init proposed a spec before refusing its --out")

    monkeypatch.setattr(workbook, "init_spec", proposed)


def test_an_existing_out_named_like_markup_is_shown_as_written(tmp_path, monkeypatch,
                                                               nothing_proposed):
    monkeypatch.chdir(tmp_path)
    Path("[red]s.yaml").write_text("mine", encoding="utf-8")
    outcome = run_cli(["init", WORKBOOK, "--out", "[red]s.yaml"])
    assert_user_error(outcome, "[red]s.yaml exists", "--force")
    assert Path("[red]s.yaml").read_text(encoding="utf-8") == "mine"


def test_a_missing_folder_named_like_closing_markup_is_shown_as_written(tmp_path, monkeypatch,
                                                                        nothing_proposed):
    """``[/bold]`` closes a tag never opened: rich raised MarkupError (exit 1) before."""
    monkeypatch.chdir(tmp_path)
    outcome = run_cli(["init", WORKBOOK, "--out", "[/bold]x/s.yaml"])
    assert_user_error(outcome, "does not exist: [/bold]x")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_is_never_the_spec_file(tmp_path, force, nothing_proposed):
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "mine.yaml").write_text("mine", encoding="utf-8")
    outcome = run_cli(["init", WORKBOOK, "--out", folder, *(["--force"] if force else [])])
    assert_user_error(outcome, str(folder), "is a folder")
    assert [p.name for p in folder.iterdir()] == ["mine.yaml"]
    assert (folder / "mine.yaml").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("force", [False, True])
def test_an_unwritable_folder_is_reported_before_proposing(force, nothing_proposed):
    """/proc cannot be written even by root."""
    out = Path("/proc") / "oncocohort-s.yaml"
    outcome = run_cli(["init", WORKBOOK, "--out", out, *(["--force"] if force else [])])
    assert_user_error(outcome, "cannot write", "not writable")
    assert not out.exists()


def test_force_still_replaces_an_existing_spec(tmp_path):
    """The refusals above leave ``--force`` doing what it says on a file."""
    out = tmp_path / "s.yaml"
    out.write_text("mine", encoding="utf-8")
    outcome = run_cli(["init", WORKBOOK, "--out", out, "--force"])
    assert outcome.code == 0, outcome.output
    assert out.read_text(encoding="utf-8").startswith("# Study spec")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]
