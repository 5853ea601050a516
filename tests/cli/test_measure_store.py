"""`measure`'s exit codes and summary, and the reading commands on a read-only store."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from quanheng.cli import main
from quanheng.errors import EXIT_PARTIAL
from tests.measure.endpoint_study import ROOT, quanheng, write_study
from tests.measure.fakeserver import FakeServer, ServerConfig


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    code = exit_info.value.code
    captured = capsys.readouterr()
    return (code if isinstance(code, int) else 1), " ".join((captured.out + captured.err).split())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens


def _prompts(n: int) -> list[str]:
    return [f"item {i} <answer:B>" for i in range(n)]


def test_an_unreachable_endpoint_exits_3_and_counts_failures_as_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue #13 part 7: 40 of 40 failed used to exit 0 and print "40 answered now"."""
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    study = write_study(tmp_path / "study", url, _prompts(40), concurrency=8)
    code, out = _cli(["measure", str(study)], capsys)
    assert code == EXIT_PARTIAL == 3
    assert "1 task run: 0 answered now, 0 reused, 40 failed" in out
    assert "40 requests failed and have no answer; they stay retryable" in out
    assert "run the same command again" in out


def test_a_share_of_failures_exits_3_and_the_next_run_retries_only_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    faulty = ServerConfig(fault_rate=0.5, faults=("500",), seed=3)
    with FakeServer(faulty) as server:
        study = write_study(tmp_path / "study", server.url, _prompts(20))
        code, out = _cli(["measure", str(study)], capsys)
    found = re.search(r"(\d+) answered now, 0 reused, (\d+) failed", out)
    assert found, out
    answered, failed = int(found[1]), int(found[2])
    assert code == 3 and answered + failed == 20 and 0 < failed < 20

    with FakeServer() as server:  # healthy now; the port is not part of the request keys
        write_study(study, server.url, _prompts(20))
        code, out = _cli(["measure", str(study)], capsys)
        assert len(server.log) == failed  # only the failed ones were sent again
    assert code == 0
    assert f"{failed} answered now, {answered} reused, 0 failed" in out


def _can_bind_read_only(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    try:
        done = subprocess.run(
            [
                "unshare",
                "-m",
                "sh",
                "-c",
                f"mount --bind -o ro {probe} {probe} && ! touch {probe}/x",
            ],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@pytest.mark.parametrize("state", ["as-measure-left-it", "no-shm"])
def test_reading_commands_work_on_a_read_only_store_in_a_read_only_folder(
    tmp_path: Path, state: str
) -> None:
    """Issue #13 part 8: score, report, analyse, runs and collect() on a store that cannot be
    written. We run as root, whom chmod does not stop, so the study folder is also bind-mounted
    read-only in a private mount namespace (`unshare -m`): no process can write under it.

    ``as-measure-left-it``: the ``-shm`` file that reading after the run left is there
    (``mode=ro``); ``no-shm``: only the database file, as after a clean close, so the read
    falls back to ``immutable=1``."""
    if not _can_bind_read_only(tmp_path):
        pytest.skip("needs `unshare -m` and `mount --bind -o ro` (CAP_SYS_ADMIN)")
    with FakeServer() as server:
        study = write_study(tmp_path / "study", server.url, _prompts(4))
        measured = quanheng("measure", str(study))
    assert measured.returncode == 0, measured.stdout + measured.stderr
    runs = study / "runs"
    store = runs / "runs.sqlite"
    wal = runs / "runs.sqlite-wal"
    if state == "no-shm":
        assert not wal.exists() or wal.stat().st_size == 0  # every answer is in the main file
        for extra in (wal, runs / "runs.sqlite-shm"):
            extra.unlink(missing_ok=True)
    before = sorted(p.name for p in runs.iterdir())
    out = tmp_path / "out"
    out.mkdir()
    store.chmod(0o444)
    for folder in (runs, study):
        folder.chmod(0o555)
    py = shlex.quote(sys.executable)
    collect = (
        "import sys, quanheng; from quanheng.measure.pipeline import collect; "
        "print('collected', len(collect(quanheng.load_study(sys.argv[1]))))"
    )
    commands = [
        f"{py} -m quanheng runs {study}",
        f"{py} -m quanheng score {study} --json > {out}/score.json",
        f"{py} -m quanheng analyse {study} --draws 200",
        f"{py} -m quanheng report {study} --format md --lang en --draws 0 --out {out}/report",
        f"{py} -c {shlex.quote(collect)} {study}",
    ]
    script = f"mount --bind -o ro {study} {study} && set -e && " + " && ".join(commands)
    try:
        done = subprocess.run(
            ["unshare", "-m", "sh", "-c", script],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
        )
    finally:
        for folder in (study, runs):
            folder.chmod(0o755)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "total: 4 requests, 4 ok, 0 errors" in " ".join(done.stdout.split())
    assert "collected 1" in done.stdout  # probe.latency_p50_s
    assert '"probe"' in (out / "score.json").read_text(encoding="utf-8")
    assert any((out / "report").iterdir())
    assert sorted(p.name for p in runs.iterdir()) == before
