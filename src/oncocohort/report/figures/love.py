"""Love plot: the standardized mean difference of every adjuster before and after weighting
or matching (Ahmed et al. 2006; cobalt's ``love.plot``), printed from the ARD's balance rows.

Absolute SMDs on the x axis (|d|; the sign is in the balance table), one line per variable or
level, an open circle before and a filled one after, and the usual threshold of 0.1 (Austin
2009) as a dashed line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncocohort.analysis.comparisons import BALANCE_SMD
from oncocohort.report.figures._style import PALETTE, RC, fix_canvas, new_figure
from oncocohort.report.figures.sizes import SINGLE_COLUMN_MM, canvas_in

__all__ = ["LoveFigure", "compute_love_figure"]



@dataclass(frozen=True)
class LoveFigure:
    """The figure and what it drew: ``points`` (label, before, after: absolute SMDs)."""

    figure: Figure
    points: pd.DataFrame


def compute_love_figure(labels: Sequence[str], before: Sequence[float], after: Sequence[float],
                        *, after_label: str = "After weighting", title: str | None = None,
                        width_mm: float = SINGLE_COLUMN_MM) -> LoveFigure:
    """Absolute SMD per row (``labels``, top to bottom), before and after."""
    b = np.abs(np.asarray(before, float))
    a = np.abs(np.asarray(after, float))
    n = len(labels)
    with mpl.rc_context(RC):
        fig = fix_canvas(new_figure(canvas_in(width_mm), 0.9 + 0.2 * n))
        ax = fig.add_axes((0.42, 0.9 / (0.9 + 0.2 * n) * 0.55, 0.53,
                           0.2 * n / (0.9 + 0.2 * n)))
        y = np.arange(n)[::-1]
        for yi in y:
            ax.axhline(yi, color="#dddddd", lw=0.5, zorder=0)
        ax.plot(b, y, ls="none", marker="o", mfc="white", mec=PALETTE[1], ms=4.5,
                label="Before", zorder=3)
        ax.plot(a, y, ls="none", marker="o", color=PALETTE[0], ms=4.5, label=after_label,
                zorder=4)
        ax.axvline(BALANCE_SMD, ls=(0, (4, 2)), lw=0.8, color="#555555")
        ax.set_yticks(y)
        ax.set_yticklabels(list(labels))
        top = np.nanmax(np.concatenate([b, a, [BALANCE_SMD]])) if n else BALANCE_SMD
        ax.set_xlim(0, top * 1.15)
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlabel("Absolute standardized mean difference")
        ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2,
                  borderaxespad=0.2, handletextpad=0.3)
        if title:
            ax.set_title(title, loc="left", pad=16)
    return LoveFigure(fig, pd.DataFrame({"label": list(labels), "before": b, "after": a}))
