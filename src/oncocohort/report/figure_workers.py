"""The report's figures, drawn and rendered in worker processes started before the study is
loaded, so that loading matplotlib and the figure modules overlaps loading and analysing the
study.

:meth:`FigureWorkers.started` forks the first worker at once (on Linux with two cores or more):
it imports the module that lists the figures (matplotlib with it) and waits. When the analysis
is done, :meth:`FigureWorkers.submit` sends it the lister's arguments (pickled); it lists the
figures, sends their names and columns, and forks the other workers, which inherit the list.
Each worker takes the next figure not yet taken, draws it and sends its caption at once; when
none is left it renders the figures it drew (the costliest first), then any other
worker's that nobody has started on (drawing it again: a figure is the same whoever draws it),
so that the workers finish together; then it sends the files. Each worker writes to a pipe of
its own, which a thread of this process drains, so no worker waits for this process, and a
worker that ends before it is done (killed, or its error) is noticed here.

Elsewhere (another system, one core, or one figure) the figures are listed, drawn and rendered
in this process when asked for. The captions and bytes are the same either way.

This module imports neither matplotlib nor the figure modules: only the workers load them.
"""

from __future__ import annotations

import contextlib
import copyreg
import ctypes
import gc
import importlib
import io
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from multiprocessing import connection as mp_connection
from types import MappingProxyType
from typing import Any

from oncocohort.report.figures.sizes import FigureColumn

__all__ = ["FigureWorkers", "FigureBuild", "REPORT_FIGURES"]

#: One figure as the lister gives it: its file stem, the column it is drawn for, and a call
#: that draws it and returns its caption and the matplotlib figure.
FigureBuild = tuple[str, FigureColumn, Callable[[], tuple[str, Any]]]

#: The report's lister (``module:function``), imported by the first worker as it starts.
REPORT_FIGURES = "oncocohort.report.figure_steps:report_figure_builds"

_TERMINAL = {signal.SIGINT, signal.SIGTERM}
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class FigureWorkers:
    """One report's figures: listed, drawn and rendered by forked workers (or here, see the
    module's docstring). Use once: :meth:`submit`, then :meth:`plan`, :meth:`captions` and
    :meth:`files` as needed, inside :meth:`started`'s ``with`` block, whose end stops the
    workers (at once on an error or Ctrl-C)."""

    def __init__(self, lister: str | Callable[..., list[FigureBuild]], workers: int) -> None:
        self._lister = lister
        self._workers = workers
        self._job: tuple | None = None
        self._builds: list[FigureBuild] | None = None  # here: listed on first use
        self._built: list[tuple[str, Any]] = []
        self._proc = None
        self._readers: list = []
        self._job_send = None
        self._sender: threading.Thread | None = None
        self._drainer: threading.Thread | None = None
        self._lock = threading.Condition()
        self._plan: list[tuple[str, FigureColumn]] | None = None
        self._used = 0
        self._captions: dict[int, str] = {}
        self._files: dict[int, dict[str, bytes]] = {}
        self._done: set[int] = set()
        self._ended: set[int] = set()
        self._error: BaseException | None = None

    @classmethod
    @contextlib.contextmanager
    def started(cls, lister: str | Callable[..., list[FigureBuild]] = REPORT_FIGURES, *,
                workers: int | None = None) -> Iterator[FigureWorkers]:
        """The workers, the first one started now (``lister``: ``"module:function"`` or a
        function, whose call with :meth:`submit`'s arguments lists the figures); stopped when
        the block ends. ``workers``: at most this many (default: the cores, at most 4)."""
        if workers is None:
            workers = min(os.cpu_count() or 1, 4)
        self = cls(lister, workers)
        if workers >= 2 and sys.platform.startswith("linux"):
            self._start()
        try:
            yield self
        finally:
            self._stop()

    # -- this process -------------------------------------------------------------------------

    def _start(self) -> None:
        """Fork the first worker, with SIGINT and SIGTERM blocked until it has set them up
        (:func:`_worker_init`); the collector of neither process walks the objects they share
        (``gc.freeze``, as the CLI does after its imports)."""
        ctx = multiprocessing.get_context("fork")
        pipes = [ctx.Pipe(duplex=False) for _ in range(self._workers)]
        job_recv, self._job_send = ctx.Pipe(duplex=False)
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _TERMINAL)
        frozen = gc.get_freeze_count()
        gc.freeze()
        try:
            self._proc = ctx.Process(target=_first_worker, name="figures-0", args=(
                os.getpid(), self._lister, job_recv, self._job_send,
                [r for r, _ in pipes], [w for _, w in pipes]))
            self._proc.start()
        finally:
            if not frozen:
                gc.unfreeze()
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        job_recv.close()
        for _, w in pipes:
            w.close()  # the workers hold the writing ends: a pipe ends when its worker does
        self._readers = [r for r, _ in pipes]
        self._drainer = threading.Thread(target=self._drain, name="figure-results", daemon=True)
        self._drainer.start()

    def submit(self, *args: Any, formats: tuple[str, ...]) -> None:
        """List, draw and render the figures of ``lister(*args)`` in ``formats``."""
        if self._job is not None:
            raise RuntimeError("FigureWorkers take one job")
        self._job = (args, tuple(formats))
        if self._proc is not None:  # sent by a thread: the first worker may still be starting
            self._sender = threading.Thread(target=self._send, args=(_dumps(self._job),),
                                            name="figure-job", daemon=True)
            self._sender.start()

    def _send(self, job: bytes) -> None:
        """Send the job to the first worker (blocks until it reads what the pipe cannot hold)
        and close the pipe; a worker gone meanwhile is noticed by the drain thread."""
        try:
            self._job_send.send_bytes(job)
        except OSError:  # it ended (killed, or an error it sent): nothing to send to
            pass
        finally:
            self._job_send.close()

    def plan(self) -> list[tuple[str, FigureColumn]]:
        """The figures' names and columns, in the lister's order (the workers list them)."""
        if self._proc is None:
            return [(name, column) for name, column, _ in self._here_builds()]
        self._wait(lambda: self._plan is not None)
        return list(self._plan)

    def captions(self) -> list[str]:
        """Every figure's caption, in order (each sent as soon as its figure is drawn)."""
        if self._proc is None:
            from oncocohort.report.figures.render import remembered_font_work

            builds = self._here_builds()
            with remembered_font_work():
                while len(self._built) < len(builds):
                    self._built.append(builds[len(self._built)][2]())
            return [caption for caption, _ in self._built]
        n = len(self.plan())
        self._wait(lambda: len(self._captions) == n)
        return [self._captions[i] for i in range(n)]

    def files(self) -> list[dict[str, bytes]]:
        """Every figure's files (format -> bytes), in order, once all are rendered."""
        if self._proc is None:
            from oncocohort.report.figures.render import remembered_font_work, render_figure

            self.captions()
            with remembered_font_work():
                return [render_figure(fig, self._job[1]) for _, fig in self._built]
        n = len(self.plan())
        self._wait(lambda: len(self._done) == self._used)
        return [self._files[i] for i in range(n)]

    def _here_builds(self) -> list[FigureBuild]:
        if self._job is None:
            raise RuntimeError("nothing submitted")
        if self._builds is None:
            self._builds = _resolve(self._lister)(*self._job[0])
        return self._builds

    def _wait(self, ready: Callable[[], bool]) -> None:
        """Until ``ready()`` (read under the lock the drain thread updates), raising a
        worker's error or its early end."""
        if self._job is None:
            raise RuntimeError("nothing submitted")
        with self._lock:
            while not ready():
                if self._error is not None:
                    raise self._error
                self._lock.wait(timeout=0.5)  # Ctrl-C is handled between waits

    def _drain(self) -> None:
        """Read every worker's pipe until all have ended (the drain thread)."""
        open_ = dict(enumerate(self._readers))
        while open_:
            for r in mp_connection.wait(list(open_.values())):
                i = next(k for k, v in open_.items() if v is r)
                try:
                    message = r.recv()
                except (EOFError, OSError):
                    del open_[i]
                    r.close()
                    message = ("ended",)
                with self._lock:
                    self._take(i, message)
                    self._lock.notify_all()

    def _take(self, i: int, message: tuple) -> None:
        kind = message[0]
        if kind == "plan":
            self._plan, self._used = message[1], message[2]
        elif kind == "caption":
            self._captions[message[1]] = message[2]
        elif kind == "files":
            self._files.update(message[1])
        elif kind == "done":
            self._done.add(i)
        elif kind == "error" and self._error is None:
            self._error = message[1]
            self._error.__cause__ = _RemoteTraceback(message[2])
        elif kind == "ended":
            self._ended.add(i)
        early = (0 in self._ended if self._plan is None else  # the other pipes: unused yet
                 any(j < self._used and j not in self._done for j in self._ended))
        if early and self._error is None:
            self._error = RuntimeError("a figure worker ended before its figures were done")

    def _stop(self) -> None:
        """Stop the first worker (the others die with it: :func:`_die_with_parent`) unless
        it has ended after its work; the pipes are closed when this returns (by the drain
        thread, as each worker's ends: a long-lived process, the app's, keeps none open)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if self._plan is None or len(self._done) != self._used:
            proc.kill()  # not done (an error, Ctrl-C, or nothing submitted): no need to wait
        if self._sender is not None:
            self._sender.join()  # the job sent, or the worker gone: the pipe is closed
        else:
            self._job_send.close()
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
            proc.join()
        self._drainer.join(timeout=10)  # every worker gone: every pipe ends


# -- the workers ----------------------------------------------------------------------------


def _resolve(lister: str | Callable) -> Callable:
    if callable(lister):
        return lister
    module, _, name = lister.partition(":")
    return getattr(importlib.import_module(module), name)


def _worker_init(parent: int) -> None:
    """A worker leaves Ctrl-C to its parent, which stops the run, stops the workers and cleans
    up (a terminal sends SIGINT to the whole process group; a worker would print its own
    traceback). The worker is forked with SIGINT and SIGTERM blocked, so no signal reaches it
    before this: SIGINT is ignored, SIGTERM ends it silently (the default action, not the
    parent's handler it inherited), and only then are they unblocked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _TERMINAL)


def _die_with_parent(parent: int) -> None:
    """The kernel kills this worker (SIGKILL) when the process that forked it ends, however it
    ends, ``kill -9`` included: a worker never outlives the run. If the parent is already
    gone (it died before this line), the worker ends now. (Linux ties the signal to the
    thread that forked the worker: the main thread forks every worker.)"""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(1)


def _first_worker(parent: int, lister: str | Callable, job_recv, job_send, readers: list,
                  writers: list) -> None:
    """Import the lister (matplotlib with it) and, while the job has not come, draw and render
    a small figure (:func:`~oncocohort.report.figures.render.warm_up`), as the parent loads
    and analyses; then list the figures of the job, fork the other workers (which inherit
    what the first has loaded) and do a worker's share."""
    _worker_init(parent)
    job_send.close()
    for r in readers:
        r.close()
    out = writers[0]
    try:
        list_figures = _resolve(lister)
        if not job_recv.poll():  # waiting for the analysis: fill the caches the others inherit
            from oncocohort.report.figures.render import warm_up

            warm_up()
        try:
            args, formats = pickle.loads(job_recv.recv_bytes())
        except EOFError:  # the run ended before its figures (e.g. the input had errors)
            return
        job_recv.close()
        builds = list_figures(*args)
        used = max(1, min(len(writers), len(builds)))
        out.send(("plan", [(name, column) for name, column, _ in builds], used))
        ctx = multiprocessing.get_context("fork")
        shared = (ctx.Value("i", 0), ctx.Array("b", max(1, len(builds))))
        gc.freeze()  # the others' collectors leave what they inherit alone
        others = []
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _TERMINAL)
        try:
            for i in range(1, used):
                others.append(ctx.Process(target=_other_worker, name=f"figures-{i}",
                                          args=(os.getpid(), builds, shared, formats,
                                                writers[i])))
                others[-1].start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for w in writers[1:]:
            w.close()
        _work(builds, shared, formats, out)
        for p in others:
            p.join()  # they die with this process: wait for them
    except BaseException as exc:  # noqa: BLE001 (sent to the parent, which raises it)
        _send_error(out, exc)


def _other_worker(parent: int, builds: list[FigureBuild], shared: tuple, formats: tuple,
                  out) -> None:
    _worker_init(parent)
    try:
        _work(builds, shared, formats, out)
    except BaseException as exc:  # noqa: BLE001
        _send_error(out, exc)


def _send_error(out, exc: BaseException) -> None:
    """Send ``exc`` and its traceback to the parent (which raises it) and end the worker."""
    text = "".join(traceback.format_exception(exc))
    try:
        out.send(("error", exc, text))
    except Exception:  # noqa: BLE001 (an error that does not pickle)
        out.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}"), text))
    sys.exit(1)


class _RemoteTraceback(Exception):
    """A worker's traceback, the cause of the error raised in the parent."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f"in a figure worker:\n{self.text}"


def _dumps(obj: object) -> bytes:
    """``obj`` pickled, read-only mappings (``MappingProxyType``: the frozen options) as the
    same read-only mappings of a copy."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, MappingProxyType: _reduce_proxy}
    pickler.dump(obj)
    return buf.getvalue()


def _reduce_proxy(proxy: MappingProxyType) -> tuple:
    return _proxy, (dict(proxy),)  # the type itself does not pickle by name


def _proxy(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


def _work(builds: list[FigureBuild], shared: tuple, formats: tuple[str, ...], out) -> None:
    """A worker's share: the figures it takes (the next one not taken, until none is left),
    each drawn and its caption sent at once; then their files, each figure claimed before it
    is rendered: first those it drew (the costliest first: the time it took to draw and an
    estimate of its rendering, :func:`~oncocohort.report.figures.render.render_cost`), then,
    while another worker is still busy, the last figure nobody has claimed yet, drawn again
    here."""
    from oncocohort.report.figures.render import remembered_font_work  # matplotlib

    with remembered_font_work():
        _share(builds, shared, formats, out)


def _share(builds: list[FigureBuild], shared: tuple, formats: tuple[str, ...], out) -> None:
    from oncocohort.report.figures.render import render_cost, render_figure

    counter, claimed = shared
    n = len(builds)
    mine: dict[int, Any] = {}
    took: dict[int, float] = {}
    while True:
        with counter.get_lock():
            i = counter.value
            if i >= n:
                break
            counter.value = i + 1
        start = time.perf_counter()
        caption, fig = builds[i][2]()
        out.send(("caption", i, caption))
        mine[i] = fig
        took[i] = time.perf_counter() - start + render_cost(fig)
    order = sorted(mine, key=lambda j: -took[j])  # the costliest first: the rest is short
    files = {}
    while True:
        with claimed.get_lock():
            i = next((j for j in order if not claimed[j]), None)
            if i is None:  # another worker's figure: the last not claimed
                i = next((j for j in reversed(range(n)) if not claimed[j]), None)
            if i is None:
                break
            claimed[i] = 1
        fig = mine.pop(i) if i in mine else builds[i][2]()[1]
        files[i] = render_figure(fig, formats)
    out.send(("files", files))
    out.send(("done",))
