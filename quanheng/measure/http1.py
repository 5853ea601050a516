"""A lean HTTP/1.1 client for plain ``http://`` endpoints: keep-alive connections, one POST each.

Why not aiohttp everywhere. Against a local server the runner's work per request is small, and
aiohttp's request machinery (session, request and response objects, cookie, proxy, redirect and
tracing hooks) costs ≈ 110–150 µs of CPU per request on this machine's cores: at c = 128 and a
20 ms service time it uses the whole core before the server does. This client writes one
prebuilt header block and the body, and reads the answer with httptools (llhttp, the parser of
Node.js and uvicorn): ≈ 30 µs per request on the same core (``benchmarks/RESULTS.md``).

Scope. Only ``http://`` (local llama.cpp, vLLM, SGLang, Ollama servers, where rates reach
thousands per second); ``https://`` vendor APIs go through aiohttp, whose TLS and proxy handling
matter there and whose cost does not (their rate limits keep requests far below where client CPU
counts). An endpoint may also force aiohttp with ``http_client: aiohttp``.

What it handles: ``Content-Length``, chunked and read-until-close bodies; ``gzip`` and
``deflate`` encodings (never asked for, accepted if sent); ``Connection: close`` and HTTP/1.0
answers (the connection is then not reused); connections the server closed while idle (dropped
before reuse); a bound on body size. What it does not: redirects, proxies, cookies, TLS,
``Expect: 100-continue``, pipelining — none of which a chat-completions POST to a local server
needs. Timeouts are the caller's (``asyncio.timeout`` around the exchange); a response that was
not read to its end closes its connection instead of returning it to the pool.

Failures are three exceptions, which :mod:`quanheng.measure.client` classifies:
:class:`ConnectFailed` (nothing of an answer arrived), :class:`ResponseCut` (the connection ended
inside an answer) and :class:`BadResponse` (not HTTP, too big, an unknown encoding).
"""

from __future__ import annotations

import asyncio
import zlib
from collections import deque
from collections.abc import AsyncIterator, Mapping
from importlib import metadata

import httptools
import yarl

from quanheng.errors import TransportError

__all__ = ["BadResponse", "ConnectFailed", "Http1Pool", "Http1Response", "ResponseCut"]

MAX_BODY = 64 * 1024 * 1024  # bytes; an answer larger than this is refused, not buffered
MAX_LINE = 16 * 1024 * 1024  # bytes; a longer line in a stream is refused


def _version() -> str:
    try:
        return metadata.version("quanheng")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0"


USER_AGENT = f"quanheng/{_version()} http1"


class Http1Error(TransportError):
    """Base of this module's failures; messages never contain request headers."""


class ConnectFailed(Http1Error):
    """No connection, or the connection ended before any byte of the answer."""


class ResponseCut(Http1Error):
    """The connection ended after the answer began and before it was complete."""


class BadResponse(Http1Error):
    """The server's bytes are not a usable HTTP/1.1 answer."""


class Http1Response:
    """One answer: ``status`` and ``headers`` (lower-case names) are set once it is returned by
    :meth:`Http1Pool.post`; the body is read with :meth:`read` or :meth:`lines`, and
    :meth:`release` must follow (it is what returns the connection to the pool)."""

    __slots__ = (
        "_chunks",
        "_conn",
        "_decoder",
        "_error",
        "_headers_waiter",
        "_received",
        "_waiter",
        "complete",
        "headers",
        "status",
    )

    def __init__(self, conn: _Connection, waiter: asyncio.Future[None]) -> None:
        self._conn = conn
        self._headers_waiter: asyncio.Future[None] | None = waiter
        self._waiter: asyncio.Future[None] | None = None
        self._chunks: deque[bytes] = deque()
        self._received = 0
        self._decoder: zlib._Decompress | None = None
        self._error: Http1Error | None = None
        self.complete = False
        self.status = 0
        self.headers: dict[str, str] = {}

    # -- reading ------------------------------------------------------------------------------

    async def read(self) -> bytes:
        """The whole body, once it has all arrived."""
        while not self.complete:
            if self._error is not None:
                raise self._error
            await self._wait()
        return b"".join(self._chunks)

    async def lines(self) -> AsyncIterator[bytes]:
        """The body line by line as it arrives (each without its ``\\n``), for server-sent
        events; raises :class:`ResponseCut` after the last complete line if the answer was cut."""
        parts: list[bytes] = []  # the line being assembled, in pieces (no quadratic joins)
        size = 0
        while True:
            while self._chunks:
                chunk = self._chunks.popleft()
                parts.append(chunk)
                if b"\n" not in chunk:
                    size += len(chunk)
                    if size > MAX_LINE:
                        raise BadResponse(f"a line over {MAX_LINE // 2**20} MiB in the stream")
                    continue
                *done, rest = b"".join(parts).split(b"\n")
                parts, size = [rest], len(rest)
                for line in done:
                    yield line
            if self.complete:
                if any(parts):
                    yield b"".join(parts)
                return
            if self._error is not None:
                raise self._error
            await self._wait()

    def release(self) -> None:
        """Return the connection to the pool if this answer was read to its end and the server
        keeps it alive; close it otherwise."""
        conn = self._conn
        if conn.response is self:
            conn.response = None
            conn.pool._give_back(conn, reusable=self.complete)

    async def _wait(self) -> None:
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    # -- fed by the connection ----------------------------------------------------------------

    def _wake(self) -> None:
        if self._headers_waiter is not None and not self._headers_waiter.done():
            self._headers_waiter.set_result(None)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _fail(self, error: Http1Error) -> None:
        if not self.complete and self._error is None:
            self._error = error
            self._wake()

    def _body(self, data: bytes) -> None:
        if self._decoder is not None:
            try:  # bounded, so a small bomb cannot expand past the limit in one call
                data = self._decoder.decompress(data, MAX_BODY + 1 - self._received)
            except zlib.error as exc:
                self._conn.abort(BadResponse(f"body does not decompress: {exc}"))
                return
        self._received += len(data)
        if self._received > MAX_BODY or (self._decoder and self._decoder.unconsumed_tail):
            self._conn.abort(BadResponse(f"answer body over {MAX_BODY // 2**20} MiB"))
            return
        self._chunks.append(data)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class _Connection(asyncio.Protocol):
    """One keep-alive connection; it serves one :class:`Http1Response` at a time."""

    def __init__(self, pool: Http1Pool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.response: Http1Response | None = None
        self.lost = False
        self.keep_alive = True
        self.got_bytes = False  # any byte of the current answer

    # -- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.response is None or self.response.complete:
            # Bytes nobody asked for: the connection is not trustworthy.
            self.keep_alive = False
            self.close()
            return
        self.got_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self.abort(BadResponse(f"not an HTTP/1.1 answer: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.pool._open.discard(self)
        response = self.response
        if response is None or response.complete:
            return
        if response.status and self._ends_at_close(response):
            self._finish(response)  # a read-until-close body: the close is its end
            return
        why = f": {exc}" if exc else ""
        if not self.got_bytes:
            response._fail(ConnectFailed(f"the server closed the connection before answering{why}"))
        else:
            response._fail(ResponseCut(f"the connection closed inside the answer{why}"))

    # -- httptools callbacks ------------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self.response is None or self.response.complete:
            # A second answer to one request: stop parsing (the connection is then dropped).
            raise BadResponse("more than one answer to one request")

    def on_header(self, name: bytes, value: bytes) -> None:
        assert self.response is not None
        self.response.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        response = self.response
        assert response is not None
        status = self.parser.get_status_code()
        if status < 200:  # an interim 1xx answer; the real one follows
            response.headers.clear()
            return
        response.status = status
        self.keep_alive = self.parser.should_keep_alive()
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            response._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            response._decoder = zlib.decompressobj()
        elif encoding != "identity":
            self.abort(BadResponse(f"unsupported Content-Encoding {encoding!r}"))
            return
        if response._headers_waiter is not None and not response._headers_waiter.done():
            response._headers_waiter.set_result(None)

    def on_body(self, body: bytes) -> None:
        response = self.response
        assert response is not None
        if response.status and response._error is None:
            response._body(body)

    def on_message_complete(self) -> None:
        response = self.response
        if response is not None and response.status and response._error is None:
            self._finish(response)

    # -- helpers ------------------------------------------------------------------------------

    def _finish(self, response: Http1Response) -> None:
        if response._decoder is not None:
            tail = response._decoder.flush()
            if tail:
                response._chunks.append(tail)
        response.complete = True
        response._wake()

    @staticmethod
    def _ends_at_close(response: Http1Response) -> bool:
        headers = response.headers
        return "content-length" not in headers and "chunked" not in headers.get(
            "transfer-encoding", ""
        )

    def abort(self, error: Http1Error) -> None:
        """Fail the current answer with ``error`` and drop the connection."""
        self.keep_alive = False
        if self.response is not None:
            self.response._fail(error)
        self.close()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


class Http1Pool:
    """Keep-alive connections to the origin of one ``http://`` URL, each serving one POST at a
    time; the caller bounds how many are in flight (the runner's limiter does).

    Args:
        url: the URL every request is posted to.
        headers: sent with every request (``Content-Length`` and ``Host`` are added).
        max_idle: most idle connections kept for reuse.

    Raises:
        ValueError: for a URL that is not ``http://`` or a header with a line break (the
            message names the header, never its value).
    """

    def __init__(self, url: str | yarl.URL, headers: Mapping[str, str], *, max_idle: int) -> None:
        target = yarl.URL(url)
        if target.scheme != "http" or not target.host:
            raise ValueError(f"Http1Pool serves plain http:// URLs, not {target.scheme}://")
        self.host = target.host
        self.port = target.port or 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        if target.explicit_port:
            host = f"{host}:{self.port}"
        lines = [f"POST {target.raw_path_qs} HTTP/1.1", f"Host: {host}"]
        if not any(name.lower() == "user-agent" for name in headers):
            lines.append(f"User-Agent: {USER_AGENT}")
        for name, value in headers.items():
            if any(c in name or c in value for c in "\r\n") or ":" in name:
                raise ValueError(f"header {name!r} contains a line break or colon in its name")
            lines.append(f"{name}: {value}")
        try:
            self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")
        except UnicodeEncodeError:
            raise ValueError("header values must be Latin-1 text") from None
        self._idle: deque[_Connection] = deque()
        self._max_idle = max_idle
        self._open: set[_Connection] = set()

    async def post(self, body: bytes) -> Http1Response:
        """Send ``body`` and return once the answer's status and headers are in.

        Raises:
            ConnectFailed, ResponseCut, BadResponse: see the module docstring.
        """
        loop = asyncio.get_running_loop()
        conn = None
        while self._idle:
            candidate = self._idle.pop()
            if not candidate.lost and not (
                candidate.transport and candidate.transport.is_closing()
            ):
                conn = candidate
                break
        if conn is None:
            try:
                _, conn = await loop.create_connection(
                    lambda: _Connection(self), self.host, self.port
                )
            except OSError as exc:
                raise ConnectFailed(f"cannot connect to {self.host}:{self.port}: {exc}") from None
            self._open.add(conn)
        waiter = loop.create_future()
        response = Http1Response(conn, waiter)
        conn.response = response
        conn.got_bytes = False
        assert conn.transport is not None
        conn.transport.write(self._head + b"%d\r\n\r\n%s" % (len(body), body))
        try:
            if not response.status:
                if response._error is None:
                    await waiter
                if response._error is not None and not response.status:
                    raise response._error
        except BaseException:
            response.release()
            raise
        response._headers_waiter = None
        return response

    def _give_back(self, conn: _Connection, *, reusable: bool) -> None:
        if reusable and conn.keep_alive and not conn.lost and len(self._idle) < self._max_idle:
            self._idle.append(conn)
            return
        conn.keep_alive = False
        conn.close()
        self._open.discard(conn)

    def close(self) -> None:
        """Close every connection, idle or busy."""
        for conn in list(self._open):
            conn.close()
        self._open.clear()
        self._idle.clear()
