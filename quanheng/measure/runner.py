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

The parts, each in its own module: :class:`~quanheng.measure.source.ItemSource` (step 1's
chunked read-ahead), :class:`~quanheng.measure.limiter.Limiter` (step 2),
:func:`~quanheng.measure.transport.open_transport` (step 3's choice of client),
:class:`~quanheng.measure.sender.ItemSender` (steps 2 to 5 for one item),
:class:`~quanheng.measure.committer.Committer` (when writes are committed) and
:class:`~quanheng.measure.progress.ProgressMeter` (snapshots and the summary). This module
wires them together and runs the workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterable, Iterable, Sized

from quanheng.errors import MeasureError
from quanheng.measure.client import auth_headers, scrub
from quanheng.measure.committer import Committer
from quanheng.measure.keys import Request
from quanheng.measure.limiter import Limiter
from quanheng.measure.progress import (
    Counters,
    Progress,
    ProgressCallback,
    ProgressMeter,
    RunSummary,
)
from quanheng.measure.redact import remember_secret
from quanheng.measure.sender import ItemSender, RetryPolicy, RunContext
from quanheng.measure.source import ItemSource
from quanheng.measure.store import RunStore
from quanheng.measure.transport import open_transport
from quanheng.specs.endpoint import Endpoint

__all__ = ["Progress", "ProgressCallback", "RetryPolicy", "RunSummary", "run_requests"]


class _Dispatcher:
    """The worker loop: take the next item, send it once per key, say when the source is dry.

    One worker coroutine per allowed concurrent request runs :meth:`worker`. A key read while
    another copy of it is queued or in flight (the source marks it a repeat) waits for that
    copy here, then is skipped if the copy was answered — so a key repeated in the input is
    sent once. When the source is drained, ``tail`` is set: the last items are in flight and
    the store's background thread may checkpoint the WAL while the loop waits for them.

    Args:
        source: the items.
        sender: sends one item and records its outcome.
        context: the run's store, counters and committer.
        tail: set once the source is drained.
    """

    def __init__(
        self,
        source: ItemSource,
        sender: ItemSender,
        context: RunContext,
        tail: threading.Event,
    ) -> None:
        self._source = source
        self._sender = sender
        self._store = context.store
        self._counters = context.counters
        self._committer = context.committer
        self._tail = tail
        # Keys being sent now; a repeated key waiting for one parks a future here.
        self._inflight: dict[str, asyncio.Future[None] | None] = {}

    async def worker(self) -> None:
        """Send items until the source is drained (or something fails; the group stops)."""
        loop = asyncio.get_running_loop()
        source, sender, inflight, committer = (
            self._source,
            self._sender,
            self._inflight,
            self._committer,
        )
        while True:
            committer.check()
            item = source.pop()
            if item is None:
                item = await source.next()
                if item is None:
                    self._tail.set()  # the last items are in flight: checkpoint while they are
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
                    if self._store.completed_keys((key,)):
                        self._counters.cached += 1
                        continue
                inflight[key] = None
                try:
                    await sender.send_item(req)
                finally:
                    marker = inflight.pop(key)
                    if marker is not None:
                        marker.set_result(None)
            finally:
                source.finished(key)


def _begin_run(store: RunStore, endpoint: Endpoint, limit: int, policy: RetryPolicy) -> str:
    """Begin a run labelled with the endpoint's model and its settings (no secrets in them)."""
    return store.begin_run(
        subject=endpoint.model,
        settings={
            "endpoint": endpoint.model_dump(mode="json"),
            "concurrency": limit,
            "retry": policy.model_dump(mode="json"),
        },
    )


def _stopped(
    group_exc: BaseExceptionGroup[BaseException], run_id: str, secrets: list[str]
) -> BaseException:
    """What a failed worker group raises: the first error, unexpected ones as a MeasureError.

    A :class:`MeasureError` (the store cannot be written) or a non-``Exception`` (a
    cancellation, ``KeyboardInterrupt``) goes up as it is; anything else is a bug or a broken
    source, reported with the run id and scrubbed of secrets.
    """
    first = group_exc.exceptions[0]
    if isinstance(first, MeasureError) or not isinstance(first, Exception):
        return first
    return MeasureError(
        scrub(
            f"run {run_id} stopped: {type(first).__name__}: {first}; answers committed "
            "so far are kept and a re-run resumes from them",
            secrets,
        )
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
    remember_secret(api_key)  # so the store and the CLI scrub it too, wherever text goes
    limit = concurrency if concurrency is not None else endpoint.max_concurrency
    if limit < 1:
        raise ValueError(f"concurrency must be at least 1, got {limit}")
    policy = retry or RetryPolicy()
    total = len(requests) if isinstance(requests, Sized) else None
    own_run = run_id is None
    if run_id is None:
        run_id = _begin_run(store, endpoint, limit, policy)
    counters = Counters()
    limiter = Limiter(limit)
    committer = Committer(store)
    context = RunContext(run_id, endpoint, store, policy, secrets, counters, limiter, committer)
    source = ItemSource(requests, store, counters)
    tail = threading.Event()  # set once the source is drained (see _background_checkpoints)
    meter = ProgressMeter(run_id, total, counters, limiter)
    ticker = (
        asyncio.create_task(meter.tick(progress_cb, progress_interval_s))
        if progress_cb is not None
        else None
    )
    try:
        with store._background_checkpoints(wake=tail):
            async with (
                open_transport(endpoint, auth_headers(api_key), limit, secrets) as send,
                asyncio.TaskGroup() as group,
            ):
                dispatcher = _Dispatcher(source, ItemSender(context, send), context, tail)
                for _ in range(limit):
                    group.create_task(dispatcher.worker())
    except BaseExceptionGroup as group_exc:
        raise _stopped(group_exc, run_id, secrets) from None
    finally:
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        source.close()
        committer.cancel()
        with contextlib.suppress(sqlite3.Error):
            store.commit()
    committer.check()
    if own_run:
        store.finish_run(run_id)
    final = meter.snapshot()
    if progress_cb is not None:
        progress_cb(final)
    return meter.summary(final, source.read)
