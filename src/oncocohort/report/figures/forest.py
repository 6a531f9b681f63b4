"""Forest plot of subgroup hazard ratios (log scale) with the numbers printed beside them."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncocohort.report.figures._style import DOUBLE_COLUMN_MM, PALETTE, RC, inches, new_figure

__all__ = ["ForestFigure", "compute_forest_figure"]


@dataclass(frozen=True)
class ForestFigure:
    figure: Figure
    rows: pd.DataFrame  # label, hr, lower, upper, p in plotted order (top first)


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


_TICKS = (0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0, 20.0, 50.0, 100.0)


def _hr_ticks(ax, bounds: np.ndarray) -> None:
    """Plain-number ticks (0.5, 1, 2...) on the log axis instead of powers of ten."""
    finite = bounds[np.isfinite(bounds) & (bounds > 0)]
    lo = min(float(finite.min()) if finite.size else 0.5, 0.9)
    hi = max(float(finite.max()) if finite.size else 2.0, 1.1)
    ticks = [t for t in _TICKS if lo / 1.5 <= t <= hi * 1.5] or [1.0]
    if len(ticks) > 6:  # keep every other one, always keeping 1
        i1 = ticks.index(1.0)
        ticks = [t for j, t in enumerate(ticks) if (j - i1) % 2 == 0]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_xlim(min(ticks[0], lo) / 1.1, max(ticks[-1], hi) * 1.1)


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
        fig = new_figure(inches(width_mm), 0.6 + 0.22 * max(n, 1))
        ax = fig.subplots()
        y = np.arange(n)[::-1]
        ok = rows["hr"].notna().to_numpy()
        ax.errorbar(rows.loc[ok, "hr"], y[ok],
                    xerr=[rows.loc[ok, "hr"] - rows.loc[ok, "lower"],
                          rows.loc[ok, "upper"] - rows.loc[ok, "hr"]],
                    fmt="s", ms=4, color=PALETTE[0], ecolor=PALETTE[0], elinewidth=1, capsize=2)
        ax.axvline(1.0, ls="--", lw=0.8, color="#555555")
        ax.set_xscale("log")
        _hr_ticks(ax, rows.loc[ok, ["lower", "upper"]].to_numpy(float))
        ax.set_yticks(y)
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_yticklabels(rows["label"])
        for label, heading in zip(ax.get_yticklabels(), ~ok, strict=True):
            if heading:
                label.set_fontweight("bold")
        ax.set_xlabel("Hazard ratio (95% CI)")
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        for yi, r in zip(y, rows.itertuples(), strict=True):
            if np.isfinite(r.hr):
                # the rows' own text in the report's journal style when given (forest_rows)
                text = (f"{r.hr_text}  {r.p_text}" if "hr_text" in rows else
                        f"{r.hr:.2f} ({r.lower:.2f}-{r.upper:.2f})  {_fmt_p(r.p)}")
                ax.text(1.02, yi, text,
                        transform=ax.get_yaxis_transform(), va="center", fontsize=7)
        if title:
            ax.set_title(title, loc="left")
        fig.subplots_adjust(left=0.3, right=0.7)
    return ForestFigure(fig, rows)
