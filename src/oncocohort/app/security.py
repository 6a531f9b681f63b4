"""Who may talk to the app: the access token, the Host header, and response headers.

* **Token.** The URL printed at start carries ``?token=...`` (random, 256 bits). A request
  presenting it is answered with a cookie holding it (``HttpOnly``, ``SameSite=Strict``) and
  a redirect to the same page without it, so the token leaves the address bar and history;
  every later request must carry the cookie. Tokens are compared in constant time.
  ``SameSite=Strict`` also keeps other sites from posting forms to the app.
* **Host.** Bound to a loopback address, the app answers only requests addressed to
  ``127.0.0.1``, ``localhost`` or ``[::1]`` (a page elsewhere cannot reach it by pointing a
  name of its own at this machine: DNS rebinding).
* **Headers.** A content security policy that allows nothing from other origins, no
  framing except by the app's own pages (the report is shown in a frame), no referrer,
  no caching of pages.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from oncocohort.app.config import LOOPBACK, AppConfig

__all__ = ["SecurityMiddleware", "SECURITY_HEADERS"]

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; "
     b"style-src 'self' 'unsafe-inline'; frame-src 'self'; frame-ancestors 'self'; "
     b"base-uri 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
)

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


class SecurityMiddleware:
    """ASGI middleware enforcing the token, the Host header and the security headers."""

    def __init__(self, app, config: AppConfig) -> None:
        self.app = app
        self.config = config
        self.cookie = "oncocohort_token"

    def _host_ok(self, headers: dict[bytes, bytes]) -> bool:
        if not self.config.loopback:
            return True
        host = headers.get(b"host", b"").decode("latin-1")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.strip("[]") in LOOPBACK

    def _cookie_token(self, headers: dict[bytes, bytes]) -> str | None:
        jar = SimpleCookie()
        try:
            jar.load(headers.get(b"cookie", b"").decode("latin-1"))
        except Exception:  # a malformed cookie header is no token
            return None
        morsel = jar.get(self.cookie)
        return morsel.value if morsel else None

    def _valid(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(),
                                                         self.config.token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if not self._host_ok(headers):
            await _plain(send, 403, "This address is not served here.")
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
        given = next((v for k, v in query if k == "token"), None)
        if given is not None and self._valid(given):
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            location = scope.get("path", "/") + (f"?{rest}" if rest else "")
            cookie = (f"{self.cookie}={self.config.token}; HttpOnly; SameSite=Strict; "
                      "Path=/").encode()
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", location.encode()), (b"set-cookie", cookie),
                                    *SECURITY_HEADERS]})
            await send({"type": "http.response.body", "body": b""})
            return
        if not self._valid(self._cookie_token(headers)):
            await _plain(send, 403, "Open the address printed by `oncocohort app` (it "
                         "carries the access token).\n请打开 `oncocohort app` 启动时显示的地址"
                         "（含访问令牌）。")
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})
