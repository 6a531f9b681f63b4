"""Kaplan-Meier curves with censor ticks, medians and numbers at risk aligned under the axis.

``compute_km_figure`` draws each curve's step function from its Kaplan-Meier fit, and prints
numbers that come from the ARD: the numbers at risk (at the times of the analysis' at-risk
grid, which are the x ticks, so they always line up), the medians and the landmark estimates
(:class:`KmCurve`). It returns the figure with the numbers it printed, so tests can check the
figure against the ARD without reading pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncocohort.report.figures._style import DOUBLE_COLUMN_MM, PALETTE, RC, inches, new_figure
from oncocohort.stats.kaplan_meier import KaplanMeier

__all__ = ["KmCurve", "KmFigure", "compute_km_figure"]


@dataclass(frozen=True)
class KmCurve:
    """One curve of a Kaplan-Meier figure.

    Attributes
    ----------
    label
        The legend's and the at-risk table's name of the curve.
    km
        The fit: its product-limit table is drawn (steps, band, censoring ticks).
    at_risk
        ``time``, ``n_at_risk``, ``n_events`` (cumulative) at the times of the x ticks.
    median
        The median (drawn as dotted lines; NaN: not reached).
    landmarks
        ``time``, ``survival`` (a fraction; NaN where not estimable) annotated on the curve.
    """

    label: str
    km: KaplanMeier
    at_risk: pd.DataFrame
    median: float
    landmarks: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"time": [], "survival": []}))


@dataclass(frozen=True)
class KmFigure:
    figure: Figure
    at_risk: pd.DataFrame  # columns: curve, time, n_at_risk
    medians: pd.DataFrame  # columns: curve, median


def _step_xy(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    t = np.concatenate([[0.0], table["time"].to_numpy(float)])
    s = np.concatenate([[1.0], table["survival"].to_numpy(float)])
    return t, s


def _band_xy(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.concatenate([[0.0], table["time"].to_numpy(float)])
    lo = np.concatenate([[1.0], table["lower"].to_numpy(float)])
    hi = np.concatenate([[1.0], table["upper"].to_numpy(float)])
    return t, lo, hi


def compute_km_figure(
    curves: Sequence[KmCurve],
    *,
    unit: str = "months",
    ci_band: bool = False,
    median_lines: bool = True,
    title: str | None = None,
    annotation: str | None = None,
    ylabel: str = "Survival probability",
    width_mm: float = DOUBLE_COLUMN_MM,
    show_events: bool = False,
    small_cell_k: int | None = None,
) -> KmFigure:
    """Kaplan-Meier figure of one or several curves.

    Parameters
    ----------
    curves
        The curves (:class:`KmCurve`); they share the at-risk times, which are the x ticks.
    show_events
        Print the cumulative number of events up to each tick time after the number at risk,
        ``"46 (12)"``.
    small_cell_k
        Print numbers at risk (and events) between 1 and ``k - 1`` as ``"<k"``.

    Returns
    -------
    KmFigure
        The figure; ``at_risk`` (curve, time, n_at_risk, n_events, text: what was printed);
        ``medians``.
    """
    ticks = _ticks(curves)
    with plt.rc_context(RC):
        height = inches(width_mm) * (0.62 + 0.045 * len(curves))
        fig = new_figure(inches(width_mm), height)
        n_rows = len(curves)
        gs = fig.add_gridspec(2, 1, height_ratios=[5, 0.9 + 0.35 * n_rows], hspace=0.35)
        ax = fig.add_subplot(gs[0])
        ax_tab = fig.add_subplot(gs[1], sharex=ax)

        xmax = max(float(c.km.table["time"].max()) if len(c.km.table) else 0.0
                   for c in curves)

        at_risk_rows, median_rows = [], []
        for i, curve in enumerate(curves):
            label, table = curve.label, curve.km.table
            colour = PALETTE[i % len(PALETTE)]
            t, s = _step_xy(table)
            ax.step(t, s, where="post", color=colour, lw=1.2, label=label)
            if ci_band and len(table):
                bt, lo, hi = _band_xy(table)
                ax.fill_between(bt, lo, hi, step="post", color=colour, alpha=0.15, lw=0)
            cens = table[table["n_censored"] > 0]
            ax.plot(cens["time"], cens["survival"], ls="none", marker="|", ms=5, mew=0.9,
                    color=colour)
            median_rows.append({"curve": label, "median": curve.median})
            if median_lines and np.isfinite(curve.median):
                ax.plot([0, curve.median, curve.median], [0.5, 0.5, 0], ls=":", lw=0.8,
                        color=colour)
            for r in curve.landmarks.itertuples():
                if np.isfinite(r.survival):  # NaN: after the last observed time
                    ax.annotate(f"{100 * r.survival:.1f}%", (r.time, r.survival),
                                textcoords="offset points", xytext=(3, 4), fontsize=6.5,
                                color=colour)
            for r in _at_risk_rows(curve.at_risk, show_events, small_cell_k):
                at_risk_rows.append({"curve": label, **r})
                ax_tab.text(r["time"], n_rows - 1 - i, r["text"], ha="center", va="center",
                            fontsize=7, color=colour)

        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, xmax * 1.02 if xmax > 0 else 1)
        ax.set_xticks(ticks)
        ax.set_ylabel(ylabel)
        ax.set_xlabel(f"Time ({unit})")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.1f}"))
        if len(curves) > 1:
            ax.legend(frameon=False, loc="upper right")
        if title:
            ax.set_title(title, loc="left")
        if annotation:
            ax.text(0.98, 0.62, annotation, transform=ax.transAxes, ha="right", va="top",
                    fontsize=7)

        ax_tab.set_ylim(-0.6, n_rows - 0.4)
        ax_tab.set_yticks(range(n_rows))
        ax_tab.set_yticklabels([c.label for c in curves][::-1])
        ax_tab.tick_params(axis="x", labelbottom=False, length=0)
        ax_tab.tick_params(axis="y", length=0, pad=14)  # clear of the numbers centred at 0
        for side in ("top", "right", "bottom", "left"):
            ax_tab.spines[side].set_visible(False)
        ax_tab.set_title("Number at risk (cumulative events)" if show_events
                         else "Number at risk", loc="left", fontsize=7)
    return KmFigure(fig, pd.DataFrame(at_risk_rows), pd.DataFrame(median_rows))


def _ticks(curves: Sequence[KmCurve]) -> np.ndarray:
    """The at-risk times, the same for every curve: the x ticks."""
    times = [tuple(c.at_risk["time"].astype(float)) for c in curves]
    if not times or any(t != times[0] for t in times):
        raise ValueError("the curves of one figure need the same at-risk times")
    return np.asarray(times[0], dtype=float)


def _at_risk_rows(at_risk: pd.DataFrame, show_events: bool, k: int | None) -> list[dict]:
    """What is printed under the axis at each tick: the number at risk (and the cumulative
    events), small counts as ``<k``."""
    rows = []
    for r in at_risk.itertuples():
        n, d = int(r.n_at_risk), int(r.n_events)
        text = _count_text(n, k)
        if show_events:
            text += f" ({_count_text(d, k)})"
        rows.append({"time": float(r.time), "n_at_risk": n, "n_events": d, "text": text})
    return rows


def _count_text(n: int, k: int | None) -> str:
    return f"<{k}" if k is not None and 0 < n < k else str(n)
