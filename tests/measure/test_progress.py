"""Progress snapshots and the run summary: what is counted where, and the rate and ETA sums."""

from __future__ import annotations

import asyncio
import time

from quanheng.measure.limiter import Limiter
from quanheng.measure.progress import Counters, Progress, ProgressMeter


def _counters(**values: float) -> Counters:
    counters = Counters()
    for name, value in values.items():
        setattr(counters, name, value)
    return counters


def test_done_counts_cached_items_but_the_rate_counts_only_those_sent() -> None:
    counters = _counters(ok=30, errors=10, cached=60, retries=5, in_flight=3)
    meter = ProgressMeter("r", 200, counters, Limiter(8))
    meter.started = time.perf_counter() - 10.0  # ten seconds into the run
    snap = meter.snapshot()
    assert (snap.done, snap.ok, snap.errors, snap.cached) == (100, 30, 10, 60)
    assert (snap.retries, snap.in_flight, snap.total, snap.run_id) == (5, 3, 200, "r")
    assert snap.elapsed_s >= 10.0
    # 40 sent (30 ok + 10 errors, not the 60 cached) over the elapsed time
    assert snap.rate_per_s == 40 / snap.elapsed_s
    # 200 − 100 done left at that rate
    assert snap.eta_s == 100 / snap.rate_per_s


def test_no_eta_without_a_total_or_a_rate_and_none_below_zero() -> None:
    unsized = ProgressMeter("r", None, _counters(ok=5), Limiter(1)).snapshot()
    assert (unsized.total, unsized.eta_s) == (None, None)
    only_cached = ProgressMeter("r", 10, _counters(cached=4), Limiter(1)).snapshot()
    assert (only_cached.done, only_cached.rate_per_s, only_cached.eta_s) == (4, 0.0, None)
    # more done than the total (a source that grew): nothing left, not a negative ETA
    past = ProgressMeter("r", 3, _counters(ok=5), Limiter(1))
    past.started = time.perf_counter() - 1.0
    assert past.snapshot().eta_s == 0.0


def test_cost_is_unknown_until_an_answer_was_priced() -> None:
    unpriced = ProgressMeter("r", None, _counters(ok=2, cost=0.0, priced=0), Limiter(1))
    assert unpriced.snapshot().cost is None  # never reported as zero
    priced = ProgressMeter("r", None, _counters(ok=2, cost=0.25, priced=2), Limiter(1))
    assert priced.snapshot().cost == 0.25


def test_the_snapshot_reports_the_limiters_cap_and_the_token_tallies() -> None:
    limiter = Limiter(8)
    limiter.on_overload(0.0)  # 8 → 4
    counters = _counters(ok=3, input_tokens=120, output_tokens=45, input_unknown=1)
    snap = ProgressMeter("r", None, counters, limiter).snapshot()
    assert (snap.concurrency_limit, snap.input_tokens, snap.output_tokens) == (4, 120, 45)
    assert snap.input_unknown == 1


def test_the_summary_takes_counts_from_the_counters_and_time_from_the_last_snapshot() -> None:
    counters = _counters(
        ok=7, errors=2, cached=3, attempts=12, retries=3, input_tokens=70, output_tokens=21
    )
    counters.input_unknown = 1
    meter = ProgressMeter("run-1", 12, counters, Limiter(4))
    final = Progress(
        run_id="run-1",
        done=12,
        total=12,
        ok=7,
        errors=2,
        cached=3,
        retries=3,
        in_flight=0,
        concurrency_limit=4,
        rate_per_s=4.5,
        input_tokens=70,
        output_tokens=21,
        cost=0.5,
        elapsed_s=2.0,
        eta_s=0.0,
    )
    summary = meter.summary(final, items=12)
    assert summary.model_dump() == {
        "run_id": "run-1",
        "items": 12,
        "ok": 7,
        "errors": 2,
        "cached": 3,
        "attempts": 12,
        "retries": 3,
        "input_tokens": 70,
        "output_tokens": 21,
        "cost": 0.5,
        "elapsed_s": 2.0,
        "rate_per_s": 4.5,
        "input_unknown": 1,
    }


def test_tick_hands_over_a_fresh_snapshot_each_interval_until_cancelled() -> None:
    async def scenario() -> list[int]:
        counters = Counters()
        meter = ProgressMeter("r", None, counters, Limiter(1))
        seen: list[int] = []
        three = asyncio.Event()

        def callback(progress: Progress) -> None:
            seen.append(progress.ok)
            counters.ok += 1  # the run moves on between ticks
            if len(seen) == 3:
                three.set()

        ticking = asyncio.create_task(meter.tick(callback, 0.001))
        await three.wait()
        ticking.cancel()
        await asyncio.gather(ticking, return_exceptions=True)
        return seen

    # each snapshot is taken when its tick comes: 0, then 1, then 2 answers; none after cancel
    assert asyncio.run(scenario()) == [0, 1, 2]
