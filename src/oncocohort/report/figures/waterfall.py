"""Waterfall plot of the best % change of the target-lesion sum, coloured by best response."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import offset_copy

from oncocohort.report.figures._style import PALETTE, RC, fix_canvas, new_figure
from oncocohort.report.figures.sizes import DOUBLE_COLUMN_MM, canvas_in, inches

__all__ = ["WaterfallFigure", "compute_waterfall_figure", "BOR_COLOURS", "MAX_BAR_PATCHES",
           "NEW_LESION_MARKER", "MARK_OFFSET_PT"]

#: Up to this many subjects every bar is its own patch; above it (bars narrower than a pixel
#: in print) the bars are drawn as one polygon collection.
MAX_BAR_PATCHES = 2000

BOR_COLOURS: dict[str, str] = {
    "CR": PALETTE[2],
    "PR": PALETTE[0],
    "SD": PALETTE[4],
    "NON-CR/NON-PD": PALETTE[5],
    "PD": PALETTE[1],
    "NE": "#999999",
}


#: The marker over the bar of a patient whose progression was a new lesion (a triangle
#: pointing down at the bar; the legend shows the same marker), black on white: no colour to
#: tell apart.
NEW_LESION_MARKER = "v"
#: The marker's centre above the top of its bar (or above 0 for a bar below zero), in points:
#: the same for every bar, however short, so that each marker sits just over its own bar.
MARK_OFFSET_PT = 4.5
_MARK_MAX_PT = 5.0  # the marker's size, smaller when the bars are narrower (no two touch)


#: Hatching on top of the colours, so that PD and PR stay apart in greyscale print (their
#: Okabe-Ito colours have about the same lightness).
BOR_HATCHES: dict[str, str] = {"PD": "////", "NE": "...."}


@dataclass(frozen=True)
class WaterfallFigure:
    """The figure; ``bars`` drawn in order (subject_id, best_pct_change, bor, and
    ``new_lesion``: the bar is marked); ``xlabel`` the x axis' name as printed."""

    figure: Figure
    bars: pd.DataFrame
    xlabel: str = ""


def compute_waterfall_figure(
    best: pd.DataFrame,
    *,
    subject: str = "subject_id",
    change: str = "best_pct_change",
    response: str = "bor",
    new_lesion: str = "pd_new_lesion",
    width_mm: float = DOUBLE_COLUMN_MM,
    title: str | None = None,
    n: int | None = None,
) -> WaterfallFigure:
    """One bar per subject with a best % change, sorted from largest increase to largest
    decrease, with reference lines at +20% (progression) and -30% (partial response), coloured
    by best response (Okabe-Ito, colour-blind safe).

    Subjects without a post-baseline target-lesion measurement (NaN change) have no bar; the
    caption should say how many were left out (``len(best) - len(bars)``). A patient whose
    best response is PD by a new lesion (``new_lesion`` = ``Y``; the bar may be short, even
    below zero) has a black triangle (:data:`NEW_LESION_MARKER`) pointing down at its bar,
    :data:`MARK_OFFSET_PT` above the bar's top (or above 0), no wider than the bars' spacing,
    and the legend shows the same marker. The x axis is named with the number of bars,
    ``n`` (the ARD's count) when given.
    """
    cols = [subject, change, response] + ([new_lesion] if new_lesion in best else [])
    bars = best.loc[best[change].notna(), cols].copy()
    marked = (bars[new_lesion].astype(str).eq("Y") if new_lesion in bars
              else pd.Series(False, index=bars.index))
    bars["new_lesion"] = marked & bars[response].astype(str).eq("PD")
    bars = bars[[subject, change, response, "new_lesion"]]
    bars = bars.sort_values([change, subject], ascending=[False, True], kind="mergesort")
    bars = bars.reset_index(drop=True)
    with mpl.rc_context(RC):
        fig = fix_canvas(new_figure(canvas_in(width_mm), inches(width_mm) * 0.45))
        ax = fig.subplots()
        x = np.arange(len(bars))
        colours = [BOR_COLOURS.get(str(r), "#999999") for r in bars[response]]
        y = bars[change].to_numpy(float)
        if len(bars) <= MAX_BAR_PATCHES:
            hatches = [BOR_HATCHES.get(str(r), "") for r in bars[response]]
            ax.bar(x, y, color=colours, width=0.8, hatch=hatches, hatchcolor="white",
                   linewidth=0)
        else:  # one collection, not one patch per bar: same picture, seconds instead of minutes;
            # in the SVG and PDF files a 300-dpi picture of the bars, not a path per bar (the
            # PNG is the same either way; 37,000 bars made a 6 MB SVG in 1.8 s)
            verts = np.stack([np.column_stack([x - 0.4, np.zeros_like(y)]),
                              np.column_stack([x - 0.4, y]), np.column_stack([x + 0.4, y]),
                              np.column_stack([x + 0.4, np.zeros_like(y)])], axis=1)
            ax.add_collection(PolyCollection(verts, facecolors=colours, linewidths=0,
                                             rasterized=True))
        ax.axhline(20, ls="--", lw=0.8, color="#555555")
        ax.axhline(-30, ls="--", lw=0.8, color="#555555")
        ax.axhline(0, lw=0.6, color="black")
        ax.set_xticks([])
        ax.set_xlim(-1, max(len(bars), 1))
        mark = bars["new_lesion"].to_numpy(bool)
        # as wide as 80% of one bar's spacing at most, so neighbouring markers stay apart
        spacing_pt = ax.get_position().width * fig.get_figwidth() * 72 / (len(bars) + 1)
        size = min(_MARK_MAX_PT, 0.8 * spacing_pt)
        over = offset_copy(ax.transData, fig=fig, y=MARK_OFFSET_PT, units="points")
        if mark.any():
            ax.plot(x[mark], np.maximum(y[mark], 0.0), ls="none", marker=NEW_LESION_MARKER,
                    ms=size, mew=0, color="black", transform=over, clip_on=False)
        xlabel = f"Patients (n = {len(bars) if n is None else n})"
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Best change from baseline in\nsum of target lesions (%)")
        lo = min(-100.0, float(bars[change].min()) - 5 if len(bars) else -100.0)
        hi = max(40.0, float(bars[change].max()) + 5 if len(bars) else 40.0)
        ax.set_ylim(lo, hi)
        present = [k for k in BOR_COLOURS if k in set(bars[response].astype(str))]
        handles = [Patch(facecolor=BOR_COLOURS[k], hatch=BOR_HATCHES.get(k, ""),
                         hatchcolor="white", linewidth=0, label=k) for k in present]
        if mark.any():
            handles.append(Line2D([], [], ls="none", marker=NEW_LESION_MARKER, ms=size, mew=0,
                                  color="black", label="PD by new lesion"))
        ax.legend(handles=handles, frameon=False, loc="upper right", ncol=len(handles) or 1,
                  fontsize=8)
        if title:
            ax.set_title(title, loc="left")
    return WaterfallFigure(fig, bars, xlabel)
