"""Propose a study from a workbook file: read the sheet whole, run the engine, render."""

from __future__ import annotations

import os
from pathlib import Path

from oncocohort.propose.engine import propose_sheet
from oncocohort.propose.read import read_sheet
from oncocohort.propose.render import SpecText, render_study_yaml
from oncocohort.propose.results import SheetProposal

__all__ = ["init_spec", "propose_workbook", "spec_path_of"]


def propose_workbook(path: str | Path, *, sheet: str | None = None,
                     label: str | None = None) -> SheetProposal:
    """The proposal for one sheet of a workbook (the first sheet by default).

    ``label`` is how the file is named in the proposal and in problems (default: its name).

    Raises
    ------
    InputError
        The file cannot be read (missing, unknown type, damaged, empty, no such sheet).
    """
    path = Path(path)
    read = read_sheet(path, sheet=sheet, label=label)
    return propose_sheet(read.grid, file=label or path.name, sheet=read.sheet,
                         sheets=read.sheets, encoding=read.encoding, labels=read.labels)


def spec_path_of(workbook: str | Path, spec: str | Path) -> str:
    """The workbook's path as a spec written at ``spec`` names it: relative to the spec's
    folder, with ``/`` separators (absolute when no relative path exists, e.g. another
    drive)."""
    target = Path(workbook).resolve()
    folder = Path(spec).resolve().parent
    try:
        return Path(os.path.relpath(target, folder)).as_posix()
    except ValueError:  # pragma: no cover - Windows: another drive
        return target.as_posix()


def init_spec(workbook: str | Path, spec: str | Path, *, sheet: str | None = None,
              lang: str = "en") -> tuple[SheetProposal, SpecText]:
    """``oncocohort init``: the proposal for a workbook and the spec text to write at
    ``spec`` (nothing is written here)."""
    proposal = propose_workbook(workbook, sheet=sheet)
    text = render_study_yaml(proposal, spec_file=spec_path_of(workbook, spec), lang=lang)
    return proposal, text
