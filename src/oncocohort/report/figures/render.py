"""A figure rendered as PNG (300 dpi), SVG and PDF bytes, byte-stable for the same input.

The PNG is written here (:func:`encode_png`) from the pixels Agg draws, not by Pillow: the
same pixels, each row unfiltered and the whole image one zlib stream, deflated at level
:data:`PNG_COMPRESS_LEVEL` by zlib-ng (the zlib format, decoded by every PNG reader; a faster
deflate than zlib's: a third of zlib's time for the demo's figures at level 3, and files a
quarter smaller). A figure is mostly flat colour, which the unfiltered rows compress as well
as Pillow's per-row filters do, in a fraction of the time (the PNGs were the larger part of
rendering the report).
"""

from __future__ import annotations

import contextlib
import io
import struct
import warnings
import zlib
from collections.abc import Callable, Iterator

import matplotlib as mpl
import numpy as np
from matplotlib import cbook
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontManager
from zlib_ng import zlib_ng

from oncocohort.report.figures._style import RC, new_figure
from oncocohort.report.figures.svgtext import inline_svg

__all__ = ["render_figure", "figure_svg", "encode_png", "PNG_COMPRESS_LEVEL",
           "remembered_font_lookups", "remembered_text_sizes", "remembered_font_work",
           "warm_up", "render_cost"]

#: Deflate level of the PNG files: 3 is within 5% of the smallest for figures (flat colour),
#: and fast; the pixels are the same at any level.
PNG_COMPRESS_LEVEL = 3

_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def encode_png(rgba: np.ndarray, dpi: float) -> bytes:
    """An RGBA image (rows x columns x 4 bytes, top row first) as a PNG file: 8-bit RGBA, its
    resolution ``dpi`` (the ``pHYs`` chunk, in pixels per metre as Pillow rounds it), rows
    unfiltered, one ``IDAT`` chunk. Same pixels, same bytes.

    >>> from PIL import Image
    >>> px = np.zeros((2, 3, 4), np.uint8); px[..., 0] = 255; px[..., 3] = 255
    >>> img = Image.open(io.BytesIO(encode_png(px, 300)))
    >>> img.size, img.mode, img.getpixel((2, 1)), round(img.info["dpi"][0])
    ((3, 2), 'RGBA', (255, 0, 0, 255), 300)
    """
    height, width, depth = rgba.shape
    if depth != 4 or rgba.dtype != np.uint8:
        raise ValueError(f"expected rows x columns x 4 bytes, got {rgba.shape} {rgba.dtype}")
    rows = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    rows[:, 0] = 0  # each row's filter type: none
    rows[:, 1:] = rgba.reshape(height, 4 * width)
    per_metre = int(dpi / 0.0254 + 0.5)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
            + chunk(b"IDAT", zlib_ng.compress(rows, PNG_COMPRESS_LEVEL))  # the array itself
            + chunk(b"IEND", b""))


class _Canvas(FigureCanvasAgg):
    """Agg, whose PNG is :func:`encode_png` of the pixels it draws (``savefig`` still does the
    rest: the resolution, the bounding box, the background)."""

    def print_png(self, filename_or_obj, *, metadata=None, pil_kwargs=None, **kwargs) -> None:
        # kwargs: what savefig hands every print method (facecolor, dpi, ...), already applied
        # to the figure, as matplotlib's own print_png ignores them
        FigureCanvasAgg.draw(self)
        with cbook.open_file_cm(filename_or_obj, "wb") as fh:
            fh.write(encode_png(np.asarray(self.buffer_rgba()), self.figure.dpi))


def render_figure(fig: Figure,
                  formats: tuple[str, ...] = ("png", "svg", "pdf")) -> dict[str, bytes]:
    """The figure in each format (format -> the file's bytes). The report's figures are made
    outside pyplot (:func:`~._style.new_figure`): nothing to close, and pyplot is never
    imported (a seventh of a second of the figure workers' start)."""
    out = {}
    _Canvas(fig)  # the figure's canvas from now on (what ``savefig`` draws with)
    with mpl.rc_context(RC):  # saving reads svg.hashsalt / fonttype: the style must be active
        bbox = _tight_bbox(fig)  # once for all formats: "tight" would draw twice per format
        for fmt in formats:
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=300, bbox_inches=bbox, metadata=_METADATA[fmt])
            out[fmt] = buf.getvalue()
    return out


def _tight_bbox(fig: Figure, pad_inches: float = 0.1):
    """The bounding box ``bbox_inches="tight"`` would use (inches), computed once for all
    formats: the extents of the figure's artists measured with a renderer
    (``get_tightbbox``, which lays the texts, ticks and titles out as it goes, as matplotlib's
    ``tight_layout`` does), without the drawing pass ``savefig`` makes first, which would lay
    every text out a second time: none of the report's figures places anything at drawing time
    (no ``loc="best"`` legend, no wrapped text), so the box is the same (tested on every
    figure of the examples), at a quarter of the cost."""
    return fig.get_tightbbox(fig.canvas.get_renderer()).padded(pad_inches)


def figure_svg(fig: Figure) -> str:
    """The figure as an inline SVG string (for the self-contained HTML report)."""
    buf = io.StringIO()
    with mpl.rc_context(RC):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata=_METADATA["svg"])
    return inline_svg(buf.getvalue())


_FONT_LISTS = ("font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace")


def _font_key(prop) -> tuple:
    """A font's properties as matplotlib hashes them (their attributes, names included), or
    a fontconfig pattern's text: equal keys are the same font, with no hash collision
    possible."""
    if isinstance(prop, str):
        return (str, prop)
    return (type(prop), tuple(vars(prop).items()))


@contextlib.contextmanager
def _remembered(classes: tuple[type, ...], name: str, key: Callable) -> Iterator[None]:
    """Within the block, the method ``name`` of each of ``classes`` (matplotlib's) computes
    once per ``key(self, *args, **kwargs)`` (``None``: every time) and the instance's type,
    then gives the value it gave; the methods are back when the block ends."""
    methods = {c: vars(c)[name] for c in classes if name in vars(c)}
    memo: dict = {}

    def remembering(method: Callable) -> Callable:
        def remembered(self, *args, **kwargs):
            k = key(self, *args, **kwargs)
            if k is None:
                return method(self, *args, **kwargs)
            k = (type(self), k)
            if k not in memo:
                memo[k] = method(self, *args, **kwargs)
            return memo[k]
        return remembered

    for c, method in methods.items():
        setattr(c, name, remembering(method))
    try:
        yield
    finally:
        for c, method in methods.items():
            setattr(c, name, method)


def _font_lookup_key(manager, prop, fontext="ttf", directory=None, fallback_to_default=True,
                     rebuild_if_missing=True) -> tuple:
    return (id(manager), _font_key(prop), fontext, directory, fallback_to_default,
            rebuild_if_missing, tuple(tuple(mpl.rcParams[k]) for k in _FONT_LISTS))


def remembered_font_lookups() -> contextlib.AbstractContextManager[None]:
    """While active, matplotlib's lookup of the font files of a text is made once per distinct
    font (properties, search options and the rcParams font lists it reads), not once per text
    laid out or drawn.

    matplotlib looks up the files of every text it measures or draws, for each family of the
    font list in turn (``FontManager._find_fonts_by_props``: a copy of the properties and five
    rcParams lists read per family). It caches the search itself but not that wrapping, which
    was a seventh of the CPU time of drawing and rendering the demo's figures. The paths are
    those matplotlib's own cache would give, so the files are the same bytes (tested). Where
    matplotlib has no such method, this does nothing."""
    return _remembered((FontManager,), "_find_fonts_by_props", _font_lookup_key)


_TEXT_RC = ("text.hinting", "text.hinting_factor", "text.kerning_factor", "text.antialiased")


def _text_size_key(renderer, s, prop, ismath) -> tuple | None:
    if ismath:  # mathtext and TeX read more of rcParams: measured each time
        return None
    return (s, _font_key(prop), getattr(renderer, "dpi", None),
            tuple(mpl.rcParams[k] for k in _TEXT_RC))


def remembered_text_sizes() -> contextlib.AbstractContextManager[None]:
    """While active, the Agg and SVG renderers measure a text (width, height and descent:
    what lays it out) once per distinct text, font, resolution and text settings of
    rcParams, not once per renderer.

    matplotlib caches a text's size per renderer, and every figure, pass and format has its
    own (the box, the PNG, the SVG, each figure's layout), so the same tick labels and
    headings were measured again and again: for the demo's figures, 1,295 Agg measures of
    612 distinct texts (0.3 s) and 541 SVG measures of 306. A measure depends on nothing else
    (the font's shaping of the text at that size and resolution), so the figures are the
    same bytes (tested)."""
    return _remembered((RendererAgg, RendererSVG), "get_text_width_height_descent",
                       _text_size_key)


@contextlib.contextmanager
def remembered_font_work() -> Iterator[None]:
    """:func:`remembered_font_lookups` and :func:`remembered_text_sizes` together (what the
    figure workers draw and render under)."""
    with remembered_font_lookups(), remembered_text_sizes():
        yield


def warm_up() -> None:
    """Draw and render (PNG and SVG, then drop) a small figure in the report's style: a step
    curve, markers, a band, a legend, axis labels and texts in the regular, bold and italic
    faces with signs and CJK characters. What the first figure of a process would spend
    once is spent here: opening the font files and filling matplotlib's caches of fonts,
    glyphs and text metrics (a sixth of a second over the demo's figures). The first figure
    worker does it while it waits for the analysis, and the others are forked from it
    afterwards, caches filled (a glyph missing from the fonts is no matter here)."""
    with mpl.rc_context(RC), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = new_figure(3.0, 2.0)
        ax = fig.add_axes((0.2, 0.3, 0.7, 0.6))
        ax.step([0, 1, 2, 3], [1.0, 0.8, 0.5, 0.4], where="post", lw=1.2)
        ax.plot([0.5, 1.5], [0.9, 0.6], ls="none", marker="|", ms=4)
        ax.fill_between([0, 1, 2], [0.9, 0.7, 0.4], [1.0, 0.9, 0.6], alpha=0.2, step="post")
        ax.set_xlabel("Months since start")
        ax.set_ylabel("Survival probability")
        ax.legend(["Overall survival"], title="Group", loc="upper right")
        fig.text(0.01, 0.05, "Number at risk 87 62 41", fontsize=7)
        fig.text(0.5, 0.05, "Median 9.9 (95% CI 7.3\u201313.4) \u2265 \u2212 \u4e2d\u6587",
                 fontsize=7, weight="bold", style="italic")
        render_figure(fig, ("png", "svg"))


#: Rendering a figure (its bounding box, PNG and SVG) takes about this long per text it
#: places (the demo's figures: 3 ms for the Kaplan-Meier plots, 4 ms for the forest plots).
_SECONDS_PER_TEXT = 0.003


def render_cost(fig: Figure) -> float:
    """An estimate of the seconds :func:`render_figure` takes for ``fig``, from the texts it
    places (its own and its axes', ticks included): measuring and drawing text is most of
    rendering. The figure workers render the costliest first, so that what is left for the
    end, when one may wait for the other, is short."""
    texts = len(fig.texts) + sum(len(ax.texts) + len(ax.get_xticks()) + len(ax.get_yticks())
                                 for ax in fig.axes)
    return _SECONDS_PER_TEXT * texts
