"""The item source: chunks of 64, answered keys dropped, read-ahead, and a source that fails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from quanheng.measure.keys import Request
from quanheng.measure.progress import Counters
from quanheng.measure.records import Answer
from quanheng.measure.source import CHUNK, ItemSource
from quanheng.measure.store import RunStore
from quanheng.specs.endpoint import Endpoint

ENDPOINT = Endpoint(base_url="http://127.0.0.1:1/v1", model="m")
ANSWER = Answer("x", "stop", 1, 1, "reported", 0.1, None, None)


def _items(n: int, prefix: str = "q") -> list[Request]:
    return [
        Request.build(
            ENDPOINT,
            subject="s",
            task="t",
            item_id=f"{prefix}{i}",
            messages=[{"role": "user", "content": f"{prefix}{i}"}],
        )
        for i in range(n)
    ]


class Pulled:
    """A plain generator over ``items`` that counts how many were taken from it."""

    def __init__(self, items: list[Request], fail_after: int | None = None) -> None:
        self.items = items
        self.fail_after = fail_after
        self.taken = 0

    def __iter__(self) -> Iterator[Request]:
        for item in self.items:
            if self.taken == self.fail_after:
                raise ValueError(f"dataset row {self.taken + 1}: no question field")
            self.taken += 1
            yield item


async def _drain(source: ItemSource) -> list[tuple[str, bool]]:
    out = []
    while (got := await source.next()) is not None:
        out.append((got[0].item_id, got[1]))
    return out


def test_the_source_is_read_one_chunk_of_64_at_a_time(tmp_path: Path) -> None:
    items = _items(150)
    pulled = Pulled(items)

    async def scenario(store: RunStore) -> tuple[int, int, list[tuple[str, bool]]]:
        source = ItemSource(pulled, store, Counters())
        first = await source.next()
        assert first is not None
        after_first = (pulled.taken, source.read)
        rest = await _drain(source)
        return after_first[0], after_first[1], [(first[0].item_id, first[1]), *rest]

    with RunStore(tmp_path / "runs.sqlite") as store:
        taken, read, got = asyncio.run(scenario(store))
    assert CHUNK == 64
    assert (taken, read) == (64, 64)  # one item asked for, one chunk read, no more
    assert got == [(f"q{i}", False) for i in range(150)]  # every item once, in order


def test_keys_answered_ok_are_skipped_and_counted_cached_but_errors_are_sent_again(
    tmp_path: Path,
) -> None:
    items = _items(20)
    counters = Counters()
    with RunStore(tmp_path / "runs.sqlite") as store:
        for item in items[:10]:  # answered by an earlier run
            store.put_ok(item, run_id="old", body={}, answer=ANSWER, cost=None, attempts=1)
        for item in items[10:15]:  # failed in an earlier run: not an answer
            store.put_error(item, run_id="old", body={}, error="http_500", attempts=5)
        source = ItemSource(items, store, counters)
        got = asyncio.run(_drain(source))
    assert got == [(f"q{i}", False) for i in range(10, 20)]
    assert (counters.cached, source.read) == (10, 20)


def test_a_key_read_while_still_open_is_marked_as_a_repeat(tmp_path: Path) -> None:
    items = _items(2)
    fillers = _items(CHUNK - 1, prefix="f")
    # chunk 1: q0, q1, q0 ... ; chunk 2 (after 64 items): q0 again
    stream = [items[0], items[1], items[0], *fillers[:61], items[0]]

    async def scenario(store: RunStore, finish_all: bool) -> list[tuple[str, bool]]:
        source = ItemSource(stream, store, Counters())
        out = []
        for _ in range(CHUNK):
            got = await source.next()
            assert got is not None
            out.append((got[0].item_id, got[1]))
            if finish_all:
                source.finished(got[0].key)
        last = await source.next()
        assert last is not None
        out.append((last[0].item_id, last[1]))
        return out

    with RunStore(tmp_path / "runs.sqlite") as store:
        kept_open = asyncio.run(scenario(store, finish_all=False))
        finished = asyncio.run(scenario(store, finish_all=True))
    # q0's second copy is read in the same chunk as the first: a repeat either way
    assert kept_open[:3] == [("q0", False), ("q1", False), ("q0", True)]
    assert finished[:3] == [("q0", False), ("q1", False), ("q0", True)]
    # the copy in chunk 2: still open (a repeat) unless every earlier copy finished
    assert (kept_open[-1], finished[-1]) == (("q0", True), ("q0", False))


def test_pop_reads_the_next_chunk_ahead_once_half_the_buffer_is_used(tmp_path: Path) -> None:
    pulled = Pulled(_items(200))

    async def settle() -> None:
        for _ in range(20):  # the read-ahead yields every 16 items: let it run
            await asyncio.sleep(0)

    async def scenario(store: RunStore) -> list[int]:
        source = ItemSource(pulled, store, Counters())
        await source.next()  # chunk 1 read; 63 left in the buffer
        seen = []
        for _ in range(30):  # 63 → 33 buffered: still more than half of 64
            assert source.pop() is not None
        await settle()
        seen.append(source.read)
        source.pop()  # 33 buffered ≤ 32? no: 33 → 32
        await settle()
        seen.append(source.read)
        source.pop()  # 32 ≤ 32: the read-ahead starts
        await settle()
        seen.append(source.read)
        ids = []
        while (got := source.pop()) is not None:
            ids.append(got[0].item_id)
        seen.append(int(ids[0][1:]))
        seen.append(int(ids[-1][1:]))
        source.close()
        return seen

    with RunStore(tmp_path / "runs.sqlite") as store:
        # read 64, 64, 128; the buffer then runs on from q33 without a gap
        first, second, third, head, tail = asyncio.run(scenario(store))
    assert (first, second, third) == (64, 64, 128)
    assert (head, tail) == (33, 127)  # 31 left of chunk 1, then all 64 of chunk 2


@pytest.mark.parametrize("lazy", [False, True])
def test_an_async_source_is_chunked_the_same(tmp_path: Path, lazy: bool) -> None:
    items = _items(70)

    async def agen() -> AsyncIterator[Request]:
        for item in items:
            yield item

    async def scenario(store: RunStore) -> tuple[int, list[tuple[str, bool]]]:
        source = ItemSource(agen() if lazy else items, store, Counters())
        first = await source.next()
        assert first is not None
        read = source.read
        return read, [(first[0].item_id, first[1]), *await _drain(source)]

    with RunStore(tmp_path / "runs.sqlite") as store:
        read, got = asyncio.run(scenario(store))
    assert read == 64
    assert got == [(f"q{i}", False) for i in range(70)]


def test_a_source_failing_in_the_read_ahead_fails_every_worker_that_needs_an_item(
    tmp_path: Path,
) -> None:
    pulled = Pulled(_items(200), fail_after=100)  # chunk 1 reads; chunk 2 fails at row 101

    async def workers(store: RunStore) -> tuple[int, list[str]]:
        source = ItemSource(pulled, store, Counters())
        delivered = 0
        errors: list[str] = []

        async def worker() -> None:  # the runner's order: what is buffered, else wait
            nonlocal delivered
            while True:
                try:
                    got = source.pop() or await source.next()
                except ValueError as exc:
                    errors.append(str(exc))
                    return
                if got is None:
                    return
                delivered += 1
                await asyncio.sleep(0)

        await asyncio.gather(worker(), worker())
        return delivered, errors

    with RunStore(tmp_path / "runs.sqlite") as store:
        delivered, errors = asyncio.run(workers(store))
    # the 64 items of chunk 1 reach the workers; the failure reaches each one after that
    assert delivered == 64
    assert errors == ["dataset row 101: no question field"] * 2


def test_a_source_failing_in_a_workers_own_read_fails_every_worker(tmp_path: Path) -> None:
    pulled = Pulled(_items(100), fail_after=10)  # the first chunk fails at row 11

    async def scenario(store: RunStore) -> list[str]:
        source = ItemSource(pulled, store, Counters())
        seen = []
        for _ in range(2):  # two workers in turn, each with an empty buffer
            try:
                seen.append(repr(await source.next()))
            except ValueError as exc:
                seen.append(str(exc))
        return seen

    with RunStore(tmp_path / "runs.sqlite") as store:
        assert asyncio.run(scenario(store)) == ["dataset row 11: no question field"] * 2
