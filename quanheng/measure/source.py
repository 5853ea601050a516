"""Where a run's items come from: read lazily in chunks of 64, already-answered keys dropped.

The source is read only as fast as the workers need items, so memory stays flat for 100,000
items: there is never one task or future per item. Each chunk costs one ``completed_keys`` query
to the run store, and an item whose key already has an ``ok`` row is counted as cached and never
reaches a worker: resuming a run is free. Errors of earlier runs are not answers, so those items
are sent again.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

from quanheng.measure.keys import Request
from quanheng.measure.progress import Counters
from quanheng.measure.store import RunStore

__all__ = ["CHUNK", "ItemSource"]

CHUNK = 64
"""Items read per completed-keys query; building them stalls the event loop, so keep it short."""


class ItemSource:
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
        counters: Counters,
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
            len(buffer) <= CHUNK // 2
            and self._refill is None
            and not self._exhausted
            and self._error is None
        ):
            self._refill = asyncio.get_running_loop().create_task(self._read_ahead())
        return buffer.popleft() if buffer else None

    async def next(self) -> tuple[Request, bool] | None:
        """The next item, reading a chunk if none is buffered; ``None`` once all are read.

        Raises:
            BaseException: whatever the source raised while reading (once per waiting worker).
        """
        while not self._buffer:
            if self._error is not None:
                raise self._error
            if self._exhausted:
                return None
            async with self._lock:
                if not self._buffer and not self._exhausted and self._error is None:
                    try:
                        await self._fill()
                    except asyncio.CancelledError:
                        raise
                    except BaseException as exc:  # every later worker gets it too
                        self._error = exc
                        raise
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
        """Read one chunk, drop the keys answered in the store, buffer the rest.

        With ``pause_every``, yield to the event loop every that many items read (the
        background read-ahead); a worker that must wait for items anyway reads in one go.
        """
        chunk: list[Request] = []
        if self._sync is not None:
            for item in self._sync:
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    break
                if pause_every and len(chunk) % pause_every == 0:
                    await asyncio.sleep(0)
            else:
                self._exhausted = True
        elif self._async is not None:
            while len(chunk) < CHUNK:
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
