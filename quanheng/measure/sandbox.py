"""Run untrusted Python (model-written code) inside a bubblewrap sandbox.

Code from a model is run as hostile. Each run is one ``bwrap`` container (see
``docs/security.md`` for the threat model) with:

* new user, PID, network, IPC, UTS, cgroup and mount namespaces; no capabilities; no further
  user namespaces (``--disable-userns``); a new session (no terminal to inject into);
* an unprivileged identity twice over: uid/gid 65534 inside, and — when quanheng runs as root —
  uid 65534 outside too, so what escapes the namespaces is still "nobody" (root is exempt from
  ``RLIMIT_NPROC`` and could ``setns()`` back into the host's network, the attack of issue 13);
* a file system of only ``/usr`` (and the ``/lib``, ``/bin`` links into it) and the Python
  prefix, read-only; ``/proc`` of its own PID namespace; a minimal ``/dev``; a size-capped
  tmpfs at ``/tmp`` as the only writable place. The study, ``/work``, ``/etc``, ``/root`` and the
  host's ``/proc`` are simply absent, and the tmpfs vanishes with the container, so nothing is
  left on disk even when quanheng is SIGKILLed;
* an empty environment but ``PATH``, ``HOME`` and ``LANG``; stdin from ``/dev/null``; stdout and
  stderr to unlinked temporary files, cut to ``output_limit``;
* limits for the whole tree where a cgroup can be created (as root, see
  :mod:`quanheng.measure.cgroup`): one fresh group per run, joined by the run's first process
  before it execs anything, caps the memory of all its processes together (swap and the
  ``/tmp`` tmpfs included) at ``memory_mb`` and its tasks at ``max_processes`` (plus the outer
  ``bwrap``); an OOM kill in it is a ``memory`` result. After the run everything in it is
  killed and the group removed. :attr:`SandboxResult.tree_limits` says whether it applied;
* limits per process in any case: ``RLIMIT_AS`` (memory), ``RLIMIT_NPROC`` (processes in the
  container; without a cgroup the tree's memory is at most ``max_processes × memory_mb``),
  ``RLIMIT_CPU``, ``RLIMIT_FSIZE`` and no core dumps; the wall-clock limit kills ``bwrap`` (and
  the cgroup), and ``bwrap``'s death (``--die-with-parent``) kills the container's init, after
  which the kernel kills every process in its PID namespace — double-forked, ``setsid()``-ed
  or not. quanheng's own death does the same.

When quanheng runs as root, ``bwrap`` itself runs as nobody: a private mount namespace first
binds the Python prefix (often under a ``0700`` ``/root``) where nobody can reach it, then
``setpriv`` drops to uid 65534 and ``bwrap`` builds the container unprivileged.

There is no fallback. If ``bwrap`` is missing or cannot create its namespaces, :func:`run_python`
raises :class:`~quanheng.errors.EnvironmentProblem` naming the fix; code is never run unconfined.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import IO, Literal

from pydantic import BaseModel, ConfigDict

from quanheng.errors import EnvironmentProblem
from quanheng.measure import cgroup

__all__ = ["SANDBOX_VERSION", "SandboxResult", "check_sandbox", "run_python"]

SANDBOX_VERSION = "bwrap-2"
"""Changes whenever what the sandbox allows changes: stored code verdicts are keyed by it."""

Status = Literal["ok", "error", "timeout", "memory"]

_NOBODY = 65534
_INSTALL = "apt-get install bubblewrap"
_STAGE = "/tmp"  # in the root wrapper's private mount namespace only: a tmpfs over /tmp
_OUTSIDE_TASKS = 1  # the run's cgroup also holds the outer bwrap, outside the container

# The run's first process (``sh``): join the run's cgroup (its ``cgroup.procs`` files come
# before ``--``), so that everything it execs and forks is inside.
_JOIN = """
set -e
while [ "$1" != -- ]; do echo $$ > "$1"; shift; done
shift
"""

# The container's first Python code: limits, then one byte on the "started" pipe (so a program
# that fails is told apart from a container that never started), then main.py.
_BOOT = """
import os, resource, sys
_mem, _cpu, _fsize, _nproc, _fd = (int(a) for a in sys.argv[1:6])
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
resource.setrlimit(resource.RLIMIT_FSIZE, (_fsize, _fsize))
resource.setrlimit(resource.RLIMIT_CPU, (_cpu, _cpu + 1))
resource.setrlimit(resource.RLIMIT_NPROC, (_nproc, _nproc))
resource.setrlimit(resource.RLIMIT_AS, (_mem, _mem))
os.write(_fd, b"1")
os.close(_fd)
del os, resource, _mem, _cpu, _fsize, _nproc, _fd
sys.argv = ["main.py"]
import runpy
runpy.run_path("main.py", run_name="__main__")
"""

# Root only: make the Python prefix reachable by uid 65534, then become it and exec bwrap.
_AS_NOBODY = f"""
set -e
mount -t tmpfs -o size=64k,mode=755 quanheng-stage {_STAGE}
mkdir {_STAGE}/python
mount --bind "$1" {_STAGE}/python
mount -o remount,bind,ro {_STAGE}/python
shift
exec setpriv --reuid {_NOBODY} --regid {_NOBODY} --clear-groups --inh-caps=-all "$@"
"""


class SandboxResult(BaseModel):
    """What happened to one sandboxed run.

    Attributes:
        status: ``ok`` (exit 0), ``error`` (non-zero exit, e.g. a failed assert, or a crash),
            ``timeout`` (wall-clock or CPU limit, container killed) or ``memory``
            (``MemoryError`` under the per-process cap, or a process OOM-killed at the tree's
            limit — which wins over the other statuses).
        returncode: the program's exit code, ``128 + n`` for a signal ``n`` (bwrap's way).
        stdout: captured standard output, at most ``output_limit`` bytes (decoded).
        stderr: captured standard error, likewise.
        truncated: whether output was cut.
        duration_s: wall-clock seconds.
        tree_limits: whether a cgroup capped the memory and tasks of the whole tree; if not,
            only the per-process limits applied.
    """

    model_config = ConfigDict(frozen=True)

    status: Status
    returncode: int
    stdout: str
    stderr: str
    truncated: bool
    duration_s: float
    tree_limits: bool = False

    @property
    def ok(self) -> bool:
        """Whether the code ran to completion and exited 0."""
        return self.status == "ok"


def _interpreter() -> tuple[Path, Path]:
    """The real (non-venv) interpreter and its prefix: model code needs only the stdlib."""
    prefix = Path(sys.base_prefix).resolve()
    base = getattr(sys, "_base_executable", sys.executable)
    exe = Path(base).resolve()
    if not exe.is_relative_to(prefix):
        exe = prefix / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    return exe, prefix


def _root_links() -> list[str]:
    """``/lib``, ``/lib64``, ``/bin``, ``/sbin`` as on the host: links into /usr, or binds."""
    args: list[str] = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/", name)
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    return args


def _command(argv_tail: list[str], *, code_fd: int, tmpfs_bytes: int, join: list[str]) -> list[str]:
    """The full command line: [cgroup join →] [root wrapper →] bwrap → python -c BOOT ``argv_tail``.

    ``join`` is the ``cgroup.procs`` files of the run's group (none without one).
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise EnvironmentProblem(
            f"code scoring needs bubblewrap (bwrap), not found on PATH — {_INSTALL}"
        )
    exe, prefix = _interpreter()
    as_root = os.geteuid() == 0
    source = f"{_STAGE}/python" if as_root else str(prefix)
    # bwrap applies options in order: mounts first, then --remount-ro of the (tmpfs) root.
    argv = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--uid", str(_NOBODY), "--gid", str(_NOBODY),
        "--disable-userns",
        "--cap-drop", "ALL",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv", "PATH", "/usr/bin:/bin",
        "--setenv", "HOME", "/tmp",
        "--setenv", "LANG", "C.UTF-8",
        "--ro-bind", "/usr", "/usr",
        *_root_links(),
        "--ro-bind", source, str(prefix),
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", str(tmpfs_bytes), "--perms", "1777", "--tmpfs", "/tmp",
        "--file", str(code_fd), "/tmp/main.py",
        "--chdir", "/tmp",
        "--remount-ro", "/",
        str(exe), "-I", "-B", "-X", "utf8", "-c", _BOOT, *argv_tail,
    ]  # fmt: skip
    if not as_root:
        if not join:
            return argv
        return ["/bin/sh", "-c", _JOIN + 'exec "$@"', "quanheng-sandbox", *join, "--", *argv]
    tools = [shutil.which(t) for t in ("unshare", "setpriv", "mount")]
    if None in tools:
        raise EnvironmentProblem(
            "code scoring as root needs util-linux's unshare, setpriv and mount to drop to "
            "uid 65534 — apt-get install util-linux"
        )
    wrapper = [str(tools[0]), "--mount", "--propagation", "private", "/bin/sh", "-c"]
    return [*wrapper, _JOIN + _AS_NOBODY, "quanheng-sandbox", *join, "--", str(prefix), *argv]


def _read(fh: IO[bytes], limit: int) -> tuple[str, bool]:
    fh.seek(0)
    data = fh.read(limit + 1)
    return data[:limit].decode("utf-8", errors="replace"), len(data) > limit


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(proc.pid, signal.SIGKILL)


def run_python(
    code: str,
    *,
    timeout_s: float = 10.0,
    memory_mb: int = 512,
    output_limit: int = 64 * 1024,
    max_processes: int = 16,
) -> SandboxResult:
    """Run ``code`` as ``/tmp/main.py`` in a fresh container and report how it ended.

    Whatever the code does — crash, kill its parent, fork, hog memory — is a result, never an
    exception: only a sandbox that cannot be built raises, so a verdict is never stored for
    code that did not run.

    Args:
        code: a Python program.
        timeout_s: wall-clock limit; each process's CPU limit is the same, rounded up.
        memory_mb: memory cap in MiB: of the whole tree where a cgroup can be created
            (resident memory, swap and ``/tmp`` included), and of each process's address space.
        output_limit: bytes of stdout and of stderr kept.
        max_processes: processes (and threads) the container may hold at once.

    Raises:
        EnvironmentProblem: ``bwrap`` is missing or cannot create its namespaces here.
    """
    cpu = max(1, math.ceil(timeout_s))
    fsize = max(output_limit * 2, 1 << 20)
    memory = memory_mb * 1024 * 1024
    group = cgroup.create(memory_bytes=memory, max_tasks=max_processes + _OUTSIDE_TASKS)
    # Under a cgroup the pids limit is the one that binds (it counts a superset of the
    # container's tasks); RLIMIT_NPROC stays as a backstop.
    nproc = max_processes + _OUTSIDE_TASKS if group else max_processes
    started_r, started_w = os.pipe()
    tail = [str(n) for n in (memory, cpu, fsize, nproc, started_w)]
    try:
        with (
            tempfile.TemporaryFile() as src,
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
        ):
            src.write(code.encode("utf-8"))
            src.flush()
            src.seek(0)
            argv = _command(
                tail,
                code_fd=src.fileno(),
                tmpfs_bytes=fsize * 4,
                join=group.procs if group else [],
            )
            timed_out = False
            start = time.monotonic()
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                pass_fds=(src.fileno(), started_w),
                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
            )
            os.close(started_w)
            started_w = -1
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out = True
                if group:
                    group.kill()
                _kill(proc)
                proc.wait()
            duration = time.monotonic() - start
            oom_kills = group.oom_kills() if group else 0
            started = os.read(started_r, 1) == b"1"
            stdout, cut_out = _read(out, output_limit)
            stderr, cut_err = _read(err, output_limit)
    finally:
        os.close(started_r)
        if started_w >= 0:
            os.close(started_w)
        if group:
            group.close()
    if not started and not timed_out and not oom_kills:
        why = stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        raise EnvironmentProblem(
            f"the code sandbox could not start ({why[0][:200]}); it needs bubblewrap with "
            f"user namespaces — {_INSTALL}"
        )
    rc = proc.returncode
    status: Status
    if oom_kills:  # also when it made the program hang (timeout) or die of SIGKILL
        status = "memory"
    elif timed_out or rc in (128 + signal.SIGXCPU, 128 + signal.SIGKILL):
        status = "timeout"
    elif "MemoryError" in stderr:
        status = "memory"
    elif rc == 0:
        status = "ok"
    else:
        status = "error"
    return SandboxResult(
        status=status,
        returncode=rc,
        stdout=stdout,
        stderr=stderr,
        truncated=cut_out or cut_err,
        duration_s=duration,
        tree_limits=group is not None,
    )


@lru_cache(maxsize=1)
def check_sandbox() -> None:
    """Run one trivial program to prove the sandbox works here (cached once it has).

    Raises:
        EnvironmentProblem: it does not, with the reason and the fix in one line.
    """
    result = run_python("pass\n", timeout_s=30)
    if not result.ok:
        raise EnvironmentProblem(
            f"the code sandbox does not work here ({result.status}: "
            f"{result.stderr.strip()[-200:]}) — {_INSTALL}"
        )
