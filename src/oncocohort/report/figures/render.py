"""Write a figure as PNG (300 dpi), SVG and PDF, byte-stable for the same input."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from oncocohort.report.figures._style import RC

__all__ = ["render_figure", "figure_svg", "inline_svg"]

_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def render_figure(fig: Figure, base: Path,
                  formats: tuple[str, ...] = ("png", "svg", "pdf")) -> list[Path]:
    """Write ``base.png``, ``base.svg`` and ``base.pdf``; return the paths; close the figure."""
    paths = []
    with plt.rc_context(RC):  # saving reads svg.hashsalt / fonttype: the style must be active
        bbox = _tight_bbox(fig)  # once for all formats: "tight" would draw twice per format
        for fmt in formats:
            path = Path(base).with_suffix(f".{fmt}")
            fig.savefig(path, format=fmt, dpi=300, bbox_inches=bbox, metadata=_METADATA[fmt])
            paths.append(path)
    plt.close(fig)  # a no-op for figures made by ``new_figure``; frees pyplot-made ones
    return paths


def _tight_bbox(fig: Figure, pad_inches: float = 0.1):
    """The bounding box ``bbox_inches="tight"`` would use (inches), computed with one draw."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.get_tightbbox(fig.canvas.get_renderer()).padded(pad_inches)


def figure_svg(fig: Figure) -> str:
    """The figure as an inline SVG string (for the self-contained HTML report)."""
    buf = io.StringIO()
    with plt.rc_context(RC):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata=_METADATA["svg"])
    return inline_svg(buf.getvalue())


def inline_svg(text: str) -> str:
    """An SVG file's text made fit for inlining in HTML: from ``<svg`` on, without the RDF
    ``<metadata>`` block (namespace URIs only, no content)."""
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    m0, m1 = text.find("<metadata>"), text.find("</metadata>")
    if m0 >= 0 and m1 > m0:
        text = text[:m0] + text[m1 + len("</metadata>"):]
    return text
