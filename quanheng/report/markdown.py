"""The report as Markdown, from ``templates/report.md.j2``, with its charts as files beside it.

Same content and words as the HTML, from the same :class:`~.content.ReportData`. Markdown has
no autoescaping, so the template passes user text through the ``md``/``md_link`` filters of
:mod:`.escape`: a quote holding ``<script>`` or ``[a](javascript:…)`` shows as those characters.
"""

from __future__ import annotations

from quanheng.report.content import ReportData
from quanheng.report.figures import RenderedCharts
from quanheng.report.templating import context, environment
from quanheng.text import Lang

__all__ = ["render_markdown"]


def render_markdown(data: ReportData, lang: Lang, chart_dir: str, charts: RenderedCharts) -> str:
    """The report as Markdown, with images from ``chart_dir`` (relative to the file).

    An image is the chart's PNG where one was made (the overview charts), else its SVG.
    """
    return (
        environment("md")
        .get_template("report.md.j2")
        .render(
            context(lang),
            data=data,
            dims=data.card.dimensions,
            chart_dir=chart_dir,
            png=charts.png.keys(),
            drawn=charts.svg.keys(),
        )
    )
