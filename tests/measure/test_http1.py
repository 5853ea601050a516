"""The lean HTTP/1.1 client against a real TCP server on 127.0.0.1 that answers byte for byte
as each test scripts it: framing, encodings, reuse, and every way an answer can go wrong."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from quanheng.measure import http1
from quanheng.measure.http1 import BadResponse, ConnectFailed, Http1Pool, ResponseCut

Writer = asyncio.StreamWriter
# Given the request's head and body and the connection's writer, answer (or misbehave).
Script = Callable[[bytes, bytes, Writer], Awaitable[None]]


@dataclass
class Server:
    """What the scripted server saw: one entry per connection, each a list of requests."""

    port: int = 0
    connections: list[list[tuple[bytes, bytes]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/chat/completions"


async def _serve(script: Script) -> tuple[Server, asyncio.Server]:
    seen = Server()

    async def handle(reader: asyncio.StreamReader, writer: Writer) -> None:
        requests: list[tuple[bytes, bytes]] = []
        seen.connections.append(requests)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                body = await reader.readexactly(length)
                requests.append((head, body))
                await script(head, body, writer)
                if writer.is_closing():
                    return
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    seen.port = server.sockets[0].getsockname()[1]
    return seen, server


def _run(script: Script, test: Callable[[Server, Http1Pool], Awaitable[None]]) -> Server:
    async def go() -> Server:
        seen, server = await _serve(script)
        pool = Http1Pool(seen.url, {"Content-Type": "application/json", "X-T": "1"}, max_idle=8)
        try:
            await test(seen, pool)
        finally:
            pool.close()
            await asyncio.sleep(0.01)  # let the server's handlers see the close and return
            server.close()
            await server.wait_closed()
        return seen

    return asyncio.run(go())


def _ok(body: bytes, *extra: str) -> bytes:
    head = ["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _echo(head: bytes, body: bytes, writer: Writer) -> None:
    writer.write(_ok(b"echo:" + body))


def test_keep_alive_sends_the_request_as_built_and_reuses_one_connection() -> None:
    async def test(seen: Server, pool: Http1Pool) -> None:
        for body in (b'{"a":1}', "问".encode(), b""):
            response = await pool.post(body)
            assert (response.status, await response.read()) == (200, b"echo:" + body)
            assert response.headers["content-length"] == str(5 + len(body))
            response.release()

    seen = _run(_echo, test)
    assert len(seen.connections) == 1 and len(seen.connections[0]) == 3
    head, body = seen.connections[0][1]
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /v1/chat/completions HTTP/1.1"
    assert f"Host: 127.0.0.1:{seen.port}" in lines and "X-T: 1" in lines
    assert "Content-Length: 3" in lines and body == "问".encode()


def test_concurrent_requests_get_their_own_answers_on_their_own_connections() -> None:
    async def slow_echo(head: bytes, body: bytes, writer: Writer) -> None:
        await asyncio.sleep(0.01 * (int(body) % 3))
        writer.write(_ok(b"echo:" + body))

    async def test(seen: Server, pool: Http1Pool) -> None:
        async def one(i: int) -> bytes:
            response = await pool.post(str(i).encode())
            try:
                return await response.read()
            finally:
                response.release()

        for _ in range(3):
            answers = await asyncio.gather(*(one(i) for i in range(8)))
            assert answers == [f"echo:{i}".encode() for i in range(8)]

    seen = _run(slow_echo, test)
    assert len(seen.connections) == 8  # reused across rounds, never shared within one
    assert sum(len(c) for c in seen.connections) == 24


def test_chunked_stream_yields_lines_across_chunk_boundaries() -> None:
    events = b'data: {"x": 1}\n\ndata: {"x": 2}\n\n: keep-alive\n\ndata: [DONE]\n\n'

    async def chunked(head: bytes, body: bytes, writer: Writer) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for start in range(0, len(events), 7):  # pieces that split lines mid-way
            piece = events[start : start + 7]
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            await writer.drain()
            await asyncio.sleep(0.002)
        writer.write(b"0\r\n\r\n")

    async def test(seen: Server, pool: Http1Pool) -> None:
        for _ in range(2):
            response = await pool.post(b"{}")
            lines = [line async for line in response.lines()]
            response.release()
            assert lines == events.split(b"\n")[:-1]

    seen = _run(chunked, test)
    assert [len(c) for c in seen.connections] == [2]


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.0 200 OK\r\n\r\nuntil close",  # HTTP/1.0, read until the server closes
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close",
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 11\r\n\r\nuntil close",
    ],
)
def test_answers_that_end_the_connection_are_read_and_not_reused(answer: bytes) -> None:
    async def closing(head: bytes, body: bytes, writer: Writer) -> None:
        writer.write(answer)
        await writer.drain()
        writer.close()

    async def test(seen: Server, pool: Http1Pool) -> None:
        for _ in range(2):
            response = await pool.post(b"{}")
            assert await response.read() == b"until close"
            response.release()

    seen = _run(closing, test)
    assert [len(c) for c in seen.connections] == [1, 1]


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
    ],
)
def test_compressed_answers_are_decoded(encoding: str, encode: Callable[[bytes], bytes]) -> None:
    text = "答案：B ".encode() * 200

    async def compressed(head: bytes, body: bytes, writer: Writer) -> None:
        writer.write(_ok(encode(text), f"Content-Encoding: {encoding}"))

    async def test(seen: Server, pool: Http1Pool) -> None:
        response = await pool.post(b"{}")
        assert await response.read() == text
        response.release()

    _run(compressed, test)


async def _expect(pool: Http1Pool, error: type[Exception], where: str = "read") -> str:
    """Post, read, and return the message of the ``error`` raised at ``where``."""
    if where == "post":
        with pytest.raises(error) as info:
            await pool.post(b"{}")
        return str(info.value)
    response = await pool.post(b"{}")
    try:
        with pytest.raises(error) as info:
            if where == "lines":
                async for _ in response.lines():
                    pass
            else:
                await response.read()
    finally:
        response.release()
    return str(info.value)


def test_a_body_cut_short_is_response_cut_and_the_next_request_gets_a_new_connection() -> None:
    calls = 0

    async def cut_then_ok(head: bytes, body: bytes, writer: Writer) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            await writer.drain()
            writer.transport.abort()
        else:
            writer.write(_ok(b"fine"))

    async def test(seen: Server, pool: Http1Pool) -> None:
        assert "inside the answer" in await _expect(pool, ResponseCut)
        response = await pool.post(b"{}")
        assert await response.read() == b"fine"
        response.release()

    seen = _run(cut_then_ok, test)
    assert [len(c) for c in seen.connections] == [1, 1]


def test_a_stream_cut_mid_way_yields_its_complete_lines_then_response_cut() -> None:
    async def cut_stream(head: bytes, body: bytes, writer: Writer) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"data: one\n\ndata: t"
        writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        await writer.drain()
        writer.transport.abort()

    async def test(seen: Server, pool: Http1Pool) -> None:
        response = await pool.post(b"{}")
        got = []
        with pytest.raises(ResponseCut):
            async for line in response.lines():
                got.append(line)
        response.release()
        assert got == [b"data: one", b""]

    _run(cut_stream, test)


def test_no_answer_at_all_is_connect_failed() -> None:
    async def hang_up(head: bytes, body: bytes, writer: Writer) -> None:
        writer.transport.abort()

    async def test(seen: Server, pool: Http1Pool) -> None:
        assert "before answering" in await _expect(pool, ConnectFailed, where="post")

    _run(hang_up, test)

    async def refused() -> None:
        seen, server = await _serve(_echo)
        port = seen.port
        server.close()
        await server.wait_closed()
        pool = Http1Pool(f"http://127.0.0.1:{port}/v1", {}, max_idle=1)
        assert f"cannot connect to 127.0.0.1:{port}" in await _expect(pool, ConnectFailed, "post")

    asyncio.run(refused())


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"HELLO THERE\r\n\r\n", "not an HTTP/1.1 answer"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Encoding: br\r\n\r\nxxxx", "'br'"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Encoding: gzip\r\n\r\nxxxx", "decomp"),
    ],
)
def test_unusable_answers_are_bad_response(answer: bytes, message: str) -> None:
    async def bad(head: bytes, body: bytes, writer: Writer) -> None:
        writer.write(answer)

    async def test(seen: Server, pool: Http1Pool) -> None:
        try:
            response = await pool.post(b"{}")
        except BadResponse as exc:
            text = str(exc)
        else:
            with pytest.raises(BadResponse) as info:
                await response.read()
            response.release()
            text = str(info.value)
        assert message in text

    _run(bad, test)


@pytest.mark.parametrize("compressed", [False, True])
def test_an_answer_over_the_size_bound_is_refused(
    monkeypatch: pytest.MonkeyPatch, compressed: bool
) -> None:
    monkeypatch.setattr(http1, "MAX_BODY", 1000)

    async def big(head: bytes, body: bytes, writer: Writer) -> None:
        if compressed:  # ≈ 100 bytes on the wire that would expand to 1 MB
            writer.write(_ok(gzip.compress(b"x" * 1_000_000), "Content-Encoding: gzip"))
        else:
            writer.write(_ok(b"x" * 5000))

    async def test(seen: Server, pool: Http1Pool) -> None:
        assert "over" in await _expect(pool, BadResponse)

    _run(big, test)


def test_an_interim_100_continue_is_skipped() -> None:
    async def interim(head: bytes, body: bytes, writer: Writer) -> None:
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n" + _ok(b"final"))

    async def test(seen: Server, pool: Http1Pool) -> None:
        response = await pool.post(b"{}")
        assert (response.status, await response.read()) == (200, b"final")
        response.release()

    _run(interim, test)


def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def answer_then_close_soon(head: bytes, body: bytes, writer: Writer) -> None:
        writer.write(_ok(b"ok"))
        await writer.drain()
        asyncio.get_running_loop().call_later(0.01, writer.close)

    async def test(seen: Server, pool: Http1Pool) -> None:
        for _ in range(3):
            response = await pool.post(b"{}")
            assert await response.read() == b"ok"
            response.release()
            await asyncio.sleep(0.05)  # the server closes the idle connection meanwhile

    seen = _run(answer_then_close_soon, test)
    assert [len(c) for c in seen.connections] == [1, 1, 1]


def test_an_answer_abandoned_mid_way_closes_its_connection() -> None:
    async def slow(head: bytes, body: bytes, writer: Writer) -> None:
        if body == b"slow":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234")
            await asyncio.sleep(0.3)
            writer.write(b"56789")
        else:
            writer.write(_ok(b"quick"))

    async def test(seen: Server, pool: Http1Pool) -> None:
        response = await pool.post(b"slow")
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await response.read()
        response.release()
        response = await pool.post(b"quick")
        assert await response.read() == b"quick"  # never the rest of the abandoned answer
        response.release()

    seen = _run(slow, test)
    assert [len(c) for c in seen.connections] == [1, 1]


def test_a_pool_refuses_https_and_header_line_breaks_without_echoing_the_value() -> None:
    with pytest.raises(ValueError, match="plain http"):
        Http1Pool("https://api.example.com/v1/chat/completions", {}, max_idle=1)
    with pytest.raises(ValueError) as info:
        bad = {"Authorization": "Bearer sk-SECRET\r\nX: y"}
        Http1Pool("http://127.0.0.1:1/v1", bad, max_idle=1)
    assert "Authorization" in str(info.value) and "SECRET" not in str(info.value)
    with pytest.raises(ValueError, match="Latin-1") as info:
        Http1Pool("http://127.0.0.1:1/v1", {"Authorization": "Bearer €SECRET"}, max_idle=1)
    assert "SECRET" not in str(info.value)


def test_ipv6_and_default_port_hosts_are_written_as_rfc_9112_asks() -> None:
    pool = Http1Pool("http://[::1]:8080/v1/chat/completions?x=1", {}, max_idle=1)
    assert pool._head.startswith(b"POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: [::1]:8080\r\n")
    assert (pool.host, pool.port) == ("::1", 8080)
    pool = Http1Pool("http://localhost/v1/chat/completions", {}, max_idle=1)
    assert b"\r\nHost: localhost\r\n" in pool._head and pool.port == 80


def test_bytes_after_a_complete_answer_drop_the_connection_not_the_answer() -> None:
    async def chatty(head: bytes, body: bytes, writer: Writer) -> None:
        writer.write(_ok(b"answer") + b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra")

    async def test(seen: Server, pool: Http1Pool) -> None:
        for _ in range(2):
            response = await pool.post(b"{}")
            assert await response.read() == b"answer"
            assert response.headers["content-length"] == "6"
            response.release()

    seen = _run(chatty, test)
    assert [len(c) for c in seen.connections] == [1, 1]


def test_a_stream_line_over_the_line_bound_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http1, "MAX_LINE", 100)

    async def endless_line(head: bytes, body: bytes, writer: Writer) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        writer.write(b"6\r\nok\nxxx\r\n")
        for _ in range(30):
            writer.write(b"a\r\n" + b"x" * 10 + b"\r\n")
            await writer.drain()
            await asyncio.sleep(0.001)

    async def test(seen: Server, pool: Http1Pool) -> None:
        response = await pool.post(b"{}")
        got = []
        with pytest.raises(BadResponse, match="a line over"):
            async for line in response.lines():
                got.append(line)
        response.release()
        assert got == [b"ok"]

    _run(endless_line, test)
