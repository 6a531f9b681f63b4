"""Waterfall plot of the best % change of the target-lesion sum, coloured by best response."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from oncocohort.report.figures._style import DOUBLE_COLUMN_MM, PALETTE, RC, inches, new_figure

__all__ = ["WaterfallFigure", "compute_waterfall_figure", "BOR_COLOURS", "MAX_BAR_PATCHES"]

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


@dataclass(frozen=True)
class WaterfallFigure:
    figure: Figure
    bars: pd.DataFrame  # the bars drawn, in order: subject_id, best_pct_change, bor


def compute_waterfall_figure(
    best: pd.DataFrame,
    *,
    subject: str = "subject_id",
    change: str = "best_pct_change",
    response: str = "bor",
    width_mm: float = DOUBLE_COLUMN_MM,
    title: str | None = None,
) -> WaterfallFigure:
    """One bar per subject with a best % change, sorted from largest increase to largest
    decrease, with reference lines at +20% (progression) and -30% (partial response).

    Subjects without a post-baseline target-lesion measurement (NaN change) have no bar; the
    caption should say how many were left out (``len(best) - len(bars)``).
    """
    bars = best.loc[best[change].notna(), [subject, change, response]].copy()
    bars = bars.sort_values([change, subject], ascending=[False, True], kind="mergesort")
    bars = bars.reset_index(drop=True)
    with plt.rc_context(RC):
        fig = new_figure(inches(width_mm), inches(width_mm) * 0.45)
        ax = fig.subplots()
        x = np.arange(len(bars))
        colours = [BOR_COLOURS.get(str(r), "#999999") for r in bars[response]]
        y = bars[change].to_numpy(float)
        if len(bars) <= MAX_BAR_PATCHES:
            ax.bar(x, y, color=colours, width=0.8)
        else:  # one collection, not one patch per bar: same picture, seconds instead of minutes
            verts = np.stack([np.column_stack([x - 0.4, np.zeros_like(y)]),
                              np.column_stack([x - 0.4, y]), np.column_stack([x + 0.4, y]),
                              np.column_stack([x + 0.4, np.zeros_like(y)])], axis=1)
            ax.add_collection(PolyCollection(verts, facecolors=colours, linewidths=0))
        ax.axhline(20, ls="--", lw=0.8, color="#555555")
        ax.axhline(-30, ls="--", lw=0.8, color="#555555")
        ax.axhline(0, lw=0.6, color="black")
        ax.set_xticks([])
        ax.set_xlim(-1, max(len(bars), 1))
        ax.set_ylabel("Best change from baseline in\nsum of target lesions (%)")
        lo = min(-100.0, float(bars[change].min()) - 5 if len(bars) else -100.0)
        hi = max(40.0, float(bars[change].max()) + 5 if len(bars) else 40.0)
        ax.set_ylim(lo, hi)
        present = [k for k in BOR_COLOURS if k in set(bars[response].astype(str))]
        ax.legend(handles=[Patch(color=BOR_COLOURS[k], label=k) for k in present],
                  frameon=False, loc="upper right", ncol=len(present) or 1)
        if title:
            ax.set_title(title, loc="left")
    return WaterfallFigure(fig, bars)
