"""Render report content as one self-contained HTML file, a PDF and Markdown with charts.

The HTML inlines every chart and its CSS, so it opens from disk with no network and shows the
same characters on any machine: the overview charts as SVG data URIs, the per-subject radars as
inline ``<svg>`` sharing one set of glyph definitions (glyphs are drawn as paths throughout).
The PDF is the same HTML printed by headless Chromium, or by WeasyPrint with every chart as a
data URI (:mod:`quanheng.report.pdf`); neither may fetch anything but data URIs. Markdown
points at chart files written beside it.
The languages are written in parallel processes when there are CPUs to spare.

All user-supplied text — names, quotes, notes, URLs — is escaped by Jinja2's autoescaping (HTML,
PDF) or :func:`md_text` (Markdown), and only ``http``/``https`` URLs become links
(:func:`safe_url`): a quote holding ``<script>`` is shown as text.
"""

from __future__ import annotations

import base64
import functools
import math
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import quote, urlsplit

import jinja2

from quanheng.errors import EnvironmentProblem, InputError
from quanheng.report import charts as ch
from quanheng.report import pdf
from quanheng.report.content import ReportData, SubjectView
from quanheng.report.fonts import CSS_FONT_STACK, require_fonts
from quanheng.report.i18n import LANGS, fmt_interval, fmt_pct, fmt_score, t
from quanheng.report.pdf import PdfEngine
from quanheng.report.svg import GlyphDefs
from quanheng.text import Lang

__all__ = [
    "FORMATS",
    "RenderedCharts",
    "md_text",
    "render_charts",
    "render_html",
    "render_markdown",
    "render_pdf",
    "report_stem",
    "safe_url",
    "write_report",
]

FORMATS: Final[tuple[str, ...]] = ("html", "pdf", "md")
OVERVIEW_PNG: Final = ("landscape", "heatmap", "rank-probability", "tornado")
"""Charts also written as PNG beside the Markdown (per-subject radars are SVG only)."""


# --------------------------------------------------------------------------- escaping helpers


def safe_url(url: str | None) -> str | None:
    """The URL if it is a well-formed http(s) URL, else ``None`` (so it is shown, not linked)."""
    if not url:
        return None
    text = url.strip()
    if any(c in text for c in "\x00\r\n\t <>\"'`") or any(ord(c) < 32 for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_text(text: object) -> str:
    """User text made inert in Markdown: HTML entities for ``& < >``, backslash for markup."""
    s = str(text).replace("\r", " ").replace("\n", " ")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def _md_link(label: str, url: str | None) -> str:
    good = safe_url(url)
    if good is None:
        return md_text(label) + (f" ({md_text(url)})" if url else "")
    return f"[{md_text(label)}](<{quote(good, safe=':/?#[]@!$&*+,;=%~-._')}>)"


def fmt_value(x: bool | float) -> str:
    """A raw value as a person would write it: true/false, or up to 6 significant digits."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if math.isnan(x):
        return "—"
    return f"{x:.6g}"


# --------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class RenderedCharts:
    """Serialised charts of one language: SVG text for every chart, PNG for the overview ones.

    ``inline`` holds the charts drawn straight to SVG (the radars) as ``<svg>`` elements for
    the HTML, their glyphs defined once in ``glyph_defs`` (see :class:`~.svg.GlyphDefs`);
    ``svg`` has every chart as a standalone file for the Markdown.
    """

    svg: dict[str, str]
    png: dict[str, bytes]
    missing_glyphs: frozenset[str]
    inline: dict[str, str] = field(default_factory=dict)
    glyph_defs: str = ""


def render_charts(data: ReportData, lang: Lang, *, png: bool = True) -> RenderedCharts:
    """Build and serialise every chart of the report in one language."""
    built: list[ch.Chart | None] = [
        ch.landscape_chart(data, lang),
        ch.heatmap_chart(data, lang),
        ch.rank_probability_chart(data, lang),
        ch.tornado_chart(data, lang),
    ]
    built += [ch.radar_chart(data, v.id, lang) for v in data.scored]
    svg: dict[str, str] = {}
    pngs: dict[str, bytes] = {}
    inline: dict[str, str] = {}
    shared = GlyphDefs()
    missing: set[str] = set()
    for chart in built:
        if chart is None:
            continue
        svg[chart.name] = ch.to_svg(chart)
        if chart.figure is not None and chart.figure.get_layout_engine() is not None:
            # laid out by the SVG save; the PNG keeps that layout instead of redoing it
            chart.figure.set_layout_engine("none")
        if chart.canvas is not None:
            label = t("radar", lang) if chart.name.startswith("radar-") else chart.name
            inline[chart.name] = shared.inline(chart.canvas, label, "chart small")
        if png and chart.name in OVERVIEW_PNG:
            pngs[chart.name] = ch.to_png(chart)
        missing |= chart.missing_glyphs
        if chart.figure is not None:
            chart.figure.clear()
    return RenderedCharts(svg, pngs, frozenset(missing), inline, shared.to_string())


# --------------------------------------------------------------------------- HTML


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("quanheng.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _interval_of(lang: Lang) -> Callable[[SubjectView, str], str]:
    del lang

    def interval(view: SubjectView, node: str) -> str:
        iv = view.intervals.get(node)
        return fmt_interval(*iv) if iv else "—"

    return interval


def render_html(
    data: ReportData, lang: Lang, charts: RenderedCharts, *, shared_glyphs: bool = True
) -> str:
    """The report as one self-contained HTML document.

    With ``shared_glyphs`` the radars are inline ``<svg>`` elements whose glyphs are defined
    once for the page (browsers and Chromium's printing resolve those references across the
    page's ``<svg>`` elements); without it every chart is a standalone SVG data URI, which is
    what WeasyPrint needs — it resolves references only within one ``<svg>``.
    """
    inline = charts.inline if shared_glyphs else {}
    template = _environment().get_template("report.html.j2")

    def tr(key: str, **fields: object) -> str:
        return t(key, lang, **fields)

    return template.render(
        data=data,
        lang=lang,
        dims=data.card.dimensions,
        charts={name: _svg_uri(svg) for name, svg in charts.svg.items() if name not in inline},
        inline=inline,
        glyph_defs=charts.glyph_defs if inline else "",
        t=tr,
        fmt_score=fmt_score,
        fmt_pct=fmt_pct,
        fmt_value=fmt_value,
        interval=_interval_of(lang),
        safe_url=safe_url,
        font_stack=CSS_FONT_STACK,
    )


# --------------------------------------------------------------------------- PDF


def render_pdf(
    html: str, engine: PdfEngine = "auto", *, weasyprint_html: Callable[[], str] | None = None
) -> bytes:
    """Print the HTML to PDF (Chromium by default, WeasyPrint as fallback); see :mod:`.pdf`.

    ``weasyprint_html`` makes the variant of the page WeasyPrint is given, if it is used
    (:func:`render_html` with ``shared_glyphs=False``).

    Raises:
        EnvironmentProblem: no engine that was asked for can run here.
    """
    return pdf.render_pdf(html, engine, weasyprint_html=weasyprint_html)


# --------------------------------------------------------------------------- Markdown


def render_markdown(data: ReportData, lang: Lang, chart_dir: str, charts: RenderedCharts) -> str:
    """The report as Markdown, with images from ``chart_dir`` (relative to the file)."""

    def tr(key: str, **fields: object) -> str:
        return t(key, lang, **fields)

    def img(name: str, alt: str) -> str:
        ext = "png" if name in charts.png else "svg"
        return f"![{md_text(alt)}]({quote(chart_dir)}/{quote(name)}.{ext})"

    dims = data.card.dimensions
    lines: list[str] = [
        f"# {md_text(data.title.get(lang))}",
        "",
        f"{tr('report')} · {tr('framework')}: {md_text(data.framework.name.get(lang))} "
        f"(`{data.framework.id}` {md_text(data.framework.version)}) · {tr('profile')}: "
        f"{md_text(data.profile.name.get(lang))} (`{data.profile.id}`)",
        "",
    ]
    if data.description:
        lines += [md_text(data.description.get(lang)), ""]
    # 1. landscape
    lines += [f"## 1. {tr('landscape')}", "", img("landscape", tr("landscape")), ""]
    lines += [f"**{tr('screened_out')}**", ""]
    if not data.excluded:
        lines.append(f"- {tr('screened_none')}")
    for s in data.excluded:
        failed = [g for g in s.gates if g.status == "fail"]
        gates = ", ".join(md_text(g.name.get(lang)) for g in failed)
        lines.append(f"- **{md_text(s.name.get(lang))}** — {tr('fails')} {gates}")
        for g in failed:
            for r in g.records:
                lines.append(
                    f"  - “{md_text(r.quote)}” — {_md_link(r.source.title or '', r.source.url)}"
                )
    lines += ["", tr("landscape_note"), ""]
    # 2. ranking
    head = [tr("rank"), tr("subject"), tr("overall"), tr("interval90")]
    head += [md_text(data.node_name(d).get(lang)) for d in dims]
    head += [tr("p_best"), tr("coverage"), tr("status")]
    lines += [f"## 2. {tr('ranking')}", "", "| " + " | ".join(head) + " |"]
    lines.append(
        "|"
        + "|".join("---:" if k != 1 and k != len(head) - 1 else "---" for k in range(len(head)))
        + "|"
    )
    several = len({s.kind for s in data.subjects}) > 1
    for k, s in enumerate(data.subjects):
        if several and (k == 0 or data.subjects[k - 1].kind != s.kind):
            title = tr("cohort_" + s.kind) if s.kind in ("vendor", "model") else s.kind
            lines.append("| | **" + title + "** |" + " |" * (len(head) - 2))
        iv = s.intervals.get("overall")
        row = [
            str(s.rank or "—"),
            md_text(s.name.get(lang)),
            fmt_score(s.overall),
            fmt_interval(*iv) if iv else "—",
            *(fmt_score(s.scores[d]) for d in dims),
            fmt_pct(s.p_best, 1) if s.p_best is not None else "—",
            fmt_pct(s.coverage),
            tr("status_" + s.status) + (f" ({md_text(s.reason_in(lang))})" if s.reason else ""),
        ]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", tr("ranking_note"), ""]
    if data.analysis is None:
        lines += [tr("no_analysis"), ""]
    # 3. charts
    lines += [
        f"## 3. {tr('charts')}",
        "",
        f"### {tr('heatmap')}",
        "",
        img("heatmap", tr("heatmap")),
    ]
    lines += ["", tr("heatmap_note"), ""]
    for name, key, note in (
        ("rank-probability", "rank_prob", "rank_prob_note"),
        ("tornado", "tornado", "tornado_note"),
    ):
        if name in charts.svg:
            lines += [f"### {tr(key)}", "", img(name, tr(key)), "", tr(note), ""]
    # 4. subjects
    lines += [f"## 4. {tr('subjects')}", ""]
    for s in data.subjects:
        lines += [f"### {md_text(s.name.get(lang))} (`{s.id}`) — {tr('status_' + s.status)}", ""]
        if s.in_cohort:
            lines += [
                f"{tr('rank')}: {s.rank or '—'} · {tr('overall')}: {fmt_score(s.overall)} · "
                f"{tr('coverage')}: {fmt_pct(s.coverage)}",
                "",
                img(f"radar-{s.id}", tr("radar")),
                "",
            ]
            for title, rows in ((tr("strengths"), s.strengths), (tr("weaknesses"), s.weaknesses)):
                lines.append(
                    f"**{title}**: "
                    + (
                        "; ".join(
                            f"{e.leaf} {md_text(e.name.get(lang))} ({fmt_value(e.raw)}, "
                            f"{e.effect:+.4f})"
                            for e in rows
                        )
                        or tr("none")
                    )
                )
                lines.append("")
        lines.append(f"**{tr('gates')}**")
        lines.append("")
        for g in s.gates:
            quotes = "; ".join(f"“{md_text(r.quote)}”" for r in g.records)
            lines.append(
                f"- {md_text(g.name.get(lang))}: {tr('gate_' + g.status)} {quotes}".rstrip()
            )
        lines.append("")
        if s.measured:
            lines.append(f"**{tr('measured')}**")
            lines.append("")
            for m in s.measured:
                lines.append(
                    f"- {m.leaf} {md_text(m.name.get(lang))}: {fmt_value(m.value)} "
                    f"[{fmt_value(m.low)}, {fmt_value(m.high)}]"
                )
            lines.append("")
    # 5. appendices
    lines += [f"## {tr('evidence_appendix')}", "", tr("evidence_note"), ""]
    lines += [
        f"| {tr('subject')} | {tr('indicator')} | {tr('value')} | {tr('source')} | {tr('date')} | "
        f"{tr('quote')} | {tr('analyst')} |",
        "|---|---|---:|---|---|---|---|",
    ]
    for e in data.evidence:
        r = e.record
        lines.append(
            f"| {md_text(e.subject_name.get(lang))} | {e.indicator} "
            f"{md_text(e.indicator_name.get(lang))} | {fmt_value(r.value)} | "
            f"{_md_link(r.source.title or r.source.document or '', r.source.url)} | "
            f"{md_text(r.source.date or '')} | {md_text(r.quote)} | {md_text(r.analyst)} |"
        )
    lines += ["", f"## {tr('method_appendix')}", "", f"### {tr('tree')}", ""]
    lines += [
        f"| {tr('id')} | {tr('name')} | {tr('weight')} | {tr('global_weight')} | "
        f"{tr('normalisation')} |",
        "|---|---|---:|---:|---|",
    ]
    for node in data.tree:
        indent = "&nbsp;&nbsp;" * (node.depth - 1)
        lines.append(
            f"| {indent}{node.id} | {md_text(node.name.get(lang))} | {node.weight:.4f} | "
            f"{node.global_weight:.4f} | {md_text(node.normalisation or '')} |"
        )
    lines += [
        "",
        f"### {tr('profile')}: {md_text(data.profile.name.get(lang))}",
        "",
        ", ".join(f"{k}: {v:g}" for k, v in data.profile.weights.items()) or tr("profile_none"),
        "",
        f"### {tr('missing_policy')}",
        "",
        f"{data.card.missing}: {tr('missing_' + data.card.missing)}",
        "",
        f"### {tr('consistency')}",
        "",
        ", ".join(f"{k}: {v:.3f}" for k, v in data.consistency.items()) or tr("consistency_none"),
        "",
        f"### {tr('hashes')}",
        "",
        tr("hashes_note"),
        "",
        *(f"- {k}: `{v}`" for k, v in data.digests.items()),
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- writing


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
) -> list[Path]:
    """Write the report in each language and format under ``out``; return the files written.

    The languages share nothing but ``data``, and charts and PDF are CPU-bound, so with more
    than one language and more than one CPU the languages are written in parallel processes
    (``workers``: processes, this one included; default one per language up to the CPUs;
    1 = one language after the other in this process).

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
    out.mkdir(parents=True, exist_ok=True)

    def one(lang: Lang) -> list[Path]:
        return _write_language(data, out, lang, fmts, pdf_engine)

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
                    pool.submit(_write_language, data, out, lang, fmts, pdf_engine)
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
    data: ReportData, out: Path, lang: Lang, fmts: Sequence[str], pdf_engine: PdfEngine
) -> list[Path]:
    written: list[Path] = []
    stem = report_stem(data, lang)
    charts = render_charts(data, lang, png="md" in fmts)
    if charts.missing_glyphs:
        raise EnvironmentProblem(
            "some characters have no glyph in the report fonts and would show as boxes: "
            + "; ".join(sorted(charts.missing_glyphs)[:5])
        )
    html = render_html(data, lang, charts) if {"html", "pdf"} & set(fmts) else ""
    if "html" in fmts:
        written.append(_write(out / f"{stem}.html", html))
    if "pdf" in fmts:
        path = out / f"{stem}.pdf"
        standalone = functools.partial(render_html, data, lang, charts, shared_glyphs=False)
        path.write_bytes(render_pdf(html, pdf_engine, weasyprint_html=standalone))
        written.append(path)
    if "md" in fmts:
        chart_dir = out / f"{stem}.charts"
        chart_dir.mkdir(exist_ok=True)
        for name, svg in charts.svg.items():
            written.append(_write(chart_dir / f"{name}.svg", svg))
        for name, png in charts.png.items():
            path = chart_dir / f"{name}.png"
            path.write_bytes(png)
            written.append(path)
        written.append(
            _write(out / f"{stem}.md", render_markdown(data, lang, chart_dir.name, charts))
        )
    return written


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
