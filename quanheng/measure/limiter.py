"""How many requests may be in flight: an AIMD limit with a global pause for ``Retry-After``.

The runner's workers take a slot before every attempt and give it back after. The limit starts
at the run's concurrency and follows the endpoint: it halves on overload (429, 5xx, timeouts,
dropped connections; at most once per typical latency, so a burst of 429s counts once), grows by
``1/limit`` per success (about one slot per round trip), and while a ``Retry-After`` runs no new
request starts. Slots are handed directly to the longest waiter on release, so a woken worker
never loses its slot to one that arrived later.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque

__all__ = ["Limiter"]


class Limiter:
    """AIMD concurrency limit with a global pause for ``Retry-After``.

    Args:
        max_limit: the most slots ever handed out (the run's concurrency).
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
        """Slots allowed now: the limit rounded down, never below one."""
        return max(1, int(self.limit))

    def try_acquire(self, now: float) -> bool:
        """Take a slot without waiting when one is free, no one queues and no pause runs.

        The common case at a steady rate; it saves the coroutine switch of :meth:`acquire`.
        """
        if self.in_use < self.cap and not self._waiters and self.pause_until <= now:
            self.in_use += 1
            return True
        return False

    async def acquire(self) -> None:
        """Wait for a slot (first come, first served), then for any running pause to end."""
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
        """Give a slot back, to the longest waiter if there is one."""
        self.in_use -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_use < self.cap:
            fut = self._waiters.popleft()
            if not fut.done():
                self.in_use += 1
                fut.set_result(None)

    def on_success(self, latency_s: float) -> None:
        """An attempt answered: learn its latency, grow the limit by ``1/limit``."""
        self._latency = latency_s if self._latency == 0.0 else 0.9 * self._latency + 0.1 * latency_s
        if self.limit < self.max_limit:
            self.limit = min(float(self.max_limit), self.limit + 1.0 / self.limit)
            self._wake()

    def on_overload(self, now: float) -> None:
        """The endpoint said "send less": halve the limit, at most once per typical latency."""
        if now - self._last_decrease < max(0.05, self._latency):
            return
        self._last_decrease = now
        self.limit = max(1.0, self.limit / 2.0)

    def pause(self, now: float, seconds: float) -> None:
        """Hold every new attempt back for ``seconds`` (a server's ``Retry-After``)."""
        self.pause_until = max(self.pause_until, now + seconds)
