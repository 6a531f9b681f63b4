"""Figure style shared by every figure: colour-blind-safe palette, line types, fonts (the sizes
they are drawn for: :mod:`.sizes`)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no screen: figures are rendered to files only

from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

# Okabe & Ito (2008) colour-blind-safe palette, black first.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Line types that go with the colours, so that curves stay apart in greyscale print: solid,
#: dashed, dotted, dash-dot, long dash.
LINESTYLES: tuple = ("-", (0, (5, 2)), (0, (1, 1.3)), (0, (6, 2, 1, 2)), (0, (9, 3)))

#: DejaVu Sans for Latin text; glyphs it lacks (the Chinese of a hospital's labels, levels and
#: headers) fall back to Noto Sans CJK (Debian fonts-noto-cjk, which CI installs).
FONT_FAMILY: tuple[str, ...] = ("DejaVu Sans", "Noto Sans CJK SC")


def installed_families(families: tuple[str, ...] = FONT_FAMILY) -> list[str]:
    """The fonts of ``families`` this machine has, in order (DejaVu Sans, which matplotlib
    ships, when none is). A family that is not installed is left out rather than asked for:
    matplotlib would log "findfont: Font family ... not found" for every text it draws and
    spend the time looking for it (thousands of lines and seconds for the demo on a machine
    without the CJK fonts)."""
    have = {entry.name for entry in font_manager.fontManager.ttflist}
    return [family for family in families if family in have] or ["DejaVu Sans"]


RC = {
    "font.family": installed_families(),
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "oncocohort",  # stable SVG ids: same input, same file
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}


def new_figure(width_in: float, height_in: float) -> Figure:
    """A figure outside pyplot's global registry (nothing to close, no global state), with an
    Agg canvas so it can be drawn and measured."""
    fig = Figure(figsize=(width_in, height_in))
    FigureCanvasAgg(fig)
    return fig


def fix_canvas(fig: Figure) -> Figure:
    """Make the whole figure part of its saved area: an empty rectangle over the canvas is
    counted by the tight bounding box the files are cropped to (:mod:`.render`), so figures
    laid out at the same size are saved at the same size whatever their texts (labels that
    stick out still widen it). Returns ``fig``."""
    fig.add_artist(Rectangle((0, 0), 1, 1, transform=fig.transFigure, fill=False,
                             linewidth=0, edgecolor="none"))
    return fig
