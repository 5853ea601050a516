"""Each chart from a known scorecard: the right subjects at the right coordinates."""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import yaml
from matplotlib.collections import LineCollection

import quanheng
import quanheng.analysis
from quanheng.demo import default_study_path
from quanheng.report import ReportData, analysis_for_report, build_report
from quanheng.report import charts as ch
from quanheng.report.pagecheck import text_outside, text_overlaps
from quanheng.text import Lang, Name

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
        assert py == pytest.approx(height / 2 - 8.0 - vy * 102.6, abs=0.01)  # centre 8 pt up
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
    assert 0 < len(chart.data.values) - len(present) == sum("（无数据）" in t for t in titles)
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


# --------------------------------------------------------------------------- layout guards

LONG = (
    "International Consolidated Artificial Intelligence Research and Cloud Infrastructure "
    "Holdings Group"
)
ZH_LONG = "北京智源人工智能研究院大模型与云计算基础设施控股集团有限公司"


def _analysed(study: quanheng.Study, card: quanheng.Scorecard | None = None) -> ReportData:
    card = card or quanheng.score(study)
    analysis = quanheng.analysis.analyse(study, card, draws=40, seed=1)
    return build_report(study, card, analysis_for_report(analysis, card))


@pytest.fixture(scope="module")
def default_data() -> ReportData:
    from quanheng.measure.pipeline import collect

    study = quanheng.load_study(default_study_path())
    return _analysed(study, quanheng.score(study, measurements=collect(study)))


@pytest.fixture(scope="module")
def long_data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    from tests.report.conftest import load_synth

    root = load_synth().make_study(tmp_path_factory.mktemp("long") / "s", 50)
    path = root / "study.yaml"
    study = yaml.safe_load(path.read_text(encoding="utf-8"))
    for k, subject in enumerate(study["subjects"]):
        subject["name"] = {"zh": f"{ZH_LONG}{k + 1}", "en": f"{LONG} {k + 1:02d}"}
    path.write_text(yaml.safe_dump(study, allow_unicode=True, sort_keys=False), "utf-8")
    return _analysed(quanheng.load_study(root))


def _every_chart(data: ReportData, lang: Lang) -> list[ch.Chart]:
    built = [
        ch.landscape_chart(data, lang),
        ch.heatmap_chart(data, lang),
        ch.rank_probability_chart(data, lang),
        ch.tornado_chart(data, lang),
    ]
    charts = [c for c in built if c is not None]
    assert len(charts) == 4  # the simulation's charts are there too
    return charts + [ch.radar_chart(data, v.id, lang) for v in data.scored]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("study", ["default", "long"])
def test_no_chart_text_overlaps_or_runs_off(
    request: pytest.FixtureRequest, study: str, lang: Lang
) -> None:
    data: ReportData = request.getfixturevalue(f"{study}_data")
    faults = []
    for chart in _every_chart(data, lang):
        drawn = chart.figure if chart.figure is not None else chart.canvas
        ch.to_svg(chart)  # laid out as written: constrained layout runs here
        faults += [f"{chart.name}: overlap {f}" for f in text_overlaps(drawn)]
        faults += [f"{chart.name}: outside {f}" for f in text_outside(drawn)]
        assert not chart.missing_glyphs
    assert not faults, "\n".join(faults[:20])


def _stroked_lines(svg: str, colour: str) -> list[tuple[list[tuple[float, float]], bool]]:
    out = []
    for path in ET.fromstring(svg).iter(SVG + "path"):
        if path.get("stroke") != colour or path.get("fill") != "none":
            continue
        d = path.get("d", "")
        closed = d.endswith(" Z")
        points = [tuple(map(float, c.split())) for c in d.removesuffix(" Z")[1:].split(" L")]
        out.append((points, closed))
    return out


def test_radar_breaks_its_line_at_a_missing_axis(default_data: ReportData) -> None:
    checked = 0
    for view in default_data.scored:
        for lang in ("zh", "en"):
            chart = ch.radar_chart(default_data, view.id, lang)  # type: ignore[arg-type]
            values = chart.data.values
            n = len(values)
            if not any(math.isnan(v) for v in values):
                continue
            svg = ch.to_svg(chart)
            root = ET.fromstring(svg)
            width, height = (float(v) for v in root.get("viewBox", "").split()[2:])
            lines = _stroked_lines(svg, ch.ACCENT)
            legend = [pts for pts, _ in lines if all(y > height - 40 for _, y in pts)]
            lines = [(pts, c) for pts, c in lines if pts not in legend]
            assert sum(len(p) for p, _ in lines if len(p) > 1) == sum(
                len(r) for r in chart.data.runs if len(r) > 1
            )
            centre = (width / 2, height / 2 - 8.0)
            for points, closed in lines:
                assert not closed  # a polygon would join the last axis to the first
                found: list[int | None] = []
                for x, y in points:  # each vertex back to its axis, by angle
                    if math.hypot(x - centre[0], y - centre[1]) < 0.5:
                        found.append(None)  # a score of 0 sits at the centre: no angle
                        continue
                    angle = math.atan2(centre[1] - y, x - centre[0])
                    found.append(round((math.pi / 2 - angle) / (2 * math.pi / n)) % n)
                assert any(a is not None for a in found)
                first = next(i for i, a in enumerate(found) if a is not None)
                axes = [
                    (found[first] + i - first) % n if a is None else a  # type: ignore[operator]
                    for i, a in enumerate(found)
                ]
                for a, b in itertools.pairwise(axes):
                    assert (b - a) % n == 1  # only neighbouring axes are joined
                    assert not math.isnan(values[a]) and not math.isnan(values[b])
            no_data = "（无数据）" if lang == "zh" else "(no data)"
            titles = [e.text or "" for e in root.iter(SVG + "title")]
            assert sum(no_data in t for t in titles) == sum(math.isnan(v) for v in values)
            # the "no data" marker: a hollow ring at the centre
            rings = [c for c in root.iter(SVG + "circle") if c.get("fill") == "#ffffff"]
            assert [(float(c.get("cx", 0)), float(c.get("cy", 0))) for c in rings] == [
                pytest.approx(centre, abs=0.01)
            ]
            checked += 1
    assert checked  # the default study has subjects with missing first-level indicators


def test_landscape_labels_clear_of_bubbles_and_error_bars(default_data: ReportData) -> None:
    for lang in ("zh", "en"):
        chart = ch.landscape_chart(default_data, lang)  # type: ignore[arg-type]
        ax = chart.figure.axes[0]
        area = ax.get_window_extent()
        bubbles = ax.collections[0]
        centres = ax.transData.transform(bubbles.get_offsets())
        radii = np.sqrt(bubbles.get_sizes() / math.pi) * chart.figure.dpi / 72.0
        bars = [
            ax.transData.transform(seg)
            for coll in ax.collections
            if isinstance(coll, LineCollection)
            for seg in coll.get_segments()
        ]
        assert bars
        for box in chart.data.label_boxes.values():
            assert area.x0 <= box.x0 and box.x1 <= area.x1
            assert area.y0 <= box.y0 and box.y1 <= area.y1
            for (cx, cy), r in zip(centres, radii, strict=True):
                nx, ny = min(max(cx, box.x0), box.x1), min(max(cy, box.y0), box.y1)
                assert math.hypot(nx - cx, ny - cy) >= r - 0.5  # off the bubble
            for (x0, y0), (x1, y1) in bars:  # off every error bar (vertical or horizontal)
                across = min(max(x0, x1), box.x1) - max(min(x0, x1), box.x0)
                down = min(max(y0, y1), box.y1) - max(min(y0, y1), box.y0)
                assert not (across >= 0 and down >= 0)
        assert ch.overlaps(list(chart.data.label_boxes.values())) == []


def test_landscape_placement_is_deterministic(crowded_data: ReportData) -> None:
    first = ch.landscape_chart(crowded_data, "en").data.label_boxes
    again = ch.landscape_chart(crowded_data, "en").data.label_boxes
    assert {k: tuple(b.extents) for k, b in first.items()} == {
        k: tuple(b.extents) for k, b in again.items()
    }


def test_a_sixty_character_name_never_collapses_the_layout(mini_data: ReportData) -> None:
    name = "Sixty Character Artificial Intelligence Holdings Group Ltd 1"
    assert len(name) == 60
    views = [
        dataclasses.replace(v, name=Name(zh=ZH_LONG + str(k), en=f"{name}{k}"))
        for k, v in enumerate(mini_data.subjects)
    ]
    data = dataclasses.replace(mini_data, subjects=tuple(views))
    for lang in ("zh", "en"):
        charts = [c for c in _every_chart(data, lang)]  # type: ignore[arg-type]
        for chart in charts:
            ch.to_svg(chart)  # a "constrained_layout not applied" warning fails the test
            if chart.figure is not None:
                ch.to_png(chart)
            drawn = chart.figure if chart.figure is not None else chart.canvas
            assert text_overlaps(drawn) == [] and text_outside(drawn) == [], chart.name
        heat = charts[1].figure.axes[0]
        labels = [t.get_text() for t in heat.get_xticklabels()]
        assert all("…" in t and t.endswith(str(k)) for k, t in enumerate(labels))
        assert len(set(labels)) == len(labels)  # cut in the middle: still told apart
