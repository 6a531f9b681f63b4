"""Run the web app: uvicorn on 127.0.0.1, the address with its token printed, cleanup at stop."""

from __future__ import annotations

import atexit
import socket
import threading
import webbrowser
from collections.abc import Callable

import uvicorn

from oncocohort.app.config import AppConfig
from oncocohort.app.sessions import SessionStore
from oncocohort.app.web import create_app

__all__ = ["free_port", "serve", "start_in_thread"]


def free_port(host: str = "127.0.0.1") -> int:
    """A port the system says is free now on ``host``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _server(config: AppConfig, store: SessionStore) -> uvicorn.Server:
    app = create_app(config, store)
    return uvicorn.Server(uvicorn.Config(app, host=config.host, port=config.port,
                                         log_level="warning", lifespan="on",
                                         server_header=False, date_header=False))


def serve(config: AppConfig, *, open_browser: bool = True,
          say: Callable[[str], None] = print) -> None:
    """Serve until interrupted (Ctrl+C); every session folder is deleted at the end."""
    store = SessionStore(config.idle_seconds)
    atexit.register(store.close)
    server = _server(config, store)
    url = config.url()
    say(f"oncocohort app: open {url}")
    say("Stop it with Ctrl+C; every uploaded file is then deleted.")
    if not config.loopback:
        say(f"Warning: listening on {config.host}: other computers can reach the app "
            "(they still need the token).")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        server.run()
    finally:
        store.close()


def start_in_thread(config: AppConfig) -> tuple[uvicorn.Server, threading.Thread, SessionStore]:
    """Start the app in a background thread (for tests); stop with ``server.should_exit``."""
    store = SessionStore(config.idle_seconds)
    server = _server(config, store)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server, thread, store
