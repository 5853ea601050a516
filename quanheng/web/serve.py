"""Run the workbench under uvicorn: the address, the token, the line that says where."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from quanheng.web.security import is_loopback, loopback_hosts, new_token

__all__ = ["serve", "workbench_url"]


def workbench_url(host: str, port: int, token: str | None) -> str:
    """The URL to open (with ``?token=`` when the workbench needs one)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def serve(
    study_dir: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the study until interrupted.

    Bound to a loopback address no token is needed unless one is given; bound to any other
    address a token is required — the given one, or a fresh one — and printed in the URL.
    """
    import uvicorn

    from quanheng.web.app import close_app, create_app

    if token is None and not is_loopback(host):
        token = new_token()
    # without a token, answer only to this machine's names (no DNS rebinding)
    app = create_app(study_dir, token=token, hosts=loopback_hosts(host) if token is None else None)
    say(f"quanheng workbench: {workbench_url(host, port, token)}  (Ctrl-C stops it)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        close_app(app)
