"""The layout of a time-axis figure with tables under its axis (numbers at risk, cumulative
events), shared by every figure that has one (Kaplan-Meier, cumulative incidence, weighted
curves).

The tables are drawn on axes that share the plot's x axis, and their cells are placed at the
times given, which are the x ticks: the numbers line up with the ticks whatever the limits,
the legend or the labels (ggsurvfit's ``add_risktable()`` does the same). The layout is in
inches, not fractions, so every figure of a width has the same plot area and margins
whatever its tables: ``time_axis_layout`` makes the plot, :func:`draw_risk_table` fills one
table. :func:`spaced_times` keeps the ticks whose labels and numbers would not touch: the
at-risk grid leaves out the round times next to a landmark (``at_risk_grid``), and a narrow
figure or long numbers can still bring two times closer than their texts are wide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from oncocohort.report.figures._style import fix_canvas, new_figure
from oncocohort.report.figures.sizes import canvas_in, inches
from oncocohort.report.format import count_text

__all__ = ["RiskRow", "TimeAxisLayout", "time_axis_layout", "draw_risk_table",
           "risk_cells", "spaced_times", "tick_font_size", "TABLE_FONT_PT",
           "MIN_GAP_PT"]

#: Font size of the table cells and row labels (journals ask for 6-8 pt at print size).
TABLE_FONT_PT = 8.0
_ROW_IN = 0.17     # one table row
_TITLE_IN = 0.22   # a table's title ("Number at risk") above its rows
_GAP_IN = 0.42     # between the plot's axis and the first table (x tick labels and label)
_TOP_IN = 0.12     # above the plot (more with a title or a legend above it)
_LEFT_IN = 0.72    # y label and tick labels (longer row labels extend the canvas)
_RIGHT_IN = 0.25
#: The least white space between two texts of one line (tick labels, numbers at risk), in
#: points: about half a digit at 8 pt.
MIN_GAP_PT = 2.5


@dataclass(frozen=True)
class RiskRow:
    """One row of a table under the time axis.

    Attributes
    ----------
    label
        The row's name (the curve's label; ``""`` for a single curve).
    colour
        The row's colour (the curve's), for its label and its numbers.
    cells
        ``(time, text)``: the text printed at each time (the x ticks).
    """

    label: str
    colour: str
    cells: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class TimeAxisLayout:
    """The figure, its plot axes and one axes per table (top to bottom)."""

    figure: Figure
    ax: Axes
    tables: tuple[Axes, ...]


def time_axis_layout(width_mm: float, plot_height_mm: float, table_rows: Sequence[int], *,
                     top_in: float = 0.0) -> TimeAxisLayout:
    """A figure ``width_mm`` wide: a plot ``plot_height_mm`` high with ``top_in`` inches above
    it (a title, a legend), then one table per entry of ``table_rows`` (its number of rows),
    each sharing the plot's x axis. The canvas is fixed (:func:`fix_canvas`), so figures of the
    same width and tables have the same size."""
    heights = [inches(plot_height_mm)] + [_TITLE_IN + _ROW_IN * n for n in table_rows]
    gaps = [_GAP_IN] + [0.05] * (len(table_rows) - 1)
    top = _TOP_IN + top_in
    total = top + sum(heights) + sum(gaps[:len(table_rows)]) + 0.05
    width = canvas_in(width_mm)
    fig = new_figure(width, total)
    y = total - top
    axes = []
    for i, h in enumerate(heights):
        rect = (_LEFT_IN / width, (y - h) / total, 1 - (_LEFT_IN + _RIGHT_IN) / width, h / total)
        axes.append(fig.add_axes(rect, sharex=axes[0] if axes else None))
        y -= h + (gaps[i] if i < len(gaps) else 0)
    fix_canvas(fig)
    return TimeAxisLayout(fig, axes[0], tuple(axes[1:]))


def draw_risk_table(ax: Axes, title: str, rows: Sequence[RiskRow], *,
                    fontsize: float = TABLE_FONT_PT) -> None:
    """Fill a table axes (from :func:`time_axis_layout`): its ``title`` at the left, one line
    per row (top first) with its label left of the axis and its cells at their times, all in
    the row's colour."""
    n = len(rows)
    for i, row in enumerate(rows):
        for t, text in row.cells:
            ax.text(t, n - 1 - i, text, ha="center", va="center", fontsize=fontsize,
                    color=row.colour)
    ax.set_ylim(-0.5, n - 0.5 + _TITLE_IN / _ROW_IN)
    ax.set_yticks(range(n))
    ax.set_yticklabels([r.label for r in rows][::-1], fontsize=fontsize)
    for label, row in zip(ax.get_yticklabels(), rows[::-1], strict=True):
        label.set_color(row.colour)
    ax.tick_params(axis="x", labelbottom=False, length=0)
    ax.tick_params(axis="y", length=0, pad=12)  # clear of the numbers centred at 0
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.text(0.0, 1.0, title, transform=ax.transAxes, ha="left", va="top", fontsize=fontsize,
            fontweight="bold")


def risk_cells(at_risk: pd.DataFrame, column: str, k: int | None
               ) -> tuple[tuple[float, str], ...]:
    """The cells of one row: ``column`` of ``at_risk`` (``time`` and counts) as printed."""
    return tuple((float(t), count_text(int(n), k))
                 for t, n in zip(at_risk["time"], at_risk[column], strict=True))


def spaced_times(ax: Axes, times: Sequence[float], lines: Sequence[tuple[float, Sequence[str]]],
                 *, first: Sequence[float] = (), gap_pt: float = MIN_GAP_PT) -> np.ndarray:
    """Which of ``times`` (the x ticks) to print so that no two texts of a line overlap.

    ``lines``: ``(font size, texts)`` per line of text centred at the times (the tick labels,
    each row of numbers at risk), one text per time. Each text's width is measured as Agg
    draws it, at the axes' current limits, and two times clash when, on some line, their texts
    come nearer than ``gap_pt``. The times of ``first`` (0 and the landmarks) are taken
    before the others, then each time from the left if it clashes with none taken. The x
    limits must be set before. Returns a boolean mask over ``times``.

    ggsurvfit and survminer print the numbers at whatever breaks are asked for; this is the
    check they leave to the user.
    """
    t = np.asarray(times, float)
    if t.size == 0:
        return np.zeros(0, bool)
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    to_px = fig.dpi / 72.0
    x = ax.transData.transform(np.column_stack([t, np.zeros_like(t)]))[:, 0]
    half = np.zeros((len(lines), t.size))
    for i, (size, texts) in enumerate(lines):
        prop = FontProperties(size=size)
        for j, text in enumerate(texts):
            if text:
                half[i, j] = renderer.get_text_width_height_descent(
                    text, prop, ismath=False)[0] / 2
    need = gap_pt * to_px
    primary = {round(float(v), 9) for v in first} | {0.0}
    order = ([j for j in range(t.size) if round(float(t[j]), 9) in primary]
             + [j for j in range(t.size) if round(float(t[j]), 9) not in primary])
    keep = np.zeros(t.size, bool)
    for j in order:
        taken = np.flatnonzero(keep)
        room = np.abs(x[taken] - x[j])[None, :] - half[:, taken] - half[:, [j]]
        if not (room < need).any():
            keep[j] = True
    return keep


def tick_font_size() -> float:
    """The x tick labels' font size in points (rc ``xtick.labelsize``, a name or a number)."""
    return FontProperties(size=matplotlib.rcParams["xtick.labelsize"]).get_size_in_points()
