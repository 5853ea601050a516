"""One cgroup per sandboxed run: a memory (swap included) and a task limit for the whole tree.

``RLIMIT_AS`` caps each process; only a cgroup caps what all of a run's processes hold
together. :func:`create` makes a fresh group named ``quanheng-sandbox-<random>`` — cgroup v2
when its ``memory`` and ``pids`` controllers can be used, else the v1 ``memory`` and ``pids``
hierarchies — as a child of quanheng's own group in each hierarchy, so every limit above
quanheng still applies. The sandbox's first process writes its pid to :attr:`Group.procs`
before it execs anything, so every descendant is inside. :meth:`Group.close` kills whatever
is left in it and removes it; groups a SIGKILLed quanheng left behind are removed by the next
:func:`create` (empty ones only: the kernel refuses to remove a group with processes).

Where no cgroup can be created (not root, no controllers, a read-only ``/sys/fs/cgroup``),
:func:`create` returns ``None`` and the sandbox keeps its per-process limits only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PREFIX", "Group", "create", "parents"]

PREFIX = "quanheng-sandbox-"
STALE_AFTER_S = 60.0
"""An empty group older than this is a leftover; a younger one may be a run about to join it."""

_MOUNTINFO = Path("/proc/self/mountinfo")
_OWN = Path("/proc/self/cgroup")


@dataclass(frozen=True)
class Group:
    """A run's cgroup: one directory (v2) or two (v1: ``memory`` and ``pids``)."""

    version: int
    dirs: tuple[Path, ...]

    @property
    def procs(self) -> list[str]:
        """The ``cgroup.procs`` files the run's first process must write its pid to."""
        return [str(d / "cgroup.procs") for d in self.dirs]

    def oom_kills(self) -> int:
        """How many processes the kernel killed for exceeding the group's memory limit."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        with contextlib.suppress(OSError, ValueError):
            for line in (self.dirs[0] / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        return 0

    def kill(self) -> None:
        """SIGKILL every process in the group, until none is left (or 5 s have passed)."""
        if self.version == 2:
            with contextlib.suppress(OSError):
                (self.dirs[0] / "cgroup.kill").write_text("1")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pids = _pids(self.dirs)
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def close(self) -> None:
        """Kill everything left in the group and remove it (a dying process delays rmdir)."""
        self.kill()
        for d in self.dirs:
            _remove(d, wait_s=5)


def create(*, memory_bytes: int, max_tasks: int) -> Group | None:
    """A fresh group limited to ``memory_bytes`` (swap included) and ``max_tasks`` tasks.

    Returns ``None`` where no usable cgroup can be created here.
    """
    for version, where in parents():
        for parent in where:
            _sweep(parent)
        name = PREFIX + secrets.token_hex(8)
        dirs = tuple(parent / name for parent in where)
        try:
            for d in dirs:
                d.mkdir()
            if version == 2:
                _limit_v2(dirs[0], memory_bytes, max_tasks)
            else:
                _limit_v1(dirs[0], dirs[1], memory_bytes, max_tasks)
        except OSError:
            for d in dirs:
                _remove(d, wait_s=0)
            continue
        return Group(version, dirs)
    return None


def parents() -> list[tuple[int, tuple[Path, ...]]]:
    """Where a run's group may go, best first: quanheng's own v2 group, then its v1 groups."""
    v2, v1 = _mounts()
    own = _own_paths()
    found: list[tuple[int, tuple[Path, ...]]] = []
    if v2 is not None and "" in own:
        parent = _under(v2, own[""])
        if _v2_usable(parent):
            found.append((2, (parent,)))
    if "memory" in v1 and "pids" in v1 and "memory" in own and "pids" in own:
        found.append((1, (_under(v1["memory"], own["memory"]), _under(v1["pids"], own["pids"]))))
    return found


def _limit_v2(d: Path, memory_bytes: int, max_tasks: int) -> None:
    (d / "memory.max").write_text(str(memory_bytes))
    if (d / "memory.swap.max").exists():
        (d / "memory.swap.max").write_text("0")
    (d / "pids.max").write_text(str(max_tasks))


def _limit_v1(memory: Path, pids: Path, memory_bytes: int, max_tasks: int) -> None:
    (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
    if (memory / "memory.memsw.limit_in_bytes").exists():  # memory + swap, not <= limit
        (memory / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
    (pids / "pids.max").write_text(str(max_tasks))


def _v2_usable(parent: Path) -> bool:
    """Whether children of ``parent`` get the memory and pids controllers (enabling them)."""
    try:
        enabled = set((parent / "cgroup.subtree_control").read_text().split())
        if {"memory", "pids"} <= enabled:
            return True
        available = set((parent / "cgroup.controllers").read_text().split())
        if not {"memory", "pids"} <= available:
            return False
        (parent / "cgroup.subtree_control").write_text("+memory +pids")
    except OSError:  # not ours to change, or processes in a non-root group ("no internal")
        return False
    return True


def _mounts() -> tuple[Path | None, dict[str, Path]]:
    """The cgroup2 mount point, and each v1 controller's mount point."""
    v2: Path | None = None
    v1: dict[str, Path] = {}
    try:
        lines = _MOUNTINFO.read_text().splitlines()
    except OSError:
        return None, {}
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        point = Path(fields[4].replace("\\040", " "))
        if tail[0] == "cgroup2" and v2 is None:
            v2 = point
        elif tail[0] == "cgroup":
            for option in tail[2].split(","):
                if option in ("memory", "pids"):
                    v1.setdefault(option, point)
    return v2, v1


def _own_paths() -> dict[str, Path]:
    """quanheng's own group in each hierarchy: ``""`` for v2, else the controller's name."""
    own: dict[str, Path] = {}
    try:
        lines = _OWN.read_text().splitlines()
    except OSError:
        return own
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        for controller in parts[1].split(",") if parts[1] else [""]:
            own[controller] = Path(parts[2])
    return own


def _under(mount: Path, path: Path) -> Path:
    return mount / str(path).lstrip("/")


def _pids(dirs: tuple[Path, ...]) -> set[int]:
    pids: set[int] = set()
    for d in dirs:
        with contextlib.suppress(OSError, ValueError):
            pids |= {int(p) for p in (d / "cgroup.procs").read_text().split()}
    return pids


def _remove(d: Path, *, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            d.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.02)


def _sweep(parent: Path) -> None:
    """Remove the empty ``quanheng-sandbox-*`` groups of quanheng processes that died."""
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        with contextlib.suppress(OSError):
            if now - entry.stat().st_mtime > STALE_AFTER_S:
                entry.rmdir()  # the kernel refuses while a process is in it
