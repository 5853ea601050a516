"""One chat-completion attempt: send, stream, time, count, classify failures.

Two transports give the same outcomes: aiohttp (:func:`send_chat`, and the runner for
``https://``) and quanheng's lean HTTP/1.1 client for plain ``http://``
(:mod:`quanheng.measure.http1`, used by the runner through :func:`_send_native`).

The runner (:mod:`quanheng.measure.runner`) decides *whether* and *when* to try; this module
makes one try and says what happened. It is deliberately free of retry logic so a failure is
classified in exactly one place.

Exceptions (part of the :mod:`quanheng.errors` tree)::

    QuanhengError
    └── RequestFailed     one attempt failed; ``retryable`` says whether another try may help

Timing. ``latency_s`` runs from just before the request is written to the last byte read.
With streaming, ``ttft_s`` is the time to the first chunk carrying content, and
``output_tps`` is output tokens over the time after that first token (decode speed). Without
streaming there is no first token to see: ``ttft_s`` is ``None`` and ``output_tps`` is output
tokens over the whole latency, which includes prefill.

Usage. Tokens come from the server's ``usage`` (non-streaming body, or the final stream chunk
we ask for with ``stream_options: {include_usage: true}``): ``usage_source="reported"``. When a
stream carries no usage, output tokens are the number of content chunks (most servers send
one token per chunk) and input tokens are unknown: ``usage_source="counted"``, so cost is
``None`` rather than understated. A non-streaming answer without usage gets
``usage_source="none"``.

Secrets. The key travels only in the ``Authorization`` header. Every error text built here
passes through :func:`~quanheng.measure.redact.scrub` *before* it is shortened (a cut first
could split an echoed key and leave most of it), and exceptions are raised ``from None`` so no
aiohttp exception holding request headers rides along in ``__cause__``.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import aiohttp
import orjson
from aiohttp.typedefs import StrOrURL

from quanheng.errors import TransportError
from quanheng.measure.http1 import BadResponse, ConnectFailed, Http1Pool, Http1Response, ResponseCut
from quanheng.measure.records import Answer
from quanheng.measure.redact import clip, scrub
from quanheng.specs.endpoint import Endpoint

__all__ = [
    "Answer",
    "RequestFailed",
    "auth_headers",
    "parse_retry_after",
    "scrub",
    "send_chat",
]

#: Status codes worth another try: timeouts, conflicts, rate limits and server faults.
RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})

_MAX_BODY_IN_ERROR = 500  # characters of an error body kept in the message, after scrubbing
_MAX_CHUNK_IN_ERROR = 200  # characters of a bad stream chunk or body kept, likewise
# Bodies are cut to this before scrubbing (a 64 MiB body is not searched whole). It is far
# longer than what is kept, so a key split by this first cut leaves its kept part long enough
# to be recognised, and the part beyond is dropped by the final cut anyway.
_MAX_SCANNED = 16 * _MAX_BODY_IN_ERROR


class RequestFailed(TransportError):
    """One attempt failed.

    Attributes:
        kind: short machine-readable outcome: ``http_429``, ``http_500``, ``timeout``,
            ``connection``, ``malformed``, ``truncated``.
        retryable: whether another attempt may succeed.
        http_status: the response status, when one arrived.
        retry_after_s: the server's ``Retry-After`` in seconds, when given.
        latency_s: time spent on this attempt.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        retryable: bool,
        http_status: int | None = None,
        retry_after_s: float | None = None,
        latency_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.retryable = retryable
        self.http_status = http_status
        self.retry_after_s = retry_after_s
        self.latency_s = latency_s

    @property
    def overload(self) -> bool:
        """Whether this failure says "send less": 429, 5xx, timeouts and dropped connections.

        Malformed or truncated bodies are not load signals and do not shrink concurrency.
        """
        return self.kind in ("timeout", "connection") or (
            self.http_status is not None and (self.http_status == 429 or self.http_status >= 500)
        )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date.

    Returns ``None`` for a missing or unparsable header, and never a negative number.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def auth_headers(api_key: str | None) -> dict[str, str]:
    """Request headers; ``Authorization: Bearer`` only when there is a key."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


def _usage(data: Any) -> tuple[int | None, int | None]:
    if not isinstance(data, dict):
        return None, None
    prompt = data.get("prompt_tokens")
    completion = data.get("completion_tokens")
    return (
        prompt if isinstance(prompt, int) else None,
        completion if isinstance(completion, int) else None,
    )


def _tps(tokens: int | None, seconds: float | None) -> float | None:
    if tokens is None or seconds is None or seconds <= 0 or tokens <= 0:
        return None
    return tokens / seconds


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a run's attempts go and how, fixed for the whole run and built once.

    Attributes:
        url: the chat-completions URL (a parsed :class:`yarl.URL` in the runner: aiohttp would
            parse a string on every attempt).
        timeout_s: seconds one attempt may take, named in the timeout message.
        stream: whether to read the answer as a server-sent event stream.
        secrets: values scrubbed from every error text (the API key).
    """

    url: StrOrURL
    timeout_s: float
    stream: bool
    secrets: list[str]


async def send_chat(
    session: aiohttp.ClientSession,
    endpoint: Endpoint,
    body: dict[str, Any],
    headers: dict[str, str],
    *,
    secrets: Iterable[str | None] = (),
) -> Answer:
    """Make one attempt and return the answer.

    Args:
        session: an open session; the caller owns it (and its connection pool).
        endpoint: supplies the URL, timeout and whether to stream.
        body: the JSON body from :meth:`Endpoint.body`.
        headers: from :func:`auth_headers`.
        secrets: values to scrub from any error text (the API key).

    Raises:
        RequestFailed: on any failure, with a scrubbed message.
    """
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    target = _Target(
        endpoint.chat_url, endpoint.timeout_s, endpoint.stream, [s for s in secrets if s]
    )
    timeout = aiohttp.ClientTimeout(total=endpoint.timeout_s)
    return await _send(session, target, payload, headers, timeout)


async def _send(
    session: aiohttp.ClientSession,
    target: _Target,
    payload: bytes,
    headers: Mapping[str, str] | None,
    timeout: aiohttp.ClientTimeout,
) -> Answer:
    """:func:`send_chat` with everything that is fixed for a run prepared once by the caller.

    ``payload`` is the serialised body; ``headers=None`` uses the session's default headers
    (the runner puts :func:`auth_headers` there); ``timeout`` is ``target.timeout_s`` as
    aiohttp wants it, built once. Classification and messages are the same.
    """
    url, timeout_s, secret_list = target.url, target.timeout_s, target.secrets
    start = time.perf_counter()
    try:
        async with session.post(url, data=payload, headers=headers, timeout=timeout) as resp:
            retry_after = resp.headers.get("Retry-After")
            return await _answer(resp.status, retry_after, resp.read, resp.content, target, start)
    except RequestFailed:
        raise
    except TimeoutError:
        raise _timed_out(timeout_s, url, start) from None
    except aiohttp.ClientPayloadError as exc:
        what = f"response cut off: {type(exc).__name__}: {exc}"
        raise _retryable("truncated", what, secret_list, start) from None
    except (aiohttp.ClientError, OSError) as exc:
        what = f"connection failed: {type(exc).__name__}: {exc}"
        raise _retryable("connection", what, secret_list, start) from None
    except ValueError as exc:  # aiohttp's line reader refuses lines over its buffer limit
        raise _malformed(f"{type(exc).__name__}: {exc}", secret_list, start) from None


async def _send_native(pool: Http1Pool, target: _Target, payload: bytes) -> Answer:
    """:func:`_send` over :class:`~quanheng.measure.http1.Http1Pool` (plain ``http://``), with
    the same outcomes and messages: a cut answer is ``truncated``, no answer ``connection``."""
    url, timeout_s, secret_list = target.url, target.timeout_s, target.secrets
    start = time.perf_counter()
    resp: Http1Response | None = None
    try:
        async with asyncio.timeout(timeout_s):
            resp = await pool.post(payload)
            retry_after = resp.headers.get("retry-after")
            return await _answer(resp.status, retry_after, resp.read, resp.lines(), target, start)
    except TimeoutError:
        raise _timed_out(timeout_s, url, start) from None
    except ResponseCut as exc:
        raise _retryable("truncated", f"response cut off: {exc}", secret_list, start) from None
    except ConnectFailed as exc:
        raise _retryable("connection", f"connection failed: {exc}", secret_list, start) from None
    except BadResponse as exc:
        raise _malformed(str(exc), secret_list, start) from None
    finally:
        if resp is not None:
            resp.release()


async def _answer(
    status: int,
    retry_after: str | None,
    read: Callable[[], Awaitable[bytes]],
    lines: AsyncIterable[bytes],
    target: _Target,
    start: float,
) -> Answer:
    """The answer in a response, whichever client read it: an HTTP error, a stream or a body."""
    if status >= 400:
        raw = await read()
        raise _http_error(status, raw, retry_after, target.url, start, target.secrets)
    if target.stream:
        return await _read_stream(lines, start, target.secrets)
    return _parse_body(await read(), start, target.secrets)


def _http_error(
    status: int,
    raw: bytes,
    retry_after: str | None,
    url: StrOrURL,
    start: float,
    secret_list: list[str],
) -> RequestFailed:
    # Scrub the body first, then cut it: a cut first could split an echoed key in two.
    text = scrub(raw[:_MAX_SCANNED].decode("utf-8", "replace"), secret_list)
    return RequestFailed(
        scrub(f"HTTP {status} from {url}: {clip(text, _MAX_BODY_IN_ERROR)}", secret_list),
        kind=f"http_{status}",
        retryable=status in RETRYABLE_STATUS,
        http_status=status,
        retry_after_s=parse_retry_after(retry_after),
        latency_s=time.perf_counter() - start,
    )


def _excerpt(raw: bytes, secrets: list[str], limit: int) -> str:
    """The start of ``raw`` for an error message (``repr`` of its text): scrubbed, then cut.

    The scrub runs on the decoded text, before ``repr`` escapes it and before the cut, so
    neither an escape nor the cut can hide a key from it.
    """
    text = scrub(raw[:_MAX_SCANNED].decode("utf-8", "replace"), secrets)
    return repr(clip(text, limit))


def _loads(text: bytes | str) -> Any:
    """Parse JSON with orjson (several times faster on every answer and stream chunk), and
    with the standard library where orjson refuses what it accepts (NaN, huge integers)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _retryable(kind: str, message: str, secrets: list[str], start: float) -> RequestFailed:
    """A retryable failure of ``kind`` (both transports), its message scrubbed."""
    return RequestFailed(
        scrub(message, secrets), kind=kind, retryable=True, latency_s=time.perf_counter() - start
    )


def _timed_out(timeout_s: float, url: StrOrURL, start: float) -> RequestFailed:
    return _retryable(
        "timeout", f"no complete answer within timeout_s={timeout_s} from {url}", [], start
    )


def _malformed(what: str, secrets: list[str], start: float) -> RequestFailed:
    return _retryable("malformed", f"malformed response: {what}", secrets, start)


def _parse_body(raw: bytes, start: float, secrets: list[str]) -> Answer:
    latency = time.perf_counter() - start
    try:
        data = _loads(raw)
        choice = data["choices"][0]
        message = choice["message"]
        content = message.get("content") or ""
        finish = choice.get("finish_reason")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise _malformed(_excerpt(raw, secrets, _MAX_CHUNK_IN_ERROR), secrets, start) from None
    if not isinstance(content, str):
        raise _malformed("message.content is not a string", secrets, start)
    input_tokens, output_tokens = _usage(data.get("usage"))
    source: Literal["reported", "none"] = "reported" if output_tokens is not None else "none"
    return Answer(
        content,
        finish if isinstance(finish, str) else None,
        input_tokens,
        output_tokens,
        source,
        latency,
        None,
        _tps(output_tokens, latency),
    )


async def _read_stream(lines: AsyncIterable[bytes], start: float, secrets: list[str]) -> Answer:
    parts: list[str] = []
    chunks_with_content = 0
    first_token: float | None = None
    finish: str | None = None
    usage: tuple[int | None, int | None] = (None, None)
    done = False
    async for raw_line in lines:
        line = raw_line.strip()
        if not line or line.startswith(b":"):
            continue  # keep-alive blank lines and SSE comments
        if not line.startswith(b"data:"):
            continue  # "event:", "id:", "retry:" fields carry nothing we use
        data = line[5:].strip()
        if data == b"[DONE]":
            done = True
            break
        try:
            chunk = _loads(data)
        except ValueError:
            what = f"bad stream chunk {_excerpt(data, secrets, _MAX_CHUNK_IN_ERROR)}"
            raise _malformed(what, secrets, start) from None
        if not isinstance(chunk, dict):
            what = f"stream chunk is not an object: {_excerpt(data, secrets, _MAX_CHUNK_IN_ERROR)}"
            raise _malformed(what, secrets, start)
        if chunk.get("usage"):
            usage = _usage(chunk["usage"])
        choices = chunk.get("choices") or []
        if choices and isinstance(choices[0], dict):
            choice = choices[0]
            delta = choice.get("delta") or {}
            piece = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(piece, str) and piece:
                if first_token is None:
                    first_token = time.perf_counter()
                parts.append(piece)
                chunks_with_content += 1
            if isinstance(choice.get("finish_reason"), str):
                finish = choice["finish_reason"]
        elif "error" in chunk:
            what = f"error inside stream: {_excerpt(data, secrets, _MAX_BODY_IN_ERROR)}"
            raise _retryable("stream_error", what, secrets, start)
    end = time.perf_counter()
    # A stream that ends without [DONE] and without a finish_reason was cut mid-way. One that
    # has a finish_reason but lost its [DONE] carries the whole text; accept it.
    if not done and finish is None:
        raise RequestFailed(
            "stream ended before [DONE] and without a finish_reason",
            kind="truncated",
            retryable=True,
            latency_s=end - start,
        )
    input_tokens, output_tokens = usage
    source: Literal["reported", "counted"] = "reported"
    if output_tokens is None:
        output_tokens = chunks_with_content
        source = "counted"
    ttft = None if first_token is None else first_token - start
    decode = None if first_token is None else end - first_token
    return Answer(
        "".join(parts),
        finish,
        input_tokens,
        output_tokens,
        source,
        end - start,
        ttft,
        _tps(output_tokens, decode),
    )
