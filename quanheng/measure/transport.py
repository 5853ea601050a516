"""How one run's attempts travel: quanheng's HTTP/1.1 pool for ``http://``, else aiohttp.

The choice is made once per run and only the chosen transport is built: plain ``http://``
endpoints go through :mod:`quanheng.measure.http1` (≈ 4× less CPU per request, which is what
limits a local server at high concurrency) unless they ask for ``http_client: aiohttp``;
``https://`` goes through one aiohttp session. Both classify failures alike
(:mod:`quanheng.measure.client`), so the runner above never asks which one it has.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import yarl

from quanheng.measure.client import _send, _send_native, _Target
from quanheng.measure.http1 import Http1Pool
from quanheng.measure.records import Answer
from quanheng.specs.endpoint import Endpoint

__all__ = ["Send", "open_transport"]

Send = Callable[[bytes], Awaitable[Answer]]
"""One attempt with a serialised body; raises :class:`~quanheng.measure.client.RequestFailed`."""


@contextlib.asynccontextmanager
async def open_transport(
    endpoint: Endpoint, headers: dict[str, str], limit: int, secrets: list[str]
) -> AsyncIterator[Send]:
    """Yield this run's send function; its connections are closed when the block ends.

    Args:
        endpoint: the URL, timeout, streaming and ``http_client`` choice.
        headers: sent with every request (:func:`~quanheng.measure.client.auth_headers`).
        limit: the run's concurrency, which sizes the connection pool.
        secrets: scrubbed from every error text.
    """
    url = yarl.URL(endpoint.chat_url)  # parsed once: aiohttp would parse a string every time
    target = _Target(url, endpoint.timeout_s, endpoint.stream, secrets)
    if endpoint.http_client == "auto" and url.scheme == "http":
        pool = Http1Pool(url, headers, max_idle=limit)  # headers checked by api_key()
        try:
            yield lambda payload: _send_native(pool, target, payload)
        finally:
            pool.close()
        return
    timeout = aiohttp.ClientTimeout(total=endpoint.timeout_s)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, limit_per_host=limit),
        headers=headers,
        timeout=timeout,
        trust_env=False,
        # No cookies: chat APIs authenticate by header, and a cookie set by one answer must
        # not ride along on the next request (and filtering an empty jar on every request
        # costs ≈ 3 % of the loop at c = 128).
        cookie_jar=aiohttp.DummyCookieJar(),
    ) as session:
        yield lambda payload: _send(session, target, payload, None, timeout)
