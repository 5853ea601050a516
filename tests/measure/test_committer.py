"""The committer: what another process finds on disk after each tick, gap and failure.

``on_disk`` opens its own SQLite connection, as a process reading the file after a SIGKILL of
the runner would: it sees committed rows only, never what the runner's connection has queued.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from quanheng.errors import MeasureError
from quanheng.measure.committer import Committer
from quanheng.measure.keys import Request
from quanheng.measure.records import Answer
from quanheng.measure.store import RunStore
from quanheng.specs.endpoint import Endpoint

ENDPOINT = Endpoint(base_url="http://127.0.0.1:1/v1", model="m")
ANSWER = Answer("B", "stop", 1, 1, "reported", 0.1, None, None)


def _item(i: int) -> Request:
    return Request.build(
        ENDPOINT,
        subject="s",
        task="t",
        item_id=str(i),
        messages=[{"role": "user", "content": f"q{i}"}],
    )


def _on_disk(path: Path) -> int:
    with sqlite3.connect(path) as other:
        return int(other.execute("SELECT COUNT(*) FROM requests").fetchone()[0])


class CountingStore(RunStore):
    """A real run store that also counts its commits (the committer's only side effect)."""

    commits = 0

    def commit(self) -> None:
        self.commits += 1
        super().commit()


def test_writes_of_one_tick_share_one_commit_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"

    async def scenario(store: CountingStore) -> tuple[int, int, int]:
        committer = Committer(store, gap_s=0.002)
        for i in range(3):  # three answers within one tick
            store._queue_ok(_item(i), "r", "{}", ANSWER, None, 1)
            committer.schedule()
        before = _on_disk(path)  # the tick has not ended: nothing committed yet
        await asyncio.sleep(0)
        return before, _on_disk(path), store.commits

    store = CountingStore(path)
    with store:
        before, after, commits = asyncio.run(scenario(store))
    # 3 rows queued, 0 on disk inside the tick; all 3 after it, in exactly 1 commit
    assert (before, after, commits) == (0, 3, 1)


def test_a_write_inside_the_gap_waits_for_the_gap_not_longer(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    gap = 0.3  # long enough that one tick never spans it, even on a loaded machine

    async def scenario(store: RunStore) -> list[int]:
        committer = Committer(store, gap_s=gap)
        loop = asyncio.get_running_loop()
        seen = []
        store._queue_ok(_item(0), "r", "{}", ANSWER, None, 1)
        committer.schedule()
        await asyncio.sleep(0)
        seen.append(_on_disk(path))  # first write: committed at the end of its tick
        flushed = loop.time()
        store._queue_ok(_item(1), "r", "{}", ANSWER, None, 1)
        committer.schedule()
        await asyncio.sleep(0)
        seen.append(_on_disk(path))  # second write, inside the gap: still waiting
        await asyncio.sleep(flushed + gap - loop.time() + 0.05)  # the gap has passed
        seen.append(_on_disk(path))
        return seen

    with RunStore(path) as store:
        assert asyncio.run(scenario(store)) == [1, 1, 2]


def test_cancel_drops_the_scheduled_commit_and_the_caller_commits(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"

    async def scenario(store: CountingStore) -> list[int]:
        committer = Committer(store)
        store._queue_ok(_item(0), "r", "{}", ANSWER, None, 1)
        committer.schedule()
        committer.cancel()
        await asyncio.sleep(0.01)  # past the end of the tick and the 2 ms gap: nothing ran
        seen = [_on_disk(path), store.commits]
        store.commit()  # what the runner does before closing the store
        seen.append(_on_disk(path))
        store._queue_ok(_item(1), "r", "{}", ANSWER, None, 1)
        committer.schedule()  # a cancelled committer schedules again
        await asyncio.sleep(0.01)
        seen.append(_on_disk(path))
        return seen

    store = CountingStore(path)
    with store:
        # 0 rows and 0 commits after the cancel; 1 row after the caller's commit; 2 after the next
        assert asyncio.run(scenario(store)) == [0, 0, 1, 2]


def test_a_failed_commit_is_kept_and_raised_by_check_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"

    async def scenario(store: RunStore) -> tuple[int, bool]:
        committer = Committer(store)
        store._queue_ok(_item(0), "r", "{}", ANSWER, None, 1)
        committer.schedule()
        await asyncio.sleep(0)
        committer.check()  # the good commit: nothing to raise
        bad_body: object = object()  # SQLite cannot bind it: the next commit fails
        store._queue_ok(_item(1), "r", bad_body, ANSWER, None, 1)  # type: ignore[arg-type]
        committer.schedule()
        await asyncio.sleep(0.01)  # past the 2 ms gap; the failure stays in the loop's callback
        return _on_disk(path), isinstance(committer.error, sqlite3.Error)

    with RunStore(path) as store:
        committer_rows, kept = asyncio.run(scenario(store))
        assert (committer_rows, kept) == (1, True)  # the first answer stays on disk
        committer = Committer(store)
        committer.error = sqlite3.OperationalError("disk I/O error")
        with pytest.raises(MeasureError) as raised:
            committer.check()
    assert str(raised.value) == (
        f"cannot write to the run store {path}: disk I/O error; answers committed so far are "
        "kept — free space or fix the file and re-run"
    )
