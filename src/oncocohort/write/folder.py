"""The output folder: built in a temporary folder next to it and moved into place when complete.

Only a new folder, an empty one or an earlier output left unchanged is replaced
(:mod:`oncocohort.write.ownership`); every folder carries its manifest.

Every folder or database file oncocohort writes is created and replaced here, and nowhere
else: a run that fails part-way leaves the output as it was before the run (or absent), never
half-written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from oncocohort.problems import InputError, Problems
from oncocohort.write.interrupt import (
    interrupts_held,
    mark_committed,
    raise_if_interrupted,
)
from oncocohort.write.ownership import (
    OLD_PART,
    TMP_PART,
    check_output_folder,
    remove_stale_temporaries,
    write_manifest,
    write_marker,
)

__all__ = ["atomic_output_dir", "atomic_output_file", "write_text_file"]


@contextmanager
def atomic_output_dir(final: Path, *, keep: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield a temporary folder next to ``final``; on success move it to ``final``.

    ``final`` must be new, empty, or an earlier output folder whose files are unchanged
    (:func:`oncocohort.write.ownership.check_output_folder`, checked before and again when
    moving into place; ``keep``: files the folder must not hold, such as the study's spec):
    otherwise :class:`~oncocohort.problems.InputError` and nothing is touched. An existing
    output folder is replaced only once the new one is complete. On any exception the
    temporary folder is removed and ``final`` is left untouched.
    """
    final = Path(final).resolve()
    keep = tuple(keep)
    _refuse_unless_ok(check_output_folder(final, keep=keep))
    tmp = None
    try:
        with interrupts_held():  # a temporary folder made is a temporary folder removed
            final.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(final)
            # private (0700) while it is written: it holds patient-level datasets
            tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}{TMP_PART}{os.getpid()}-",
                                        dir=final.parent))
            write_marker(tmp)
        yield tmp
        with interrupts_held():  # moved into place whole, or not at all
            raise_if_interrupted()  # a signal whose exception was swallowed on the way up
            write_manifest(tmp)
            _refuse_unless_ok(check_output_folder(final, keep=keep))  # still ours to replace
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)  # in place, the output is an ordinary folder
            old = None
            if final.exists():
                old = final.parent / f".{final.name}{OLD_PART}{os.getpid()}"
                final.rename(old)
            tmp.rename(final)
            mark_committed()
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        with interrupts_held():  # a second Ctrl-C does not leave half a folder
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
        raise


def _refuse_unless_ok(problems: Problems) -> None:
    if len(problems):
        raise InputError(problems)


@contextmanager
def atomic_output_file(final: Path) -> Iterator[Path]:
    """Yield a path next to ``final`` (not yet existing) to write one file at; on success the
    file is renamed to ``final``, on any exception it is removed."""
    final = Path(final).resolve()
    tmp = None
    try:
        with interrupts_held():
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.tmp-", dir=final.parent)
            os.close(fd)
            os.unlink(tmp)  # the writer creates the file itself (DuckDB insists)
        yield Path(tmp)
        with interrupts_held():
            raise_if_interrupted()
            os.replace(tmp, final)
            mark_committed()
    except BaseException:
        with interrupts_held():
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
        raise


def write_text_file(path: Path, text: str) -> Path:
    """Write one UTF-8 text file whole or not at all (:func:`atomic_output_file`)."""
    with atomic_output_file(path) as tmp:
        tmp.write_bytes(text.encode("utf-8"))
    return Path(path).resolve()
