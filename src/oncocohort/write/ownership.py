"""Which folders oncocohort may replace: only its own, unchanged, and never one the user made.

Every output folder carries a manifest, ``.oncocohort-output`` (JSON): the folders and files
the run wrote, each file with its SHA-256. A later run into the same ``--out`` replaces the
folder only if it is empty, or if it holds exactly what the manifest lists, unchanged; a file
added, edited or a folder made by someone else makes it the user's, and the run stops with
exit code 2 before analysing anything (:func:`check_output_folder`), saying what to do. The
current folder (``--out .``), a folder holding it, and a folder holding the study's spec or
any file the study reads (``keep``) are never replaced; an existing file is never replaced by
a folder; an ``--out`` that cannot be written (its parent is a file, a read-only file system,
``/proc``) is reported before the analysis too.

The manifest lists paths and checksums only (no patient data, no time stamp: the same input
still gives byte-identical folders).
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterable
from pathlib import Path

from oncocohort.problems import Problem, Problems

__all__ = ["MARKER", "check_output_folder", "check_output_file", "foreign_entries",
           "read_marker", "remove_stale_temporaries", "write_manifest", "write_marker",
           "TMP_PART", "OLD_PART"]

#: The manifest every output folder carries (and every temporary folder, from its creation).
MARKER = ".oncocohort-output"
_WRITTEN_BY = "oncocohort"
_SHOWN = 5  # paths named in a refusal


#: ``.NAME.tmp-PID-XXXX``: the folder being written for ``NAME`` by process PID;
#: ``.NAME.old-PID``: the earlier ``NAME``, set aside while the new one is moved into place.
TMP_PART, OLD_PART = ".tmp-", ".old-"


def write_marker(folder: Path) -> None:
    """The marker of a folder being written (a temporary folder): no files listed yet; the
    process writing it, so a later run can tell a stale one (:func:`remove_stale_temporaries`)."""
    _dump(folder, {"written_by": _WRITTEN_BY, "complete": False, "folders": [], "files": {},
                   "pid": os.getpid(), "host": socket.gethostname()})


def remove_stale_temporaries(final: Path) -> list[Path]:
    """Remove what a run into ``final`` killed outright (SIGKILL, power cut) left next to it:
    its temporary folder, or the earlier output it had set aside; return what was removed.

    Only folders of ours are touched: named ``.NAME.tmp-PID-*`` or ``.NAME.old-PID`` for this
    ``NAME``, carrying our marker (a temporary one written on this computer, or an earlier
    output's manifest with its files unchanged), and whose process PID is no longer running.
    A run still writing, on this computer or another, is left alone.
    """
    removed = []
    for entry in sorted(final.parent.glob(f".{glob.escape(final.name)}.*-*")):
        pid = _stale_pid(final.name, entry.name)
        if pid is None or entry.is_symlink() or not entry.is_dir() or _running(pid):
            continue
        marker = read_marker(entry)
        if marker is None:
            continue
        if marker.get("complete") is False:
            ours = marker.get("pid") == pid and marker.get("host") == socket.gethostname()
        else:  # an earlier output set aside, or a complete one not yet moved into place
            ours = not foreign_entries(entry)
        if ours:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _stale_pid(name: str, entry: str) -> int | None:
    """The pid in a temporary or set-aside folder's name for output ``name``, else None."""
    match = re.fullmatch(rf"\.{re.escape(name)}(?:{re.escape(TMP_PART)}(\d+)-[^/]+"
                         rf"|{re.escape(OLD_PART)}(\d+))", entry)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def write_manifest(folder: Path) -> None:
    """List every folder and file of ``folder`` (with its SHA-256) in its manifest."""
    folders, files = [], {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if rel == MARKER:
            continue
        if path.is_dir() and not path.is_symlink():
            folders.append(rel)
        else:
            files[rel] = _sha256(path)
    _dump(folder, {"written_by": _WRITTEN_BY, "complete": True, "folders": folders,
                   "files": files})


def read_marker(folder: Path) -> dict | None:
    """The manifest of ``folder`` if it carries one oncocohort wrote, else None."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("written_by") != _WRITTEN_BY:
        return None
    return data


def foreign_entries(folder: Path) -> list[str]:
    """The paths in ``folder`` that its manifest does not account for (added, edited, or all
    of them when there is no manifest), sorted; empty when oncocohort may replace it."""
    manifest = read_marker(folder)
    try:
        if manifest is None:  # none of it is ours: what a person sees in it is enough
            return sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
        return _unlisted(folder, manifest)
    except OSError as exc:  # a part that cannot be read cannot be checked: not ours
        return [exc.filename or folder.name]


def _unlisted(folder: Path, manifest: dict) -> list[str]:
    folders = set(manifest.get("folders") or [])
    files = manifest.get("files") or {}
    foreign = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if rel == MARKER:
            continue
        if path.is_dir() and not path.is_symlink():
            if rel not in folders:
                foreign.append(rel + "/")
        elif rel not in files or path.is_symlink() or not path.is_file() \
                or _sha256(path) != files[rel]:
            foreign.append(rel)
    return foreign


def check_output_folder(out: Path, *, keep: Iterable[Path] = ()) -> Problems:
    """Whether ``out`` may become (or replace) an output folder: no problem, or why not and
    what to do. ``keep``: files of the study (its spec, its data) that the folder must not
    hold."""
    final = Path(out).resolve()
    problem = _protected(final, keep) or _existing_folder(final) or _unwritable(final)
    return Problems.of([Problem("error", problem, location="--out")] if problem else [])


def check_output_file(out: Path, *, replace: bool = False) -> Problems:
    """Whether a new file (a database, a spec) may be written at ``out``: it does not exist
    yet (or ``replace``: an existing file may be overwritten, as ``init --force`` asks; a
    folder never), and its folder can be written."""
    final = Path(out).resolve()
    problem = None
    if final.is_dir():
        problem = f"{final} is a folder; name a new file to write (the folder was left as it is)."
    elif (final.exists() or final.is_symlink()) and not replace:
        problem = (f"{final} exists; it was left as it is (oncocohort does not replace a file "
                   "it cannot tell is its own). Delete it yourself, or name a new file.")
    problem = problem or _unwritable(final)
    return Problems.of([Problem("error", problem, location="--out")] if problem else [])


def _protected(final: Path, keep: Iterable[Path]) -> str | None:
    cwd = Path.cwd().resolve()
    if final == cwd or final in cwd.parents:
        return (f"{final} is the current folder{'' if final == cwd else ' or holds it'}; "
                "oncocohort writes its outputs into a folder of their own, which a later run "
                "replaces whole. Name a new folder, e.g. --out results.")
    for path in keep:
        kept = Path(path).resolve()
        if final == kept or final in kept.parents:
            return (f"{final} holds the study's own files ({kept.name}); a run would replace "
                    "them. Name a new folder for the outputs, e.g. --out results.")
    return None


def _existing_folder(final: Path) -> str | None:
    if not (final.exists() or final.is_symlink()):
        return None
    if not final.is_dir():
        return (f"{final} is an existing file, not a folder; it was left as it is. Name a "
                "new folder for the outputs.")
    foreign = foreign_entries(final)
    if not foreign:
        return None
    shown = ", ".join(foreign[:_SHOWN]) + (f" and {len(foreign) - _SHOWN} more"
                                           if len(foreign) > _SHOWN else "")
    return (f"{final} exists and holds files oncocohort did not write, or changed since "
            f"({shown}); oncocohort replaces a folder only if it is empty or holds an "
            "earlier run's outputs unchanged, and this one was left as it is. Name a new "
            "folder, or move those files elsewhere and run again.")


def _unwritable(final: Path) -> str | None:
    """Can a folder be made next to ``final``? Tried, in the nearest folder that exists."""
    parent = final.parent
    while not (parent.exists() or parent.is_symlink()) and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return (f"cannot write {final}: {parent} is a file, not a folder. Name a folder "
                "in a writable place.")
    try:
        _probe(parent)
    except OSError as exc:
        return (f"cannot write {final}: {parent} is not writable "
                f"({exc.strerror or type(exc).__name__}). Name a folder in a writable place.")
    return None


def _probe(folder: Path) -> None:
    """Make and remove a folder in ``folder``; OSError when it cannot be written (what the
    permission bits say is not enough: root, ACLs, read-only mounts)."""
    os.rmdir(tempfile.mkdtemp(prefix=".oncocohort-probe-", dir=folder))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dump(folder: Path, data: dict) -> None:
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (folder / MARKER).write_bytes(text.encode("utf-8"))
