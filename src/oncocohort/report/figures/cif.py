"""Cumulative incidence curves of a competing-risk endpoint, with the numbers at risk aligned
under the x-axis ticks.

``compute_cif_figure`` draws each cause's Aalen-Johansen step function (rising from 0) from
the fit, and prints numbers that come from the ARD: the numbers at risk at the times of the
analysis' at-risk grid, which are the x ticks (the table shares the plot's x axis and is drawn
by the same code as the Kaplan-Meier figure's, :mod:`._risktable`, so the numbers always sit
under their ticks; a time whose label or numbers would touch another's is left out:
:func:`~._risktable.spaced_times`), and the incidence at the landmark times, each label placed
clear of the curves (:func:`~._labels.place_label`). It returns the figure with the
numbers it printed, so tests can check the figure against the ARD without reading pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib as mpl
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncocohort.report.figures._labels import place_label, step_path
from oncocohort.report.figures._risktable import (
    TABLE_FONT_PT,
    RiskRow,
    draw_risk_table,
    risk_cells,
    spaced_times,
    tick_font_size,
    time_axis_layout,
)
from oncocohort.report.figures._style import LINESTYLES, PALETTE, RC
from oncocohort.report.figures.sizes import DOUBLE_COLUMN_MM

__all__ = ["CifCurve", "CifFigure", "compute_cif_figure"]


@dataclass(frozen=True)
class CifCurve:
    """One cumulative incidence curve: ``steps`` (``time``, ``cif``, optionally ``lower``,
    ``upper``) from the fit, and ``marks`` (``time``, ``text``): the landmark incidences as
    the report prints them (from the ARD; NaN-free); ``end``: the last observed time of the
    curve's patients, where it stops (``None``: flat to the end of the time axis)."""

    label: str
    steps: pd.DataFrame
    marks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"time": [], "cif": [],
                                                                      "text": []}))
    end: float | None = None


@dataclass(frozen=True)
class CifFigure:
    """The figure and what it printed: ``at_risk`` (row, time, n_at_risk, text; ``row``: the
    at-risk row's label, ``""`` for the single row of all patients), ``marks`` (curve, time,
    text), ``legend`` (the legend's entries, its title first when it has one),
    ``annotation``."""

    figure: Figure
    at_risk: pd.DataFrame
    marks: pd.DataFrame
    legend: tuple[str, ...]
    annotation: str = ""


def _step_xy(steps: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    t = np.concatenate([[0.0], steps["time"].to_numpy(float)])
    y = np.concatenate([[0.0], steps[column].to_numpy(float)])
    return t, y


def compute_cif_figure(
    curves: Sequence[CifCurve],
    at_risk: pd.DataFrame,
    *,
    unit: str = "months",
    ci_band: bool = False,
    ylabel: str = "Cumulative incidence",
    annotation: str | None = None,
    width_mm: float = DOUBLE_COLUMN_MM,
    small_cell_k: int | None = None,
    risk_rows: Sequence[tuple[str, pd.DataFrame]] | None = None,
    legend_title: str | None = None,
) -> CifFigure:
    """Cumulative incidence figure: one curve per cause (or per group), one at-risk row (or
    one per group).

    Parameters
    ----------
    curves
        The curves (:class:`CifCurve`), drawn in order with distinct line types and colours.
    at_risk
        ``time`` and ``n_at_risk`` at the x ticks (the ARD's ``at_risk`` rows): the ticks are
        exactly these times, and the table prints these numbers under them.
    ci_band
        Shade each curve's pointwise band (``lower``, ``upper`` of ``steps``).
    annotation
        Text in the upper left corner (e.g. Gray's test).
    small_cell_k
        Print numbers at risk between 1 and ``k - 1`` as ``"<k"``.
    risk_rows
        Several at-risk rows instead of ``at_risk``'s one: ``(label, frame)`` per group, in
        the order and colours of ``curves``, each frame at ``at_risk``'s times (the ticks).
    legend_title
        The legend's title (e.g. the subgroup variable).
    """
    ticks = at_risk["time"].to_numpy(float)
    rows_in = list(risk_rows) if risk_rows else [("", at_risk)]
    for label, frame in rows_in:
        if not np.array_equal(frame["time"].to_numpy(float), ticks):
            raise ValueError(f"at-risk row {label!r}: its times are not the figure's ticks")
    with mpl.rc_context(RC):
        lay = time_axis_layout(width_mm, width_mm * 0.42, [len(rows_in)],
                               top_in=0.22 + (0.18 if legend_title else 0.0))
        fig, ax = lay.figure, lay.ax
        xmax = max([float(c.steps["time"].max()) for c in curves if len(c.steps)]
                   + [float(c.end) for c in curves if c.end is not None]
                   + [float(ticks[-1]) if len(ticks) else 0.0])
        ax.set_ylim(0, 1.0)
        ax.set_xlim(0, xmax * 1.02 if xmax > 0 else 1)
        # the ticks whose label and numbers touch no other's, the landmarks' first
        cells_of = [risk_cells(frame, "n_at_risk", small_cell_k) for _, frame in rows_in]
        shown = spaced_times(ax, ticks, [(tick_font_size(), [f"{t:g}" for t in ticks])]
                             + [(TABLE_FONT_PT, [txt for _, txt in c]) for c in cells_of],
                             first=[float(t) for c in curves for t in c.marks["time"]])
        ticks = ticks[shown]
        handles, mark_rows, paths, marks = [], [], [], []
        for i, curve in enumerate(curves):
            colour = PALETTE[i % len(PALETTE)]
            t, y = _step_xy(curve.steps, "cif")
            end = xmax if curve.end is None else max(float(curve.end), float(t[-1]))
            t, y = np.append(t, end), np.append(y, y[-1])  # flat to the end of follow-up
            (line,) = ax.step(t, y, where="post", color=colour, lw=1.3,
                              ls=LINESTYLES[i % len(LINESTYLES)])
            handles.append(line)
            paths.append(step_path(t, y))
            if ci_band and {"lower", "upper"} <= set(curve.steps.columns) and len(curve.steps):
                bt, lo = _step_xy(curve.steps, "lower")
                _, hi = _step_xy(curve.steps, "upper")
                ax.fill_between(bt, lo, hi, step="post", color=colour, alpha=0.15, lw=0)
            for r in curve.marks.itertuples():
                ax.plot([r.time], [r.cif], marker="o", ms=3, color=colour, zorder=3)
                marks.append((curve.label, float(r.time), float(r.cif), r.text, colour))
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{t:g}" for t in ticks])
        ax.set_ylabel(ylabel)
        ax.set_xlabel(f"Time ({unit})")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.1f}"))
        names = [c.label for c in curves]
        ax.legend(handles, names, title=legend_title, frameon=False, loc="lower left",
                  bbox_to_anchor=(0.0, 1.0), ncol=min(len(curves), 3), alignment="left",
                  handlelength=2.6, borderaxespad=0.2)
        taken = []
        if annotation:
            note = ax.text(0.02, 0.97, annotation, transform=ax.transAxes, ha="left",
                           va="top", fontsize=8)
            taken.append(note.get_window_extent(fig.canvas.get_renderer()))
        for curve_label, t, cif, text, colour in marks:
            # near the right edge the label goes left of the dot; wherever it fits clear of
            # the curves, the annotation and the labels placed before it
            ann = place_label(ax, text, (t, cif), colour=colour, left=t > 0.6 * xmax,
                              curves=paths, boxes=taken)
            taken.append(ann.get_window_extent(fig.canvas.get_renderer()))
            mark_rows.append({"curve": curve_label, "time": t, "text": text})
        table, printed = [], []
        for i, ((label, frame), cells) in enumerate(zip(rows_in, cells_of, strict=True)):
            cells = tuple(c for c, keep in zip(cells, shown, strict=True) if keep)
            colour = PALETTE[i % len(PALETTE)] if risk_rows else "#000000"
            table.append(RiskRow(label, colour, cells))
            printed.append(pd.DataFrame({"row": label, "time": ticks,
                                         "n_at_risk": frame["n_at_risk"].to_numpy(int)[shown],
                                         "text": [txt for _, txt in cells]}))
        draw_risk_table(lay.tables[0], "Number at risk", table)
    legend = ((legend_title,) if legend_title else ()) + tuple(names)
    return CifFigure(fig, pd.concat(printed, ignore_index=True),
                     pd.DataFrame(mark_rows, columns=["curve", "time", "text"]), legend,
                     annotation or "")
