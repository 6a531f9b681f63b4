"""Kaplan-Meier curves of a comparison with several tables of numbers under the time axis:
the weighted curves of an internal comparison with the weighted and the unweighted numbers at
risk (what survminer and ggsurvfit users ask for), or the cohort's curve over a published
arm's rebuilt one with the cohort's and the published numbers at risk.

The tables are drawn by the same code as every time-axis figure's (:mod:`._risktable`): their
cells sit at the x ticks, which are the at-risk times of the ARD (but for a time whose label or
numbers would touch another's: :func:`~._risktable.spaced_times`). The numbers printed come
from the ARD; only the steps are drawn from the fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncocohort.report.figures._risktable import (
    TABLE_FONT_PT,
    RiskRow,
    draw_risk_table,
    spaced_times,
    tick_font_size,
    time_axis_layout,
)
from oncocohort.report.figures._style import LINESTYLES, PALETTE, RC
from oncocohort.report.figures.sizes import DOUBLE_COLUMN_MM
from oncocohort.stats.kaplan_meier import KaplanMeier

__all__ = ["ComparisonCurve", "RiskTable", "ComparisonFigure", "compute_comparison_figure"]


@dataclass(frozen=True)
class ComparisonCurve:
    """One curve: its label, the fit whose steps are drawn, and its median (dotted lines)."""

    label: str
    km: KaplanMeier
    median: float = float("nan")


@dataclass(frozen=True)
class RiskTable:
    """One table under the axis: its title and one row of printed cells per curve (``(time,
    text)`` at the x ticks, in the curves' order; ``None``: no row for that curve)."""

    title: str
    cells: tuple[tuple[tuple[float, str], ...] | None, ...]


@dataclass(frozen=True)
class ComparisonFigure:
    """The figure and what it printed: ``tables`` (table, curve, time, text), ``legend``."""

    figure: Figure
    tables: pd.DataFrame
    legend: tuple[str, ...]
    annotation: str = ""


def compute_comparison_figure(
    curves: Sequence[ComparisonCurve],
    tables: Sequence[RiskTable],
    ticks: Sequence[float],
    *,
    unit: str = "months",
    ylabel: str = "Survival probability",
    annotation: str | None = None,
    width_mm: float = DOUBLE_COLUMN_MM,
) -> ComparisonFigure:
    """Step curves with the tables under the axis; ``ticks`` are the x ticks (the at-risk
    times every table is printed at)."""
    ticks = np.asarray(ticks, float)
    with mpl.rc_context(RC):
        lay = time_axis_layout(width_mm, width_mm * 0.42,
                               [sum(c is not None for c in t.cells) for t in tables],
                               top_in=0.22)
        fig, ax = lay.figure, lay.ax
        xmax = max([float(c.km.table["time"].max()) for c in curves if len(c.km.table)]
                   + [float(ticks[-1]) if len(ticks) else 0.0])
        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, xmax * 1.02 if xmax > 0 else 1)
        # the ticks whose label and numbers touch no other's
        keys = [round(float(t), 9) for t in ticks]
        text_lines = [(tick_font_size(), [f"{t:g}" for t in ticks])]
        for table in tables:
            for cells in table.cells:
                if cells is not None:
                    at = {round(float(t), 9): txt for t, txt in cells}
                    text_lines.append((TABLE_FONT_PT, [at.get(k, "") for k in keys]))
        shown = spaced_times(ax, ticks, text_lines)
        kept = {k for k, keep in zip(keys, shown, strict=True) if keep}
        ticks = ticks[shown]
        handles = []
        for i, c in enumerate(curves):
            colour = PALETTE[i % len(PALETTE)]
            tab = c.km.table
            t = np.concatenate([[0.0], tab["time"].to_numpy(float)])
            s = np.concatenate([[1.0], tab["survival"].to_numpy(float)])
            (line,) = ax.step(t, s, where="post", color=colour, lw=1.3,
                              ls=LINESTYLES[i % len(LINESTYLES)])
            handles.append(line)
            cens = tab[tab["n_censored"] > 0]
            ax.plot(cens["time"], cens["survival"], ls="none", marker="|", ms=5, mew=0.9,
                    color=colour)
            if np.isfinite(c.median):
                ax.plot([0, c.median, c.median], [0.5, 0.5, 0], ls=":", lw=0.8,
                        color="#777777")
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{t:g}" for t in ticks])
        ax.set_ylabel(ylabel)
        ax.set_xlabel(f"Time ({unit})")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.1f}"))
        names = [c.label for c in curves]
        ax.legend(handles, names, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0),
                  ncol=min(len(curves), 3), alignment="left", handlelength=2.6,
                  borderaxespad=0.2)
        if annotation:
            ax.text(0.98, 0.97, annotation, transform=ax.transAxes, ha="right", va="top",
                    fontsize=8)
        printed = []
        for table, tax in zip(tables, lay.tables, strict=True):
            rows = [RiskRow(c.label, PALETTE[i % len(PALETTE)],
                            tuple(x for x in cells if round(float(x[0]), 9) in kept))
                    for i, (c, cells) in enumerate(zip(curves, table.cells, strict=True))
                    if cells is not None]
            draw_risk_table(tax, table.title, rows)
            printed += [{"table": table.title, "curve": r.label, "time": t, "text": txt}
                        for r in rows for t, txt in r.cells]
    return ComparisonFigure(fig, pd.DataFrame(printed, columns=["table", "curve", "time",
                                                                 "text"]),
                            tuple(names), annotation or "")
