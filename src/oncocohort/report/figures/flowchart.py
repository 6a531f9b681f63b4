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


def _side_texts(boxes: list[tuple[pd.DataFrame, str]], k: int | None) -> list[str]:
    """The side boxes (one per kind of step): the total, then each rule that excluded someone.

    With ``k`` the counts are suppressed as one table
    (:func:`oncocohort.report.suppress.compute_suppression`): a rule count or a box total from
    1 to ``k - 1`` reads ``<k``. Each box's rules and total form a block (the total is their
    sum), and so do the box totals (their sum is screened minus included): a block with a
    single hidden count hides its smallest other count too (``*``), until none is left alone.
    """
    counts: list[int] = []
    layout = []
    for rows, header in boxes:
        shown = rows[rows["n_excluded"] > 0]
        idx = list(range(len(counts), len(counts) + len(shown)))
        counts += [int(n) for n in shown["n_excluded"]]
        layout.append((header, idx, list(shown["label"])))
    totals = []
    for _, idx, _ in layout:
        totals.append(len(counts))
        counts.append(sum(counts[i] for i in idx))
    # any one count of a box (rules and total) follows from the others; so do the two totals
    # from the screened and included numbers
    blocks = [idx + [t] for (_, idx, _), t in zip(layout, totals, strict=True)] + [totals]
    state = compute_suppression(counts, k, blocks=blocks)

    def show(i: int) -> str:
        return suppressed_text(state[i], k) if state[i] else str(counts[i])

    texts = []
    for (header, idx, labels), t in zip(layout, totals, strict=True):
        lines = [f"{show(t)} {header}"]
        lines += [f"• {show(i)} {label}" for i, label in zip(idx, labels, strict=True)]
        texts.append("\n".join(lines))
    return texts


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
    ``small_cell_k`` suppresses small counts of the side boxes (see :func:`_side_texts`).

    ``attrition`` has the cohort step's columns: step, kind (``screened``, ``inclusion``,
    ``exclusion``), rule, label, n_before, n_excluded, n_remaining.
    """
    first = attrition.iloc[0]
    n_screened = int(first["n_before"] if "n_before" in attrition else first["n_remaining"])
    inc = attrition[attrition["kind"] == "inclusion"]
    exc = attrition[attrition["kind"] == "exclusion"]
    n_final = int(attrition.iloc[-1]["n_remaining"])
    main = [f"{n_screened} {screened_label}"]
    side = _side_texts([(rows, header) for rows, header in (
        (inc, "did not meet the inclusion criteria"), (exc, "met the exclusion criteria"))
        if len(rows)], small_cell_k)
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
