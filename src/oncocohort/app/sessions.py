"""Sessions of the web app: one private temporary folder each, deleted when the session ends.

All files of a session (the uploaded workbook, later the spec and the outputs) live in one
folder created with mode 0700 inside the app's own temporary folder (also 0700). The folder
is deleted when the person ends the session, when the session has been idle for
``idle_seconds``, and when the app stops. No name the browser sends becomes a path: the
upload is saved under a name the server builds (:func:`safe_name`), and sessions are found by
a random id in a dictionary, never on disk.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oncocohort.propose._canon import SOURCE_SUFFIXES

__all__ = ["Session", "SessionStore", "safe_name"]

_SAFE = re.compile(r"[^\w\-. ()\[\]]+", re.UNICODE)


def safe_name(filename: str) -> str | None:
    """A file name made from a browser's upload name: the last component only, no control or
    path characters, a known table suffix; ``None`` if nothing usable is left.

    >>> safe_name("C:\\\\Users\\\\me\\\\随访 2024.xlsx")
    '随访 2024.xlsx'
    >>> safe_name("../../etc/passwd") is None
    True
    """
    base = unicodedata.normalize("NFC", re.split(r"[\\\\/]", filename or "")[-1]).strip()
    base = _SAFE.sub("_", base).lstrip(".")[-100:]
    suffix = Path(base).suffix.lower()
    if suffix not in SOURCE_SUFFIXES or len(base) <= len(suffix):
        return None
    return base


@dataclass
class Session:
    """One person's journey: its folder, its workbook and the state of the mapping."""

    id: str
    folder: Path
    touched: float = field(default_factory=time.monotonic)
    state: dict[str, Any] = field(default_factory=dict)


class SessionStore:
    """The live sessions, their folders, and their cleanup."""

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self.root = Path(tempfile.mkdtemp(prefix="oncocohort-app-"))
        os.chmod(self.root, 0o700)
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def new(self) -> Session:
        sid = secrets.token_urlsafe(16)
        folder = Path(tempfile.mkdtemp(prefix="s-", dir=self.root))
        os.chmod(folder, 0o700)
        session = Session(sid, folder)
        with self._lock:
            self._sessions[sid] = session
        return session

    def get(self, sid: str) -> Session | None:
        self.sweep()
        with self._lock:
            session = self._sessions.get(sid)
        if session is not None:
            session.touched = time.monotonic()
        return session

    def end(self, sid: str) -> None:
        with self._lock:
            session = self._sessions.pop(sid, None)
        if session is not None:
            shutil.rmtree(session.folder, ignore_errors=True)

    def sweep(self) -> None:
        """End the sessions idle for longer than ``idle_seconds``."""
        now = time.monotonic()
        with self._lock:
            idle = [s for s, v in self._sessions.items() if now - v.touched > self.idle_seconds]
        for sid in idle:
            self.end(sid)

    def close(self) -> None:
        """End every session and delete the app's folder (the app stops)."""
        with self._lock:
            ids = list(self._sessions)
        for sid in ids:
            self.end(sid)
        shutil.rmtree(self.root, ignore_errors=True)

    def __len__(self) -> int:
        return len(self._sessions)
