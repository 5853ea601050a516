"""Results in a notebook: a :class:`Scorecard`, :class:`Analysis` or :class:`Recommendation`
shown as its ranking table and the report's landscape, inline.

Jupyter calls ``_repr_html_`` (and ``_repr_markdown_``) on the result; those hand over to
:func:`render` here (named by ``quanheng/__init__.py``, see :func:`quanheng._lazy.display`),
so the results need not import the report layer that draws them. The table is the ranking
cohort by cohort (ranks restart in each: vendors and models are ranked apart) with status and
coverage, and for an analysis or a recommendation P(best) beside the coverage it rests on; the
landscape is the report's own chart (:func:`~quanheng.report.charts.landscape_chart`), as
inline SVG with its text drawn as paths: no fonts, files or network.

>>> html = to_html(card)             # doctest: +SKIP
>>> md = to_markdown(analysis, "zh")  # doctest: +SKIP
"""

from __future__ import annotations

import html as _html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from quanheng.analysis import Analysis, Recommendation
from quanheng.analysis.recommend import INSUFFICIENT
from quanheng.report.i18n import t
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Study
from quanheng.text import Lang

__all__ = ["landscape_svg", "render", "to_html", "to_markdown"]

Result = Scorecard | Analysis | Recommendation

_STYLE = (
    "<style>"
    ".quanheng table{border-collapse:collapse;margin:0.3em 0 0.8em}"
    ".quanheng th,.quanheng td{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd}"
    ".quanheng th.l,.quanheng td.l{text-align:left}"
    ".quanheng .muted{color:#8a8f98}"
    ".quanheng svg{max-width:100%;height:auto}"
    "</style>"
)


@dataclass(frozen=True)
class _Row:
    subject: str
    name: str
    cohort: str
    rank: int | None
    overall: float
    coverage: float
    status: str
    reason: str
    interval: tuple[float, float] | None = None
    p_best: float | None = None


def render(obj: object, fmt: str) -> str | None:
    """What ``_repr_html_``/``_repr_markdown_`` show: ``fmt`` is ``html`` or ``markdown``."""
    if not isinstance(obj, Scorecard | Analysis | Recommendation):
        return None
    return to_html(obj) if fmt == "html" else to_markdown(obj)


# --------------------------------------------------------------------------- rows


def _sources(obj: Result) -> tuple[Study | None, Scorecard | None]:
    if isinstance(obj, Scorecard):
        return obj._study, obj
    sources = obj._sources
    return (sources[0], sources[1]) if sources is not None else (None, None)


def _rows(card: Scorecard, obj: Result, lang: Lang) -> list[_Row]:
    p_best: dict[str, float] = {}
    intervals: dict[str, tuple[float, float]] = {}
    if isinstance(obj, Analysis):
        sim = obj.simulation
        p_best = {s: float(sim.p_best[i]) for i, s in enumerate(sim.subjects)}
        intervals = {s: (float(sim.q05[i]), float(sim.q95[i])) for i, s in enumerate(sim.subjects)}
    elif isinstance(obj, Recommendation):
        p_best = {p.subject: p.p_best for p in obj.picks}
        intervals = {p.subject: p.interval for p in obj.picks}
    rows = []
    for i in card.order():
        sid = card.subjects[i]
        status = card.status(sid)
        rows.append(
            _Row(
                subject=sid,
                name=card.subject_names[i].get(lang),
                cohort=card.cohorts[i] if card.cohorts else "",
                rank=int(card.ranks[i]) if card.ranks[i] > 0 else None,
                overall=float(card.overall[i]),
                coverage=float(card.coverage[i, -1]) if status != "excluded" else math.nan,
                status=status,
                reason=card.reason(sid),
                interval=intervals.get(sid),
                p_best=p_best.get(sid),
            )
        )
    return rows


def _cohort_title(cohort: str, lang: Lang) -> str:
    key = f"cohort_{cohort}"
    try:
        return t(key, lang)
    except KeyError:
        return cohort or t("ranking", lang)


def _status(status: str, lang: Lang) -> str:
    try:
        return t(f"status_{status}", lang)
    except KeyError:
        return status


def _fixed(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:.3f}"


def _pct(x: float | None) -> str:
    return "—" if x is None or math.isnan(x) else f"{x:.0%}"


def _interval(iv: tuple[float, float] | None) -> str:
    if iv is None or math.isnan(iv[0]) or math.isnan(iv[1]):
        return "—"
    return f"[{iv[0]:.3f}, {iv[1]:.3f}]"


def _columns(obj: Result, lang: Lang) -> list[str]:
    head = [t("rank", lang), t("subject", lang), "id", t("overall", lang)]
    if not isinstance(obj, Scorecard):
        head += [t("interval90", lang), t("p_best", lang)]
    return [*head, t("coverage", lang), t("status", lang), ""]


def _cells(row: _Row, obj: Result, lang: Lang) -> list[str]:
    cells = [str(row.rank) if row.rank is not None else "—", row.name, row.subject]
    cells.append(_fixed(row.overall))
    if not isinstance(obj, Scorecard):
        cells += [_interval(row.interval), _pct(row.p_best)]
    reason = row.reason if row.status != "ranked" else ""
    return [*cells, _pct(row.coverage), _status(row.status, lang), reason]


def _by_cohort(rows: Sequence[_Row]) -> dict[str, list[_Row]]:
    out: dict[str, list[_Row]] = {}
    for row in rows:
        out.setdefault(row.cohort, []).append(row)
    return out


def _title(obj: Result, card: Scorecard | None) -> str:
    if isinstance(obj, Scorecard):
        return f"{obj.study} · profile {obj.profile} · {obj.aggregation}, missing={obj.missing}"
    kind = "analysis" if isinstance(obj, Analysis) else "recommendation"
    return f"{obj.study} · profile {obj.profile} ({obj.profile_name}) · {kind}"


def _headline(obj: Result) -> str | None:
    if isinstance(obj, Recommendation):
        return obj.headline
    if isinstance(obj, Analysis):
        sim = obj.simulation
        return f"{sim.draws} draws, seed {sim.seed}: P(best) is shown with the coverage behind it."
    return None


# --------------------------------------------------------------------------- landscape


def landscape_svg(obj: Result, lang: Lang = "en") -> str | None:
    """The report's landscape of ``obj`` as an inline ``<svg>`` element, with the analysis's
    intervals for an :class:`Analysis`; ``None`` when the result does not carry its study."""
    from quanheng.report import charts  # matplotlib: only when a landscape is drawn
    from quanheng.report.content import analysis_for_report, build_report

    study, card = _sources(obj)
    if study is None or card is None:
        return None
    analysis = analysis_for_report(obj, card) if isinstance(obj, Analysis) else None
    data = build_report(study, card, analysis, matrix=card.matrix)
    if not data.cohort:
        return None
    chart = charts.landscape_chart(data, lang)
    try:
        svg = charts.to_svg(chart)
    finally:
        if chart.figure is not None:
            chart.figure.clear()
    start = svg.find("<svg")  # drop the XML declaration and DOCTYPE: inline in the page
    return svg[start:] if start >= 0 else svg


# --------------------------------------------------------------------------- HTML / Markdown


def to_html(obj: Result, lang: Lang = "en", *, landscape: bool = True) -> str:
    """The result as one HTML fragment: title, ranking table by cohort, landscape."""
    esc = _html.escape
    study, card = _sources(obj)
    parts = [_STYLE, '<div class="quanheng">', f"<p><b>{esc(_title(obj, card))}</b></p>"]
    headline = _headline(obj)
    if headline:
        parts.append(f"<p>{esc(headline)}</p>")
    if card is None:
        parts.append('<p class="muted">(the scorecard behind this result is not at hand)</p>')
    else:
        heads = "".join(
            f'<th class="{"l" if k in (1, 2) or k >= len(_columns(obj, lang)) - 2 else ""}">'
            f"{esc(h)}</th>"
            for k, h in enumerate(_columns(obj, lang))
        )
        groups = _by_cohort(_rows(card, obj, lang))
        for cohort, rows in groups.items():
            if len(groups) > 1 or cohort:
                parts.append(f"<h4>{esc(_cohort_title(cohort, lang))}</h4>")
            parts.append(f'<table class="ranking"><thead><tr>{heads}</tr></thead><tbody>')
            for row in rows:
                cells = _cells(row, obj, lang)
                tds = "".join(
                    f'<td class="{"l" if k in (1, 2) or k >= len(cells) - 2 else ""}">{esc(c)}</td>'
                    for k, c in enumerate(cells)
                )
                parts.append(f'<tr data-subject="{esc(row.subject)}">{tds}</tr>')
            parts.append("</tbody></table>")
        for warning in card.warnings:
            parts.append(f'<p class="muted">{esc(warning)}</p>')
    if isinstance(obj, Recommendation) and obj.provisional:
        parts.append(f"<p><b>{esc(INSUFFICIENT)}</b>: the ordering is provisional.</p>")
    if landscape:
        svg = landscape_svg(obj, lang)
        if svg is not None:
            parts.append(f'<figure class="landscape">{svg}</figure>')
        elif study is None:
            parts.append('<p class="muted">(no landscape: the study is not at hand)</p>')
    parts.append("</div>")
    return "\n".join(parts)


def to_markdown(obj: Result, lang: Lang = "en") -> str:
    """The result as Markdown: title, and the ranking table by cohort (no chart)."""
    _, card = _sources(obj)
    lines = [f"**{_title(obj, card)}**", ""]
    headline = _headline(obj)
    if headline:
        lines += [headline, ""]
    if card is not None:
        heads = _columns(obj, lang)
        groups = _by_cohort(_rows(card, obj, lang))
        for cohort, rows in groups.items():
            if len(groups) > 1 or cohort:
                lines += [f"*{_cohort_title(cohort, lang)}*", ""]
            lines.append("| " + " | ".join(heads) + " |")
            lines.append("|" + "|".join("---" for _ in heads) + "|")
            for row in rows:
                cells = [c.replace("|", "\\|") for c in _cells(row, obj, lang)]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
    return "\n".join(lines)
