"""Attrition flowchart (CONSORT/STROBE style) from the cohort step's attrition table."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from oncocohort.report.figures._style import DOUBLE_COLUMN_MM, RC, inches, new_figure
from oncocohort.report.suppress import compute_suppression, suppressed_text

__all__ = ["FlowchartFigure", "compute_flowchart_figure"]


@dataclass(frozen=True)
class FlowchartFigure:
    figure: Figure
    boxes: tuple[str, ...]  # the text of every box, top to bottom, side boxes included


def _side_text(rows: pd.DataFrame, header: str, k: int | None = None) -> str:
    """The box of one kind of step: the total, then each rule that excluded someone.

    With ``k``, rule counts from 1 to ``k - 1`` read ``<k`` and, when a box would then hide a
    single count (recoverable from the box's total), the smallest other count reads ``*``
    (:func:`oncocohort.report.suppress.compute_suppression`; the totals stay shown).
    """
    total = int(rows["n_excluded"].sum())
    shown = rows[rows["n_excluded"] > 0]
    counts = [int(n) for n in shown["n_excluded"]]
    state = compute_suppression(counts, k, blocks=[list(range(len(counts)))])
    lines = [f"{total} {header}"]
    lines += [f"• {suppressed_text(st, k) if st else n} {label}"
              for n, st, label in zip(counts, state, shown["label"], strict=True)]
    return "\n".join(lines)


def compute_flowchart_figure(
    attrition: pd.DataFrame,
    *,
    screened_label: str = "patients screened",
    included_label: str = "patients included in the analysis",
    disposition: pd.DataFrame | None = None,
    width_mm: float = DOUBLE_COLUMN_MM,
    small_cell_k: int | None = None,
) -> FlowchartFigure:
    """Boxes: screened -> (not meeting inclusion, by rule) -> (meeting exclusion, by rule) ->
    included; optionally a disposition box (columns ``label``, ``n``) under the included box.
    ``small_cell_k`` suppresses small per-rule counts (see :func:`_side_text`).

    ``attrition`` has the cohort step's columns: step, kind (``screened``, ``inclusion``,
    ``exclusion``), rule, label, n_before, n_excluded, n_remaining.
    """
    first = attrition.iloc[0]
    n_screened = int(first["n_before"] if "n_before" in attrition else first["n_remaining"])
    inc = attrition[attrition["kind"] == "inclusion"]
    exc = attrition[attrition["kind"] == "exclusion"]
    n_final = int(attrition.iloc[-1]["n_remaining"])
    main = [f"{n_screened} {screened_label}"]
    side = []
    if len(inc):
        side.append(_side_text(inc, "did not meet the inclusion criteria", small_cell_k))
    if len(exc):
        side.append(_side_text(exc, "met the exclusion criteria", small_cell_k))
    main.append(f"{n_final} {included_label}")
    if disposition is not None and len(disposition):
        main.append("\n".join(f"{int(r.n)} {r.label}" for r in disposition.itertuples()))

    with plt.rc_context(RC):
        fig = new_figure(inches(width_mm), inches(width_mm) * 0.75)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ys = [0.9 - i * (0.8 / max(len(main) - 1, 1)) for i in range(len(main))]
        box = {"boxstyle": "round,pad=0.5", "fc": "white", "ec": "black", "lw": 0.8}
        for y, text in zip(ys, main, strict=True):
            ax.text(0.3, y, text, ha="center", va="center", bbox=box, fontsize=7.5, wrap=True)
        for a, b in zip(ys[:-1], ys[1:], strict=True):
            ax.annotate("", xy=(0.3, b + 0.06), xytext=(0.3, a - 0.06),
                        arrowprops={"arrowstyle": "->", "lw": 0.8})
        for j, text in enumerate(side):
            y = ys[0] - (j + 1) * (ys[0] - ys[1]) / (len(side) + 1)
            ax.text(0.62, y, text, ha="left", va="center", bbox=box, fontsize=7)
            ax.annotate("", xy=(0.6, y), xytext=(0.3, y),
                        arrowprops={"arrowstyle": "->", "lw": 0.8})
    return FlowchartFigure(fig, tuple(main[:1] + side + main[1:]))
