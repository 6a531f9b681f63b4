"""Run a session's study in the background, through the same study layer as ``oncocohort run``.

The spec the page shows is written into the session's folder next to the workbook
(``study.yaml``), then :func:`oncocohort.study.load.load_study`,
:func:`oncocohort.study.run.run_study` and :func:`oncocohort.write.study.write_study_outputs`
run exactly as the CLI runs them, into ``results/`` in the same folder. The downloaded
``study.yaml`` next to the same workbook therefore gives the same files with
``oncocohort run``. The stages report their progress; data problems stop the run and are
kept for the page, which shows them at their cells.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from oncocohort.problems import InputError, Problem
from oncocohort.study.load import load_study
from oncocohort.study.run import run_study
from oncocohort.write.folder import write_text_file
from oncocohort.write.study import write_study_outputs

__all__ = ["RESULTS", "STAGES", "RunState", "start_run"]

LOG = logging.getLogger("oncocohort.app")

#: The stages of a run and the share of the bar each one completes.
STAGES: tuple[tuple[str, float], ...] = (("queued", 0.0), ("validating", 0.1),
                                         ("analysing", 0.35), ("writing", 0.75),
                                         ("done", 1.0))
#: The outputs folder inside a session's folder.
RESULTS = "results"


@dataclass
class RunState:
    """Where a run is: its stage, its progress (0-1), the problems that stopped it."""

    stage: str = "queued"
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False

    @property
    def progress(self) -> float:
        return dict(STAGES).get(self.stage, 0.0)

    @property
    def finished(self) -> bool:
        return self.stage == "done" or self.failed or bool(self.problems)


def _run(folder: Path, state: RunState) -> None:
    try:
        state.stage = "validating"
        loaded = load_study(folder / "study.yaml")
        if not loaded.problems.ok:
            state.problems = list(loaded.problems.errors)
            return
        state.stage = "analysing"
        results = run_study(loaded)
        state.stage = "writing"
        write_study_outputs(results, folder / RESULTS)
        state.stage = "done"
    except InputError as exc:
        state.problems = list(exc.problems) or [Problem("error", "the input has errors")]
    except Exception:  # a fault of the app: logged for the terminal, never shown
        LOG.exception("the analysis failed")
        state.failed = True


def start_run(folder: Path, spec_text: str) -> RunState:
    """Write the spec into ``folder`` and start the analysis in a thread; return its state."""
    write_text_file(folder / "study.yaml", spec_text)
    state = RunState()
    threading.Thread(target=_run, args=(folder, state), daemon=True).start()
    return state
