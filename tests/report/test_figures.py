"""Charts serialised once per language: SVG for all, PNG for the overview, radars inline."""

from __future__ import annotations

import re

from quanheng.report import ReportData
from quanheng.report.figures import OVERVIEW_PNG, render_charts


def test_every_chart_as_svg_and_the_overview_also_as_png(mini_data: ReportData) -> None:
    charts = render_charts(mini_data, "zh", png=True)
    radars = {f"radar-{v.id}" for v in mini_data.scored}
    assert set(charts.svg) == set(OVERVIEW_PNG) | radars  # the mini analysis has every chart
    assert set(charts.png) == set(OVERVIEW_PNG)
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in charts.png.values())
    assert all(
        "<svg" in svg[:2000] and svg.rstrip().endswith("</svg>") for svg in charts.svg.values()
    )
    assert charts.missing_glyphs == frozenset()  # CJK names drawn with glyphs the fonts have


def test_radars_are_inline_and_share_one_set_of_glyphs(mini_data: ReportData) -> None:
    charts = render_charts(mini_data, "en", png=False)
    assert charts.png == {}
    assert set(charts.inline) == {f"radar-{v.id}" for v in mini_data.scored}
    defined = set(re.findall(r'<path id="(qg\d+)"', charts.glyph_defs))
    used = {g for svg in charts.inline.values() for g in re.findall(r'href="#(qg\d+)"', svg)}
    assert used and used <= defined
    # the standalone SVG files define their own glyphs: none points into the shared set
    assert not any('href="#qg' in charts.svg[name] for name in charts.inline)


def test_without_analysis_no_simulation_charts(crowded_data: ReportData) -> None:
    charts = render_charts(crowded_data, "en", png=True)
    assert "rank-probability" not in charts.svg and "tornado" not in charts.svg
    assert set(charts.png) == {"landscape", "heatmap"}
    assert len([n for n in charts.svg if n.startswith("radar-")]) == len(crowded_data.scored)
