"""Ctrl-C and SIGTERM: the run stops, and leaves nothing behind.

The command line installs one handler for SIGINT (a terminal's Ctrl-C, sent to the whole
process group) and SIGTERM (what a scheduler's time limit or ``kill`` sends):
:func:`install_interrupt_handlers`. A signal raises :class:`Interrupted` in the main thread,
which unwinds the run: the temporary output folder is removed and the CLI exits with 128 + the
signal's number (130 for SIGINT, 143 for SIGTERM).

:class:`Interrupted` is a ``BaseException`` but not a ``KeyboardInterrupt``: library code that
catches ``Exception`` lets it through, and CPython does not re-kill itself with SIGINT at exit
(which it does when a ``KeyboardInterrupt`` went unhandled anywhere, even in a nested
interpreter call, turning exit code 130 into "killed by SIGINT").

Two more guards make this hold whenever the signal arrives:

- the signal is *recorded* as well as raised, and the folder is moved into place only if no
  signal was recorded (:func:`raise_if_interrupted`): an ``Interrupted`` that some library
  swallowed (a bare ``except:``, a ``__del__``) still stops the run before anything is written;
- while the output is moved into place or a temporary folder is removed
  (:func:`interrupts_held`), a signal is recorded but not raised, so neither is left half done.

Without :func:`install_interrupt_handlers` (the library used from Python, the web app) nothing
here changes how signals are handled.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Interrupted", "ignore_interrupts", "install_interrupt_handlers", "interrupts_held", "last_output",
           "mark_committed", "raise_if_interrupted", "stop_interrupting", "TERMINAL_SIGNALS"]

TERMINAL_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):  # noqa: N818 - it is what happened, not an error
    """The run was stopped by a signal (``signum``); ``exit_code`` is 128 + its number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class _State:
    installed = False
    signum: int | None = None  # the first signal received
    held = 0  # depth of interrupts_held() blocks
    finished = False  # the outputs are in place: later signals are ignored
    last = False  # the next output moved into place finishes the run


_STATE = _State()


def _on_signal(signum: int, frame: object) -> None:
    if _STATE.finished:
        return
    if _STATE.signum is None:
        _STATE.signum = signum
    if _STATE.held:
        return
    raise Interrupted(_STATE.signum)


def install_interrupt_handlers() -> None:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread (from now on, until
    :func:`stop_interrupting`). Called once by the CLI, before anything else."""
    if _STATE.installed or threading.current_thread() is not threading.main_thread():
        return
    _STATE.installed = True
    for signum in TERMINAL_SIGNALS:
        signal.signal(signum, _on_signal)


def stop_interrupting() -> None:
    """The work is done (its outputs are in place): a signal from now on is ignored, and one
    recorded while the outputs were moved into place is forgotten."""
    _STATE.finished = True


@contextmanager
def last_output() -> Iterator[None]:
    """The output written in this block is the run's result: once it is in place
    (:func:`mark_committed`, with interrupts held) a signal no longer stops the run, which
    then reports its outputs and exits 0."""
    _STATE.last = True
    try:
        yield
    finally:
        _STATE.last = False


def mark_committed() -> None:
    """An output was moved into place (called by the writer with interrupts held): within
    :func:`last_output`, the run is finished."""
    if _STATE.last:
        stop_interrupting()


def ignore_interrupts() -> None:
    """The process is about to exit with its code: SIGINT and SIGTERM are ignored from now on.
    (At exit, CPython puts the default action back in place of a Python handler, so a signal
    arriving then would kill the process and replace the exit code.)"""
    stop_interrupting()
    if threading.current_thread() is threading.main_thread():
        for signum in TERMINAL_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)


def raise_if_interrupted() -> None:
    """Raise :class:`Interrupted` if a signal was received (even one whose exception was
    swallowed on its way up): called before anything is moved into place."""
    if _STATE.installed and not _STATE.finished and _STATE.signum is not None:
        raise Interrupted(_STATE.signum)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """A block that a signal does not cut short: a signal received in it is raised when the
    block ends (not in the middle), unless the block finished the run (:func:`mark_committed`
    within :func:`last_output`)."""
    _STATE.held += 1
    try:
        yield
    finally:
        _STATE.held -= 1
    raise_if_interrupted()
