"""``quanheng report STUDY``: write the full report as HTML, PDF and Markdown."""

from __future__ import annotations

from pathlib import Path

import typer

from quanheng.cli._app import app, console, guarded
from quanheng.cli._words import w
from quanheng.report.pdf import PdfEngine
from quanheng.text import Lang

EXAMPLES = """\b
Examples:
  quanheng report studies/cn-llm-vendors-2024 --lang en --format md --draws 1000
  quanheng report studies/cn-llm-vendors-2024 --profile code-assistant --out out/code
  quanheng report studies/cn-llm-vendors-2024 --lang zh --format html,pdf
"""


def _check_langs(value: str) -> str:
    """``--lang`` refused as the other commands' ``zh|en`` choice is: ``'fr' is not one of``."""
    items = _split(value)
    for item in items or [value]:
        if item not in ("zh", "en"):
            raise typer.BadParameter(f"{item!r} is not one of 'zh', 'en'")
    return value


@app.command(epilog=EXAMPLES)
@guarded
def report(
    path: Path = typer.Argument(
        ..., metavar="STUDY", help="The study directory (the one holding study.yaml)."
    ),
    profile: str | None = typer.Option(
        None,
        "--profile",
        "-p",
        help="Profile id from the study's profiles: the use case whose weights rank the "
        "subjects; the report then opens with its decision memo. Default: the framework's "
        "weights.",
    ),
    lang: str = typer.Option(
        "zh,en",
        "--lang",
        callback=_check_langs,
        help="Report languages, comma-separated: zh, en or zh,en (one report per language).",
    ),
    formats: str = typer.Option(
        "html,pdf,md", "--format", help="Formats, comma-separated: any of html, pdf, md."
    ),
    out: Path = typer.Option(
        Path("out"), "--out", help="Directory the report is written to (created if missing)."
    ),
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
    langs: list[Lang] = ["zh" if item == "zh" else "en" for item in _split(lang)]  # checked
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
    words: Lang = langs[0] if len(set(langs)) == 1 else "en"  # the console's words
    for file in written:
        if file.suffix in (".html", ".pdf", ".md"):
            console.print(w("wrote", words, path=file), markup=False)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
