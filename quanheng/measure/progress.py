"""What a run has done so far: live tallies, the snapshots the progress callback gets, the summary.

The per-item path only bumps plain integers on :class:`Counters`; pydantic models are built
from them at run level alone — a :class:`Progress` every ``progress_interval_s`` and a
:class:`RunSummary` at the end — so keeping count costs the runner nothing it could measure.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from quanheng.measure.limiter import Limiter

__all__ = ["Counters", "Progress", "ProgressCallback", "ProgressMeter", "RunSummary"]


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
    """What one call of :func:`~quanheng.measure.runner.run_requests` did.

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


class Counters:
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


class ProgressMeter:
    """Turns one run's :class:`Counters` into :class:`Progress` and :class:`RunSummary`.

    The clock starts when the meter is made, so rates and ETAs cover this call only (items
    skipped as already answered count as done but not in the rate).

    Args:
        run_id: the run being measured.
        total: how many items the source holds, when it is sized.
        counters: the run's tallies.
        limiter: read for the concurrency limit now in force.
    """

    def __init__(
        self, run_id: str, total: int | None, counters: Counters, limiter: Limiter
    ) -> None:
        self.run_id = run_id
        self.total = total
        self.counters = counters
        self.limiter = limiter
        self.started = time.perf_counter()

    def snapshot(self) -> Progress:
        """Where the run stands now."""
        counters = self.counters
        elapsed = time.perf_counter() - self.started
        sent = counters.ok + counters.errors
        rate = sent / elapsed if elapsed > 0 else 0.0
        done = sent + counters.cached
        eta = None
        if self.total is not None and rate > 0:
            eta = max(0, self.total - done) / rate
        return Progress(
            run_id=self.run_id,
            done=done,
            total=self.total,
            ok=counters.ok,
            errors=counters.errors,
            cached=counters.cached,
            retries=counters.retries,
            in_flight=counters.in_flight,
            concurrency_limit=self.limiter.cap,
            rate_per_s=rate,
            input_tokens=counters.input_tokens,
            output_tokens=counters.output_tokens,
            cost=counters.cost if counters.priced else None,
            elapsed_s=elapsed,
            eta_s=eta,
            input_unknown=counters.input_unknown,
        )

    async def tick(self, callback: ProgressCallback, interval_s: float) -> None:
        """Hand ``callback`` a snapshot every ``interval_s`` until cancelled."""
        while True:
            await asyncio.sleep(interval_s)
            callback(self.snapshot())

    def summary(self, final: Progress, items: int) -> RunSummary:
        """The run's summary, from its last snapshot and the number of items read."""
        counters = self.counters
        return RunSummary(
            run_id=self.run_id,
            items=items,
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
