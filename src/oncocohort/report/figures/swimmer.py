"""Swimmer plot: one bar per patient for the treatment duration, with response onset,
progression and "still on treatment" markers."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from oncocohort.report.figures._style import DOUBLE_COLUMN_MM, PALETTE, RC, inches, new_figure
from oncocohort.report.figures.waterfall import BOR_COLOURS

__all__ = ["SwimmerFigure", "compute_swimmer_figure"]


@dataclass(frozen=True)
class SwimmerFigure:
    figure: Figure
    lanes: pd.DataFrame  # the lanes drawn, top first: subject_id, duration, bor, markers


def compute_swimmer_figure(
    swimmer: pd.DataFrame,
    *,
    unit: str = "months",
    max_lanes: int | None = 60,
    width_mm: float = DOUBLE_COLUMN_MM,
    title: str | None = None,
    show_ids: bool = True,
) -> SwimmerFigure:
    """Bars of ``duration`` coloured by best response, longest at the top.

    ``swimmer`` has the columns of :func:`oncocohort.analysis.study.compute_swimmer_frame`:
    ``subject_id``, ``duration``, ``ongoing``, ``bor``, ``response_onset``, ``progression``.
    Markers: a triangle at the first response, a cross at progression (drawn only within the
    bar's span or at its end), an arrow after the bar when the patient is still on treatment.
    With more than ``max_lanes`` patients only the ``max_lanes`` longest are drawn (the caption
    should say so: ``len(lanes) < len(swimmer)``). ``show_ids=False`` leaves the lanes
    unlabelled (the report does so under small-cell suppression).
    """
    lanes = swimmer.loc[swimmer["duration"].notna()].sort_values(
        ["duration", "subject_id"], ascending=[False, True], kind="mergesort")
    if max_lanes is not None:
        lanes = lanes.head(max_lanes)
    lanes = lanes.reset_index(drop=True)
    n = len(lanes)
    with plt.rc_context(RC):
        fig = new_figure(inches(width_mm), 0.8 + 0.12 * max(n, 1))
        ax = fig.subplots()
        y = np.arange(n)[::-1]
        colours = [BOR_COLOURS.get(str(b), "#999999") for b in lanes["bor"]]
        ax.barh(y, lanes["duration"].to_numpy(float), color=colours, height=0.7)
        on = lanes["response_onset"].notna().to_numpy()
        ax.plot(lanes.loc[on, "response_onset"], y[on], ls="none", marker="^", ms=4,
                color="black", label="Response onset")
        pd_ = lanes["progression"].notna().to_numpy()
        ax.plot(lanes.loc[pd_, "progression"], y[pd_], ls="none", marker="x", ms=4,
                color=PALETTE[1], mew=1.2, label="Progression")
        going = lanes["ongoing"].astype(bool).to_numpy()
        xmax = float(lanes["duration"].max()) if n else 1.0
        for yi, d in zip(y[going], lanes.loc[going, "duration"], strict=True):
            ax.annotate("", xy=(d + 0.04 * xmax, yi), xytext=(d, yi),
                        arrowprops={"arrowstyle": "->", "lw": 0.8})
        ax.set_yticks(y)
        ax.set_yticklabels(lanes["subject_id"] if show_ids else [""] * n,
                           fontsize=5 if n > 30 else 6.5)
        ax.set_xlim(0, xmax * 1.1 if n else 1)
        ax.set_xlabel(f"Time on treatment ({unit})")
        present = [k for k in BOR_COLOURS if k in set(lanes["bor"].astype(str))]
        handles = [Patch(color=BOR_COLOURS[k], label=k) for k in present]
        handles += [Line2D([], [], ls="none", marker="^", color="black", label="Response onset"),
                    Line2D([], [], ls="none", marker="x", color=PALETTE[1],
                           label="Progression"),
                    Line2D([], [], ls="none", marker=r"$\rightarrow$", color="black",
                           label="On treatment")]
        ax.legend(handles=handles, frameon=False, loc="lower right", fontsize=6)
        if title:
            ax.set_title(title, loc="left")
    out = lanes.assign(marker_response=on, marker_progression=pd_, marker_ongoing=going)
    return SwimmerFigure(fig, out)
