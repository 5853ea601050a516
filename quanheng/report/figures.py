"""Every chart of one language's report, serialised once for all the formats that show it.

The HTML inlines them (the overview charts as SVG data URIs, the per-subject radars as inline
``<svg>`` sharing one set of glyph definitions, see :class:`~.svg.GlyphDefs`); the Markdown
points at them as files written beside it, PNG for the overview charts that most Markdown
viewers show best that way, SVG for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from quanheng.report import charts as ch
from quanheng.report.content import ReportData
from quanheng.report.i18n import t
from quanheng.report.svg import GlyphDefs
from quanheng.text import Lang

__all__ = ["OVERVIEW_PNG", "RenderedCharts", "render_charts"]

OVERVIEW_PNG: Final = ("landscape", "heatmap", "rank-probability", "tornado")
"""Charts also written as PNG beside the Markdown (per-subject radars are SVG only)."""


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
