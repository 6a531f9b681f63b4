"""Forest plot of Cox hazard ratios (log scale) as journals print them: a table of the terms
with the plot in its middle.

Columns, each with its header: the term (a heading row per variable, then its levels, the
reference level marked), the number of patients / events per level (univariable models), the
plot (squares and intervals, a line at HR = 1, under the axis "← Lower hazard than reference"
and "Higher hazard than reference →" centred on it), the hazard ratio with its interval and
the p-value. The texts come formatted from the ARD in the report's journal style
(:func:`oncocohort.report.assemble.forest_rows`); this module only places them.

The labels under the axis: a figure of several variables has one reference level per
variable, so "Favours [level] | Favours [reference]", the journals' wording for two arms,
has no one level to name, and "favours" would call a patient characteristic a choice. Each
square compares a level with its own variable's reference level (marked in the table), so
the labels say on which side the hazard is lower than that reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import blended_transform_factory

from oncocohort.report.figures._style import PALETTE, RC, fix_canvas, new_figure
from oncocohort.report.figures.sizes import DOUBLE_COLUMN_MM, canvas_in

__all__ = ["ForestFigure", "compute_forest_figure", "SIDE_LABELS"]

FONT_PT = 8.0
_ROW_IN = 0.2
_HEAD_IN = 0.34   # header row and rule
_FOOT_IN = 0.72   # tick labels, axis label, favours labels
_TITLE_IN = 0.28
_SIDE_GAP_PT = 4.0  # between the line at HR = 1 and the nearer end of each side's label

#: The labels either side of HR = 1 under the axis (left: HR < 1).
SIDE_LABELS = ("Lower hazard than reference", "Higher hazard than reference")


@dataclass(frozen=True)
class ForestFigure:
    """The figure; ``rows`` as drawn (top first); ``headers`` the column headers printed."""

    figure: Figure
    rows: pd.DataFrame  # label, hr, lower, upper, p (+ the texts printed) in plotted order
    headers: tuple[str, ...] = ()


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
    favours: tuple[str, str] = SIDE_LABELS,
    ci_label: str = "95% CI",
) -> ForestFigure:
    """A forest plot of ``rows`` (top to bottom in the given order).

    ``rows`` has the columns ``label``, ``hr``, ``lower``, ``upper``, ``p`` (a row without
    ``hr`` is a heading, drawn in bold, or a reference level when ``reference`` is true, or a
    level that is not estimable when its optional ``note`` says why: no point, the note as its
    text) and
    optionally the texts to print: ``hr_text``, ``p_text`` (else formatted here to two and
    three decimals) and ``n_text`` (``"30/17"``: the column "Patients/events" is drawn when
    it is given). ``favours``: the labels under the axis, left (HR < 1) and right, with
    arrows pointing away from HR = 1; the pair is centred on HR = 1 (the shorter label
    farther from the line), each clear of the line.
    """
    rows = rows.reset_index(drop=True)
    n = len(rows)
    with_n = "n_text" in rows and rows["n_text"].astype(str).str.len().gt(0).any()
    width = canvas_in(width_mm)
    top = _HEAD_IN + (_TITLE_IN if title else 0.0)
    height = top + _ROW_IN * max(n, 1) + _FOOT_IN
    # columns, in inches from the left: term | patients/events | plot | HR (CI) | p
    x_n = 0.30 * width
    plot0 = (0.36 if with_n else 0.31) * width
    plot1 = 0.70 * width
    x_hr = plot1 + 0.12
    x_p = width - 0.05
    ok = rows["hr"].notna().to_numpy()
    # a term without an estimate says why (``note``, printed as its hr_text): not a heading
    notes = (rows["note"].fillna("").astype(str).to_numpy() if "note" in rows
             else np.full(len(rows), "", dtype=object))
    ref = rows["reference"].fillna(False).astype(bool).to_numpy() if "reference" in rows \
        else np.zeros(n, bool)
    hr_text = [r.hr_text if "hr_text" in rows else
               (f"{r.hr:.2f} ({r.lower:.2f}-{r.upper:.2f})" if np.isfinite(r.hr) else "")
               for r in rows.itertuples()]
    hr_text = [t if t else ("1 (reference)" if is_ref else "")
               for t, is_ref in zip(hr_text, ref, strict=True)]
    p_text = [r.p_text if "p_text" in rows else _fmt_p(r.p) for r in rows.itertuples()]
    headers = ("Variable",) + (("Patients/events",) if with_n else ()) + (
        f"HR ({ci_label})", "p")
    with matplotlib.rc_context(RC):
        fig = new_figure(width, height)
        ax = fig.add_axes((plot0 / width, _FOOT_IN / height, (plot1 - plot0) / width,
                           _ROW_IN * max(n, 1) / height))
        y = np.arange(n)[::-1].astype(float)
        ax.set_ylim(-0.5, n - 0.5)
        hr = rows.loc[ok, "hr"].to_numpy(float)
        ax.errorbar(hr, y[ok], xerr=[hr - rows.loc[ok, "lower"].to_numpy(float),
                                     rows.loc[ok, "upper"].to_numpy(float) - hr],
                    fmt="s", ms=4.5, color=PALETTE[0], ecolor=PALETTE[0], elinewidth=1,
                    capsize=0)
        ax.axvline(1.0, ls="-", lw=0.7, color="#444444")
        ax.set_xscale("log")
        _hr_ticks(ax, rows.loc[ok, ["lower", "upper"]].to_numpy(float))
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(f"Hazard ratio ({ci_label}, log scale)", fontsize=FONT_PT)
        ax.tick_params(axis="x", labelsize=FONT_PT)
        # either side of the line at HR = 1, under the axis label, the pair centred on it
        texts = (f"\u2190 {favours[0]}", f"{favours[1]} \u2192")
        renderer = fig.canvas.get_renderer()
        prop = FontProperties(size=FONT_PT)
        w_left, w_right = (renderer.get_text_width_height_descent(t, prop, ismath=False)[0]
                           * 72.0 / fig.dpi for t in texts)
        x1 = ax.transAxes.inverted().transform(ax.transData.transform((1.0, 0)))[0]
        for text, ha, dx in ((texts[0], "right", -(_SIDE_GAP_PT + max(w_right - w_left, 0))),
                             (texts[1], "left", _SIDE_GAP_PT + max(w_left - w_right, 0))):
            ax.annotate(text, (x1, 0), xycoords="axes fraction", textcoords="offset points",
                        xytext=(dx, -36), ha=ha, va="top", fontsize=FONT_PT)
        # the table: x in inches across the figure, y the plot's rows
        tr = blended_transform_factory(fig.dpi_scale_trans, ax.transData)
        for yi, r, is_ok, is_ref, ht, pt, note in zip(y, rows.itertuples(), ok, ref, hr_text,
                                                      p_text, notes, strict=True):
            heading = not is_ok and not is_ref and not note
            ax.text(0.05, yi, str(r.label).strip() if heading else f"   {str(r.label).strip()}",
                    transform=tr, ha="left", va="center", fontsize=FONT_PT,
                    fontweight="bold" if heading else "normal", clip_on=False)
            if with_n and str(r.n_text):
                ax.text(x_n, yi, str(r.n_text), transform=tr, ha="center", va="center",
                        fontsize=FONT_PT, clip_on=False)
            if ht:
                ax.text(x_hr, yi, ht, transform=tr, ha="left", va="center", fontsize=FONT_PT,
                        clip_on=False)
            if pt:
                ax.text(x_p, yi, pt, transform=tr, ha="right", va="center", fontsize=FONT_PT,
                        clip_on=False)
        head_y = n - 0.5 + (_HEAD_IN * 0.5) / _ROW_IN
        for x, text, ha in zip((0.05, x_n, x_hr, x_p) if with_n else (0.05, x_hr, x_p),
                               headers, ("left", "center", "left", "right") if with_n
                               else ("left", "left", "right"), strict=True):
            ax.text(x, head_y, text, transform=tr, ha=ha, va="center", fontsize=FONT_PT,
                    fontweight="bold", clip_on=False)
        rule_y = n - 0.5 + 0.06 / _ROW_IN
        ax.plot([0.05, width - 0.05], [rule_y, rule_y], transform=tr, color="black", lw=0.6,
                clip_on=False)
        if title:
            fig.text(0.05 / width, 1 - 0.06 / height, title, ha="left", va="top", fontsize=9)
        fix_canvas(fig)
    drawn = rows.assign(hr_printed=hr_text, p_printed=p_text)
    return ForestFigure(fig, drawn, headers)
