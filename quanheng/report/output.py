"""Where a report is written: the output directory checked before the work, files written whole.

A report takes seconds to minutes of simulation, charts and PDF printing; finding only at the end
that ``--out`` is a file, sits on a read-only mount or has no space left wasted all of it and
used to end in a traceback with half-written files behind. So :func:`prepare_output_dir` checks
the directory first — it exists or can be created, is a directory, is on a writable filesystem
and takes a file (a probe, since root ignores permission bits) — and :func:`write_atomic` writes
each file to a temporary name in the same directory and renames it, so a reader (or a later
run) sees either the whole new file or the old one, never a truncated one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from quanheng._files import display_path
from quanheng.errors import EnvironmentProblem, InputError

__all__ = ["make_dir", "prepare_output_dir", "write_atomic"]

_FIX = "give --out a writable directory"


def prepare_output_dir(out: Path, option: str = "--out") -> None:
    """Create ``out`` if needed and make sure a file can be written in it.

    Args:
        out: the report's directory.
        option: the command-line option that named it, for the message.

    Raises:
        InputError: one line naming the directory and what stops writing there.
    """
    shown = display_path(out)

    def refuse(what: str, fix: str = _FIX) -> InputError:
        return InputError.single(option, None, f"{shown} {what}", fix)

    if out.exists() and not out.is_dir():
        raise refuse("is a file, not a directory", "give --out a directory (it is created)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise refuse(f"cannot be created ({exc.strerror})") from None
    try:
        read_only = bool(os.statvfs(out).f_flag & os.ST_RDONLY)
    except OSError:  # pragma: no cover - statvfs of a directory just created does not fail
        read_only = False
    if read_only:
        raise refuse("is on a read-only filesystem")
    probe = out / f".quanheng-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise refuse(f"is not writable ({exc.strerror})") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        probe.unlink()


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` whole or not at all; return ``path``.

    The bytes go to a hidden temporary file beside ``path``, are flushed to the disk, and the
    file is renamed over ``path`` (atomic within one filesystem). If anything fails — most often
    a full disk — the temporary file is removed and ``path`` is as it was.

    Raises:
        EnvironmentProblem: the file could not be written; one line with the reason.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise EnvironmentProblem(
            f"cannot write {display_path(path)} ({exc.strerror}); nothing partial was left — "
            "free space there or give --out another directory, then run the report again"
        ) from None
    return path


def make_dir(path: Path) -> Path:
    """Create a directory inside the report's directory; one line, not a traceback, on failure.

    Raises:
        EnvironmentProblem: it could not be created.
    """
    try:
        path.mkdir(exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(
            f"cannot create {display_path(path)} ({exc.strerror}) — free space there or give "
            "--out another directory, then run the report again"
        ) from None
    return path
