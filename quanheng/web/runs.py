"""Runs: start and stop ``measure`` for chosen subjects and suites, and watch its progress.

A run is a child process (:mod:`.measure_worker`) that prints the pipeline's progress as JSON
lines; a reader thread keeps them, and the run's page follows them by server-sent events.
Answers land in the study's run store as with ``quanheng measure``; when a run ends the
workbench reads the store again, so the scores include what was measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sse_starlette.sse import EventSourceResponse

from quanheng.web.context import bench_of, checked_form, lang_of, render, text_field
from quanheng.web.state import Workbench

__all__ = ["Run", "RunManager", "router"]

router = APIRouter()

_RUN_ID = re.compile(r"^[a-f0-9]{12}$")


@dataclass
class Run:
    """One ``measure`` child process and what it has said so far."""

    id: str
    subjects: tuple[str, ...]
    suites: tuple[str, ...]
    limit: int | None
    process: subprocess.Popen[str]
    started: float = field(default_factory=time.time)
    events: list[dict[str, Any]] = field(default_factory=list)
    state: str = "running"
    returncode: int | None = None

    def snapshot(self) -> dict[str, Any]:
        """The latest progress per (subject, task), the state and the last event."""
        rows: dict[str, dict[str, Any]] = {}
        for e in self.events:
            if e.get("event") == "progress":
                rows[f"{e['subject']} · {e['task']}"] = e
        return {
            "id": self.id,
            "state": self.state,
            "returncode": self.returncode,
            "rows": rows,
            "last": self.events[-1] if self.events else None,
        }


class RunManager:
    """The workbench's runs: at most one at a time per study (the run store has one writer)."""

    def __init__(self, bench: Workbench, python: str | None = None) -> None:
        self.bench = bench
        self.python = python or sys.executable
        self.runs: dict[str, Run] = {}
        self._lock = threading.Lock()

    def start(self, subjects: Sequence[str], suites: Sequence[str], limit: int | None) -> Run:
        """Start a run; 409 while another one is running."""
        with self._lock:
            if any(r.state == "running" for r in self.runs.values()):
                raise HTTPException(409, "a run is in progress: stop it or wait for it to end")
            cmd = [self.python, "-m", "quanheng.web.measure_worker", str(self.bench.study_dir)]
            for s in subjects:
                cmd += ["--subject", s]
            for s in suites:
                cmd += ["--suite", s]
            if limit is not None:
                cmd += ["--limit", str(limit)]
            process = subprocess.Popen(  # the argument list, never a shell
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,
            )
            run = Run(secrets.token_hex(6), tuple(subjects), tuple(suites), limit, process)
            self.runs[run.id] = run
        threading.Thread(target=self._read, args=(run,), daemon=True).start()
        return run

    def _read(self, run: Run) -> None:
        assert run.process.stdout is not None
        with run.process.stdout:
            for line in run.process.stdout:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict):
                    run.events.append(event)
        run.returncode = run.process.wait()
        if run.state == "running":
            run.state = "finished"
        run.events.append({"event": "closed", "returncode": run.returncode, "state": run.state})
        self.bench.forget_measurements()

    def stop(self, run_id: str) -> Run:
        """Stop a run (SIGINT, then SIGTERM after 5 s); what was answered stays in the store."""
        run = self.get(run_id)
        if run.state == "running" and run.process.poll() is None:
            run.state = "stopped"
            run.process.send_signal(signal.SIGINT)
            try:
                run.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                run.process.terminate()
        return run

    def get(self, run_id: str) -> Run:
        """The run with this id; 404 for any other."""
        if not _RUN_ID.match(run_id) or run_id not in self.runs:
            raise HTTPException(404, f"no run {run_id!r}")
        return self.runs[run_id]

    def close(self) -> None:
        """Stop every running child (the server is shutting down) and wait for it."""
        for run in list(self.runs.values()):
            if run.process.poll() is None:
                run.process.terminate()
            try:
                run.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                run.process.kill()
                run.process.wait()


def _manager(request: Request) -> RunManager:
    manager: RunManager = request.app.state.runs
    return manager


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request) -> Response:
    """The form to start a run, and the runs of this server."""
    bench = bench_of(request)
    study = bench.study()
    return render(
        request,
        "runs.html.j2",
        {
            "measured": [s for s in study.subjects if s.measured],
            "suites": list(study.spec.measure.suites),
            "runs": sorted(_manager(request).runs.values(), key=lambda r: -r.started),
        },
    )


@router.post("/runs")
async def start_run(request: Request) -> Response:
    """Start ``measure`` for the chosen subjects and suites."""
    form = await checked_form(request)
    bench = bench_of(request)
    study = bench.study()
    measured = {s.id for s in study.subjects if s.measured}
    subjects = [v for v in form.getlist("subject") if isinstance(v, str)]
    suites = [v for v in form.getlist("suite") if isinstance(v, str)]
    bad = [s for s in subjects if s not in measured]
    bad += [s for s in suites if s not in study.spec.measure.suites]
    if bad or not subjects:
        raise HTTPException(400, f"choose measured subjects and the study's suites (not {bad})")
    limit_text = text_field(form, "limit")
    limit = None
    if limit_text:
        if not limit_text.isdigit() or int(limit_text) < 1:
            raise HTTPException(400, "items per task: a whole number of at least 1")
        limit = int(limit_text)
    run = _manager(request).start(subjects, suites, limit)
    return RedirectResponse(f"/runs/{run.id}?lang={lang_of(request)}", status_code=303)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> Response:
    """One run's progress board, kept current by server-sent events."""
    run = _manager(request).get(run_id)
    return render(request, "run.html.j2", {"run": run, "snap": run.snapshot()})


@router.get("/runs/{run_id}/status")
def run_status(request: Request, run_id: str) -> Response:
    """The run's latest snapshot as JSON."""
    return JSONResponse(_manager(request).get(run_id).snapshot())


@router.post("/runs/{run_id}/stop")
async def stop_run(request: Request, run_id: str) -> Response:
    """Stop the run."""
    await checked_form(request)
    manager = _manager(request)
    manager.get(run_id)
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(manager.stop, run_id)
    return RedirectResponse(f"/runs/{run_id}?lang={lang_of(request)}", status_code=303)


@router.get("/runs/{run_id}/events")
async def run_events(request: Request, run_id: str) -> Response:
    """Server-sent events: one ``progress`` event per snapshot, then ``end``."""
    run = _manager(request).get(run_id)

    async def events() -> AsyncIterator[dict[str, str]]:
        sent = 0
        while True:
            if await request.is_disconnected():
                return
            fresh = run.events[sent:]
            sent += len(fresh)
            if fresh:
                yield {"event": "progress", "data": json.dumps(run.snapshot(), ensure_ascii=False)}
            if run.events and run.events[-1].get("event") == "closed" and not fresh:
                yield {"event": "end", "data": json.dumps(run.snapshot(), ensure_ascii=False)}
                return
            await asyncio.sleep(0.1)

    return EventSourceResponse(events())
