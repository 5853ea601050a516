"""The report as one self-contained HTML page, from ``templates/report.html.j2``.

The page inlines every chart and its CSS, so it opens from disk with no network and shows the
same characters on any machine. The PDF is this page printed (:mod:`.pdf`); WeasyPrint gets a
variant with every chart standalone. User text is escaped by Jinja2's autoescaping, and only
``http``/``https`` URLs become links.
"""

from __future__ import annotations

import base64

from quanheng.report.content import ReportData
from quanheng.report.figures import RenderedCharts
from quanheng.report.fonts import CSS_FONT_STACK
from quanheng.report.templating import context, environment
from quanheng.text import Lang

__all__ = ["render_html"]


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


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
    return (
        environment("html")
        .get_template("report.html.j2")
        .render(
            context(lang),
            data=data,
            dims=data.card.dimensions,
            charts={name: _svg_uri(s) for name, s in charts.svg.items() if name not in inline},
            inline=inline,
            glyph_defs=charts.glyph_defs if inline else "",
            font_stack=CSS_FONT_STACK,
        )
    )
