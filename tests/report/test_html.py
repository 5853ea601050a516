"""The HTML page: glyphs shared across inline radars for browsers, standalone for WeasyPrint.

The page's safety and fonts are checked end to end on written files in ``test_render.py``.
"""

from __future__ import annotations

import re

from quanheng.report import ReportData
from quanheng.report.figures import render_charts
from quanheng.report.html import render_html


def test_weasyprint_variant_has_no_glyph_references_across_svg_elements(
    mini_data: ReportData,
) -> None:
    charts = render_charts(mini_data, "zh", png=False)
    radars = [name for name in charts.inline if name.startswith("radar-")]
    assert radars and set(radars) == {f"radar-{v.id}" for v in mini_data.scored}
    shared = render_html(mini_data, "zh", charts)
    # the page for browsers and Chromium: inline radars, their glyphs defined once for the page
    defined = set(re.findall(r'<path id="(qg\d+)"', shared))
    used = set(re.findall(r'xlink:href="#(qg\d+)"', shared))
    assert used and used <= defined
    assert shared.count('<svg class="chart small"') == len(radars)
    # WeasyPrint resolves references only inside one <svg>: it gets every chart standalone
    standalone = render_html(mini_data, "zh", charts, shared_glyphs=False)
    assert 'xlink:href="#qg' not in standalone and 'id="qg' not in standalone
    assert standalone.count('<img class="chart small"') == len(radars)


def test_without_analysis_it_says_so(crowded_data: ReportData) -> None:
    charts = render_charts(crowded_data, "en", png=False)
    html = render_html(crowded_data, "en", charts)
    assert "No simulation result was given" in html
    assert "Rank probabilities" not in html and 'alt="Sensitivity' not in html


def test_every_chart_is_inlined_as_a_data_uri(mini_data: ReportData) -> None:
    charts = render_charts(mini_data, "en", png=False)
    html = render_html(mini_data, "en", charts, shared_glyphs=False)
    sources = re.findall(r'<img class="[^"]*" alt="[^"]*" src="([^"]*)"', html)
    assert len(sources) == len(charts.svg)
    assert all(src.startswith("data:image/svg+xml;base64,") for src in sources)
