"""The settings of one run of ``oncocohort app``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

__all__ = ["AppConfig", "LOOPBACK"]

#: Hosts that only this machine can reach.
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class AppConfig:
    """Settings of the web app.

    Attributes
    ----------
    host, port
        Where the server listens (default 127.0.0.1: only this machine can connect).
    token
        The access token: the URL printed at start carries it; every request must present it
        (in the URL once, then in a cookie), as Jupyter does.
    max_upload_bytes
        Largest workbook accepted (default 50 MiB).
    idle_seconds
        A session untouched this long is ended and its folder deleted (default 4 hours).
    """

    host: str = "127.0.0.1"
    port: int = 8765
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    max_upload_bytes: int = 50 * 1024 * 1024
    idle_seconds: float = 4 * 3600

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK

    def url(self, port: int | None = None) -> str:
        """The address to open, with the token (``port``: the one actually bound)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port or self.port}/?token={self.token}"
