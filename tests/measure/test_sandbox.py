"""The sandbox refuses the network and kills runaway loops and memory bombs."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from quanheng.measure.sandbox import netns_available, run_python


@pytest.fixture
def listening_port() -> Iterator[int]:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    try:
        yield int(srv.getsockname()[1])
    finally:
        srv.close()


def _connect_code(port: int) -> str:
    return (
        "import socket\n"
        f"socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
        "print('CONNECTED')\n"
    )


def test_connection_works_outside_the_sandbox(listening_port: int) -> None:
    socket.create_connection(("127.0.0.1", listening_port), timeout=3).close()


@pytest.mark.parametrize("isolation", ["auto", "socket"])
def test_network_refused(listening_port: int, isolation: str) -> None:
    result = run_python(_connect_code(listening_port), isolation=isolation)  # type: ignore[arg-type]
    assert result.status == "error"
    assert "CONNECTED" not in result.stdout
    assert "Error" in result.stderr


@pytest.mark.skipif(not netns_available(), reason="unshare -n is not available here")
def test_network_namespace_has_no_loopback(listening_port: int) -> None:
    result = run_python(_connect_code(listening_port), isolation="netns")
    assert result.isolation == "netns" and result.status == "error"
    assert "CONNECTED" not in result.stdout


def test_runaway_loop_is_killed_within_its_limit() -> None:
    start = time.monotonic()
    result = run_python("while True:\n    pass\n", timeout_s=1.5)
    assert result.status == "timeout"
    assert time.monotonic() - start < 5


def test_forked_children_are_killed_with_the_group() -> None:
    code = "import os, time\nif os.fork() == 0:\n    time.sleep(60)\nwhile True:\n    pass\n"
    start = time.monotonic()
    result = run_python(code, timeout_s=1.0)
    assert result.status == "timeout" and time.monotonic() - start < 5


@pytest.mark.parametrize(
    "code",
    ["x = bytearray(16 * 1024 ** 3)\n", "xs = []\nwhile True:\n    xs.append(' ' * 10 ** 7)\n"],
)
def test_memory_bomb_is_stopped(code: str) -> None:
    result = run_python(code, memory_mb=256, timeout_s=10)
    assert result.status == "memory"
    assert result.duration_s < 10


def test_correct_code_exits_normally() -> None:
    result = run_python("print(sum(range(10)))\nassert 1 + 1 == 2\n")
    assert result.ok and result.stdout.strip() == "45" and result.returncode == 0


def test_failed_assert_is_an_error_and_stdin_is_closed() -> None:
    assert run_python("assert 1 == 2\n").status == "error"
    result = run_python("import sys\nprint(repr(sys.stdin.read()))\n")
    assert result.ok and result.stdout.strip() == "''"


def test_output_is_capped() -> None:
    result = run_python("print('x' * 1_000_000)\n", output_limit=1000)
    assert result.truncated and len(result.stdout) == 1000


def test_runs_in_a_fresh_temp_dir() -> None:
    result = run_python("import os\nprint(os.getcwd())\nopen('f.txt', 'w').write('x')\n")
    assert result.ok and "quanheng-sandbox-" in result.stdout
    again = run_python("import os\nprint(os.path.exists('f.txt'))\n")
    assert again.stdout.strip() == "False"
