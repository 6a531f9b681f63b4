"""A figure rendered as PNG (300 dpi), SVG and PDF bytes, byte-stable for the same input."""

from __future__ import annotations

import ctypes
import io
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from oncocohort.report.figures._style import RC

__all__ = ["render_figure", "render_figures", "figure_svg", "inline_svg"]

_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def render_figure(fig: Figure,
                  formats: tuple[str, ...] = ("png", "svg", "pdf")) -> dict[str, bytes]:
    """The figure in each format (format -> the file's bytes); closes the figure."""
    out = {}
    with plt.rc_context(RC):  # saving reads svg.hashsalt / fonttype: the style must be active
        bbox = _tight_bbox(fig)  # once for all formats: "tight" would draw twice per format
        for fmt in formats:
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=300, bbox_inches=bbox, metadata=_METADATA[fmt])
            out[fmt] = buf.getvalue()
    plt.close(fig)  # a no-op for figures made by ``new_figure``; frees pyplot-made ones
    return out


_PENDING: list[Figure] = []  # read by forked workers (inherited memory)
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


def _render_pending(i: int) -> dict[str, bytes]:
    return render_figure(_PENDING[i], _FORMATS[0])


def render_figures(figures: list[Figure], *, formats: tuple[str, ...] = ("png", "svg", "pdf"),
                   workers: int | None = None,
                   meanwhile: Callable[[], None] | None = None) -> list[dict[str, bytes]]:
    """Render several figures in ``formats``, in parallel worker processes where that is safe
    and useful; ``meanwhile`` (e.g. writing the tables) runs in this process while they do.

    Saving a figure (drawing it at 300 dpi, embedding fonts in the PDF) is CPU-bound
    matplotlib work, one figure at a time; on Linux the figures are handed to forked
    workers, which inherit them (only the rendered bytes travel back). Elsewhere, or with one
    core or one figure, they are rendered in this process. The bytes are the same either way.
    """
    n = len(figures)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4, n)
    if workers < 2 or n < 2 or not sys.platform.startswith("linux"):
        if meanwhile is not None:
            meanwhile()
        return [render_figure(f, formats) for f in figures]
    _PENDING[:] = list(figures)
    _FORMATS[0] = tuple(formats)
    try:
        pool, procs, jobs = _start_workers(workers, n)
        try:
            if meanwhile is not None:
                meanwhile()
            rendered = [job.result() for job in jobs]
        except BaseException:
            _stop_workers(pool, procs)
            raise
        pool.shutdown()
    finally:
        _PENDING.clear()
    for f in figures:
        plt.close(f)
    return rendered


def _start_workers(workers: int, n: int):
    """A pool of forked workers, every figure submitted: the pool, its processes, the futures.

    The workers are forked (all of them, at the first submission) while this thread blocks
    SIGINT and SIGTERM, so they start with both blocked, until :func:`_worker_init` has set
    them up; threads the pool starts inherit the mask, so the signals reach the main thread.
    Each worker dies with this process (:func:`_die_with_parent`).
    """
    ctx = multiprocessing.get_context("fork")
    before = set(multiprocessing.active_children())
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _TERMINAL)
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                   initializer=_worker_init, initargs=(os.getpid(),))
        jobs = [pool.submit(_render_pending, i) for i in range(n)]
        procs = [p for p in multiprocessing.active_children() if p not in before]
    finally:
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
    formats from a layout pass that measures the texts without rasterising anything
    (``draw_without_rendering``, as ``savefig`` itself does)."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    fig.draw_without_rendering()
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
