"""SIGKILL the runner process mid-run, resume, and end with exactly an uninterrupted run's store."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from quanheng.measure.keys import Request
from quanheng.measure.runner import RetryPolicy, run_requests
from quanheng.measure.store import RunStore
from tests.measure.fakeserver import FakeServer, ServerConfig, body_key
from tests.measure.kill_worker import make_endpoint, make_requests

ROOT = Path(__file__).resolve().parents[2]
ITEMS = 240
CONFIG = ServerConfig(
    fault_rate=0.1,
    service_ms=30,
    seed=11,
    faults=("429", "500", "503", "malformed", "cut"),
    max_faults_per_key=2,  # with max_retries=4 every item must end ok
    retry_after_s=0.01,
)


def _answers(db: Path) -> dict[str, str | None]:
    with RunStore(db) as store:
        return {r.key: r.response for r in store.iter_requests() if r.status == "ok"}


def _spawn(url: str, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.measure.kill_worker",
            "--base-url",
            url,
            "--db",
            str(db),
            "--items",
            str(ITEMS),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _oks(server: FakeServer) -> int:
    return sum(1 for e in list(server.log) if e["outcome"] == "ok")


def test_sigkill_at_random_points_then_resume_matches_uninterrupted(tmp_path: Path) -> None:
    # The reference: one uninterrupted run in this process.
    with FakeServer(CONFIG) as server:
        endpoint = make_endpoint(server.url)
        with RunStore(tmp_path / "reference.sqlite") as store:
            summary = asyncio.run(
                run_requests(
                    endpoint,
                    make_requests(endpoint, ITEMS),
                    store,
                    retry=RetryPolicy(base_s=0.02, max_s=0.2),
                )
            )
        assert summary.ok == ITEMS
    reference = _answers(tmp_path / "reference.sqlite")

    db = tmp_path / "killed.sqlite"
    thresholds = sorted(random.Random(2024).sample(range(20, ITEMS - 40), 3))
    with FakeServer(CONFIG) as server:
        endpoint = make_endpoint(server.url)
        requests: list[Request] = make_requests(endpoint, ITEMS)
        server_key = {body_key(endpoint.body(r.messages)): r.key for r in requests}
        phases: list[tuple[int, set[str]]] = []  # (log length at kill, keys stored by then)
        for threshold in thresholds:
            proc = _spawn(server.url, db)
            deadline = time.monotonic() + 30
            while _oks(server) < threshold:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "runner made no progress"
                time.sleep(0.002)
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=10)
            assert proc.returncode == -signal.SIGKILL
            time.sleep(0.1)  # let the server finish logging the connections that died
            phases.append((len(server.log), set(_answers(db))))
        proc = _spawn(server.url, db)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        log = list(server.log)

    # Each kill landed mid-run: some items stored, not all, and more each time.
    stored = [len(keys) for _, keys in phases]
    assert 0 < stored[0] < stored[1] < stored[2] < ITEMS, stored
    # Zero repeated requests for items already stored when the runner was killed.
    for boundary, keys in phases:
        later = {server_key[e["key"]] for e in log[boundary:]}
        assert not (later & keys)
    # No item was answered by the server more often than it was killed-while-in-flight + 1.
    oks_per_key: dict[str, int] = {}
    for entry in log:
        if entry["outcome"] == "ok":
            oks_per_key[entry["key"]] = oks_per_key.get(entry["key"], 0) + 1
    assert max(oks_per_key.values()) <= 1 + len(phases)
    # The final store is the uninterrupted run's store.
    final = _answers(db)
    assert final == reference and len(final) == ITEMS
    with RunStore(db) as store:
        assert store.summary().errors == 0
        runs = store.list_runs()
        assert len(runs) == 4 and [r.finished is None for r in runs] == [True] * 3 + [False]
