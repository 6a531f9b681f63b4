"""A figure rendered as PNG (300 dpi), SVG and PDF bytes, byte-stable for the same input.

The PNG is written here (:func:`encode_png`) from the pixels Agg draws, not by Pillow: the
same pixels, each row unfiltered and the whole image one zlib stream at level
:data:`PNG_COMPRESS_LEVEL`. A figure is mostly flat colour, which the unfiltered rows compress
as well as Pillow's per-row filters do, in under half the time (the PNGs were the larger part
of rendering the report).
"""

from __future__ import annotations

import ctypes
import gc
import io
import multiprocessing
import os
import signal
import struct
import sys
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import connection as mp_connection

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import cbook
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from oncocohort.report.figures._style import RC

__all__ = ["render_figure", "render_figure_steps", "FigureBuild",
           "figure_svg", "inline_svg", "encode_png",
           "PNG_COMPRESS_LEVEL"]

#: zlib level of the PNG files: 3 is about as small as 6 for figures (flat colour), and
#: faster; the pixels are the same at any level.
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
            + chunk(b"IDAT", zlib.compress(rows, PNG_COMPRESS_LEVEL))  # the array, not a copy
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
    """The figure in each format (format -> the file's bytes); closes the figure."""
    out = {}
    _Canvas(fig)  # the figure's canvas from now on (what ``savefig`` draws with)
    with plt.rc_context(RC):  # saving reads svg.hashsalt / fonttype: the style must be active
        bbox = _tight_bbox(fig)  # once for all formats: "tight" would draw twice per format
        for fmt in formats:
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=300, bbox_inches=bbox, metadata=_METADATA[fmt])
            out[fmt] = buf.getvalue()
    plt.close(fig)  # a no-op for figures made by ``new_figure``; frees pyplot-made ones
    return out


_FORMATS: list[tuple[str, ...]] = [("png", "svg", "pdf")]  # the formats they render


_TERMINAL = {signal.SIGINT, signal.SIGTERM}


def _worker_init(parent: int) -> None:
    """A worker leaves Ctrl-C to its parent, which stops the run, stops the workers and cleans
    up (a terminal sends SIGINT to the whole process group; a worker would print its own
    traceback). The worker is forked with SIGINT and SIGTERM blocked, so no signal reaches it
    before this: SIGINT is ignored, SIGTERM ends it silently (the default action, not the
    parent's handler it inherited), and only then are they unblocked. ``parent``: the pid of
    the process that forked it, which it must not outlive."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _TERMINAL)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """The kernel kills this worker (SIGKILL) when the process that forked it ends, however it
    ends, ``kill -9`` included: a worker never outlives the run. If the parent is already
    gone (it died before this line), the worker ends now. (Linux ties the signal to the
    thread that forked the worker: the thread that starts the pool waits for it, or stops it.)
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(1)


FigureBuild = Callable[[], tuple[str, Figure]]

_BUILDS: list[FigureBuild] = []  # read by forked workers (inherited memory)
_SHARED: list = []  # the next figure to build, the captions' queue, the figures claimed for
#                     rendering (made before forking)


def render_figure_steps(builds: list[FigureBuild], *,
                        formats: tuple[str, ...] = ("png", "svg", "pdf"),
                        workers: int | None = None,
                        meanwhile: Callable[[Callable[[], list[str]]], None] | None = None
                        ) -> tuple[list[str], list[dict[str, bytes]]]:
    """Build and render figures (each ``builds[i]()`` draws one and gives its caption) in
    ``formats``: their captions and files, in the order of ``builds``.

    On Linux with two cores or more and two figures or more, forked workers do it all: each
    takes the next figure not yet taken, builds it and sends its caption at once, and when
    none is left renders the figures it built, then any another worker built and has not
    started on (building it again: see :func:`_build_and_render`); only captions and bytes
    travel back.
    ``meanwhile(captions)`` runs in this process meanwhile; ``captions()`` waits for every
    figure's caption (e.g. to draft a report, while the workers still render). Elsewhere the
    figures are built (when ``captions`` is first called, or after ``meanwhile``) and
    rendered here. The bytes are the same either way."""
    n = len(builds)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4, n)
    if workers < 2 or n < 2 or not sys.platform.startswith("linux"):
        return _build_and_render_here(builds, formats, meanwhile)
    ctx = multiprocessing.get_context("fork")
    counter, queue, claimed = ctx.Value("i", 0), ctx.SimpleQueue(), ctx.Array("b", n)
    _BUILDS[:] = list(builds)
    _SHARED[:] = [counter, queue, claimed]
    _FORMATS[0] = tuple(formats)
    got: dict[int, str] = {}
    try:
        pool, procs, jobs = _start_workers(workers, [(_build_and_render, ())] * workers)
        try:
            def captions() -> list[str]:
                while len(got) < n:
                    if mp_connection.wait([queue._reader], timeout=0.05):
                        i, caption = queue.get()
                        got[i] = caption
                        continue
                    for job in jobs:  # a worker's error (or its death) is raised here
                        if job.done():
                            job.result()
                    if all(job.done() for job in jobs) and queue.empty():
                        raise RuntimeError("the figure workers ended without every caption")
                return [got[i] for i in range(n)]

            if meanwhile is not None:
                meanwhile(captions)
            texts = captions()
            files: dict[int, dict[str, bytes]] = {}
            for job in jobs:
                files.update(job.result())
        except BaseException:
            _stop_workers(pool, procs)
            raise
        pool.shutdown()
    finally:
        _BUILDS.clear()
        _SHARED.clear()
        queue.close()
    return texts, [files[i] for i in range(n)]


def _build_and_render_here(builds: list[FigureBuild], formats: tuple[str, ...],
                           meanwhile: Callable[[Callable[[], list[str]]], None] | None
                           ) -> tuple[list[str], list[dict[str, bytes]]]:
    built: list[tuple[str, Figure]] = []

    def captions() -> list[str]:
        while len(built) < len(builds):
            built.append(builds[len(built)]())
        return [caption for caption, _ in built]

    if meanwhile is not None:
        meanwhile(captions)
    texts = captions()
    return texts, [render_figure(fig, formats) for _, fig in built]


def _build_and_render() -> dict[int, dict[str, bytes]]:
    """A worker's share: the figures it takes (the next one not taken, until none is left),
    each built and its caption sent at once; then their files, each figure claimed before it
    is rendered: first those it built (the longest to build first), then, while another
    worker is still busy, the last figure nobody has claimed yet, built again here (a figure
    is the same whoever builds it), so that the workers finish together rather than one
    waiting for the other's last figures."""
    counter, queue, claimed = _SHARED
    n = len(_BUILDS)
    mine: dict[int, Figure] = {}
    took: dict[int, float] = {}
    while True:
        with counter.get_lock():
            i = counter.value
            if i >= n:
                break
            counter.value = i + 1
        start = time.perf_counter()
        caption, fig = _BUILDS[i]()
        queue.put((i, caption))
        mine[i] = fig
        took[i] = time.perf_counter() - start
    # the longest to build first (the longest to render, as a rule): what is left for the
    # end, when the other worker may take it, is short
    order = sorted(mine, key=lambda j: -took[j])
    out = {}
    while True:
        with claimed.get_lock():
            i = next((j for j in order if not claimed[j]), None)
            if i is None:  # another worker's figure: the last not claimed
                i = next((j for j in reversed(range(n)) if not claimed[j]), None)
            if i is None:
                break
            claimed[i] = 1
        fig = mine.pop(i) if i in mine else _BUILDS[i]()[1]
        out[i] = render_figure(fig, _FORMATS[0])
    mine.clear()  # built here, rendered by another worker
    return out


def _start_workers(workers: int, calls: list[tuple[Callable, tuple]]):
    """A pool of forked workers, every call (function, arguments) submitted: the pool, its
    processes, the futures.

    The workers are forked (all of them, at the first submission) while this thread blocks
    SIGINT and SIGTERM, so they start with both blocked, until :func:`_worker_init` has set
    them up; threads the pool starts inherit the mask, so the signals reach the main thread.
    Each worker dies with this process (:func:`_die_with_parent`).
    """
    ctx = multiprocessing.get_context("fork")
    before = set(multiprocessing.active_children())
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _TERMINAL)
    frozen = gc.get_freeze_count()  # objects a caller froze itself stay frozen (the CLI's)
    gc.freeze()  # the workers' collector leaves the inherited objects (and their pages) alone
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                   initializer=_worker_init, initargs=(os.getpid(),))
        jobs = [pool.submit(fn, *args) for fn, args in calls]
        procs = [p for p in multiprocessing.active_children() if p not in before]
    finally:
        if not frozen:
            gc.unfreeze()
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    return pool, procs, jobs


def _stop_workers(pool: ProcessPoolExecutor, procs: list) -> None:
    """Stop the run's workers now (an interruption or an error): no figure is waited for."""
    for p in procs:
        if p.is_alive():
            p.kill()
    for p in procs:
        p.join(timeout=10)
    pool.shutdown(wait=True, cancel_futures=True)


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
