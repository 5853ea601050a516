"""``quanheng serve STUDY``: the workbench — the study in a browser."""

from __future__ import annotations

from pathlib import Path

import typer

from quanheng.cli._app import app, console, guarded
from quanheng.errors import EnvironmentProblem
from quanheng.text import Lang

EXAMPLES = """\b
Examples:
  quanheng serve studies/cn-llm-vendors-2024
  quanheng serve studies/cn-llm-vendors-2024 --port 9000 --lang zh
  quanheng serve my-study --host 0.0.0.0 --token "$(openssl rand -hex 16)"
"""


@app.command(epilog=EXAMPLES)
@guarded
def serve(
    path: Path = typer.Argument(
        ..., metavar="STUDY", help="The study directory (the one holding study.yaml)."
    ),
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="The address to listen on. Any address but a loopback one (127.0.0.1, ::1) needs "
        "a token: the one given with --token, or a fresh one printed in the URL.",
    ),
    port: int = typer.Option(8765, "--port", min=1, max=65535, help="The port (1-65535)."),
    token: str | None = typer.Option(
        None,
        "--token",
        metavar="TOKEN",
        help="The token every request must carry (as ?token= once, then a cookie; or an "
        "Authorization: Bearer header). Default: none on 127.0.0.1, a fresh one elsewhere.",
    ),
    lang: Lang = typer.Option("en", "--lang", help="The language of the line printed: zh|en."),
) -> None:
    """Serve the workbench: overview, live weights, subjects and indicators, evidence entry
    with an audit log, the review queue, runs and reports, in Chinese and English.

    Stop it with Ctrl-C. See docs/workbench.md for the pages and the security model.
    """
    try:
        from quanheng.web import serve as run_server
    except ImportError as exc:  # the web stack is a runtime dependency; a broken install says so
        raise EnvironmentProblem(
            f"the web stack is missing ({exc.name}): "
            "pip install fastapi uvicorn sse-starlette python-multipart"
        ) from None
    word = "工作台" if lang == "zh" else "quanheng workbench"
    stop = "（Ctrl-C 停止）" if lang == "zh" else "(Ctrl-C stops it)"

    def say(line: str) -> None:
        url = line.split(": ", 1)[1].split("  ", 1)[0]
        console.print(f"{word}: {url}  {stop}", markup=False, soft_wrap=True)

    run_server(path, host=host, port=port, token=token, say=say)
