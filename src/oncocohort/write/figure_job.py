"""The figures of a study's report, given to the figure workers as soon as the study is
analysed. This module imports none of the report's renderers (python-docx, the tables, the
text measurements), so the CLI gives the workers their job first and loads those while the
workers draw (:mod:`.study` writes everything else)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from oncocohort.analysis.study import StudyAnalysis
from oncocohort.canon.formats import FIGURE_FORMATS
from oncocohort.report.figure_workers import FigureWorkers
from oncocohort.report.options import ReportOptions

__all__ = ["figure_formats", "submit_figures", "drawing_figures"]


def figure_formats(options: ReportOptions) -> tuple[str, ...]:
    """The formats each figure is rendered in: the files' (``outputs.figure_formats``) and
    the reports' (SVG inlined in the HTML, PNG in the Word report)."""
    needed = set(options.figure_formats)
    needed |= {"svg"} if "html" in options.formats else set()
    needed |= {"png"} if "docx" in options.formats else set()
    return tuple(f for f in FIGURE_FORMATS if f in needed)


def submit_figures(figures: FigureWorkers, analysis: StudyAnalysis,
                   options: ReportOptions) -> None:
    """Give ``figures`` the report's figures of ``analysis`` to draw and render."""
    figures.submit(analysis, options, formats=figure_formats(options))


@contextlib.contextmanager
def drawing_figures(analysis: StudyAnalysis, options: ReportOptions
                    ) -> Iterator[FigureWorkers]:
    """Figure workers started now and given the figures of ``analysis`` (for a caller that
    did not start them before loading the study); stopped when the block ends."""
    with FigureWorkers.started() as figures:
        submit_figures(figures, analysis, options)
        yield figures
