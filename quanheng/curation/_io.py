"""The file primitives every curation write goes through: atomic replace, a study lock, JSON keys.

A study's evidence files are the record of what an analyst claims; a save that dies half-way
(a killed process, a full disk) must leave the old file or the new one, never a mix. So every
write goes to a temporary file in the same directory, is flushed and fsynced, and replaces the
target with ``os.replace`` (atomic on POSIX); the directory is fsynced after. The temporary
file's name ends in ``.tmp``, which no study loader reads, so one left behind by a kill is
harmless.

Read-compare-write (optimistic concurrency) is only sound when no other writer slips in between
the compare and the replace: :func:`study_lock` holds an exclusive ``flock`` on
``STUDY/.quanheng-curation.lock`` for that short span.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PAUSE_ENV = "QUANHENG_TEST_PAUSE_BEFORE_REPLACE"
"""Seconds to sleep after the temporary file is written and before it replaces the target.

Only the atomicity test sets it, to kill a save at its most fragile moment.
"""

LOCK_NAME = ".quanheng-curation.lock"


def canonical_json(value: Any) -> str:
    """Sorted-key JSON with non-ASCII kept: the text every hash in curation is taken of."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def sha256_hex(text: str) -> str:
    """SHA-256 of ``text`` (UTF-8) in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_now() -> str:
    """Now in UTC, ISO 8601 to the second with ``+00:00`` (what ``fromisoformat`` reads back)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old bytes or the new, nothing else.

    The file keeps its permission bits when it existed. The parent directory must exist.
    """
    directory = path.parent
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        pause = os.environ.get(PAUSE_ENV)
        if pause:
            time.sleep(float(pause))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (the directory entry), where the OS allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def study_lock(study_dir: Path) -> Iterator[None]:
    """Hold the study's curation lock: one read-compare-write at a time, across processes."""
    path = Path(study_dir) / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def plain(value: Any) -> Any:
    """A YAML value (ruamel's commented maps and sequences, dates) as plain JSON-able data.

    Aliases come out resolved (the anchored value, copied), dates as ISO text the way
    quanheng's own loader keeps them.
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value
