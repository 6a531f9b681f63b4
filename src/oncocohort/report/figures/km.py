"""Kaplan-Meier curves with censor ticks, medians and numbers at risk aligned under the axis.

``compute_km_figure`` builds a matplotlib figure from Kaplan-Meier results and returns it
together with the numbers it printed (numbers at risk, medians), so tests can check the
figure against the estimator without reading pixels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncocohort.report.figures._style import DOUBLE_COLUMN_MM, PALETTE, RC, inches, new_figure

__all__ = ["KmFigure", "compute_km_figure"]


@dataclass(frozen=True)
class KmFigure:
    figure: Figure
    at_risk: pd.DataFrame  # columns: curve, time, n_at_risk
    medians: pd.DataFrame  # columns: curve, median, lower, upper


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
    curves: Mapping[str, object],
    *,
    unit: str = "months",
    tick_step: float | None = None,
    max_time: float | None = None,
    ci_band: bool = False,
    median_lines: bool = True,
    landmarks: Sequence[float] = (),
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
        Label -> a ``KaplanMeier`` result (``.table`` with time, n_at_risk, n_censored,
        survival, lower, upper; ``.survival_at(times)``; ``.median`` an ``Estimate``).
    tick_step
        Spacing of the x ticks, which are also the times of the numbers at risk; by default
        a round step giving 6-10 ticks.
    landmarks
        Times at which the survival estimate is annotated on each curve.
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
    with plt.rc_context(RC):
        height = inches(width_mm) * (0.62 + 0.045 * len(curves))
        fig = new_figure(inches(width_mm), height)
        n_rows = len(curves)
        gs = fig.add_gridspec(2, 1, height_ratios=[5, 0.9 + 0.35 * n_rows], hspace=0.35)
        ax = fig.add_subplot(gs[0])
        ax_tab = fig.add_subplot(gs[1], sharex=ax)

        last = max(float(km.table["time"].max()) if len(km.table) else 0.0
                   for km in curves.values())
        xmax = float(max_time if max_time is not None else last)
        step = tick_step or _nice_step(xmax)
        ticks = np.arange(0.0, xmax + 1e-9, step)

        at_risk_rows, median_rows = [], []
        for i, (label, km) in enumerate(curves.items()):
            colour = PALETTE[i % len(PALETTE)]
            table = km.table
            t, s = _step_xy(table)
            ax.step(t, s, where="post", color=colour, lw=1.2, label=label)
            if ci_band and len(table):
                bt, lo, hi = _band_xy(table)
                ax.fill_between(bt, lo, hi, step="post", color=colour, alpha=0.15, lw=0)
            cens = table[table["n_censored"] > 0]
            ax.plot(cens["time"], cens["survival"], ls="none", marker="|", ms=5, mew=0.9,
                    color=colour)
            med = km.median
            median_rows.append({"curve": label, "median": med.estimate, "lower": med.lower,
                                "upper": med.upper})
            if median_lines and np.isfinite(med.estimate):
                ax.plot([0, med.estimate, med.estimate], [0.5, 0.5, 0], ls=":", lw=0.8,
                        color=colour)
            if landmarks:
                lm = km.survival_at(list(landmarks))
                last_t = float(table["time"].max()) if len(table) else 0.0
                for _, r in lm.iterrows():
                    if np.isfinite(r["survival"]) and r["time"] <= last_t:
                        ax.annotate(f"{100 * r['survival']:.1f}%", (r["time"], r["survival"]),
                                    textcoords="offset points", xytext=(3, 4), fontsize=6.5,
                                    color=colour)
            for r in _at_risk_rows(km, ticks, show_events, small_cell_k):
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
        ax_tab.set_yticklabels(list(curves)[::-1])
        ax_tab.tick_params(axis="x", labelbottom=False, length=0)
        ax_tab.tick_params(axis="y", length=0, pad=14)  # clear of the numbers centred at 0
        for side in ("top", "right", "bottom", "left"):
            ax_tab.spines[side].set_visible(False)
        ax_tab.set_title("Number at risk (cumulative events)" if show_events
                         else "Number at risk", loc="left", fontsize=7)
    return KmFigure(fig, pd.DataFrame(at_risk_rows), pd.DataFrame(median_rows))


def _at_risk_rows(km, ticks: np.ndarray, show_events: bool, k: int | None) -> list[dict]:
    """Number at risk (R ``summary(fit, times)``) and cumulative events at each tick time."""
    table = km.table
    risk = km.survival_at(list(ticks))["n_at_risk"].to_numpy()
    times = table["time"].to_numpy(float)
    cum = np.cumsum(table["n_events"].to_numpy(float))
    rows = []
    for tt, n in zip(ticks, risk, strict=True):
        pos = int(np.searchsorted(times, tt, side="right")) - 1
        d = int(cum[pos]) if pos >= 0 else 0
        text = _count_text(int(n), k)
        if show_events:
            text += f" ({_count_text(d, k)})"
        rows.append({"time": float(tt), "n_at_risk": int(n), "n_events": d, "text": text})
    return rows


def _count_text(n: int, k: int | None) -> str:
    return f"<{k}" if k is not None and 0 < n < k else str(n)


def _nice_step(xmax: float) -> float:
    if xmax <= 0:
        return 1.0
    raw = xmax / 8
    mag = 10 ** np.floor(np.log10(raw))
    for m in (1, 2, 3, 5, 6, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)
