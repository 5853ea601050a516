"""``quanheng report STUDY``: write the full report as HTML, PDF and Markdown."""

from __future__ import annotations

from pathlib import Path

import typer

from quanheng.cli._app import app, console, guarded
from quanheng.report.pdf import PdfEngine
from quanheng.text import Lang


@app.command()
@guarded
def report(
    path: Path = typer.Argument(..., help="Study directory."),
    profile: str | None = typer.Option(
        None, "--profile", "-p", help="Profile id (default: framework weights)."
    ),
    lang: str = typer.Option("zh,en", "--lang", help="zh, en or both (comma-separated)."),
    formats: str = typer.Option("html,pdf,md", "--format", help="Any of html,pdf,md."),
    out: Path = typer.Option(Path("out"), "--out", help="Where to write the report."),
    draws: int = typer.Option(
        10_000, "--draws", help="Simulation draws for intervals and rank probabilities; 0 = none."
    ),
    seed: int = typer.Option(0, "--seed", help="Simulation seed: same seed, same report."),
    pdf_engine: PdfEngine = typer.Option(
        "auto",
        "--pdf-engine",
        help="auto (headless Chromium if it runs, else WeasyPrint), chromium or weasyprint.",
    ),
) -> None:
    """Landscape, ranking, charts, subject pages, evidence and method appendices."""
    langs: list[Lang] = []
    for item in _split(lang):
        langs.append("zh" if item == "zh" else "en" if item == "en" else _bad_lang(item))
    from quanheng.report.api import report_study  # charts and PDF: heavy, import when used

    written = report_study(
        path,
        out,
        profile=profile,
        langs=langs,
        formats=_split(formats),
        draws=draws,
        seed=seed,
        pdf_engine=pdf_engine,
    )
    for file in written:
        if file.suffix in (".html", ".pdf", ".md"):
            console.print(f"wrote {file}", markup=False)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _bad_lang(item: str) -> Lang:
    from quanheng.errors import InputError

    raise InputError.single("--lang", None, f"unknown language {item!r}", "use zh, en or zh,en")
