"""Which client a run's attempts go through, told apart by what reaches the real fake server.

quanheng's own HTTP/1.1 client sends ``User-Agent: quanheng/<version> http1``
(:data:`quanheng.measure.http1.USER_AGENT`); aiohttp sends its own ``Python/… aiohttp/…``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Literal

import pytest

from quanheng.measure.client import RequestFailed, auth_headers
from quanheng.measure.http1 import USER_AGENT
from quanheng.measure.records import Answer
from quanheng.measure.transport import open_transport
from quanheng.specs.endpoint import Endpoint
from tests.measure.fakeserver import FakeServer, ServerConfig


def _payload(endpoint: Endpoint, prompt: str) -> bytes:
    body = endpoint.body([{"role": "user", "content": prompt}])
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _send(endpoint: Endpoint, prompt: str, key: str | None = None) -> Answer:
    async def main() -> Answer:
        secrets = [key] if key else []
        async with open_transport(endpoint, auth_headers(key), 4, secrets) as send:
            return await send(_payload(endpoint, prompt))

    return asyncio.run(main())


@pytest.mark.parametrize(
    ("http_client", "stream", "native"),
    [
        ("auto", False, True),
        ("auto", True, True),
        ("aiohttp", False, False),
        ("aiohttp", True, False),
    ],
)
def test_plain_http_goes_through_quanhengs_client_unless_aiohttp_is_asked_for(
    http_client: Literal["auto", "aiohttp"], stream: bool, native: bool
) -> None:
    with FakeServer() as server:
        endpoint = Endpoint(base_url=server.url, model="m", stream=stream, http_client=http_client)
        answer = _send(endpoint, "pick <answer:C>")
        agents = list(server.agents)
    assert answer.text == "The answer is C."
    assert answer.output_tokens == 4  # "The answer is C." in four words, either way
    assert len(agents) == 1
    if native:
        assert agents == [USER_AGENT]
    else:
        assert agents[0].startswith("Python/") and " aiohttp/" in agents[0]


def test_https_goes_through_aiohttp() -> None:
    # The fake server speaks plain HTTP: aiohttp's TLS handshake fails before any request is
    # made. quanheng's own client has no TLS, so had it been chosen it would have sent plain
    # HTTP and been answered.
    with FakeServer() as server:
        endpoint = Endpoint(base_url=f"https://127.0.0.1:{server.port}/v1", model="m")
        with pytest.raises(RequestFailed) as failed:
            _send(endpoint, "hello")
        requests = len(server.log)
    assert (failed.value.kind, failed.value.retryable, requests) == ("connection", True, 0)
    assert str(failed.value).startswith("connection failed: Client")  # an aiohttp ClientError


@pytest.mark.parametrize("http_client", ["auto", "aiohttp"])
def test_the_headers_go_with_every_request_and_the_key_is_scrubbed(
    http_client: Literal["auto", "aiohttp"],
) -> None:
    key = "sk-right-0123456789"
    with FakeServer(ServerConfig(api_key=key)) as server:
        endpoint = Endpoint(base_url=server.url, model="m", stream=False, http_client=http_client)
        answer = _send(endpoint, "<answer:A>", key)
        wrong = "sk-wrong-0123456789"
        with pytest.raises(RequestFailed) as refused:
            _send(endpoint, "<answer:A>", wrong)  # the server echoes the key it got in its 401
    assert answer.text == "The answer is A."
    assert (refused.value.kind, refused.value.http_status, refused.value.retryable) == (
        "http_401",
        401,
        False,
    )
    assert wrong not in str(refused.value) and "[REDACTED]" in str(refused.value)
