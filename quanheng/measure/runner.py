"""The async runner: send many requests to one endpoint, keep every outcome, resume for free.

:func:`run_requests` drains an iterable (or async iterable) of :class:`Request` through a fixed
pool of worker coroutines, one per allowed concurrent request. Workers pull items lazily, in
chunks of 64, so memory stays flat for 100,000 items: there is never one task or future per
item.

For each item, in order:

1. **Resume.** Keys with an ``ok`` row in the :class:`RunStore` are skipped without sending
   (checked per chunk, with one query per chunk). A key repeated in the input while an earlier
   copy is still queued or in flight is checked once more just before sending, after that copy
   finished, so it is sent once. Errors from earlier runs are retried.
2. **Admission.** An AIMD limiter caps requests in flight: it halves the limit on overload
   (429, 5xx, timeouts, dropped connections; at most once per typical latency, so a burst of
   429s counts once), adds ``1/limit`` per success (about one slot per round trip), and holds
   every new request back while a ``Retry-After`` is running.
3. **Attempt** with the endpoint's timeout, over quanheng's own HTTP/1.1 client for plain
   ``http://`` endpoints (:mod:`quanheng.measure.http1`, ≈ 4× less CPU per request, which is
   what limits a local server at high concurrency) and over aiohttp for ``https://`` or
   ``http_client: aiohttp``; both classify failures alike (:mod:`quanheng.measure.client`).
4. **Retry** retryable failures up to ``endpoint.max_retries`` times, sleeping an exponential
   back-off with jitter (seeded, so runs are repeatable) or the server's ``Retry-After`` if
   longer. Non-retryable failures (400, 401, 403, 404, ...) stop at once.
5. **Record** exactly one outcome per key: ``ok`` with the answer, or ``error`` with the last
   reason. Failed attempts also go to the append-only attempts log.

Writes are committed at the end of the event-loop tick in which they happened (all answers
finished in one tick share a transaction, written with one ``executemany``), but never sooner
than 2 ms after the previous commit: an answer is on disk at most 2 ms after it arrived. A
SIGKILL therefore loses only requests in flight and the answers of the last 2 ms (at a real
endpoint's pace, the last tick's); everything earlier is on disk and will not be sent again.

The per-item path is kept free of pydantic models, per-item futures and per-item queries: the
body is serialised once per item (sorted-key JSON, the same text the store keeps), and only
run-level snapshots (:class:`Progress`, :class:`RunSummary`) are models.

The API key is read once per run from the environment, sent only as a header, and scrubbed
from every error text, log line and exception this module produces.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import sqlite3
import threading
import time
from collections import deque
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Sized,
)

import aiohttp
import yarl
from pydantic import BaseModel, ConfigDict, Field

from quanheng.errors import MeasureError
from quanheng.measure.client import (
    RequestFailed,
    _Answer,
    _send,
    _send_native,
    auth_headers,
    scrub,
)
from quanheng.measure.http1 import Http1Pool
from quanheng.measure.keys import Request, _dumps, json_template, messages_json
from quanheng.measure.store import RunStore
from quanheng.specs.endpoint import Endpoint

__all__ = ["Progress", "ProgressCallback", "RetryPolicy", "RunSummary", "run_requests"]

log = logging.getLogger("quanheng.measure")

_CHUNK = 64  # items pulled per completed-keys query; building them stalls the loop, keep it short


class RetryPolicy(BaseModel):
    """How long to wait between attempts (the number of retries is ``Endpoint.max_retries``).

    Attributes:
        base_s: back-off before the first retry; doubles per retry.
        max_s: cap on one back-off.
        max_retry_after_s: cap on a server's ``Retry-After`` (a broken server asking for a day
            should not stall a run for a day).
        seed: seeds the jitter so repeated runs wait the same; ``None`` for fresh entropy.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_s: float = Field(default=0.5, ge=0.0)
    max_s: float = Field(default=30.0, ge=0.0)
    max_retry_after_s: float = Field(default=120.0, ge=0.0)
    seed: int | None = 0


class Progress(BaseModel):
    """A snapshot handed to the progress callback.

    ``done`` counts items finished either way (``ok + errors + cached``); ``rate_per_s`` is
    items sent and finished per second of this run; ``eta_s`` is ``None`` until both a total
    and a rate are known.
    """

    model_config = ConfigDict(frozen=True)

    run_id: str
    done: int
    total: int | None
    ok: int
    errors: int
    cached: int
    retries: int
    in_flight: int
    concurrency_limit: int
    rate_per_s: float
    input_tokens: int
    output_tokens: int
    cost: float | None
    elapsed_s: float
    eta_s: float | None
    input_unknown: int = 0  # ok answers whose prompt tokens the server did not report


ProgressCallback = Callable[[Progress], None]


class RunSummary(BaseModel):
    """What one call of :func:`run_requests` did.

    ``ok + errors + cached`` equals the number of items read from the source; ``attempts``
    counts HTTP attempts made (``retries`` of them were retries).
    """

    model_config = ConfigDict(frozen=True)

    run_id: str
    items: int
    ok: int
    errors: int
    cached: int
    attempts: int
    retries: int
    input_tokens: int
    output_tokens: int
    cost: float | None
    elapsed_s: float
    rate_per_s: float
    input_unknown: int = 0  # ok answers whose prompt tokens the server did not report


class _Counters:
    """Mutable tallies private to one run (read into frozen snapshots)."""

    def __init__(self) -> None:
        self.ok = 0
        self.errors = 0
        self.cached = 0
        self.attempts = 0
        self.retries = 0
        self.in_flight = 0
        self.input_tokens = 0
        self.input_unknown = 0
        self.output_tokens = 0
        self.cost = 0.0
        self.priced = 0


class _Limiter:
    """AIMD concurrency limit with a global pause for ``Retry-After``.

    Slots are handed directly to the longest waiter on release, so a woken worker never loses
    its slot to one that arrived later.
    """

    def __init__(self, max_limit: int) -> None:
        self.max_limit = max_limit
        self.limit = float(max_limit)
        self.in_use = 0
        self.pause_until = 0.0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._last_decrease = -math.inf
        self._latency = 0.0  # moving average of successful attempts, paces decreases

    @property
    def cap(self) -> int:
        return max(1, int(self.limit))

    def try_acquire(self, now: float) -> bool:
        """Take a slot without waiting when one is free, no one queues and no pause runs."""
        if self.in_use < self.cap and not self._waiters and self.pause_until <= now:
            self.in_use += 1
            return True
        return False

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        if self.in_use < self.cap and not self._waiters:
            self.in_use += 1
        else:
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            try:
                await fut
            except asyncio.CancelledError:
                if fut.done() and not fut.cancelled():
                    self.release()  # the slot was handed to us; pass it on
                else:
                    with contextlib.suppress(ValueError):
                        self._waiters.remove(fut)
                raise
        try:
            while (wait := self.pause_until - loop.time()) > 0:
                await asyncio.sleep(wait)
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        self.in_use -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_use < self.cap:
            fut = self._waiters.popleft()
            if not fut.done():
                self.in_use += 1
                fut.set_result(None)

    def on_success(self, latency_s: float) -> None:
        self._latency = latency_s if self._latency == 0.0 else 0.9 * self._latency + 0.1 * latency_s
        if self.limit < self.max_limit:
            self.limit = min(float(self.max_limit), self.limit + 1.0 / self.limit)
            self._wake()

    def on_overload(self, now: float) -> None:
        if now - self._last_decrease < max(0.05, self._latency):
            return
        self._last_decrease = now
        self.limit = max(1.0, self.limit / 2.0)

    def pause(self, now: float, seconds: float) -> None:
        self.pause_until = max(self.pause_until, now + seconds)


class _Source:
    """Lazy chunked reader of requests that drops keys already answered in the store.

    Keys read but not yet finished (queued here or in flight) are counted in ``_open``; an item
    whose key is already open when read is marked as a repeat and checked again before sending.

    The next chunk is read in the background once the buffer is half empty, yielding to the
    event loop every few items: building a chunk of items in one go (hashing each) holds every
    answer that arrives meanwhile. At 5,000 requests/s building items inside the run cost ≈ 5 %
    of the rate, more than its CPU time; reading ahead in small steps won back ≈ 1 %. An error
    raised by the source surfaces in the next worker that needs an item.
    """

    def __init__(
        self,
        requests: Iterable[Request] | AsyncIterable[Request],
        store: RunStore,
        counters: _Counters,
    ) -> None:
        self._sync: Iterator[Request] | None = None
        self._async: AsyncIterator[Request] | None = None
        if isinstance(requests, AsyncIterable):
            self._async = aiter(requests)
        else:
            self._sync = iter(requests)
        self._store = store
        self._counters = counters
        self._buffer: deque[tuple[Request, bool]] = deque()
        self._open: dict[str, int] = {}
        self._exhausted = False
        self._lock = asyncio.Lock()
        self._refill: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self.read = 0

    def pop(self) -> tuple[Request, bool] | None:
        """The next buffered item and whether it repeats an open key, without waiting."""
        buffer = self._buffer
        if (
            len(buffer) <= _CHUNK // 2
            and self._refill is None
            and not self._exhausted
            and self._error is None
        ):
            self._refill = asyncio.get_running_loop().create_task(self._read_ahead())
        return buffer.popleft() if buffer else None

    async def next(self) -> tuple[Request, bool] | None:
        while not self._buffer:
            if self._error is not None:
                raise self._error
            if self._exhausted:
                return None
            async with self._lock:
                if not self._buffer and not self._exhausted and self._error is None:
                    await self._fill()
        return self._buffer.popleft()

    def finished(self, key: str) -> None:
        """An item popped from here is done (answered, failed or skipped)."""
        left = self._open[key] - 1
        if left:
            self._open[key] = left
        else:
            del self._open[key]

    def close(self) -> None:
        """Stop a read-ahead still running (the run ended or failed)."""
        if self._refill is not None:
            self._refill.cancel()

    async def _read_ahead(self) -> None:
        try:
            async with self._lock:
                if not self._exhausted and self._error is None:
                    await self._fill(pause_every=16)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # handed to the next worker that needs an item
            self._error = exc
        finally:
            self._refill = None

    async def _fill(self, pause_every: int = 0) -> None:
        chunk: list[Request] = []
        if self._sync is not None:
            for item in self._sync:
                chunk.append(item)
                if len(chunk) >= _CHUNK:
                    break
                if pause_every and len(chunk) % pause_every == 0:
                    await asyncio.sleep(0)
            else:
                self._exhausted = True
        elif self._async is not None:
            while len(chunk) < _CHUNK:
                try:
                    chunk.append(await anext(self._async))
                except StopAsyncIteration:
                    self._exhausted = True
                    break
        self.read += len(chunk)
        done = self._store.completed_keys([r.key for r in chunk])
        opened = self._open
        buffer = self._buffer
        for item in chunk:
            key = item.key
            if key in done:
                self._counters.cached += 1
                continue
            count = opened.get(key, 0)
            opened[key] = count + 1
            buffer.append((item, count > 0))


_MESSAGES = "\x00quanheng-body-messages\x00"


def _body_template(endpoint: Endpoint) -> tuple[str, ...] | None:
    """The request body's sorted-key JSON before and after its messages, once per run.

    The body differs between items only in its messages, so ``head + json(messages) + tail``
    (:func:`~quanheng.measure.keys.json_template`) is exactly ``_dumps(body)`` (a test
    compares them) without re-serialising the fixed fields for every item.
    """
    return json_template(endpoint.body(_MESSAGES), _MESSAGES)  # type: ignore[arg-type]


class _Committer:
    """Commits the store at the end of the tick that wrote something, at most every ``gap_s``.

    While answers are rare (any real endpoint: one every few milliseconds or less) each is
    committed at the end of the event-loop tick it arrived in. When they arrive faster than one
    per ``gap_s`` — only against a fast local server — the next commit waits until ``gap_s``
    after the previous one, so an answer is on disk at most ``gap_s`` (2 ms) after it arrived
    and a burst of ticks shares one transaction. Each commit appends a few pages to the WAL
    whatever its size: at 5,000 answers/s (about 3 per tick) committing every tick cost the
    event loop ≈ 15 µs more per answer than committing every 2 ms (measured), and that loop
    is what paces the requests.
    """

    def __init__(self, store: RunStore, gap_s: float = 0.002) -> None:
        self._store = store
        self._gap_s = gap_s
        self._handle: asyncio.Handle | None = None
        self._last = -math.inf
        self.error: BaseException | None = None

    def schedule(self) -> None:
        if self._handle is None:
            loop = asyncio.get_running_loop()
            wait = self._last + self._gap_s - loop.time()
            if wait > 0:
                self._handle = loop.call_later(wait, self._flush)
            else:
                self._handle = loop.call_soon(self._flush)

    def cancel(self) -> None:
        """Drop a scheduled commit (the caller commits now, before the store may close)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _flush(self) -> None:
        self._handle = None
        self._last = asyncio.get_running_loop().time()
        try:
            self._store.commit()
        except sqlite3.Error as exc:  # surfaced by the next worker step
            self.error = exc

    def check(self) -> None:
        if self.error is not None:
            raise MeasureError(
                f"cannot write to the run store {self._store.path}: {self.error}; "
                "answers committed so far are kept — free space or fix the file and re-run"
            )


_Send = Callable[[bytes], Awaitable[_Answer]]  # one attempt with a serialised body


@contextlib.asynccontextmanager
async def _transport(
    endpoint: Endpoint, headers: dict[str, str], limit: int, secrets: list[str]
) -> AsyncIterator[_Send]:
    """How this run's attempts travel, chosen once and the only one built: quanheng's
    HTTP/1.1 pool for plain ``http://`` (unless the endpoint asks for aiohttp), else one
    aiohttp session. Either is closed when the block ends."""
    url = yarl.URL(endpoint.chat_url)  # parsed once: aiohttp would parse a string every time
    timeout_s, stream = endpoint.timeout_s, endpoint.stream
    if endpoint.http_client == "auto" and url.scheme == "http":
        pool = Http1Pool(url, headers, max_idle=limit)  # headers checked by api_key()
        try:
            yield lambda payload: _send_native(pool, url, payload, timeout_s, stream, secrets)
        finally:
            pool.close()
        return
    timeout = aiohttp.ClientTimeout(total=timeout_s)
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
        yield lambda payload: _send(
            session, url, payload, None, timeout, timeout_s, stream, secrets
        )


async def run_requests(
    endpoint: Endpoint,
    requests: Iterable[Request] | AsyncIterable[Request],
    store: RunStore,
    *,
    concurrency: int | None = None,
    progress_cb: ProgressCallback | None = None,
    run_id: str | None = None,
    retry: RetryPolicy | None = None,
    progress_interval_s: float = 0.5,
) -> RunSummary:
    """Send every request not yet answered in ``store`` and record each outcome there.

    Args:
        endpoint: where to send and how to sample; its ``api_key_env`` is read now.
        requests: the items, built with :meth:`Request.build` for this endpoint; read lazily.
            A sized collection gives the progress callback a total and an ETA.
        store: the run store; answered keys are skipped, outcomes are written as they come.
        concurrency: most requests in flight (default ``endpoint.max_concurrency``).
        progress_cb: called with a :class:`Progress` every ``progress_interval_s`` and once at
            the end.
        run_id: an id from :meth:`RunStore.begin_run`; by default a run is begun and finished
            here, labelled with the endpoint's model.
        retry: back-off policy (default :class:`RetryPolicy`).

    Returns:
        Counts, tokens and cost of this call.

    Raises:
        MeasureInputError: the endpoint's key variable is not set.
        MeasureError: the store cannot be written or a worker failed unexpectedly; everything
            committed before stays.
    """
    api_key = endpoint.api_key()
    secrets = [api_key] if api_key else []
    limit = concurrency if concurrency is not None else endpoint.max_concurrency
    if limit < 1:
        raise ValueError(f"concurrency must be at least 1, got {limit}")
    policy = retry or RetryPolicy()
    total = len(requests) if isinstance(requests, Sized) else None
    own_run = run_id is None
    if run_id is None:
        run_id = store.begin_run(
            subject=endpoint.model,
            settings={
                "endpoint": endpoint.model_dump(mode="json"),
                "concurrency": limit,
                "retry": policy.model_dump(mode="json"),
            },
        )
    counters = _Counters()
    limiter = _Limiter(limit)
    committer = _Committer(store)
    source = _Source(requests, store, counters)
    rng = random.Random(policy.seed)
    headers = auth_headers(api_key)
    # Keys being sent now; a repeated key waiting for one parks a future here.
    inflight: dict[str, asyncio.Future[None] | None] = {}
    tail = threading.Event()  # set once the source is drained (see _background_checkpoints)
    started = time.perf_counter()

    def snapshot() -> Progress:
        elapsed = time.perf_counter() - started
        sent = counters.ok + counters.errors
        rate = sent / elapsed if elapsed > 0 else 0.0
        done = sent + counters.cached
        eta = None
        if total is not None and rate > 0:
            eta = max(0, total - done) / rate
        return Progress(
            run_id=run_id,
            done=done,
            total=total,
            ok=counters.ok,
            errors=counters.errors,
            cached=counters.cached,
            retries=counters.retries,
            in_flight=counters.in_flight,
            concurrency_limit=limiter.cap,
            rate_per_s=rate,
            input_tokens=counters.input_tokens,
            output_tokens=counters.output_tokens,
            cost=counters.cost if counters.priced else None,
            elapsed_s=elapsed,
            eta_s=eta,
            input_unknown=counters.input_unknown,
        )

    max_retries = endpoint.max_retries
    priced = (
        endpoint.price_input_per_mtok is not None and endpoint.price_output_per_mtok is not None
    )

    def record_ok(req: Request, body_json: str, result: _Answer, attempt: int) -> None:
        limiter.on_success(result.latency_s)
        input_tokens = result.input_tokens
        output_tokens = result.output_tokens
        cost = endpoint.cost(input_tokens, output_tokens) if priced else None
        store._queue_ok(
            req,
            run_id,
            body_json,
            result.text,
            result.finish_reason,
            input_tokens,
            output_tokens,
            result.usage_source,
            result.latency_s,
            result.ttft_s,
            result.output_tps,
            cost,
            attempt,
        )
        committer.schedule()
        counters.ok += 1
        if input_tokens is None:
            counters.input_unknown += 1
        elif input_tokens:
            counters.input_tokens += input_tokens
        if output_tokens:
            counters.output_tokens += output_tokens
        if cost is not None:
            counters.cost += cost
            counters.priced += 1

    def record_failure(
        req: Request, body_json: str, failure: RequestFailed, attempt: int, now: float
    ) -> float | None:
        """Log a failed attempt; the back-off before the next one, or ``None`` if final."""
        message = scrub(str(failure), secrets)
        if failure.overload:
            limiter.on_overload(now)
        retry_after = None
        if failure.retry_after_s is not None:
            retry_after = min(failure.retry_after_s, policy.max_retry_after_s)
            limiter.pause(now, retry_after)
        store.log_attempt(
            req.key,
            run_id=run_id,
            attempt=attempt,
            outcome=failure.kind,
            http_status=failure.http_status,
            error=message,
            retry_after_s=retry_after,
            latency_s=failure.latency_s,
            commit=False,
        )
        committer.schedule()
        if not failure.retryable or attempt > max_retries:
            why = "not retryable" if not failure.retryable else "retries exhausted"
            store._queue_error(
                req,
                run_id,
                body_json,
                f"{failure.kind}: {message} ({why} after {attempt} attempt(s))",
                attempt,
            )
            counters.errors += 1
            log.warning("item %s/%s failed: %s", req.task, req.item_id, message)
            return None
        counters.retries += 1
        step: float = min(policy.max_s, policy.base_s * 2 ** (attempt - 1))
        delay = step / 2 + rng.uniform(0, step / 2)
        if retry_after is not None:
            delay = max(delay, retry_after)
        log.debug("retry %d of %s/%s in %.2fs: %s", attempt, req.task, req.item_id, delay, message)
        return delay

    body_around = _body_template(endpoint)

    async def attempt_item(send: _Send, req: Request) -> None:
        loop = asyncio.get_running_loop()
        body_json = (
            body_around[0] + messages_json(req.messages) + body_around[1]
            if body_around is not None
            else _dumps(endpoint.body(req.messages))
        )
        payload = body_json.encode("utf-8")
        attempt = 0
        while True:
            attempt += 1
            if not limiter.try_acquire(loop.time()):
                await limiter.acquire()
            counters.attempts += 1
            counters.in_flight += 1
            try:
                result = await send(payload)
            except RequestFailed as failure:
                counters.in_flight -= 1
                limiter.release()
                committer.check()
                delay = record_failure(req, body_json, failure, attempt, loop.time())
                if delay is None:
                    return
                await asyncio.sleep(delay)
                continue
            except BaseException:
                counters.in_flight -= 1
                limiter.release()
                raise
            counters.in_flight -= 1
            limiter.release()
            committer.check()
            record_ok(req, body_json, result, attempt)
            return

    async def worker(send: _Send) -> None:
        loop = asyncio.get_running_loop()
        while True:
            committer.check()
            item = source.pop()
            if item is None:
                item = await source.next()
                if item is None:
                    tail.set()  # the last items are in flight: checkpoint while they are
                    return
            req, repeated = item
            key = req.key
            try:
                if repeated:
                    # The same key was read while another copy was queued or in flight: wait
                    # for that copy, then skip this one if it was answered.
                    while key in inflight:
                        marker = inflight[key]
                        if marker is None:
                            marker = inflight[key] = loop.create_future()
                        await marker
                    if store.completed_keys((key,)):
                        counters.cached += 1
                        continue
                inflight[key] = None
                try:
                    await attempt_item(send, req)
                finally:
                    marker = inflight.pop(key)
                    if marker is not None:
                        marker.set_result(None)
            finally:
                source.finished(key)

    async def ticker() -> None:
        assert progress_cb is not None
        while True:
            await asyncio.sleep(progress_interval_s)
            progress_cb(snapshot())

    ticker_task = asyncio.create_task(ticker()) if progress_cb is not None else None
    try:
        with store._background_checkpoints(wake=tail):
            async with (
                _transport(endpoint, headers, limit, secrets) as send,
                asyncio.TaskGroup() as group,
            ):
                for _ in range(limit):
                    group.create_task(worker(send))
    except BaseExceptionGroup as group_exc:
        first = group_exc.exceptions[0]
        if isinstance(first, MeasureError) or not isinstance(first, Exception):
            raise first from None
        raise MeasureError(
            scrub(
                f"run {run_id} stopped: {type(first).__name__}: {first}; answers committed "
                "so far are kept and a re-run resumes from them",
                secrets,
            )
        ) from None
    finally:
        if ticker_task is not None:
            ticker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker_task
        source.close()
        committer.cancel()
        with contextlib.suppress(sqlite3.Error):
            store.commit()
    committer.check()
    if own_run:
        store.finish_run(run_id)
    final = snapshot()
    if progress_cb is not None:
        progress_cb(final)
    return RunSummary(
        run_id=run_id,
        items=source.read,
        ok=counters.ok,
        errors=counters.errors,
        cached=counters.cached,
        attempts=counters.attempts,
        retries=counters.retries,
        input_tokens=counters.input_tokens,
        input_unknown=counters.input_unknown,
        output_tokens=counters.output_tokens,
        cost=final.cost,
        elapsed_s=final.elapsed_s,
        rate_per_s=final.rate_per_s,
    )
