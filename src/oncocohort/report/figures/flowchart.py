"""Study flowchart (STROBE / CONSORT style): selection, treatment disposition, analysis sets.

The main column reads top to bottom: patients screened, patients included, patients still on
treatment at the data cut-off, the analysis sets. Side boxes hold those who left the main
column, each with its reasons: the patients who did not meet an inclusion criterion or met an
exclusion criterion (counted at the first criterion they fail, in the spec's order) and those
who discontinued treatment. Sections the study lacks are absent: no treatment records, no
disposition boxes; no tumour assessments, no response sets.

The layout is measured in inches from the texts (wrapped to the columns of the chosen width,
8 pt), so the canvas is as high as its boxes need and fits a single (85 mm) or double
(180 mm) column.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from oncocohort.report.figures._style import RC, fix_canvas, new_figure
from oncocohort.report.figures.sizes import DOUBLE_COLUMN_MM, FLOWCHART_FONT_PT, canvas_in
from oncocohort.report.suppress import compute_suppression, suppressed_text

__all__ = ["FlowchartFigure", "compute_flowchart_figure", "FIRST_CRITERION_NOTE"]

FONT_PT = FLOWCHART_FONT_PT
_LINE_IN = FONT_PT * 1.3 / 72   # one line of text
_PAD_IN = 0.07                  # inside a box
_GAP_IN = 0.16                  # between boxes (and above and below a side box)
_CHAR_IN = 0.057                # a DejaVu Sans character at 8 pt, on average (wrapping)

#: The footnote of the selection boxes.
FIRST_CRITERION_NOTE = ("Patients are counted once, at the first criterion they fail, in the "
                        "order listed.")


@dataclass(frozen=True)
class FlowchartFigure:
    figure: Figure
    boxes: tuple[str, ...]  # the text of every box, top to bottom, side boxes included


@dataclass(frozen=True)
class _Box:
    text: str
    side: bool


def _reason(label: str) -> str:
    """A reason as it follows a count: ``"Not ESCC"`` -> ``"not ESCC"``; an acronym or a
    name keeps its capital (``"ECOG ..."``)."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _counted_boxes(boxes: list[tuple[str, list[str], list[int]]], k: int | None,
                   extra_blocks: list[list[int]] = ()) -> tuple[list[str], list[int]]:
    """Side-box texts: per box the total (its header) and each reason with a count above 0.

    With ``k`` the counts are suppressed as one table
    (:func:`oncocohort.report.suppress.compute_suppression`): a count from 1 to ``k - 1``
    reads ``<k``. Each box's reasons and total form a block (the total is their sum), and so
    do the box totals of one step (``extra_blocks`` of box indices: their sum is known from
    the main boxes): a block with a single hidden count hides its smallest other count too
    (``*``), until none is left alone. Returns the texts and the count index of each total.
    """
    counts: list[int] = []
    layout = []
    for header, labels, ns in boxes:
        shown = [(lab, n) for lab, n in zip(labels, ns, strict=True) if n > 0]
        idx = list(range(len(counts), len(counts) + len(shown)))
        counts += [n for _, n in shown]
        layout.append((header, idx, [lab for lab, _ in shown]))
    totals = []
    for _, idx, _ in layout:
        totals.append(len(counts))
        counts.append(sum(counts[i] for i in idx))
    blocks = [idx + [t] for (_, idx, _), t in zip(layout, totals, strict=True)]
    blocks += [[totals[b] for b in block] for block in extra_blocks]
    state = compute_suppression(counts, k, blocks=blocks)

    def show(i: int) -> str:
        return suppressed_text(state[i], k) if state[i] else str(counts[i])

    texts = []
    for (header, idx, labels), t in zip(layout, totals, strict=True):
        lines = [f"{show(t)} {header}"]
        lines += [f"• {show(i)} {_reason(label)}" for i, label in zip(idx, labels, strict=True)]
        texts.append("\n".join(lines))
    return texts, totals


def compute_flowchart_figure(
    attrition: pd.DataFrame,
    *,
    screened_label: str = "patients screened",
    included_label: str = "patients included",
    discontinued: pd.DataFrame | None = None,
    on_treatment_label: str = "still on treatment at the data cut-off",
    analysis_sets: pd.DataFrame | None = None,
    width_mm: float = DOUBLE_COLUMN_MM,
    small_cell_k: int | None = None,
) -> FlowchartFigure:
    """The flowchart of the study.

    Parameters
    ----------
    attrition
        The cohort step's table: step, kind (``screened``, ``inclusion``, ``exclusion``),
        rule, label (the reason patients are removed, e.g. ``"Not ESCC with metastatic
        disease"``), n_before, n_excluded, n_remaining.
    discontinued
        ``label``, ``n``: the reasons for ending treatment (a side box under the included
        patients, headed by their total), and the included patients not counted there are
        still on treatment (the next main box). ``None``: no disposition boxes.
    analysis_sets
        ``label``, ``n``: the analysis sets (``"evaluable for response"``), the last box.
    small_cell_k
        Suppresses small counts of the side boxes (see :func:`_counted_boxes`).
    """
    first = attrition.iloc[0]
    n_screened = int(first["n_before"] if "n_before" in attrition else first["n_remaining"])
    inc = attrition[attrition["kind"] == "inclusion"]
    exc = attrition[attrition["kind"] == "exclusion"]
    n_final = int(attrition.iloc[-1]["n_remaining"])
    selection = [(header, list(rows["label"].astype(str)), [int(n) for n in rows["n_excluded"]])
                 for rows, header in ((inc, "did not meet an inclusion criterion"),
                                      (exc, "met an exclusion criterion")) if len(rows)]
    side, _ = _counted_boxes(selection, small_cell_k, [list(range(len(selection)))])
    boxes = [_Box(f"{n_screened} {screened_label}", False)]
    boxes += [_Box(t, True) for t in side]
    boxes.append(_Box(f"{n_final} {included_label}", False))
    if discontinued is not None and len(discontinued):
        ns = [int(n) for n in discontinued["n"]]
        going = n_final - sum(ns)
        # those still on treatment as a box of their own: the two totals add up to the
        # included patients, so one hidden total hides the other
        (stopped, still), _ = _counted_boxes(
            [("discontinued treatment", list(discontinued["label"].astype(str)), ns),
             (on_treatment_label, [on_treatment_label], [going])], small_cell_k, [[0, 1]])
        boxes.append(_Box(stopped, True))
        boxes.append(_Box(still.splitlines()[0], False))
    if analysis_sets is not None and len(analysis_sets):
        lines = ["Analysis sets"] + [f"{int(r.n)} {r.label}" for r in analysis_sets.itertuples()]
        boxes.append(_Box("\n".join(lines), False))
    note = FIRST_CRITERION_NOTE if selection else ""
    fig = _draw(boxes, note, width_mm)
    return FlowchartFigure(fig, tuple(b.text for b in boxes))


def _wrap(text: str, chars: int) -> str:
    """Each line wrapped to ``chars``; a bullet's continuation lines indented under its
    text."""
    out = []
    for line in text.split("\n"):
        indent = "   " if line.startswith("• ") else ""
        out += textwrap.wrap(line, chars, subsequent_indent=indent,
                             break_on_hyphens=False) or [""]
    return "\n".join(out)


def _draw(boxes: list[_Box], note: str, width_mm: float) -> Figure:
    width = canvas_in(width_mm)
    main_w = 0.40 * width
    side_x = main_w + 0.45
    side_w = width - side_x - 0.04
    main_chars = int((main_w - 2 * _PAD_IN) / _CHAR_IN)
    side_chars = int((side_w - 2 * _PAD_IN) / _CHAR_IN)
    texts = [_wrap(b.text, side_chars if b.side else main_chars)
             for b in boxes]
    heights = [t.count("\n") * _LINE_IN + _LINE_IN + 2 * _PAD_IN for t in texts]

    # top to bottom: a main box, then the side boxes of the gap before the next main box
    y = 0.04
    placed = []  # (box, text, top, height)
    for box, text, h in zip(boxes, texts, heights, strict=True):
        y += _GAP_IN if placed else 0.0
        placed.append((box, text, y, h))
        y += h
    note_h = (_wrap(note, int(width / _CHAR_IN)).count("\n") + 1) * _LINE_IN
    total = y + (_GAP_IN + note_h if note else 0) + 0.04

    with mpl.rc_context(RC):
        fig = new_figure(width, total)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(total, 0)  # y in inches from the top
        ax.set_axis_off()
        cx = main_w / 2
        mains = [(top, h) for box, _, top, h in placed if not box.side]
        renderer = fig.canvas.get_renderer()
        for box, text, top, h in placed:
            if box.side:
                t = ax.text(side_x + _PAD_IN, top + _PAD_IN, text, ha="left", va="top",
                            fontsize=FONT_PT, linespacing=1.3)
                # as wide as its text (never wider than the column)
                w = min(side_w, t.get_window_extent(renderer).width / fig.dpi + 2 * _PAD_IN)
                x0 = side_x
                ax.annotate("", xy=(side_x, top + h / 2), xytext=(cx, top + h / 2),
                            arrowprops={"arrowstyle": "-|>", "lw": 0.8, "color": "black",
                                        "shrinkA": 0, "shrinkB": 0, "mutation_scale": 8})
            else:
                x0, w = 0.02, main_w - 0.04
                ax.text(cx, top + _PAD_IN, text, ha="center", va="top", fontsize=FONT_PT,
                        linespacing=1.3, multialignment="center")
            ax.add_patch(FancyBboxPatch((x0, top), w, h,
                                        boxstyle="round,pad=0,rounding_size=0.04",
                                        fc="white", ec="black", lw=0.8, zorder=0))
        for (a_top, a_h), (b_top, _) in zip(mains[:-1], mains[1:], strict=True):
            ax.annotate("", xy=(cx, b_top), xytext=(cx, a_top + a_h),
                        arrowprops={"arrowstyle": "-|>", "lw": 0.8, "color": "black",
                                    "shrinkA": 0, "shrinkB": 0, "mutation_scale": 8})
        if note:
            ax.text(0.02, y + _GAP_IN, _wrap(note, int(width / _CHAR_IN)),
                    ha="left", va="top", fontsize=FONT_PT, style="italic", linespacing=1.3)
        fix_canvas(fig)
    return fig
