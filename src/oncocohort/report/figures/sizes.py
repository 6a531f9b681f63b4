"""The sizes the figures are drawn for, without matplotlib: the journal column widths a figure
is drawn for and placed at in the Word and HTML reports, the white margin of the files, and how
many patients a swimmer plot shows. The processes that build the tables and the reports read
these; only the figure workers load matplotlib (:mod:`oncocohort.report.figure_workers`)."""

from __future__ import annotations

from typing import Literal

__all__ = ["MM_PER_INCH", "SINGLE_COLUMN_MM", "DOUBLE_COLUMN_MM", "FigureColumn", "COLUMN_MM",
           "SAVE_PAD_IN", "FLOWCHART_FONT_PT", "MAX_SWIMMER_PATIENTS", "inches", "canvas_in"]

MM_PER_INCH = 25.4
SINGLE_COLUMN_MM = 85.0   # common single-column width (Elsevier, Dove, BMJ: 80-90 mm)
DOUBLE_COLUMN_MM = 180.0  # double column, full page width (Lancet, NEJM, Elsevier: 170-183 mm)

#: The width a figure is drawn for and placed at in the Word and HTML reports: a figure
#: function drawing for ``"single"`` makes its figure ``SINGLE_COLUMN_MM`` wide.
FigureColumn = Literal["single", "double"]
COLUMN_MM: dict[str, float] = {"single": SINGLE_COLUMN_MM, "double": DOUBLE_COLUMN_MM}

#: The white margin the files get around the figure's bounding box, in inches (what
#: :mod:`.render` pads the tight bounding box with, matplotlib's ``pad_inches`` default).
SAVE_PAD_IN = 0.1

#: The flowchart's text size (pt), the smallest of any figure: the Word report may place the
#: flowchart smaller than drawn to fit its page, never so that this prints under 7 pt.
FLOWCHART_FONT_PT = 8.0

#: The report draws the swimmer plot for up to this many treated patients (lanes at least
#: 0.025 in, about 0.6 mm, apart on a page); a larger cohort's report leaves it out and says
#: why in the exposure table's footnote.
MAX_SWIMMER_PATIENTS = 300


def inches(mm: float) -> float:
    return mm / MM_PER_INCH


def canvas_in(width_mm: float) -> float:
    """The width in inches to lay a figure out at so that its file, the canvas plus the
    :data:`SAVE_PAD_IN` margin on each side, is exactly ``width_mm`` wide: placed at its
    journal column width (85 or 180 mm) the picture is printed at 100%, its 7-8 pt texts at
    7-8 pt (a figure on a fixed canvas, :func:`~.figures._style.fix_canvas`, with nothing
    sticking out).

    >>> round(canvas_in(180.0) + 2 * SAVE_PAD_IN, 6) == round(180.0 / MM_PER_INCH, 6)
    True
    """
    return inches(width_mm) - 2 * SAVE_PAD_IN
