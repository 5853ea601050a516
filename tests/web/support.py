"""Helpers of the workbench tests: a real uvicorn server on a free 127.0.0.1 port (in a
thread), a private copy of the default study, the test client, the browser's flags."""

from __future__ import annotations

import shutil
import threading
import time
import warnings
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from quanheng.web.app import close_app

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STUDY = ROOT / "studies" / "cn-llm-vendors-2024"
CHROMIUM = "/usr/bin/chromium"
NO_NETWORK = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def copy_study(target: Path) -> Path:
    """A private copy of the default study (the workbench writes into it)."""
    shutil.copytree(DEFAULT_STUDY, target, ignore=shutil.ignore_patterns("runs"))
    return target


def client_for(app: Any) -> Any:
    """FastAPI's TestClient (its module warns about httpx on import; not ours to fix)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # StarletteDeprecationWarning: httpx vs httpx2
        from fastapi.testclient import TestClient
    return TestClient(app)


class LiveServer:
    """Serve an ASGI app until the ``with`` block ends; ``url`` is its base URL."""

    def __init__(self, app: Any) -> None:
        self.app = app
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="workbench", daemon=True)
        self.url = ""

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the workbench did not start within 20 s")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        if hasattr(self.app, "state"):
            close_app(self.app)
