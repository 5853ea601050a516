"""The workbench application: :func:`create_app` builds it for one study.

Pages are rendered on the server (Jinja2, every value escaped); the vendored htmx and one small
script (``static/app.js``) update parts of them. The routes are grouped by page:
:mod:`.pages` (overview, weights, subjects, indicators), :mod:`.editing` (evidence, audit log,
review queue), :mod:`.runs` and :mod:`.reports`. :mod:`.security` wraps them all.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from quanheng.errors import InputError
from quanheng.web import editing, pages, reports, runs
from quanheng.web.context import STATIC, Settings, render
from quanheng.web.security import MAX_BODY, BodyLimit, Guard
from quanheng.web.state import DRAWS, Workbench

__all__ = ["close_app", "create_app"]


def create_app(
    study_dir: str | Path,
    *,
    token: str | None = None,
    max_body: int = MAX_BODY,
    draws: int | None = None,
    python: str | None = None,
    processes: bool = False,
    hosts: tuple[str, ...] | None = None,
) -> FastAPI:
    """The workbench for the study in ``study_dir``.

    Args:
        study_dir: the study directory (loaded and validated now: a bad study is one line).
        token: the token every request must carry (``None``: none needed — bind to 127.0.0.1).
        max_body: the largest request body accepted, in bytes (413 above it).
        draws: simulation draws for the live rank probabilities (default 2,000).
        python: the interpreter that runs ``measure`` (default: this one).
        hosts: the only ``Host`` names answered (421 for any other), against DNS rebinding;
            ``None``: any (:func:`~quanheng.web.serve.serve` sets it when there is no token).
        processes: run the live simulation in a worker process of its own (default: in a
            thread of the server's; side by side on a loaded 2-core machine neither was faster).
    """
    bench = Workbench(Path(study_dir), draws=draws or DRAWS, processes=processes)
    bench.study()  # a bad study fails here, with its one line per problem
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.bench = bench
    app.state.settings = Settings(csrf=secrets.token_urlsafe(24), python=python)
    app.state.runs = runs.RunManager(bench, python)
    app.state.reports = reports.ReportJobs()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (pages, editing, runs, reports):
        app.include_router(module.router)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        return render(request, "error.html.j2", {"message": str(exc)}, status=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in (401, 403, 413) or not _wants_html(request):
            return PlainTextResponse(f"{exc.status_code}: {exc.detail}\n", exc.status_code)
        return render(
            request, "error.html.j2", {"message": str(exc.detail)}, status=exc.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return PlainTextResponse(f"400: {where}: {first.get('msg', 'bad request')}\n", 400)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/healthz", include_in_schema=False, response_class=HTMLResponse)
    async def healthz() -> str:
        return "ok"

    app.add_middleware(BodyLimit, limit=max_body)
    app.add_middleware(
        Guard, token=token, hosts=hosts
    )  # added last: outermost, before anything is read
    return app


def close_app(app: FastAPI) -> None:
    """Stop what the workbench started: running measure children, the simulation worker, and
    the generated reports' folder."""
    app.state.runs.close()
    app.state.bench.close()
    app.state.reports.close()


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")
