"""Labels on a plot placed clear of its curves: a landmark rate next to its dot.

A label's usual place (above the dot, on the side away from the right edge) can lie across
the curve's next drop or another curve. :func:`place_label` tries a few places around the
point, in a fixed order, and keeps the first whose text, as Agg draws it, stays inside the
plot and touches no curve and no text already there; when none does, the usual place.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.path import Path
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

__all__ = ["step_path", "place_label", "CLEARANCE_PT"]

#: The least distance between a label and a curve, in points: half a censoring tick (5 pt
#: high, centred on the curve) and a little air.
CLEARANCE_PT = 3.0


def step_path(x: np.ndarray, y: np.ndarray) -> Path:
    """The path a ``where="post"`` step line through ``(x, y)`` draws, in data coordinates:
    across to each next x at the current y, then down (or up) to its y."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.size == 0:
        return Path(np.zeros((0, 2)))
    xs = np.repeat(x, 2)[1:]
    ys = np.repeat(y, 2)[:-1]
    return Path(np.column_stack([xs, ys]))


def _places(left: bool) -> list[tuple[float, float, str, str]]:
    """Offsets in points with their alignments, in the order tried: above then below the
    point on the preferred side, the same on the other side, then farther above and below."""
    out = []
    for sx in ((-1, 1) if left else (1, -1)):
        ha = "right" if sx < 0 else "left"
        out += [(4 * sx, 5, ha, "baseline"), (4 * sx, -5, ha, "top")]
    for sx in ((-1, 1) if left else (1, -1)):
        ha = "right" if sx < 0 else "left"
        out += [(4 * sx, 14, ha, "baseline"), (4 * sx, -14, ha, "top")]
    return out


def place_label(ax: Axes, text: str, xy: tuple[float, float], *, colour: str, left: bool,
                curves: Sequence[Path] = (), boxes: Sequence[Bbox] = (),
                fontsize: float = 8) -> Annotation:
    """Annotate ``xy`` with ``text`` at the first place (:func:`_places`) where it stays inside
    the axes, at least :data:`CLEARANCE_PT` from every path of ``curves`` (data coordinates)
    and overlaps none of ``boxes`` (display coordinates, e.g. other labels). ``left``: the
    label's usual side is left of the point (near the right edge). The axes' limits must be
    set. Returns the annotation, whose window extent is where it is drawn."""
    renderer = ax.figure.canvas.get_renderer()
    pad = CLEARANCE_PT * ax.figure.dpi / 72.0
    paths = [ax.transData.transform_path(p) for p in curves if len(p.vertices)]
    frame = ax.bbox
    places = _places(left)
    ann = None
    for dx, dy, ha, va in places:
        if ann is not None:
            ann.remove()
        ann = ax.annotate(text, xy, textcoords="offset points", xytext=(dx, dy), ha=ha,
                          va=va, fontsize=fontsize, color=colour)
        box = ann.get_window_extent(renderer)
        inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                  and box.y1 <= frame.y1)
        if (inside and not any(p.intersects_bbox(box.padded(pad), filled=False) for p in paths)
                and not any(box.overlaps(b) for b in boxes)):
            return ann
    ann.remove()
    dx, dy, ha, va = places[0]
    return ax.annotate(text, xy, textcoords="offset points", xytext=(dx, dy), ha=ha, va=va,
                       fontsize=fontsize, color=colour)
