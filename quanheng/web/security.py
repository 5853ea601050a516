"""What stands between the workbench and a browser it should not trust.

* **Token.** Bound to 127.0.0.1 the workbench answers whoever can reach the port (this machine's
  users); bound to any other address it needs a token, given with ``--token`` or generated and
  printed. A request carries it as ``Authorization: Bearer …``, an ``X-Quanheng-Token`` header
  or the ``quanheng_token`` cookie, which ``?token=…`` on any URL sets (then redirects to the
  URL without it, so the token does not stay in the address bar or the history). Anything else:
  401.
* **CSRF.** Every POST carries the server's CSRF token (a hidden ``csrf`` field in each form, or
  the ``X-CSRF-Token`` header that the page's script and htmx send); a page of another site
  cannot read it, so it cannot make a browser post to the workbench. Anything else: 403.
* **Body size.** A request body over :data:`MAX_BODY` bytes gets 413 before it is read.
* **Host.** Served without a token, the workbench answers only requests whose ``Host`` is
  the address it listens on (or ``localhost``): a page of another site that points its own
  name at 127.0.0.1 (DNS rebinding) gets 421 and cannot read a page or its CSRF token.
* **Content-Security-Policy.** Scripts and styles from the workbench alone, images from it or
  ``data:``; nothing from another host, and no inline script, so a quote that holds
  ``<script>`` could not run even if an escape were missed.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.exceptions import HTTPException

__all__ = [
    "COOKIE",
    "CSP",
    "MAX_BODY",
    "BodyLimit",
    "Guard",
    "is_loopback",
    "loopback_hosts",
    "new_token",
]

COOKIE = "quanheng_token"
MAX_BODY = 1_000_000
"""Bytes a request body may have: an evidence record is a few kilobytes."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_token() -> str:
    """A fresh random token (URL-safe, 32 bytes of entropy)."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (then no token is needed)."""
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


async def _plain(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers", [])}


def _cookies(raw: bytes) -> dict[str, str]:
    out = {}
    for part in raw.decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value
    return out


class Guard:
    """ASGI middleware: the token (when one is set) and the security headers on every answer."""

    def __init__(
        self, app: ASGIApp, token: str | None, hosts: tuple[str, ...] | None = None
    ) -> None:
        self.app = app
        self.token = token
        self.hosts = None if hosts is None else frozenset(h.lower() for h in hosts)

    def _given(self, scope: Scope) -> str | None:
        headers = _headers(scope)
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        if b"x-quanheng-token" in headers:
            return headers[b"x-quanheng-token"].decode("latin-1")
        return _cookies(headers.get(b"cookie", b"")).get(COOKIE)

    def _ok(self, given: str | None) -> bool:
        return (
            given is not None
            and self.token is not None
            and hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode("utf-8"))
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.hosts is not None and _host_name(scope) not in self.hosts:
            await _plain(
                send, 421, "421: this workbench answers only to the address it listens on\n", []
            )
            return
        if self.token is not None:
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
            from_query = next((v for k, v in query if k == "token"), None)
            if from_query is not None and self._ok(from_query):
                rest = urlencode([(k, v) for k, v in query if k != "token"])
                where = scope.get("path", "/") + (f"?{rest}" if rest else "")
                cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
                await send(
                    {
                        "type": "http.response.start",
                        "status": 303,
                        "headers": [
                            (b"location", where.encode("latin-1")),
                            (b"set-cookie", cookie.encode("latin-1")),
                            (b"content-length", b"0"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
            if not self._ok(self._given(scope)):
                await _plain(
                    send,
                    401,
                    "401: this workbench needs its token — open the URL `quanheng serve` "
                    "printed (it ends in ?token=…), or send Authorization: Bearer <token>\n",
                    [(b"www-authenticate", b"Bearer")],
                )
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _host_name(scope: Scope) -> str:
    """The ``Host`` header without its port (``[::1]:8765`` → ``::1``), lower case."""
    host = _headers(scope).get(b"host", b"").decode("latin-1").strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def loopback_hosts(host: str) -> tuple[str, ...]:
    """The ``Host`` names a workbench bound to ``host`` without a token answers to."""
    return tuple(dict.fromkeys((host.lower(), "127.0.0.1", "localhost", "::1")))


class _TooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit: an HTTP 413 that the
    application's exception handling answers (or :class:`BodyLimit` itself, if it cannot)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is over {limit} bytes")


class BodyLimit:
    """ASGI middleware: 413 for a body over ``limit`` bytes, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _headers(scope).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                too_big = True
            if too_big:
                await _plain(send, 413, f"413: the body is over {self.limit} bytes\n", [])
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge(self.limit)
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracking)
        except _TooLarge:
            if not started:
                await _plain(send, 413, f"413: the body is over {self.limit} bytes\n", [])
