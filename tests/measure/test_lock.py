"""One writer per run store: real processes, a real flock, released even by SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quanheng.errors import StoreInUse
from quanheng.measure.lock import StoreLock, lock_path, writer_lock
from tests.measure.endpoint_study import ROOT, quanheng, write_study
from tests.measure.fakeserver import FakeServer, ServerConfig

HOLD = (
    "import sys, time\n"
    "from quanheng.measure.lock import StoreLock\n"
    "lock = StoreLock(sys.argv[1]); lock.acquire()\n"
    "print('READY', flush=True); time.sleep(float(sys.argv[2]))\n"
)


def _holder(store: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that takes the store's lock and keeps it for ``seconds``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "READY"
    finally:
        proc.stdout.close()  # READY is all it prints
    return proc


def _prompts(n: int) -> list[str]:
    return [f"item {i} <answer:A>" for i in range(n)]


def test_a_second_measure_stops_at_once_naming_the_holder_and_sigkill_frees_it(
    tmp_path: Path,
) -> None:
    with FakeServer() as server:
        study = write_study(tmp_path / "study", server.url, _prompts(5))
        store = study / "runs" / "runs.sqlite"
        holder = _holder(store, 60)
        try:
            started = time.monotonic()
            busy = quanheng("measure", str(study))
            assert time.monotonic() - started < 30  # it did not wait for the holder
            assert busy.returncode == 2, busy.stdout + busy.stderr
            lines = busy.stderr.strip().splitlines()
            assert len(lines) == 1 and f"pid {holder.pid}" in lines[0]
            assert "started 20" in lines[0] and "--wait" in lines[0]
            assert server.log == []  # nothing was sent
            assert "measuring" not in busy.stdout  # stopped before drawing the board
        finally:
            holder.send_signal(signal.SIGKILL)  # no clean-up runs: the kernel drops the lock
            holder.wait(10)
        assert lock_path(store).exists()  # the file stays; its lock went with the process
        assert StoreLock(store).holder() is None
        done = quanheng("measure", str(study))
        assert done.returncode == 0, done.stdout + done.stderr
        assert len(server.log) == 5


def test_two_measures_at_once_send_every_item_once(tmp_path: Path) -> None:
    """Issue #13 part 6: two processes on one study used to send everything twice."""
    with FakeServer(ServerConfig(service_ms=150)) as server:  # the first takes ≥ 3 s
        study = write_study(tmp_path / "study", server.url, _prompts(20), concurrency=1)
        store = study / "runs" / "runs.sqlite"
        first = subprocess.Popen(
            [sys.executable, "-m", "quanheng", "measure", str(study)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            deadline = time.monotonic() + 60
            while StoreLock(store).holder() is None:  # until the first one holds the store
                assert first.poll() is None and time.monotonic() < deadline
                time.sleep(0.02)
            holder = StoreLock(store).holder()
            assert holder is not None and holder.pid == first.pid
            second = quanheng("measure", str(study))
            assert second.returncode == 2 and f"pid {first.pid}" in second.stderr
            out, err = first.communicate(timeout=120)
        finally:
            if first.poll() is None:
                first.kill()
        assert first.returncode == 0, out + err
        assert len(server.log) == 20  # each item once, not 40


def test_wait_queues_behind_the_holder(tmp_path: Path) -> None:
    with FakeServer() as server:
        study = write_study(tmp_path / "study", server.url, _prompts(3))
        holder = _holder(study / "runs" / "runs.sqlite", 120)
        waiter = subprocess.Popen(
            [sys.executable, "-m", "quanheng", "measure", str(study), "--wait"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            assert waiter.stderr is not None
            said = waiter.stderr.readline()  # blocks until it says it is waiting
            assert "waiting" in said and f"pid {holder.pid}" in said
            assert waiter.poll() is None and server.log == []  # waiting, sending nothing
            holder.send_signal(signal.SIGKILL)
            holder.wait(10)
            out, err = waiter.communicate(timeout=120)
        finally:
            for proc in (holder, waiter):
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(10)
        assert waiter.returncode == 0, out + err
        assert len(server.log) == 3


def test_the_lock_is_reentrant_in_one_process_and_exclusive_across_processes(
    tmp_path: Path,
) -> None:
    store = tmp_path / "runs" / "runs.sqlite"
    with writer_lock(store) as outer:
        with writer_lock(store):  # the CLI holds it and the pipeline takes it again
            pass
        check = subprocess.run(
            [sys.executable, "-c", HOLD, str(store), "0"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=60,
        )
        assert check.returncode != 0 and "StoreInUse" in check.stderr
        assert f"pid {os.getpid()}" in check.stderr
        assert outer.holder() is not None
    assert StoreLock(store).holder() is None
    with pytest.raises(StoreInUse, match="being written"):
        holder = _holder(store, 30)
        try:
            StoreLock(store).acquire()
        finally:
            holder.kill()
            holder.wait(10)
