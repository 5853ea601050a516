"""One writer per run store: an OS lock beside the store, held for the whole of a measurement.

Why. Two ``quanheng measure`` processes on one study both see the same unanswered keys and both
send them: every request twice, the cost counted twice, one process's answers thrown away by
the store's first-answer-wins rule (issue #13: 7,992 requests for 4,000 items). SQLite's own
locking only serialises the commits, not the sending.

How. :class:`StoreLock` takes ``fcntl.flock(LOCK_EX)`` on ``<store>.lock`` (``runs.sqlite.lock``
beside ``runs.sqlite``). The kernel drops the lock when the holder's file descriptor is
closed, and so when the process ends in any way, ``SIGKILL`` included: a lock is never stale,
and nothing ever needs deleting by hand. The descriptor is opened ``O_CLOEXEC``, so a child
process (the local model's server) does not inherit the lock and cannot keep it past its
parent. The file itself is never deleted (deleting it would let a waiter lock an unlinked file
while a newcomer locks a new one); it holds the current holder's pid, host and start time,
which is read only while the lock is held by someone, to say who.

Within one process the lock is re-entrant: the command line takes it before drawing its
progress board and :func:`~quanheng.measure.pipeline.measure` takes it again inside; a second
``flock`` from the same process on a new descriptor would otherwise block on itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from quanheng.errors import MeasureError, StoreInUse

__all__ = ["Holder", "StoreLock", "lock_path", "writer_lock"]

# Locks this process holds: resolved lock path -> [descriptor, depth].
_held: dict[str, list[int]] = {}


def lock_path(store: str | Path) -> Path:
    """The lock file of the run store ``store`` (the store's name plus ``.lock``)."""
    store = Path(store)
    return store.with_name(store.name + ".lock")


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a store's lock, as they wrote it when they took it.

    Attributes:
        pid: the holder's process id (on ``host``).
        host: the machine's name, since a study folder may be shared over the network.
        started: when the holder took the lock, ISO 8601 in UTC.
    """

    pid: int | None
    host: str | None
    started: str | None

    def describe(self) -> str:
        """``pid 123 on host, started 2025-01-01T00:00:00+00:00`` (what is known of it)."""
        who = f"pid {self.pid}" if self.pid is not None else "a process whose pid is unknown"
        if self.host:
            who += f" on {self.host}"
        return f"{who}, started {self.started}" if self.started else who


class StoreLock:
    """The exclusive writer's lock of one run store.

    Args:
        store: the run store file; the lock is :func:`lock_path` of it. Its folder is created
            if missing (the store would create it anyway).
    """

    def __init__(self, store: str | Path) -> None:
        self.store = Path(store)
        self.path = lock_path(self.store)
        self._key: str | None = None

    def acquire(
        self, *, wait: bool = False, on_wait: Callable[[Holder], None] | None = None
    ) -> None:
        """Take the lock, or fail at once (or wait) when another process holds it.

        Args:
            wait: block until the holder is done instead of failing.
            on_wait: called once with the holder before blocking (to tell the user).

        Raises:
            StoreInUse: another process holds the lock and ``wait`` is false; the message
                names its pid and start time.
            MeasureError: the lock file cannot be created (a read-only folder, say).
        """
        if self._key is not None:
            raise RuntimeError("this StoreLock is already held")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = str(self.path.resolve())
        if key in _held:
            _held[key][1] += 1
            self._key = key
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise MeasureError(
                f"{self.path}: cannot create the run store's lock file ({exc.strerror}); "
                "measure needs write access to the store's folder"
            ) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                if not wait:
                    raise StoreInUse(
                        f"{self.store} is being written by another `quanheng measure` "
                        f"({holder.describe()}); let it finish or stop it, or run again with "
                        "--wait to start when it is done"
                    ) from None
                if on_wait is not None:
                    on_wait(holder)
                fcntl.flock(fd, fcntl.LOCK_EX)
            _write_holder(fd)
        except BaseException:
            os.close(fd)
            raise
        _held[key] = [fd, 1]
        self._key = key

    def release(self) -> None:
        """Give the lock up (the last release of a re-entrant hold closes the descriptor)."""
        key, self._key = self._key, None
        if key is None or key not in _held:
            return
        entry = _held[key]
        entry[1] -= 1
        if entry[1] == 0:
            del _held[key]
            os.close(entry[0])  # closing drops the flock; the file and its text stay

    def holder(self) -> Holder | None:
        """Who holds the lock now, or ``None`` when no process does."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return _read_holder(fd)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


@contextlib.contextmanager
def writer_lock(
    store: str | Path, *, wait: bool = False, on_wait: Callable[[Holder], None] | None = None
) -> Iterator[StoreLock]:
    """Hold ``store``'s writer lock for the block (see :meth:`StoreLock.acquire`)."""
    lock = StoreLock(store)
    lock.acquire(wait=wait, on_wait=on_wait)
    try:
        yield lock
    finally:
        lock.release()


def _write_holder(fd: int) -> None:
    """Replace the lock file's text with this process's pid, host and start time."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    text = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": started})
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode("utf-8") + b"\n", 0)


def _read_holder(fd: int) -> Holder:
    """The holder written in the lock file; retried briefly, as it may be mid-write."""
    for _ in range(20):
        try:
            raw = os.pread(fd, 4096, 0)
            data = json.loads(raw) if raw.strip() else None
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict):
            pid = data.get("pid")
            host = data.get("host")
            started = data.get("started")
            return Holder(
                pid if isinstance(pid, int) else None,
                host if isinstance(host, str) else None,
                started if isinstance(started, str) else None,
            )
        time.sleep(0.01)
    return Holder(None, None, None)
