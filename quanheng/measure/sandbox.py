"""Run untrusted Python (model-written code) in a constrained subprocess.

Code from a model is run as if hostile, though the sandbox is a set of limits, not a security
boundary such as a VM or container. Each run gets:

* a fresh temporary directory as working directory and ``HOME``, removed afterwards;
* a new session, hence a new process group, killed as a whole (``SIGKILL``) on timeout and
  after the run, so forked children do not outlive it;
* ``RLIMIT_AS`` (address space, the memory cap), ``RLIMIT_CPU``, ``RLIMIT_FSIZE`` (bounds what
  it can write, including its captured output) and no core dumps;
* no network: under ``unshare -n`` (an empty network namespace, not even loopback) when this
  machine allows it (root or user namespaces), otherwise — or in addition, with
  ``isolation="socket"`` — a boot shim that replaces :mod:`socket`'s constructors by functions
  that raise ``PermissionError``. The shim alone can be bypassed by native code (``ctypes``);
  only the namespace cannot;
* stdin from ``/dev/null``; stdout and stderr captured to files and cut to ``output_limit``;
* ``python -I -B`` (isolated mode: no environment variables, user site or script directory).

Limits it does NOT give: the process runs as the calling user and can read what that user can;
fork bombs are bounded only by the CPU limit and the group kill.
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
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["Isolation", "SandboxResult", "netns_available", "run_python"]

Isolation = Literal["auto", "netns", "socket"]
Status = Literal["ok", "error", "timeout", "memory"]

_BOOT = r"""
import resource, sys
_mem, _cpu, _fsize, _block = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
resource.setrlimit(resource.RLIMIT_FSIZE, (_fsize, _fsize))
resource.setrlimit(resource.RLIMIT_CPU, (_cpu, _cpu + 1))
if _block == "1":
    import socket, _socket
    def _denied(*args, **kwargs):
        raise PermissionError("network access is disabled in the quanheng sandbox")
    class _NoSocket:
        def __init__(self, *args, **kwargs):
            _denied()
    for _mod in (socket, _socket):
        _mod.socket = _NoSocket
        for _name in ("create_connection", "create_server", "socketpair", "fromfd",
                      "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
            if hasattr(_mod, _name):
                setattr(_mod, _name, _denied)
resource.setrlimit(resource.RLIMIT_AS, (_mem, _mem))
del resource, _mem, _cpu, _fsize, _block
sys.argv = ["main.py"]
import runpy
runpy.run_path("main.py", run_name="__main__")
"""


class SandboxResult(BaseModel):
    """What happened to one sandboxed run.

    Attributes:
        status: ``ok`` (exit 0), ``error`` (non-zero exit, e.g. a failed assert), ``timeout``
            (wall-clock or CPU limit, process group killed) or ``memory`` (``MemoryError`` or
            killed under the memory cap).
        returncode: the exit code, negative for a signal; None if it never started.
        stdout: captured standard output, at most ``output_limit`` bytes (decoded).
        stderr: captured standard error, likewise.
        truncated: whether output was cut.
        duration_s: wall-clock seconds.
        isolation: how the network was cut: ``netns`` or ``socket``.
    """

    model_config = ConfigDict(frozen=True)

    status: Status
    returncode: int | None
    stdout: str
    stderr: str
    truncated: bool
    duration_s: float
    isolation: Literal["netns", "socket"]

    @property
    def ok(self) -> bool:
        """Whether the code ran to completion and exited 0."""
        return self.status == "ok"


@lru_cache(maxsize=1)
def netns_available() -> bool:
    """Whether ``unshare -n`` works here (needs root or unprivileged user namespaces)."""
    exe = shutil.which("unshare")
    if exe is None:
        return False
    for cmd in ([exe, "-n", "true"], [exe, "-r", "-n", "true"]):
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            _NETNS_CMD[:] = cmd[:-1]
            return True
    return False


_NETNS_CMD: list[str] = []


def _read(path: Path, limit: int) -> tuple[str, bool]:
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    return data[:limit].decode("utf-8", errors="replace"), len(data) > limit


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def run_python(
    code: str,
    *,
    timeout_s: float = 10.0,
    memory_mb: int = 512,
    output_limit: int = 64 * 1024,
    isolation: Isolation = "auto",
) -> SandboxResult:
    """Run ``code`` as ``main.py`` in a fresh sandbox and report how it ended.

    Args:
        code: a Python program.
        timeout_s: wall-clock limit; the CPU limit is the same, rounded up.
        memory_mb: address-space cap in MiB.
        output_limit: bytes of stdout and of stderr kept.
        isolation: ``netns`` (fail if unavailable), ``socket`` (shim only), or ``auto`` (netns
            when available, else the shim).

    Raises:
        RuntimeError: ``isolation="netns"`` on a machine where ``unshare -n`` does not work.
    """
    use_netns = isolation != "socket" and netns_available()
    if isolation == "netns" and not use_netns:
        raise RuntimeError("network namespaces are unavailable here (unshare -n failed)")
    workdir = Path(tempfile.mkdtemp(prefix="quanheng-sandbox-"))
    try:
        (workdir / "main.py").write_text(code, encoding="utf-8")
        boot = workdir / "_quanheng_boot.py"
        boot.write_text(_BOOT, encoding="utf-8")
        cpu = max(1, math.ceil(timeout_s))
        fsize = max(output_limit * 2, 1 << 20)
        argv = [sys.executable, "-I", "-B", "-X", "utf8", str(boot)]
        argv += [str(memory_mb * 1024 * 1024), str(cpu), str(fsize), "0" if use_netns else "1"]
        if use_netns:
            argv = [*_NETNS_CMD, *argv]
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(workdir),
            "LANG": "C.UTF-8",
            "TMPDIR": str(workdir),
        }
        out_path, err_path = workdir / "_stdout", workdir / "_stderr"
        timed_out = False
        start = time.monotonic()
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = subprocess.Popen(
                argv,
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(proc.pid)
                proc.wait()
            finally:
                _kill_group(proc.pid)
        duration = time.monotonic() - start
        stdout, cut_out = _read(out_path, output_limit)
        stderr, cut_err = _read(err_path, output_limit)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rc = proc.returncode
    status: Status
    if timed_out or rc in (-signal.SIGXCPU, -signal.SIGKILL):
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
        isolation="netns" if use_netns else "socket",
    )
