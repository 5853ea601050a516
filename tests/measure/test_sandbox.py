"""The bubblewrap sandbox against the attacks of issue 13, with the real ``bwrap``.

Each test runs hostile code for real and looks from the host for what it must not have done:
a connection accepted, a file written, a secret printed, a process left running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from quanheng.measure import pipeline
from quanheng.measure.datasets import Item
from quanheng.measure.sandbox import run_python
from quanheng.measure.scorers import Score, ScorerSpec, build_scorer
from quanheng.measure.scorers import _code as code_scorer
from quanheng.measure.store import RunStore, StoredRequest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.5)
    try:
        yield srv
    finally:
        srv.close()


def _accepted(srv: socket.socket) -> bool:
    try:
        srv.accept()[0].close()
    except TimeoutError:
        return False
    return True


def _marked(marker: str) -> list[int]:
    """Host pids with ``marker`` as one argument (sandboxed sleepers carry it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                if marker.encode() in (entry / "cmdline").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _wait_until(cond: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


# A sleeper the host can find by its marker: a child, and a double-forked setsid grandchild.
_SLEEPERS = """
import os, sys, time
def sleeper():
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "{m}"])
if os.fork() == 0:
    sleeper()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        sleeper()
    os._exit(0)
with open("/tmp/{m}.left", "w") as fh:
    fh.write("x")
time.sleep({sleep})
"""


# -- network -------------------------------------------------------------------------------


def test_tcp_to_the_hosts_loopback_fails(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
    result = run_python(code)
    assert result.status == "error" and not _accepted(listener)


def test_setns_back_into_a_host_network_namespace_fails(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    code = textwrap.dedent(f"""
        import ctypes, os, socket
        libc = ctypes.CDLL(None, use_errno=True)
        joined = 0
        for pid in [p for p in os.listdir("/proc") if p.isdigit()] + ["{os.getpid()}", "1"]:
            try:
                fd = os.open(f"/proc/{{pid}}/ns/net", os.O_RDONLY)
            except OSError:
                continue
            if libc.setns(fd, 0x40000000) == 0:
                joined += 1
                try:
                    socket.create_connection(("127.0.0.1", {port}), timeout=1).close()
                    print("CONNECTED")
                except OSError:
                    pass
        print("joined", joined)
    """)
    result = run_python(code)
    assert "CONNECTED" not in result.stdout and not _accepted(listener)
    assert result.stdout.strip().endswith("joined 0")


def test_unix_socket_by_path_fails(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(1)
    srv.settimeout(0.5)
    try:
        code = f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({str(path)!r})\n"
        assert run_python(code).status == "error"
        assert not _accepted(srv)
    finally:
        srv.close()


# -- the host's files and secrets ------------------------------------------------------------


def test_host_secrets_and_the_store_are_out_of_reach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = f"sk-{uuid.uuid4().hex}"
    monkeypatch.setenv("QUANHENG_TEST_API_KEY", secret)
    db = tmp_path / "runs" / "runs.sqlite"
    RunStore(db).close()
    code = textwrap.dedent(f"""
        import os, sqlite3
        seen = []
        for pid in [p for p in os.listdir("/proc") if p.isdigit()] + ["{os.getpid()}"]:
            try:
                seen.append(open(f"/proc/{{pid}}/environ", "rb").read())
            except OSError:
                pass
        print("SECRET" if any({secret!r}.encode() in s for s in seen) else "clean")
        print(os.environ)
        for path in ["/etc/shadow", "/etc/passwd", {str(db)!r}, "/work"]:
            print(path, os.path.exists(path))
        try:
            sqlite3.connect("file:{db}?mode=rw", uri=True).execute("CREATE TABLE pwned (x)")
            print("WROTE")
        except sqlite3.Error:
            pass
    """)
    result = run_python(code)
    assert result.ok, result.stderr
    assert secret not in result.stdout and "SECRET" not in result.stdout
    assert "WROTE" not in result.stdout
    assert all(line.endswith("False") for line in result.stdout.splitlines()[2:6])
    with RunStore(db) as store:
        tables = {r[0] for r in store._db.execute("SELECT name FROM sqlite_master")}
    assert "pwned" not in tables


def test_it_runs_as_nobody_inside_and_outside() -> None:
    assert run_python("import os\nprint(os.getuid(), os.getgid())\n").stdout.strip() == (
        "65534 65534"
    )
    marker = f"qh{uuid.uuid4().hex}"
    parent_code = (
        "from quanheng.measure.sandbox import run_python\n"
        f"run_python({_SLEEPERS.format(m=marker, sleep=600)!r}, timeout_s=600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], cwd=REPO)
    try:
        assert _wait_until(lambda: len(_marked(marker)) >= 2, 20), "sleepers never started"
        for pid in _marked(marker):  # as the host sees them: real uid 65534, not root
            status = Path(f"/proc/{pid}/status").read_text()
            uids = next(line for line in status.splitlines() if line.startswith("Uid:"))
            assert uids.split()[1:] == ["65534"] * 4
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()


def test_writing_outside_the_temp_dir_fails(tmp_path: Path) -> None:
    target = tmp_path / "escaped.txt"
    code = textwrap.dedent(f"""
        import os
        for path in [{str(target)!r}, "/usr/escaped.txt", "/escaped.txt", "/proc/escaped"]:
            try:
                open(path, "w").write("x")
                print("WROTE", path)
            except OSError:
                pass
        open("/tmp/inside.txt", "w").write("x")
        print(os.getcwd())
    """)
    result = run_python(code)
    assert result.ok and "WROTE" not in result.stdout and not target.exists()
    assert result.stdout.strip() == "/tmp"


# -- processes ---------------------------------------------------------------------------------


def test_no_process_survives_the_run_and_nothing_is_left_on_disk() -> None:
    marker = f"qh{uuid.uuid4().hex}"
    result = run_python(_SLEEPERS.format(m=marker, sleep=0), timeout_s=10)
    assert result.ok, result.stderr
    assert _wait_until(lambda: not _marked(marker), 5), _marked(marker)
    assert not list(Path(tempfile.gettempdir()).glob(f"**/{marker}.left"))


def test_no_process_survives_a_sigkill_of_quanheng() -> None:
    marker = f"qh{uuid.uuid4().hex}"
    parent_code = (
        "from quanheng.measure.sandbox import run_python\n"
        f"run_python({_SLEEPERS.format(m=marker, sleep=600)!r}, timeout_s=600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], cwd=REPO)
    try:
        assert _wait_until(lambda: len(_marked(marker)) >= 2, 20), "sleepers never started"
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert _wait_until(lambda: not _marked(marker), 5), _marked(marker)
    assert not list(Path(tempfile.gettempdir()).glob(f"**/{marker}.left"))


def test_a_timeout_kills_the_whole_tree() -> None:
    marker = f"qh{uuid.uuid4().hex}"
    start = time.monotonic()
    result = run_python(_SLEEPERS.format(m=marker, sleep=600), timeout_s=1.5)
    assert result.status == "timeout" and time.monotonic() - start < 6
    assert _wait_until(lambda: not _marked(marker), 5), _marked(marker)


def test_killing_its_parent_or_everyone_cannot_kill_quanheng() -> None:
    runner = (
        "from quanheng.measure.sandbox import run_python\n"
        "a = run_python('import os, signal\\nos.kill(os.getppid(), signal.SIGKILL)\\n')\n"
        "b = run_python('import os, signal\\nos.kill(-1, signal.SIGKILL)\\n')\n"
        "print('ALIVE', a.status, b.status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", runner], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ALIVE")


def test_a_fork_bomb_is_capped_and_stopped() -> None:
    count = "import os, time\nn = 0\ntry:\n    while n < 200:\n        if os.fork() == 0:\n"
    count += "            time.sleep(30)\n        n += 1\nexcept OSError:\n    pass\nprint(n)\n"
    capped = run_python(count, max_processes=16, timeout_s=10)
    assert capped.ok and int(capped.stdout) < 16
    start = time.monotonic()
    bomb = run_python(
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        timeout_s=2,
    )
    assert bomb.status == "timeout" and time.monotonic() - start < 8


@pytest.mark.parametrize(
    "code",
    ["x = bytearray(16 * 1024 ** 3)\n", "xs = []\nwhile True:\n    xs.append(' ' * 10 ** 7)\n"],
)
def test_memory_bomb_is_stopped(code: str) -> None:
    result = run_python(code, memory_mb=256, timeout_s=10)
    assert result.status == "memory" and result.duration_s < 10


def test_runaway_loop_is_killed_within_its_limit() -> None:
    start = time.monotonic()
    assert run_python("while True:\n    pass\n", timeout_s=1.5).status == "timeout"
    assert time.monotonic() - start < 5


def test_correct_code_exits_normally_and_stdin_is_closed() -> None:
    result = run_python("import sys\nprint(sum(range(10)), repr(sys.stdin.read()))\n")
    assert result.ok and result.stdout.strip() == "45 ''" and result.returncode == 0
    assert run_python("assert 1 == 2\n").status == "error"


def test_output_is_capped() -> None:
    result = run_python("print('x' * 1_000_000)\n", output_limit=1000)
    assert result.truncated and len(result.stdout) == 1000


# -- executed once ---------------------------------------------------------------------------


def test_a_code_answer_is_executed_once_then_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[str] = []
    real = code_scorer.run_python  # type: ignore[attr-defined]

    def counted(code: str, **kwargs: object) -> object:
        runs.append(code)
        return real(code, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(code_scorer, "run_python", counted)
    scorer = build_scorer(ScorerSpec(name="code", args={"timeout_s": 5}))
    item = Item(
        id="add",
        fields={
            "prompt": "def add(a, b):\n",
            "test": "def check(f):\n    assert f(1, 2) == 3\n",
            "entry_point": "add",
        },
    )
    answers = {"good": "    return a + b\n", "killer": "    import os; os.kill(os.getppid(), 9)\n"}
    db = tmp_path / "runs.sqlite"
    RunStore(db).close()

    def score_all() -> dict[str, Score | None]:
        fresh: list[pipeline._Verdict] = []
        with RunStore(db, read_only=True) as store:
            got = {
                name: pipeline._score(store, scorer, item, _stored(text), None, 0, fresh)
                for name, text in answers.items()
            }
        pipeline._save_verdicts(db, fresh)
        return got

    first = score_all()
    assert len(runs) == 2
    assert first["good"] is not None and first["good"].value == 1.0
    assert first["killer"] is not None and first["killer"].value == 0.0
    again = score_all()
    assert len(runs) == 2, "a stored verdict was executed again"
    assert again == first


def _stored(response: str) -> StoredRequest:
    return StoredRequest(
        key="k", run_id="r", subject="s", task="t", item_id="add", repeat=0, request={},
        metadata={}, response=response, finish_reason="stop", input_tokens=None,
        output_tokens=None, usage_source=None, latency_s=None, ttft_s=None, output_tps=None,
        cost=None, status="ok", error=None, attempts=1, created="now",
    )  # fmt: skip


# -- limits for the whole tree (a cgroup per run) -------------------------------------------


@pytest.fixture
def tree_cgroup() -> Iterator[object]:
    """The cgroup module where this machine lets quanheng create groups, else a clear skip."""
    from quanheng.measure import cgroup

    if os.geteuid() != 0:
        pytest.skip("tree limits need root to create cgroups; as non-root only per-process caps")
    probe = cgroup.create(memory_bytes=64 << 20, max_tasks=8)
    if probe is None:
        pytest.skip(f"no writable cgroup with memory and pids controllers ({cgroup.parents()})")
    probe.close()
    yield cgroup


def _made_groups(monkeypatch: pytest.MonkeyPatch, cgroup: object) -> list[object]:
    """Record every group ``run_python`` creates (and, at close, its pids.events)."""
    made: list[object] = []
    real = cgroup.create  # type: ignore[attr-defined]

    def recording(**kwargs: object) -> object:
        group = real(**kwargs)
        made.append(group)
        return group

    monkeypatch.setattr(cgroup, "create", recording)
    return made


def test_children_over_the_tree_memory_limit_together_are_oom_killed(tree_cgroup: object) -> None:
    quarter = 64 << 20  # each child far under its own 256 MiB cap, all 8 at twice the tree's
    code = textwrap.dedent(f"""
        import os, time
        for _ in range(8):
            if os.fork() == 0:
                data = b"x" * {quarter}
                time.sleep(4)
                os._exit(0)
        held = sum(os.wait()[1] == 0 for _ in range(8))
        print(held)
    """)
    result = run_python(code, memory_mb=256, timeout_s=20)
    assert result.tree_limits
    assert result.status == "memory", (result.status, result.stdout, result.stderr)
    assert int(result.stdout) < 8


def test_a_fork_loop_is_stopped_at_the_trees_pids_limit(
    tree_cgroup: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _made_groups(monkeypatch, tree_cgroup)
    events: list[str] = []
    real_close = tree_cgroup.Group.close  # type: ignore[attr-defined]

    def close(self: object) -> None:
        events.append((self.dirs[-1] / "pids.events").read_text())  # type: ignore[attr-defined]
        real_close(self)

    monkeypatch.setattr(tree_cgroup.Group, "close", close)  # type: ignore[attr-defined]
    code = "import os, time\nn = 0\ntry:\n    while n < 200:\n        if os.fork() == 0:\n"
    code += "            time.sleep(30)\n        n += 1\nexcept OSError:\n    pass\nprint(n)\n"
    result = run_python(code, max_processes=6, timeout_s=10)
    assert result.ok and result.tree_limits and int(result.stdout) < 6, result
    assert len(made) == 1 and len(events) == 1
    refused = dict(line.split() for line in events[0].splitlines())
    assert int(refused["max"]) > 0, f"the pids limit refused no fork: {events[0]!r}"


@pytest.mark.parametrize(
    "ending",
    [
        _SLEEPERS.format(m="qhnormal", sleep=0),  # ends, sleepers left behind
        _SLEEPERS.format(m="qhtimeout", sleep=600),  # wall-clock kill
        "import os, signal\nif os.fork() == 0:\n    import time; time.sleep(600)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n",  # the program crashes
    ],
    ids=["normal", "timeout", "crash"],
)
def test_no_group_is_left_after_a_run(
    tree_cgroup: object, monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    made = _made_groups(monkeypatch, tree_cgroup)
    result = run_python(ending, timeout_s=2)
    assert result.tree_limits and len(made) == 1 and made[0] is not None
    left = [d for d in made[0].dirs if d.exists()]  # type: ignore[attr-defined]
    assert not left, left


def test_a_stale_empty_group_is_removed_by_the_next_run(tree_cgroup: object) -> None:
    _version, parents = tree_cgroup.parents()[0]  # type: ignore[attr-defined]
    tag = uuid.uuid4().hex[:8]
    stale, young, busy = (
        [p / f"{tree_cgroup.PREFIX}{kind}{tag}" for p in parents]  # type: ignore[attr-defined]
        for kind in ("stale", "young", "busy")
    )
    sleeper = None
    try:
        for d in stale + young + busy:
            d.mkdir()
        sleeper = subprocess.Popen(["sleep", "60"])
        for d in busy:
            (d / "cgroup.procs").write_text(str(sleeper.pid))
        old = time.time() - 3600  # a quanheng SIGKILLed an hour ago left these
        for d in stale + busy:
            os.utime(d, (old, old))
        assert run_python("pass\n").ok
        assert not [d for d in stale if d.exists()], "the stale empty group was left"
        assert all(d.exists() for d in young + busy), "a young or busy group was removed"
    finally:
        if sleeper is not None:
            sleeper.kill()
            sleeper.wait()
        for d in stale + young + busy:
            with contextlib.suppress(FileNotFoundError):
                _rmdir_soon(d)


def _rmdir_soon(d: Path) -> None:
    for _ in range(100):
        try:
            d.rmdir()
            return
        except OSError as e:
            if isinstance(e, FileNotFoundError):
                raise
            time.sleep(0.05)
    d.rmdir()


def test_without_a_writable_cgroup_only_per_process_caps_apply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from quanheng.measure import cgroup

    monkeypatch.setattr(cgroup, "parents", lambda: [])
    result = run_python("print('ran')\n")
    assert result.ok and result.stdout == "ran\n" and not result.tree_limits


def test_a_v2_group_gets_memory_swap_and_pids_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The v2 path, on a fake hierarchy (this machine's v2 mount may have no controllers)."""
    from quanheng.measure import cgroup

    root = tmp_path / "unified"
    own = root / "svc"
    own.mkdir(parents=True)
    (own / "cgroup.subtree_control").write_text("cpu memory pids\n")
    (tmp_path / "mountinfo").write_text(f"41 31 0:38 / {root} rw,relatime - cgroup2 cgroup2 rw\n")
    (tmp_path / "cgroup").write_text("0::/svc\n")
    monkeypatch.setattr(cgroup, "_MOUNTINFO", tmp_path / "mountinfo")
    monkeypatch.setattr(cgroup, "_OWN", tmp_path / "cgroup")
    stale = own / f"{cgroup.PREFIX}old"
    stale.mkdir()
    os.utime(stale, (0, 0))
    real_mkdir = Path.mkdir

    def mkdir_with_files(self: Path, *args: object, **kwargs: object) -> None:
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]
        (self / "memory.swap.max").write_text("max\n")  # what the kernel would create

    monkeypatch.setattr(Path, "mkdir", mkdir_with_files)
    group = cgroup.create(memory_bytes=1 << 28, max_tasks=17)
    assert group is not None and group.version == 2 and not stale.exists()
    (d,) = group.dirs
    assert d.parent == own and d.name.startswith(cgroup.PREFIX)
    limits = {n: (d / n).read_text() for n in ("memory.max", "memory.swap.max", "pids.max")}
    assert limits == {"memory.max": str(1 << 28), "memory.swap.max": "0", "pids.max": "17"}
    assert group.procs == [str(d / "cgroup.procs")]
