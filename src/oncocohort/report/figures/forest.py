"""Forest plot of subgroup hazard ratios (log scale) with the numbers printed beside them."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncocohort.report.figures._style import DOUBLE_COLUMN_MM, PALETTE, RC, inches

__all__ = ["ForestFigure", "compute_forest_figure"]


@dataclass(frozen=True)
class ForestFigure:
    figure: Figure
    rows: pd.DataFrame  # label, hr, lower, upper, p in plotted order (top first)


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def compute_forest_figure(
    rows: pd.DataFrame,
    *,
    title: str | None = None,
    width_mm: float = DOUBLE_COLUMN_MM,
) -> ForestFigure:
    """``rows``: columns label, hr, lower, upper, p (one row per term; a NaN hr row is a
    heading). Drawn top to bottom in the given order with a reference line at HR = 1."""
    rows = rows.reset_index(drop=True)
    n = len(rows)
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(inches(width_mm), 0.6 + 0.22 * max(n, 1)))
        y = np.arange(n)[::-1]
        ok = rows["hr"].notna().to_numpy()
        ax.errorbar(rows.loc[ok, "hr"], y[ok],
                    xerr=[rows.loc[ok, "hr"] - rows.loc[ok, "lower"],
                          rows.loc[ok, "upper"] - rows.loc[ok, "hr"]],
                    fmt="s", ms=4, color=PALETTE[0], ecolor=PALETTE[0], elinewidth=1, capsize=2)
        ax.axvline(1.0, ls="--", lw=0.8, color="#555555")
        ax.set_xscale("log")
        ax.set_yticks(y)
        ax.set_yticklabels(rows["label"])
        ax.set_xlabel("Hazard ratio (95% CI)")
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        for yi, r in zip(y, rows.itertuples()):
            if np.isfinite(r.hr):
                ax.text(1.02, yi, f"{r.hr:.2f} ({r.lower:.2f}-{r.upper:.2f})  {_fmt_p(r.p)}",
                        transform=ax.get_yaxis_transform(), va="center", fontsize=7)
        if title:
            ax.set_title(title, loc="left")
        fig.subplots_adjust(left=0.3, right=0.7)
    return ForestFigure(fig, rows)
