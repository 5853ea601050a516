"""The guards on their own: loopback addresses, tokens, body size, security headers."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from quanheng.web.security import CSP, BodyLimit, Guard, is_loopback, loopback_hosts, new_token
from tests.web.support import client_for


async def echo(request: Request) -> PlainTextResponse:
    body = await request.body()
    return PlainTextResponse(f"{len(body)}")


def app(token: str | None = None, limit: int = 100, hosts: tuple[str, ...] | None = None) -> Any:
    inner = Starlette(routes=[Route("/", echo, methods=["GET", "POST"])])
    return Guard(BodyLimit(inner, limit), token, hosts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("::", False),
    ],
)
def test_only_loopback_addresses_go_without_a_token(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_tokens_are_fresh_and_long() -> None:
    a, b = new_token(), new_token()
    assert a != b and len(a) >= 40


def test_a_token_is_taken_from_a_header_a_cookie_or_the_query_once() -> None:
    client = client_for(app("tok"))
    assert client.get("/").status_code == 401
    assert client.get("/", headers={"X-Quanheng-Token": "tok"}).status_code == 200
    assert client.get("/", headers={"Authorization": "Bearer tok"}).status_code == 200
    assert client.get("/", headers={"Authorization": "Bearer tok2"}).status_code == 401
    assert client.get("/?token=nope", follow_redirects=False).status_code == 401
    r = client.get("/?token=tok&x=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?x=1"
    assert "HttpOnly" in r.headers["set-cookie"] and "SameSite=Strict" in r.headers["set-cookie"]
    assert client.get("/").status_code == 200  # the cookie


def test_bodies_over_the_limit_declared_or_streamed_get_413() -> None:
    client = client_for(app(limit=100))
    assert client.post("/", content=b"x" * 100).text == "100"
    assert client.post("/", content=b"x" * 101).status_code == 413

    def chunks() -> Any:
        for _ in range(10):
            yield b"y" * 50

    assert client.post("/", content=chunks()).status_code == 413  # no Content-Length


def test_every_answer_carries_the_security_headers() -> None:
    r = client_for(app()).get("/")
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_without_a_token_only_this_machines_names_are_answered() -> None:
    client = client_for(app(hosts=loopback_hosts("127.0.0.1")))
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "evil.example:8765", "127.0.0.1.evil.example", ""):
        assert client.get("/", headers={"Host": host}).status_code == 421, host
