"""Reports: generate the study's report (HTML, PDF or Markdown, Chinese or English) and
download it.

The report is :func:`quanheng.report.api.report_scorecard` on the workbench's scorecard, written
into a folder of this server's own (a temporary directory, one sub-folder per job). A download
names a job and a file; only files that job wrote are served, so no name from the client can
reach any other file.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from quanheng.web.context import bench_of, checked_form, render, text_field

__all__ = ["ReportJob", "ReportJobs", "router"]

router = APIRouter()

_JOB = re.compile(r"^[a-f0-9]{12}$")
FORMATS = ("html", "pdf", "md")
_MEDIA = {".html": "text/html", ".pdf": "application/pdf", ".md": "text/markdown"}


@dataclass(frozen=True)
class ReportJob:
    """One generated report: its folder and the files in it (relative names)."""

    id: str
    lang: str
    fmt: str
    profile: str
    folder: Path
    files: tuple[str, ...]


class ReportJobs:
    """The reports this server generated, in a temporary directory removed on exit."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="quanheng-reports-"))
        self.jobs: dict[str, ReportJob] = {}
        self._lock = threading.Lock()

    def add(self, job: ReportJob) -> None:
        """Keep a finished job."""
        with self._lock:
            self.jobs[job.id] = job

    def get(self, job_id: str) -> ReportJob:
        """The job with this id; 404 for any other."""
        if not _JOB.match(job_id) or job_id not in self.jobs:
            raise HTTPException(404, f"no report {job_id!r}")
        return self.jobs[job_id]

    def close(self) -> None:
        """Remove every generated file."""
        shutil.rmtree(self.root, ignore_errors=True)


def _jobs(request: Request) -> ReportJobs:
    jobs: ReportJobs = request.app.state.reports
    return jobs


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request) -> Response:
    """The form, and the reports generated so far."""
    bench = bench_of(request)
    return render(
        request,
        "reports.html.j2",
        {
            "jobs": list(reversed(_jobs(request).jobs.values())),
            "profiles": bench.study().profiles,
            "formats": FORMATS,
        },
    )


@router.post("/reports", response_class=HTMLResponse)
async def generate(request: Request) -> Response:
    """Generate one report (one language, one format) from the current scores."""
    form = await checked_form(request)
    lang, fmt = text_field(form, "report_lang"), text_field(form, "format")
    profile = text_field(form, "profile") or None
    if lang not in ("zh", "en") or fmt not in FORMATS:
        raise HTTPException(400, "language: zh or en; format: html, pdf or md")
    bench = bench_of(request)
    if profile is not None and profile not in bench.study().profiles:
        raise HTTPException(404, f"profile {profile!r} is not in the study")
    jobs = _jobs(request)

    def make() -> ReportJob:
        from quanheng.report.api import report_scorecard

        job_id = secrets.token_hex(6)
        folder = jobs.root / job_id
        card = bench.card(profile)
        written = report_scorecard(
            bench.study(),
            card,
            folder,
            langs=[lang],
            formats=[fmt],
            draws=bench.draws,
            study_path=str(bench.study_dir),
        )
        files = tuple(
            str(p.resolve().relative_to(folder.resolve())) for p in written if p.is_file()
        )
        return ReportJob(job_id, lang, fmt, card.profile, folder, files)

    from starlette.concurrency import run_in_threadpool

    job = await run_in_threadpool(make)
    jobs.add(job)
    if request.headers.get("hx-request"):
        return render(request, "_report_job.html.j2", {"job": job})
    return render(
        request,
        "reports.html.j2",
        {
            "jobs": list(reversed(jobs.jobs.values())),
            "profiles": bench.study().profiles,
            "formats": FORMATS,
        },
    )


@router.get("/reports/{job_id}/{name:path}")
def download(request: Request, job_id: str, name: str) -> Response:
    """A file of a generated report, as an attachment."""
    job = _jobs(request).get(job_id)
    if name not in job.files:
        raise HTTPException(404, f"report {job_id} has no file {name!r}")
    path = (job.folder / name).resolve()
    if not path.is_relative_to(job.folder.resolve()):
        raise HTTPException(400, "that file is outside the report")
    media = _MEDIA.get(path.suffix, "application/octet-stream")
    return FileResponse(path, media_type=media, filename=path.name)
