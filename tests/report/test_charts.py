"""Each chart from a known scorecard: the right subjects at the right coordinates."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import LineCollection

import quanheng
import quanheng.analysis
from quanheng.report import ReportData, analysis_for_report, build_report
from quanheng.report import charts as ch

SVG = "{http://www.w3.org/2000/svg}"


def test_landscape_places_each_subject_at_its_dimension_scores(mini_data: ReportData) -> None:
    chart = ch.landscape_chart(mini_data, "en")
    card = mini_data.card
    data = chart.data
    assert (data.x_node, data.y_node, data.size_node) == ("B", "A", "A1")
    assert set(data.points) == {"s1", "s2", "s3"}
    # m1 is a model: another cohort, never drawn among the vendors (nor listed as missing)
    assert data.missing == [] and [v.id for v in mini_data.others] == ["m1"]
    assert mini_data.main_kind == "vendor"
    offsets = chart.figure.axes[0].collections[0].get_offsets()
    for k, sid in enumerate(data.points):
        i = card.subjects.index(sid)
        expected = (card.column("B")[i], card.column("A")[i])
        assert tuple(offsets[k]) == pytest.approx(expected)
        assert (data.points[sid].x, data.points[sid].y) == pytest.approx(expected)
    assert data.points["s1"].x_interval == (0.9, 1.0)
    assert data.points["s1"].y_interval == (0.55, 0.75)
    assert data.excluded == [("Outsider", "Market")]
    texts = [t.get_text() for t in chart.figure.axes[1].texts]
    assert any("Outsider: fails Market" in t for t in texts)


def test_landscape_error_bars_are_the_simulated_dimension_intervals(mini_path: Path) -> None:
    study = quanheng.load_study(mini_path)
    card = quanheng.score(study)
    analysis = quanheng.analysis.analyse(study, card, draws=2000, seed=4)
    data = build_report(study, card, analysis_for_report(analysis, card))
    chart = ch.landscape_chart(data, "en")
    sim = analysis.simulation
    expected: list[tuple[str, float, float, float]] = []  # axis, fixed coordinate, low, high
    for sid, point in chart.data.points.items():
        i = sim.subjects.index(sid)
        iv = sim.node_intervals(i)
        assert point.x_interval == iv["B"] and point.y_interval == iv["A"]
        expected += [("x", point.y, *iv["B"]), ("y", point.x, *iv["A"])]
    drawn: list[tuple[str, float, float, float]] = []
    for coll in chart.figure.axes[0].collections:
        if not isinstance(coll, LineCollection):
            continue
        for seg in coll.get_segments():
            (x0, y0), (x1, y1) = seg
            if y0 == y1:  # horizontal: the x interval at the subject's y
                drawn.append(("x", float(y0), float(min(x0, x1)), float(max(x0, x1))))
            else:
                drawn.append(("y", float(x0), float(min(y0, y1)), float(max(y0, y1))))
    assert len(drawn) == len(expected) == 2 * len(chart.data.points)
    for got, want in zip(sorted(drawn), sorted(expected), strict=True):
        assert got[0] == want[0] and got[1:] == pytest.approx(want[1:], abs=1e-12)
    assert any(high - low > 0.01 for _, _, low, high in drawn)  # real uncertainty is drawn


def test_landscape_labels_do_not_overlap_in_a_crowd(crowded_data: ReportData) -> None:
    chart = ch.landscape_chart(crowded_data, "zh")
    boxes = list(chart.data.label_boxes.values())
    assert len(boxes) == 28
    assert ch.overlaps(boxes) == []
    axes_box = chart.figure.axes[0].get_window_extent()
    for box in boxes:
        assert axes_box.x0 - 1 <= box.x0 and box.x1 <= axes_box.x1 + 1


def test_heatmap_marks_missing_cells_and_never_colours_them(mini_data: ReportData) -> None:
    chart = ch.heatmap_chart(mini_data, "en")
    data = chart.data
    assert data.subjects == ("s1", "s2", "s3")  # the vendor cohort; m1 is a model
    image = chart.figure.axes[0].images[0]
    shown = image.get_array()
    assert np.ma.getmaskarray(shown).sum() == len(data.missing)
    assert ("A1.2", "s3") in data.missing and ("A1.1", "s1") not in data.missing
    card = mini_data.card
    i = card.subjects.index("s2")
    assert float(shown[0, 1]) == pytest.approx(card.normalised[i, 0])
    hatch = chart.figure.axes[0].patches[0]
    assert hatch.get_hatch() == "////" and hatch.get_zorder() < image.get_zorder()


def test_radar_vertices_are_the_first_level_scores(mini_data: ReportData) -> None:
    chart = ch.radar_chart(mini_data, "s1", "en")
    card = mini_data.card
    i = card.subjects.index("s1")
    assert chart.data.nodes == ("A1", "A2", "B1")
    for k, node in enumerate(chart.data.nodes):
        assert chart.data.values[k] == pytest.approx(card.column(node)[i])
    x, y = chart.data.vertices[0]  # first axis points straight up
    assert x == pytest.approx(0.0, abs=1e-12) and y == pytest.approx(card.column("A1")[i])
    # read back from the SVG: the filled polygon's corners are the vertices, scaled and centred
    svg = ch.to_svg(chart)
    root = ET.fromstring(svg)
    width, height = (float(v) for v in root.get("viewBox", "").split()[2:])
    filled = [p for p in root.iter(SVG + "path") if p.get("fill-opacity")]
    assert len(filled) == 1
    corners = [tuple(map(float, c.split())) for c in filled[0].get("d", "")[1:-2].split(" L")]
    assert len(corners) == len(chart.data.vertices)
    for (px, py), (vx, vy) in zip(corners, chart.data.vertices, strict=True):
        assert px == pytest.approx(width / 2 + vx * 102.6, abs=0.01)
        assert py == pytest.approx(height / 2 - vy * 102.6, abs=0.01)
    titles = [e.text for e in root.iter(SVG + "title")]
    assert [mini_data.node_name(n).en for n in ("A1", "A2", "B1")] == titles[:3]
    assert "Cohort median" in " ".join(t or "" for t in titles)


def test_radar_skips_missing_axes(crowded_data: ReportData) -> None:
    firsts = crowded_data.card.first_level
    gaps = [
        v for v in crowded_data.cohort if any(math.isnan(v.scores.get(n, math.nan)) for n in firsts)
    ]
    assert gaps, "the synthetic study should leave some first-level indicator without data"
    view = gaps[0]
    chart = ch.radar_chart(crowded_data, view.id, "zh")
    present = [v for v in chart.data.values if not math.isnan(v)]
    assert len(chart.data.vertices) == len(present)
    titles = [e.text or "" for e in ET.fromstring(ch.to_svg(chart)).iter(SVG + "title")]
    assert 0 < len(chart.data.values) - len(present) == sum("(缺失)" in t for t in titles)
    assert not chart.missing_glyphs


def test_rank_probability_and_tornado_read_back(mini_data: ReportData) -> None:
    ranks = ch.rank_probability_chart(mini_data, "en")
    assert ranks is not None
    assert ranks.data.subjects == ("s1", "s2", "s3")
    # read back the drawn segments: (left, right, row) of every box of the collection
    boxes = ranks.figure.axes[0].collections[0].get_paths()
    spans = sorted(
        (
            float(b.vertices[:4, 1].mean()),  # the four corners (a closing vertex follows)
            float(b.vertices[:4, 0].min()),
            float(b.vertices[:4, 0].max()),
        )
        for b in boxes
    )
    s1 = [(lo, hi) for row, lo, hi in spans if abs(row) < 1e-9]  # s1 is the first row
    assert s1[0] == pytest.approx((0.0, 0.8))  # rank 1 with probability 0.8
    assert sum(hi - lo for lo, hi in s1) == pytest.approx(1.0)
    assert all(hi > lo for _, lo, hi in spans)  # no empty segment is drawn
    tornado = ch.tornado_chart(mini_data, "en")
    assert tornado is not None
    assert tornado.data.parameters == ("B", "A")  # widest first
    assert tornado.data.low[0] == pytest.approx(0.7 - 0.79)
    assert tornado.data.high[0] == pytest.approx(0.9 - 0.79)


def test_charts_without_analysis_are_left_out(crowded_data: ReportData) -> None:
    assert ch.rank_probability_chart(crowded_data, "en") is None
    assert ch.tornado_chart(crowded_data, "en") is None


def test_cjk_text_has_glyphs_in_png_and_svg(mini_data: ReportData) -> None:
    chart = ch.landscape_chart(mini_data, "zh")
    png = ch.to_png(chart)
    svg = ch.to_svg(chart)
    assert png.startswith(b"\x89PNG") and "<text" not in svg  # glyphs are paths
    assert chart.missing_glyphs == set()
    # matplotlib writes each text as a comment holding the string, then one <use> per character
    # of a glyph <path> it defines once; the glyph ids name the font face they come from
    # (labels are the name, then the coverage: "一 (100%)")
    for name in ("一", "二", "三"):  # the subjects' Chinese names, one character each
        group = re.split(rf"<!-- {name} \(\d+%\) -->", svg, maxsplit=1)[1].split("</g>", 1)[0]
        glyph = re.findall(r'<use xlink:href="#([^"]+)"', group)[0]  # the name's character
        assert glyph.startswith("NotoSansCJKsc-Regular-")
        assert f'<path id="{glyph}"' in svg
    # every glyph drawn comes from Noto Sans CJK SC (markers have ids without a face name)
    glyphs = set(re.findall(r'<path id="([^"]+-[0-9a-f]+)"', svg))
    assert glyphs and all(g.startswith("NotoSansCJKsc-") for g in glyphs)
