"""The AIMD limiter: its decisions for a given sequence of events, on logical time.

Every ``now`` below is a number handed in, not the clock; only the tests of waiting use a
real event loop, and they assert order and counts, never durations.
"""

from __future__ import annotations

import asyncio

from quanheng.measure.limiter import Limiter


def test_overload_halves_at_most_once_per_window_and_never_below_one() -> None:
    limiter = Limiter(8)
    caps = []
    # no success yet, so the window is the 0.05 s floor: 0.0 halves, 0.01 is inside the window,
    # 0.06 / 0.12 / 0.18 are each ≥ 0.05 after the last decrease; 8 → 4 → 2 → 1 → 1 (floor)
    for now in (0.0, 0.01, 0.06, 0.12, 0.18):
        limiter.on_overload(now)
        caps.append(limiter.cap)
    assert caps == [4, 4, 2, 1, 1]
    assert limiter.limit == 1.0


def test_the_decrease_window_is_the_moving_average_latency() -> None:
    limiter = Limiter(8)
    limiter.on_overload(0.0)  # 8 → 4
    limiter.on_success(0.2)  # first latency is taken as is: 0.2 s; limit 4 + 1/4 = 4.25
    assert limiter.limit == 4.25
    limiter.on_overload(0.1)  # 0.1 after the decrease < 0.2: a burst counted once
    assert limiter.limit == 4.25
    limiter.on_overload(0.2)  # 0.2 is not < 0.2: halves to 2.125
    assert (limiter.limit, limiter.cap) == (2.125, 2)
    limiter.on_success(1.2)  # 0.9 · 0.2 + 0.1 · 1.2 = 0.3; limit 2.125 + 1/2.125
    limiter.on_overload(0.49)  # 0.29 after the last decrease < 0.3: ignored
    assert limiter.cap == 2
    limiter.on_overload(0.51)  # 0.31 ≥ 0.3: halves
    assert limiter.cap == 1


def test_success_grows_the_limit_by_one_over_limit_up_to_the_maximum() -> None:
    limiter = Limiter(4)
    limiter.on_overload(0.0)  # 4 → 2
    caps = []
    for _ in range(7):
        limiter.on_success(0.01)
        caps.append(limiter.cap)
    # 2 → 2.5 → 2.9 → 3.245 → 3.553 → 3.834 → min(4, 4.095) = 4 → stays 4 (the maximum)
    assert caps == [2, 2, 3, 3, 3, 4, 4]
    assert limiter.limit == 4.0


def test_try_acquire_takes_free_slots_and_refuses_when_full_or_paused() -> None:
    limiter = Limiter(2)
    assert [limiter.try_acquire(0.0) for _ in range(3)] == [True, True, False]
    assert limiter.in_use == 2
    limiter.release()
    limiter.pause(1.0, 5.0)  # Retry-After 5 s at t = 1: no new attempt before t = 6
    assert limiter.pause_until == 6.0
    assert [limiter.try_acquire(5.9), limiter.try_acquire(6.0)] == [False, True]


def test_a_pause_only_ever_extends() -> None:
    limiter = Limiter(1)
    limiter.pause(0.0, 5.0)
    limiter.pause(1.0, 2.0)  # ends at 3, before 5: the longer pause stands
    assert limiter.pause_until == 5.0
    limiter.pause(1.0, 10.0)
    assert limiter.pause_until == 11.0


def test_released_slots_go_to_the_longest_waiter_first() -> None:
    async def scenario() -> tuple[list[str], bool, int]:
        limiter = Limiter(1)
        await limiter.acquire()  # the only slot
        order: list[str] = []

        async def worker(name: str) -> None:
            await limiter.acquire()
            order.append(name)

        tasks = [asyncio.create_task(worker(n)) for n in ("b", "c", "d")]
        await asyncio.sleep(0)  # all three queue, in that order
        limiter.release()  # handed to b directly: the slot never becomes free
        late = limiter.try_acquire(0.0)  # one arriving now cannot take b's slot
        for _ in range(2):
            await asyncio.sleep(0)
            limiter.release()
        await asyncio.gather(*tasks)
        return order, late, limiter.in_use

    # b, c and d in arrival order; the late try_acquire failed; d still holds the one slot
    assert asyncio.run(scenario()) == (["b", "c", "d"], False, 1)


def test_a_cancelled_waiter_passes_on_a_slot_it_was_handed_or_leaves_the_queue() -> None:
    async def scenario() -> tuple[list[str], int, int]:
        limiter = Limiter(1)
        await limiter.acquire()
        got: list[str] = []

        async def worker(name: str) -> None:
            await limiter.acquire()
            got.append(name)

        b, c, d = (asyncio.create_task(worker(n)) for n in "bcd")
        await asyncio.sleep(0)
        c.cancel()  # c leaves the queue while waiting
        await asyncio.sleep(0)
        limiter.release()  # handed to b ...
        b.cancel()  # ... which is cancelled before it resumes: the slot goes on to d
        await asyncio.gather(b, c, d, return_exceptions=True)
        waiting = len(limiter._waiters)
        return got, limiter.in_use, waiting

    assert asyncio.run(scenario()) == (["d"], 1, 0)


def test_growth_past_the_cap_wakes_a_waiter() -> None:
    async def scenario() -> tuple[int, int]:
        limiter = Limiter(2)
        limiter.on_overload(0.0)  # 2 → 1
        await limiter.acquire()
        waiter = asyncio.create_task(limiter.acquire())
        await asyncio.sleep(0)
        queued = limiter.in_use  # 1: the waiter is queued
        limiter.on_success(0.01)  # 1 + 1/1 = 2: a second slot, handed to the waiter
        await waiter
        return queued, limiter.in_use

    assert asyncio.run(scenario()) == (1, 2)


def test_acquire_waits_for_a_running_pause_to_end() -> None:
    async def scenario() -> bool:
        limiter = Limiter(4)
        loop = asyncio.get_running_loop()
        limiter.pause(loop.time(), 0.05)
        await limiter.acquire()
        return loop.time() >= limiter.pause_until  # no attempt started inside the pause

    assert asyncio.run(scenario()) is True
