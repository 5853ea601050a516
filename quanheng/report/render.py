"""Write a report in each language and format: HTML, PDF, and Markdown with its chart files.

Each format has its own module — :mod:`.html` (the page, also what the PDF prints),
:mod:`.pdf`, :mod:`.markdown` — all fed one language's :class:`~.content.ReportData` and its
charts serialised once (:mod:`.figures`). This module checks what was asked for, names the
files, and writes the languages in parallel processes when there are CPUs to spare.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Final

from quanheng.errors import EnvironmentProblem, InputError
from quanheng.report import pdf
from quanheng.report.content import ReportData
from quanheng.report.figures import render_charts
from quanheng.report.fonts import require_fonts
from quanheng.report.html import render_html
from quanheng.report.i18n import LANGS
from quanheng.report.markdown import render_markdown
from quanheng.report.memo import MemoData, memo_fragment_html, render_memo_markdown, with_memo
from quanheng.report.output import make_dir, prepare_output_dir, write_atomic
from quanheng.report.pdf import PdfEngine
from quanheng.text import Lang

__all__ = ["FORMATS", "report_stem", "write_report"]

FORMATS: Final[tuple[str, ...]] = ("html", "pdf", "md")


def report_stem(data: ReportData, lang: Lang) -> str:
    """File name stem of a report: ``{study}.{profile}.report.{lang}``."""
    return f"{data.study_id}.{data.profile.id}.report.{lang}"


def _check(formats: Iterable[str], langs: Iterable[str]) -> tuple[list[str], list[Lang]]:
    fmts, lang_list = list(formats), list(langs)
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise InputError.single(
            "--format",
            None,
            f"unknown format(s) {', '.join(bad) or '(none)'}",
            f"use any of: {', '.join(FORMATS)}",
        )
    bad = [x for x in lang_list if x not in LANGS]
    if bad or not lang_list:
        raise InputError.single(
            "--lang",
            None,
            f"unknown language(s) {', '.join(bad) or '(none)'}",
            f"use any of: {', '.join(LANGS)}",
        )
    return fmts, [x for x in LANGS if x in lang_list]


def write_report(
    data: ReportData,
    out: Path,
    *,
    langs: Sequence[str] = LANGS,
    formats: Sequence[str] = FORMATS,
    pdf_engine: PdfEngine = "auto",
    workers: int | None = None,
    memo: MemoData | None = None,
) -> list[Path]:
    """Write the report in each language and format under ``out``; return the files written.

    The languages share nothing but ``data``, and charts and PDF are CPU-bound, so with more
    than one language and more than one CPU the languages are written in parallel processes
    (``workers``: processes, this one included; default one per language up to the CPUs;
    1 = one language after the other in this process). With ``memo`` (:mod:`.memo`), every
    format opens with the decision memo of the report's profile.

    Raises:
        InputError: an unknown format or language.
        EnvironmentProblem: the fonts (or, for PDF, every PDF engine asked for) are missing.
    """
    fmts, lang_list = _check(formats, langs)
    if pdf_engine not in pdf.PDF_ENGINES:
        raise InputError.single(
            "--pdf-engine",
            None,
            f"unknown PDF engine {pdf_engine!r}",
            f"use any of: {', '.join(pdf.PDF_ENGINES)}",
        )
    require_fonts()
    prepare_output_dir(out)

    def one(lang: Lang) -> list[Path]:
        return _write_language(data, out, lang, fmts, pdf_engine, memo)

    n = min(len(lang_list), workers or os.cpu_count() or 1)
    if n <= 1:
        parts = [one(lang) for lang in lang_list]
    else:
        # This process writes the first language while n − 1 others write the rest (one
        # interpreter start-up fewer). Spawn, not fork: the parent may hold BLAS or simulation
        # threads, and a forked child of a threaded process can deadlock.
        context = multiprocessing.get_context("spawn")
        first: list[Path] | None = None
        try:
            with ProcessPoolExecutor(max_workers=n - 1, mp_context=context) as pool:
                jobs = [
                    pool.submit(_write_language, data, out, lang, fmts, pdf_engine, memo)
                    for lang in lang_list[1:]
                ]
                first = one(lang_list[0])
                parts = [first, *(job.result() for job in jobs)]
        except BrokenProcessPool:
            # A worker could not start (e.g. a script without a ``__main__`` guard): same
            # report, one language after the other.
            head = first if first is not None else one(lang_list[0])
            parts = [head, *(one(lang) for lang in lang_list[1:])]
    return [path for part in parts for path in part]


def _write_language(
    data: ReportData,
    out: Path,
    lang: Lang,
    fmts: Sequence[str],
    pdf_engine: PdfEngine,
    memo: MemoData | None = None,
) -> list[Path]:
    written: list[Path] = []
    stem = report_stem(data, lang)
    charts = render_charts(data, lang, png="md" in fmts)
    if charts.missing_glyphs:
        raise EnvironmentProblem(
            "some characters have no glyph in the report fonts and would show as boxes: "
            + "; ".join(sorted(charts.missing_glyphs)[:5])
        )
    front = memo_fragment_html(memo, lang) if memo is not None else ""  # the decision memo

    def page(*, shared_glyphs: bool = True) -> str:
        html = render_html(data, lang, charts, shared_glyphs=shared_glyphs)
        return with_memo(html, front) if front else html

    html = page() if {"html", "pdf"} & set(fmts) else ""
    if "html" in fmts:
        written.append(write_atomic(out / f"{stem}.html", html))
    if "pdf" in fmts:
        path = out / f"{stem}.pdf"
        standalone = functools.partial(page, shared_glyphs=False)
        written.append(
            write_atomic(path, pdf.render_pdf(html, pdf_engine, weasyprint_html=standalone))
        )
    if "md" in fmts:
        chart_dir = make_dir(out / f"{stem}.charts")
        for name, svg in charts.svg.items():
            written.append(write_atomic(chart_dir / f"{name}.svg", svg))
        for name, png in charts.png.items():
            written.append(write_atomic(chart_dir / f"{name}.png", png))
        written.append(
            write_atomic(
                out / f"{stem}.md",
                (render_memo_markdown(memo, lang) + "\n" if memo is not None else "")
                + render_markdown(data, lang, chart_dir.name, charts),
            )
        )
    return written
