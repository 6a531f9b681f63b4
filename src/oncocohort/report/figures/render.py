"""Write a figure as PNG (300 dpi), SVG and PDF, byte-stable for the same input."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

__all__ = ["render_figure", "figure_svg"]

_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def render_figure(fig: Figure, base: Path, formats: tuple[str, ...] = ("png", "svg", "pdf")) -> list[Path]:
    """Write ``base.png``, ``base.svg`` and ``base.pdf``; return the paths; close the figure."""
    paths = []
    for fmt in formats:
        path = Path(base).with_suffix(f".{fmt}")
        fig.savefig(path, format=fmt, dpi=300, bbox_inches="tight", metadata=_METADATA[fmt])
        paths.append(path)
    plt.close(fig)
    return paths


def figure_svg(fig: Figure) -> str:
    """The figure as an inline SVG string (for the self-contained HTML report)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata=_METADATA["svg"])
    text = buf.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text
