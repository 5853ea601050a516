"""A REAL local model behind a real OpenAI-compatible server on 127.0.0.1, with no network.

::

    with LocalServer("smollm2-135m") as base_url:   # http://127.0.0.1:PORT/v1
        httpx.post(f"{base_url}/chat/completions", json={...})

The server is ``python -m llama_cpp.server`` (llama-cpp-python, built by
``scripts/build_llama_wheel.sh``) in its own process group, bound to 127.0.0.1 only, on a free
port. It handles one request at a time. The weight file it serves is located and verified by
:func:`quanheng.measure.model_files.locate` first, so an unverified file is never served.
"""

from __future__ import annotations

import contextlib
import importlib.util
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
from typing import Final

from quanheng.errors import LocalModelError
from quanheng.measure.model_files import INSTALL_COMMAND, locate
from quanheng.specs.local_models import get_model

__all__ = ["HOST", "LocalServer", "ServerOptions", "server_available"]

HOST: Final = "127.0.0.1"
"""The only address a local server ever binds."""


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


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """How to run one local server; the defaults suit the 2-core machines the demo targets.

    Attributes:
        n_ctx: context window in tokens.
        n_threads: CPU threads for generation and prompt processing.
        python: the interpreter with llama-cpp-python[server] installed (default: this one).
        start_timeout: seconds to wait for the server to answer.
        stop_timeout: seconds between SIGTERM and SIGKILL.
        cache_dir: the model cache (default :func:`~quanheng.measure.model_files.model_cache_dir`).
        log_path: where the server's stdout/stderr go (default: a temporary file, deleted after
            a clean stop).
        extra_args: more ``llama_cpp.server`` options (``--host``/``--port`` are refused).
    """

    n_ctx: int = 2048
    n_threads: int = 2
    python: str | os.PathLike[str] | None = None
    start_timeout: float = 120.0
    stop_timeout: float = 10.0
    cache_dir: Path | None = None
    log_path: Path | None = None
    extra_args: tuple[str, ...] = ()


class LocalServer:
    """``python -m llama_cpp.server`` for one local model, on 127.0.0.1, as a context manager.

    Entering locates and verifies the model, starts the server in its own process group on a free
    port, and waits until ``/v1/models`` answers; it returns the OpenAI-compatible base URL
    (``http://127.0.0.1:PORT/v1``). Leaving sends SIGTERM to the whole group, then SIGKILL after
    ``stop_timeout`` seconds.

    Args:
        model_id: a key of :data:`~quanheng.specs.local_models.MODELS`; the server answers to it
            as the ``model`` name.
        options: how to run it (default :class:`ServerOptions`).

    Raises:
        LocalModelError: ``model_id`` is unknown, or ``extra_args`` tries to rebind the server.
    """

    def __init__(self, model_id: str, options: ServerOptions | None = None) -> None:
        options = options if options is not None else ServerOptions()
        self.model = get_model(model_id)
        self.n_ctx = options.n_ctx
        self.n_threads = options.n_threads
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
        self._own_log = options.log_path is None
        self.log_path: Path | None = options.log_path
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
