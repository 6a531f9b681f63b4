"""Kaplan-Meier curves with censor ticks, medians and numbers at risk aligned under the axis.

``compute_km_figure`` draws each curve's step function from its Kaplan-Meier fit, and prints
numbers that come from the ARD: the numbers at risk (at the times of the analysis'
at-risk grid, which are the x ticks, so they always line up; a time whose label or numbers
would touch another's is left out: :func:`~._risktable.spaced_times`), the medians and the
landmark estimates (:class:`KmCurve`), each landmark rate labelled where it crosses no curve
(:func:`~._labels.place_label`). It returns the figure with the numbers it printed, so tests
can check the figure against the ARD without reading pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib as mpl
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from oncocohort.report.figures._labels import place_label, step_path
from oncocohort.report.figures._risktable import (
    TABLE_FONT_PT,
    RiskRow,
    draw_risk_table,
    risk_cells,
    spaced_times,
    tick_font_size,
    time_axis_layout,
)
from oncocohort.report.figures._style import LINESTYLES, PALETTE, RC
from oncocohort.report.figures.sizes import DOUBLE_COLUMN_MM
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
    n
        The number of patients (the legend's ``(n = 40)``; ``None``: not printed).
    median_text
        The median as printed, with its interval (``"5.0 (3.6-7.7)"``, in the report's
        journal style); ``""``: the median to one decimal.
    landmark_texts
        The landmark rates as printed (``"28.1%"``), one per row of ``landmarks``; empty:
        formatted to one decimal.
    start
        Where the curve begins at 1: the time origin, or the first time a patient is in a
        time-dependent group (a Simon-Makuch curve: ``SimonMakuch.entry``).
    """

    label: str
    km: KaplanMeier
    at_risk: pd.DataFrame
    median: float
    landmarks: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"time": [], "survival": []}))
    n: int | None = None
    median_text: str = ""
    landmark_texts: tuple[str, ...] = ()
    start: float = 0.0


@dataclass(frozen=True)
class KmFigure:
    """The figure and what it printed: ``at_risk`` (curve, time, n_at_risk, n_events, text,
    events_text), ``medians`` (curve, median, text), ``landmarks`` (curve, time, text),
    ``legend`` (the legend's entries, its title first when there is one)."""

    figure: Figure
    at_risk: pd.DataFrame
    medians: pd.DataFrame
    landmarks: pd.DataFrame = field(default_factory=pd.DataFrame)
    legend: tuple[str, ...] = ()


def _step_xy(table: pd.DataFrame, start: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    t = np.concatenate([[start], table["time"].to_numpy(float)])
    s = np.concatenate([[1.0], table["survival"].to_numpy(float)])
    return t, s


def _band_xy(table: pd.DataFrame, start: float = 0.0
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.concatenate([[start], table["time"].to_numpy(float)])
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
    legend_title: str | None = None,
    median_label: str = "Median",
    landmark_label: str = "{time}-{unit} rate",
) -> KmFigure:
    """Kaplan-Meier figure of one or several curves.

    The plot area and margins depend only on ``width_mm`` and the number of table rows, so
    every single-curve figure of a report has the same size. Curves differ by line type as
    well as colour (:data:`~._style.LINESTYLES`), so they stay apart in greyscale.

    Parameters
    ----------
    curves
        The curves (:class:`KmCurve`); they share the at-risk times, which are the x ticks.
    ci_band
        Shade each curve's pointwise confidence band.
    median_lines
        Dotted grey lines from 0.5 to each median.
    annotation
        Text printed under the medians (e.g. the log-rank p).
    ylabel
        The y axis' name (``"Progression-free survival probability"``).
    show_events
        A second table under the numbers at risk: the cumulative number of events up to each
        tick time.
    small_cell_k
        Print numbers at risk (and events) between 1 and ``k - 1`` as ``"<k"``.
    legend_title
        The legend's title (the subgroup variable) when there are several curves; the legend
        names each curve with its ``n``.
    median_label, landmark_label
        The wording of the medians' heading and of each landmark rate (``{time}`` and
        ``{unit}``: ``"12-month rate 28.1%"``).

    Returns
    -------
    KmFigure
        The figure and the texts it printed.
    """
    ticks = _ticks(curves)
    single_unit = unit[:-1] if unit.endswith("s") else unit
    multi = len(curves) > 1
    tables = [len(curves)] + ([len(curves)] if show_events else [])
    with mpl.rc_context(RC):
        top = (0.25 if title else 0.0) + (0.22 if multi else 0.0)
        lay = time_axis_layout(width_mm, width_mm * 0.42, tables, top_in=top)
        fig, ax = lay.figure, lay.ax
        xmax = max(float(c.km.table["time"].max()) if len(c.km.table) else 0.0
                   for c in curves)
        xmax = max(xmax, float(ticks[-1]) if len(ticks) else 0.0)

        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, xmax * 1.02 if xmax > 0 else 1)
        # the ticks whose label and numbers touch no other's, the landmarks' first
        cells_of = [(risk_cells(c.at_risk, "n_at_risk", small_cell_k),
                     risk_cells(c.at_risk, "n_events", small_cell_k)) for c in curves]
        text_lines = [(tick_font_size(), [f"{t:g}" for t in ticks])]
        for cells, ev in cells_of:
            text_lines += [(TABLE_FONT_PT, [txt for _, txt in cells])]
            text_lines += [(TABLE_FONT_PT, [txt for _, txt in ev])] if show_events else []
        landmark_times = [float(t) for c in curves for t in c.landmarks["time"]]
        shown = spaced_times(ax, ticks, text_lines, first=landmark_times)
        ticks = ticks[shown]

        at_risk_rows, median_rows, risk, events = [], [], [], []
        handles, paths, marks = [], [], []
        for i, curve in enumerate(curves):
            label, table = curve.label, curve.km.table
            colour = PALETTE[i % len(PALETTE)]
            style = LINESTYLES[i % len(LINESTYLES)]
            t, s = _step_xy(table, curve.start)
            (line,) = ax.step(t, s, where="post", color=colour, lw=1.3, ls=style)
            handles.append(line)
            paths.append(step_path(t, s))
            if ci_band and len(table):
                bt, lo, hi = _band_xy(table, curve.start)
                ax.fill_between(bt, lo, hi, step="post", color=colour, alpha=0.15, lw=0)
            cens = table[table["n_censored"] > 0]
            ax.plot(cens["time"], cens["survival"], ls="none", marker="|", ms=5, mew=0.9,
                    color=colour)
            text = curve.median_text or (f"{curve.median:.1f}" if np.isfinite(curve.median)
                                         else "NR")
            median_rows.append({"curve": label, "median": curve.median, "text": text})
            if median_lines and np.isfinite(curve.median):
                ax.plot([0, curve.median, curve.median], [0.5, 0.5, 0], ls=":", lw=0.8,
                        color="#666666", zorder=1)
            marks += _draw_landmarks(ax, curve, colour, landmark_label, single_unit)
            cells = tuple(c for c, keep in zip(cells_of[i][0], shown, strict=True) if keep)
            ev = tuple(c for c, keep in zip(cells_of[i][1], shown, strict=True) if keep)
            for r, (_, txt), (_, etxt) in zip(curve.at_risk[shown].itertuples(), cells, ev,
                                             strict=True):
                at_risk_rows.append({"curve": label, "time": float(r.time),
                                     "n_at_risk": int(r.n_at_risk), "n_events": int(r.n_events),
                                     "text": txt, "events_text": etxt})
            row_label = label if multi else ""
            risk.append(RiskRow(row_label, colour, cells))
            events.append(RiskRow(row_label, colour, ev))

        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{t:g}" for t in ticks])
        ax.set_ylabel(ylabel)
        ax.set_xlabel(f"Time ({unit})")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.1f}"))
        legend: tuple[str, ...] = ()
        if multi:
            names = [c.label if c.n is None else f"{c.label} (n = {c.n})" for c in curves]
            ax.legend(handles, names, title=legend_title, frameon=False, loc="lower left",
                      bbox_to_anchor=(0.0, 1.0), ncol=min(len(curves), 4),
                      alignment="left", handlelength=2.6, borderaxespad=0.2)
            legend = ((legend_title,) if legend_title else ()) + tuple(names)
        if title:
            fig.text(0.01, 1 - 0.12 / fig.get_figheight(), title, ha="left",
                     va="top", fontsize=9)
        lines = _median_lines(median_rows, median_label, unit, multi)
        if annotation:
            lines.append(annotation)
        box = ax.text(0.98, 0.97, "\n".join(lines), transform=ax.transAxes, ha="right",
                      va="top", fontsize=8, linespacing=1.3)
        taken = [box.get_window_extent(fig.canvas.get_renderer())]
        landmark_rows = []
        for curve_label, t, surv, text, colour in marks:
            # near the right edge the label goes left of the dot; wherever it fits clear of
            # the curves, the medians' text and the labels placed before it
            ann = place_label(ax, text, (t, surv), colour=colour, left=t > 0.75 * xmax,
                              curves=paths, boxes=taken)
            taken.append(ann.get_window_extent(fig.canvas.get_renderer()))
            landmark_rows.append({"curve": curve_label, "time": t, "text": text})

        draw_risk_table(lay.tables[0], "Number at risk", risk)
        if show_events:
            draw_risk_table(lay.tables[1], "Cumulative number of events", events)
    return KmFigure(fig, pd.DataFrame(at_risk_rows), pd.DataFrame(median_rows),
                    pd.DataFrame(landmark_rows, columns=["curve", "time", "text"]), legend)


def _median_lines(rows: list[dict], label: str, unit: str, multi: bool) -> list[str]:
    """``"Median 5.0 months (95% CI 3.6-7.7)"`` for one curve; a heading and one line per
    curve for several."""
    if not multi:
        r = rows[0]
        return [f"{label} {_with_unit(r['text'], unit)}"]
    return [f"{label}, {unit}:"] + [f"{r['curve']}: {r['text']}" for r in rows]


def _with_unit(text: str, unit: str) -> str:
    """``"5.0 (3.6-7.7)"`` -> ``"5.0 months (3.6-7.7)"``; ``"NR"`` -> ``"not reached"``."""
    if text in ("NR", "not reached"):
        return "not reached"
    head, sep, rest = text.partition(" ")
    return f"{head} {unit}{sep}{rest}" if sep else f"{head} {unit}"


def _draw_landmarks(ax, curve: KmCurve, colour: str, label: str, unit: str) -> list[tuple]:
    """Each estimable landmark rate: a dot on the curve; returns ``(curve, time, survival,
    label, colour)`` per dot, the label (``"12-month rate 28.1%"``) placed once every curve
    and text is drawn."""
    rows = []
    texts = curve.landmark_texts or tuple(
        f"{100 * s:.1f}%" for s in curve.landmarks["survival"])
    for r, pct in zip(curve.landmarks.itertuples(), texts, strict=True):
        if not np.isfinite(r.survival):  # NaN: after the last observed time
            continue
        text = f"{label.format(time=f'{r.time:g}', unit=unit)} {pct}"
        ax.plot([r.time], [r.survival], marker="o", ms=3, color=colour, zorder=3)
        rows.append((curve.label, float(r.time), float(r.survival), text, colour))
    return rows


def _ticks(curves: Sequence[KmCurve]) -> np.ndarray:
    """The at-risk times, the same for every curve: the x ticks."""
    times = [tuple(c.at_risk["time"].astype(float)) for c in curves]
    if not times or any(t != times[0] for t in times):
        raise ValueError("the curves of one figure need the same at-risk times")
    return np.asarray(times[0], dtype=float)
