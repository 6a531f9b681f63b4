"""Swimmer plot: one bar per patient for the treatment duration, with response onset,
progression, end of treatment, death and "still on treatment" markers.

Drawn as a few artists whatever the number of patients: the bars as one collection per best
response (its colour and hatch), each kind of marker as one line of markers, the "on
treatment" arrows as one collection of shafts and one of heads; so 300 lanes cost about what
30 do. The report draws it for up to :data:`MAX_SWIMMER_PATIENTS` patients and, beyond, says
why it is left out (a lane would be thinner than a hairline and the figure would tell nothing
a reader could follow)."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from oncocohort.report.figures._style import RC, fix_canvas, new_figure
from oncocohort.report.figures.sizes import DOUBLE_COLUMN_MM, MAX_SWIMMER_PATIENTS, canvas_in
from oncocohort.report.figures.waterfall import BOR_COLOURS, BOR_HATCHES

__all__ = ["SwimmerFigure", "compute_swimmer_figure", "MAX_LABELLED_LANES",
           "MAX_SWIMMER_PATIENTS"]


@dataclass(frozen=True)
class SwimmerFigure:
    """The figure; ``lanes`` drawn, top first (subject_id, duration, bor, and a
    ``marker_*`` column per marker); ``labelled``: the lanes carry the patients' IDs."""

    figure: Figure
    lanes: pd.DataFrame
    labelled: bool = True


#: Lanes up to this many carry the patients' IDs (7 pt on lanes 0.15 in apart); more lanes
#: are drawn thinner and unlabelled (an ID a reader cannot read is no use).
MAX_LABELLED_LANES = 50
_PAGE_LANES_IN = 7.6  # the most height the lanes take (a journal page less its caption)
_BOTTOM_IN, _TOP_IN = 0.5, 0.1  # the x axis and its label; a margin above the top lane
_LEGEND_IN = 2.3  # right of the lanes, so it hides none of them (8 pt, its longest entry)


def compute_swimmer_figure(
    swimmer: pd.DataFrame,
    *,
    unit: str = "months",
    max_lanes: int | None = None,
    width_mm: float = DOUBLE_COLUMN_MM,
    title: str | None = None,
    show_ids: bool = True,
) -> SwimmerFigure:
    """One lane per patient: a bar of ``duration`` coloured by best response, longest at the
    top, every patient (``max_lanes`` keeps only the longest ones).

    ``swimmer`` has the columns of :func:`oncocohort.derive.swimmer.derive_swimmer`:
    ``subject_id``, ``duration``, ``ongoing``, ``bor``, ``response_onset``, ``progression``
    and, when known, ``death`` and ``eot_reason``. Markers (black, told apart by shape, so
    they read on any bar colour and in greyscale): a triangle at the first response, a cross
    at progression, a vertical bar at the end of treatment of a patient who discontinued, a
    filled circle at death, an arrow after the bar of a patient still on treatment. Lanes
    carry the patients' IDs when there are at most :data:`MAX_LABELLED_LANES` and
    ``show_ids`` (the report hides them under small-cell suppression); with more, the lanes
    are thinner and the y axis says how many patients they are.
    """
    lanes = swimmer.loc[swimmer["duration"].notna()].sort_values(
        ["duration", "subject_id"], ascending=[False, True], kind="mergesort")
    if max_lanes is not None:
        lanes = lanes.head(max_lanes)
    lanes = lanes.reset_index(drop=True)
    n = len(lanes)
    labelled = show_ids and n <= MAX_LABELLED_LANES
    lane_in = 0.15 if n <= MAX_LABELLED_LANES else min(0.15, _PAGE_LANES_IN / max(n, 1))
    death = (lanes["death"].to_numpy(float) if "death" in lanes
             else np.full(n, np.nan))
    reason = (lanes["eot_reason"].fillna("").astype(str) if "eot_reason" in lanes
              else pd.Series("", index=lanes.index))
    present = [k for k in BOR_COLOURS if k in set(lanes["bor"].astype(str))]
    legend_in = 0.17 * (len(present) + 5) + 0.1  # the legend, right of the lanes
    # the IDs at 7 pt (a character about 0.62 em) and the axis label left of the lanes
    left_in = 0.3 + (0.62 * 7 / 72 * lanes["subject_id"].astype(str).str.len().max()
                     if labelled else 0.0)
    with mpl.rc_context(RC):
        height = _BOTTOM_IN + _TOP_IN + max(lane_in * max(n, 1), legend_in)
        width = canvas_in(width_mm)
        fig = fix_canvas(new_figure(width, height))
        ax = fig.subplots()
        fig.subplots_adjust(bottom=_BOTTOM_IN / height, top=1 - _TOP_IN / height,
                            left=left_in / width, right=1 - _LEGEND_IN / width)
        y = np.arange(n)[::-1].astype(float)
        duration = lanes["duration"].to_numpy(float)
        bor = lanes["bor"].astype(str).to_numpy()
        for key in list(BOR_COLOURS) + sorted(set(bor) - set(BOR_COLOURS)):
            mine = bor == key
            if not mine.any():
                continue
            d, yy = duration[mine], y[mine]
            verts = np.stack([np.column_stack([np.zeros_like(d), yy - 0.35]),
                              np.column_stack([np.zeros_like(d), yy + 0.35]),
                              np.column_stack([d, yy + 0.35]),
                              np.column_stack([d, yy - 0.35])], axis=1)
            ax.add_collection(PolyCollection(
                verts, facecolors=BOR_COLOURS.get(key, "#999999"), linewidths=0,
                hatch=BOR_HATCHES.get(key) or None, hatchcolor="white"), autolim=False)
        ms = 4.0 if n <= MAX_LABELLED_LANES else 3.2
        on = lanes["response_onset"].notna().to_numpy()
        ax.plot(lanes.loc[on, "response_onset"], y[on], ls="none", marker="^", ms=ms,
                mfc="white", mec="black", mew=0.8)
        pd_ = lanes["progression"].notna().to_numpy()
        ax.plot(lanes.loc[pd_, "progression"], y[pd_], ls="none", marker="x", ms=ms,
                color="black", mew=1.0)
        going = lanes["ongoing"].astype(bool).to_numpy()
        stopped = ~going
        ax.plot(duration[stopped], y[stopped], ls="none", marker="|", ms=ms * 1.6,
                color="black", mew=1.0)
        dead = np.isfinite(death)
        ax.plot(death[dead], y[dead], ls="none", marker="o", ms=ms * 0.8, color="black")
        xmax = max(float(np.max(duration)) if n else 1.0,
                   float(np.nanmax(death)) if dead.any() else 0.0)
        tip = duration[going] + 0.04 * xmax  # an arrow after the bar: a shaft and a head
        ax.add_collection(LineCollection(
            np.stack([np.column_stack([duration[going], y[going]]),
                      np.column_stack([tip, y[going]])], axis=1), colors="black",
            linewidths=0.8), autolim=False)
        ax.plot(tip, y[going], ls="none", marker=">", ms=ms * 0.9, color="black", mew=0)
        ax.set_ylim(-0.6, n - 0.4)
        if labelled:
            ax.set_yticks(y)
            ax.set_yticklabels(lanes["subject_id"], fontsize=7)
            ax.tick_params(axis="y", length=0)
            ax.set_ylabel("Patient")
        else:
            ax.set_yticks([])
            ax.set_ylabel(f"Patients (n = {n}), longest treatment at the top")
        ax.spines["left"].set_visible(labelled)
        ax.set_xlim(0, xmax * 1.08 if n else 1)
        ax.set_xlabel(f"Time ({unit})")
        handles = [Patch(facecolor=BOR_COLOURS[k], hatch=BOR_HATCHES.get(k, ""),
                         hatchcolor="white", linewidth=0, label=k) for k in present]
        handles += [Line2D([], [], ls="none", marker="^", mfc="white", mec="black",
                           label="Response onset"),
                    Line2D([], [], ls="none", marker="x", color="black", label="Progression"),
                    Line2D([], [], ls="none", marker="|", ms=7, color="black",
                           label="Treatment discontinued"),
                    Line2D([], [], ls="none", marker="o", ms=4, color="black", label="Death"),
                    Line2D([], [], ls="none", marker=r"$\rightarrow$", ms=8, color="black",
                           label="On treatment at the data cut-off")]
        ax.legend(handles=handles, frameon=False, loc="upper left", fontsize=8,
                  bbox_to_anchor=(1.0, 1.0), borderaxespad=0.3)
        if title:
            ax.set_title(title, loc="left")
    out = lanes.assign(marker_response=on, marker_progression=pd_, marker_ongoing=going,
                       marker_discontinued=stopped, marker_death=dead,
                       eot_reason=reason.to_numpy())
    return SwimmerFigure(fig, out, labelled)
