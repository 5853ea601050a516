"""A REAL local model behind a real OpenAI-compatible server on 127.0.0.1, with no network.

::

    with LocalServer("smollm2-135m") as base_url:   # http://127.0.0.1:PORT/v1
        httpx.post(f"{base_url}/chat/completions", json={...})

Two engines serve the same GGUF from the same llama.cpp sources and CPU flags:

* ``llama-server`` — llama.cpp's own server, built once by ``scripts/build_llama_server.sh`` into
  ``~/.cache/quanheng/llama-server/<version>-<flags hash>/``. It has ``parallel`` slots with
  continuous batching, so concurrent requests share each forward pass (aggregate throughput
  rises with concurrency), and it reports ``usage`` in streams. Used whenever it is built.
* ``python -m llama_cpp.server`` — llama-cpp-python's server (``scripts/build_llama_wheel.sh``),
  one request at a time, no usage in streams. The fallback, with a note saying why.

Either runs in its own process group, bound to 127.0.0.1 only, on a free port. The weight file is
located and verified by :func:`quanheng.measure.model_files.locate` first, so an unverified file
is never served.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Final, Literal

from quanheng.errors import LocalModelError
from quanheng.measure.model_files import INSTALL_COMMAND, locate
from quanheng.specs.local_models import get_model

__all__ = [
    "BINARY_ENV",
    "HOST",
    "Engine",
    "LocalServer",
    "ServerOptions",
    "llama_server_binary",
    "server_available",
]

HOST: Final = "127.0.0.1"
"""The only address a local server ever binds."""

LLAMA_CPP_PYTHON_VERSION: Final = "0.3.36"
"""The llama-cpp-python release both engines are built from (its vendored llama.cpp)."""

BINARY_ENV: Final = "QUANHENG_LLAMA_SERVER"
"""Environment variable naming a ``llama-server`` binary; overrides the build cache."""

_CACHE_ENV: Final = "QUANHENG_LLAMA_SERVER_CACHE"
BUILD_COMMAND: Final = "scripts/build_llama_server.sh"

Engine = Literal["llama-server", "llama_cpp.server"]
"""The two servers :class:`LocalServer` can run."""

log = logging.getLogger("quanheng.measure")


def llama_server_binary() -> Path | None:
    """The ``llama-server`` to use, or ``None`` when there is none.

    ``$QUANHENG_LLAMA_SERVER`` wins when set (and gives ``None`` when it names no executable
    file, which is how a test or a user forces the fallback). Otherwise the build cache of
    ``scripts/build_llama_server.sh``: a ``<version>-<hash>/llama-server`` whose ``BUILD`` record
    names :data:`LLAMA_CPP_PYTHON_VERSION`; the newest such build if there are several.
    """
    named = os.environ.get(BINARY_ENV)
    if named is not None:
        path = Path(named).expanduser()
        return path if path.is_file() and os.access(path, os.X_OK) else None
    root = Path(os.environ.get(_CACHE_ENV) or Path.home() / ".cache" / "quanheng" / "llama-server")
    found: list[tuple[float, Path]] = []
    for build in root.glob(f"{LLAMA_CPP_PYTHON_VERSION}-*/BUILD"):
        binary = build.parent / "llama-server"
        try:
            first = build.read_text(encoding="utf-8").splitlines()[:1]
            if first == [f"version={LLAMA_CPP_PYTHON_VERSION}"] and os.access(binary, os.X_OK):
                found.append((build.stat().st_mtime, binary))
        except OSError:
            continue
    return max(found)[1] if found else None


def server_available(python: str | os.PathLike[str] | None = None) -> bool:
    """Whether a local server can run: ``llama-server`` is built, or ``python`` can run
    ``llama_cpp.server``.

    With ``python`` given, only that interpreter's ``llama_cpp.server`` is checked.
    """
    if python is None and llama_server_binary() is not None:
        return True
    return python_server_available(python)


def python_server_available(python: str | os.PathLike[str] | None = None) -> bool:
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


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """How to run one local server; the defaults suit the 2-core machines the demo targets.

    Attributes:
        n_ctx: context window in tokens, per slot (``llama-server`` gets ``n_ctx × parallel``).
        n_threads: CPU threads for generation and prompt processing.
        parallel: ``llama-server`` slots, i.e. requests decoded together (continuous batching);
            4 gave 1.8× the serial server's throughput at 4 requests on 2 shared cores
            (benchmarks/RESULTS.md).
        engine: ``"auto"`` (``llama-server`` when built, else ``llama_cpp.server`` with a note),
            or one of :data:`Engine` to insist on it.
        python: the interpreter with llama-cpp-python[server] installed (default: this one);
            naming one makes ``"auto"`` choose ``llama_cpp.server``.
        start_timeout: seconds to wait for the server to answer.
        stop_timeout: seconds between SIGTERM and SIGKILL.
        cache_dir: the model cache (default :func:`~quanheng.measure.model_files.model_cache_dir`).
        log_path: where the server's stdout/stderr go (default: a temporary file, deleted after
            a clean stop).
        extra_args: more options for the chosen server (``--host``/``--port`` are refused).
    """

    n_ctx: int = 2048
    n_threads: int = 2
    parallel: int = 4
    engine: Engine | Literal["auto"] = "auto"
    python: str | os.PathLike[str] | None = None
    start_timeout: float = 120.0
    stop_timeout: float = 10.0
    cache_dir: Path | None = None
    log_path: Path | None = None
    extra_args: tuple[str, ...] = ()


def _choose_engine(options: ServerOptions) -> tuple[Engine, Path | None, str | None]:
    """The engine to run, its binary (``llama-server`` only) and a note when falling back."""
    if options.engine == "llama_cpp.server":
        return "llama_cpp.server", None, None
    binary = llama_server_binary()
    if options.engine == "llama-server":
        if binary is None:
            raise LocalModelError(f"llama-server is not available — {_missing_binary()}")
        return "llama-server", binary, None
    if options.python is not None:  # an interpreter was named: its llama_cpp.server is wanted
        return "llama_cpp.server", None, None
    if binary is not None:
        return "llama-server", binary, None
    note = (
        f"note: {_missing_binary()}; serving with llama_cpp.server, which answers one request "
        f"at a time"
    )
    return "llama_cpp.server", None, note


def _missing_binary() -> str:
    named = os.environ.get(BINARY_ENV)
    if named is not None:
        return f"${BINARY_ENV}={named!r} is not an executable file"
    return f"llama-server is not built (run {BUILD_COMMAND}, or make local-model)"


class LocalServer:
    """A local model's OpenAI-compatible server on 127.0.0.1, as a context manager.

    Entering locates and verifies the model, chooses the engine (``llama-server`` when built,
    else ``python -m llama_cpp.server``), starts it in its own process group on a free port, and
    waits until it answers (``/health`` or ``/v1/models``); it returns the OpenAI-compatible base
    URL (``http://127.0.0.1:PORT/v1``). Leaving sends SIGTERM to the whole group, then SIGKILL
    after ``stop_timeout`` seconds.

    Attributes:
        engine: the engine chosen; ``note`` says why, when it is the fallback.
        concurrency: requests worth sending at once (``parallel`` for ``llama-server``, 1 for
            ``llama_cpp.server``).

    Args:
        model_id: a key of :data:`~quanheng.specs.local_models.MODELS`; the server answers to it
            as the ``model`` name.
        options: how to run it (default :class:`ServerOptions`).

    Raises:
        LocalModelError: ``model_id`` is unknown, ``extra_args`` tries to rebind the server,
            ``parallel`` is below 1, or ``engine="llama-server"`` is asked for but not built.
    """

    def __init__(self, model_id: str, options: ServerOptions | None = None) -> None:
        options = options if options is not None else ServerOptions()
        self.model = get_model(model_id)
        self.n_ctx = options.n_ctx
        self.n_threads = options.n_threads
        if options.parallel < 1:
            raise LocalModelError(
                f"ServerOptions.parallel must be at least 1, not {options.parallel}"
            )
        self.python = os.fspath(options.python) if options.python is not None else sys.executable
        self.start_timeout = options.start_timeout
        self.stop_timeout = options.stop_timeout
        self.cache_dir = options.cache_dir
        self.extra_args = tuple(options.extra_args)
        for arg in self.extra_args:
            if arg.split("=", 1)[0] in ("--host", "--port"):
                raise LocalModelError(
                    f"LocalServer binds {HOST} on a free port itself; drop {arg!r} from extra_args"
                )
        self.engine: Engine
        self.engine, self.binary, self.note = _choose_engine(options)
        self.parallel = options.parallel if self.engine == "llama-server" else 1
        self._own_log = options.log_path is None
        self.log_path: Path | None = options.log_path
        self.port: int | None = None
        self.model_path: Path | None = None
        self.start_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def concurrency(self) -> int:
        """Requests worth having in flight at once: more only queue in the server."""
        return self.parallel

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
        if self.engine == "llama-server":
            assert self.binary is not None
            cmd = [
                os.fspath(self.binary),
                "--model",
                str(model_path),
                "--alias",
                self.model.id,
                "--host",
                HOST,
                "--port",
                str(port),
                "--ctx-size",
                str(self.n_ctx * self.parallel),  # split evenly: n_ctx per slot
                "--parallel",
                str(self.parallel),
                "--cont-batching",
                "--threads",
                str(self.n_threads),
                "--threads-batch",
                str(self.n_threads),
                "--no-webui",
                "--cache-ram",
                "256",  # MiB of prompt cache: shared machines, short prompts
                # llama_cpp.server's default (llama-server's is 1.0): a request that sets no
                # penalty is sampled alike by both engines, and stored answers stay comparable
                "--repeat-penalty",
                "1.1",
            ]
            if self.model.chat_format is not None:
                cmd += ["--chat-template", self.model.chat_format]
            return cmd + list(self.extra_args)
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
        if self.engine == "llama_cpp.server" and not python_server_available(self.python):
            raise LocalModelError(
                f"llama-cpp-python[server] is not installed for {self.python} — run "
                f"{INSTALL_COMMAND}"
            )
        if self.note is not None:
            log.warning("%s", self.note)
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
        # ggml's OpenMP threads spin at every barrier by default; on a 2-core machine shared
        # with anything else a spinning thread keeps its partner off the CPU and decoding slows
        # ~15× (2 vs 36 tok/s for SmolLM2 here). Passive threads sleep instead.
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        with self.log_path.open("ab") as sink:
            self._proc = subprocess.Popen(
                self.command(self.model_path, port),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # own session => own process group, killed as a whole
            )
        self.port = port

    def _wait_ready(self, began: float) -> None:
        assert self._proc is not None and self.log_path is not None
        import httpx  # ≈ 0.1 s to import; only starting a server needs it

        url = (
            f"http://{HOST}:{self.port}/health"  # 503 while loading, 200 once it serves
            if self.engine == "llama-server"
            else f"{self.base_url}/models"
        )
        deadline = began + self.start_timeout
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while True:
                code = self._proc.poll()
                if code is not None:
                    tail = _tail(self.log_path)
                    lowered = tail.lower()
                    if "address already in use" in lowered or "couldn't bind" in lowered:
                        raise _PortTaken
                    rebuild = (
                        BUILD_COMMAND
                        if self.engine == "llama-server"
                        else "scripts/build_llama_wheel.sh"
                    )
                    raise LocalModelError(
                        f"{self.engine} for {self.model.id} exited with code {code} before "
                        f"answering; last lines of {self.log_path}:\n{tail}\n— if it says "
                        f"'Illegal instruction', rebuild it: {rebuild}"
                    )
                try:
                    if client.get(url).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise LocalModelError(
                        f"{self.engine} for {self.model.id} did not answer {url} within "
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
