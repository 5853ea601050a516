"""Issue #12 in the report: one status per subject, coverage beside every rank and P(best),
lone-datum cells flagged, and a landscape that keeps its bubbles inside and explains gaps."""

from __future__ import annotations

import dataclasses
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import quanheng
from quanheng.report import ReportAnalysis, ReportData, build_report
from quanheng.report import charts as ch
from quanheng.report.figures import render_charts
from quanheng.report.html import render_html
from quanheng.report.markdown import render_markdown

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture(scope="module")
def lone_data(
    tmp_path_factory: pytest.TempPathFactory, mini_path: Path, report_analysis: ReportAnalysis
) -> ReportData:
    """The mini study with A1.1 (min–max, no reference range) reported by s1 alone."""
    root = tmp_path_factory.mktemp("lone") / "mini"
    shutil.copytree(mini_path, root)
    facts = root / "evidence" / "facts.yaml"
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not re.search(r"subject: s[23], indicator: A1\.1,", ln)]
    assert len(kept) == len(lines) - 2
    facts.write_text("".join(kept), encoding="utf-8")
    study = quanheng.load_study(root)
    return build_report(study, quanheng.score(study), report_analysis)


def _render(data: ReportData, lang: str = "en") -> tuple[str, str]:
    charts = render_charts(data, lang, png=False)  # type: ignore[arg-type]
    return (
        render_html(data, lang, charts, shared_glyphs=False),  # type: ignore[arg-type]
        render_markdown(data, lang, "c", charts),  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- one status


def test_an_unranked_subject_is_unranked_everywhere_and_never_green(mini_data: ReportData) -> None:
    card = mini_data.card
    m1 = next(v for v in mini_data.subjects if v.id == "m1")
    assert card.status("m1") == "unranked" == m1.status
    assert m1.reason == card.reason("m1")
    for view in mini_data.subjects:
        assert view.status == card.status(view.id)
    html, md = _render(mini_data)
    row = next(r for r in html.split("</tr>") if 'href="#subject-m1"' in r)
    assert '<td class="status-unranked">unranked' in row
    assert "status-ranked" not in row and "no indicator evidence" in row
    assert "### Model one (`m1`) — unranked" in md
    md_row = next(r for r in md.splitlines() if r.startswith("| — |") and "unranked" in r)
    assert "| ranked" not in md_row
    zh_html, zh_md = _render(mini_data, "zh")
    assert "未排名" in zh_html and "未排名" in zh_md


def test_card_warnings_open_the_report_in_both_languages(mini_path: Path) -> None:
    study = quanheng.load_study(mini_path)
    card = quanheng.score(study, aggregation="geometric")
    assert card.warnings, "geometric aggregation over min–max leaves should warn"
    data = build_report(study, card)
    html, md = _render(data)
    head = html.split('<section id="landscape">')[0]
    assert 'class="warnings"' in head and card.warnings[0] in head
    assert "geometric aggregation:" in md.split("## 1.")[0]
    zh_html, _ = _render(data, "zh")
    assert "几何平均聚合" in zh_html.split('<section id="landscape">')[0]
    plain = build_report(study, quanheng.score(study))
    assert 'class="warnings"' not in _render(plain)[0]


# --------------------------------------------------------------------------- coverage


def test_p_best_and_rank_come_with_coverage(mini_data: ReportData) -> None:
    html, md = _render(mini_data)
    for view in mini_data.cohort:
        page = html.split(f'id="subject-{view.id}"', 1)[1].split('<div class="cols">', 1)[0]
        assert re.search(r"P\(best\): <span class=\"num\">[\d.]+%</span> · Coverage: ", page)
        section = md.split(f"(`{view.id}`) — ", 1)[1]
        line = next(ln for ln in section.splitlines() if ln.startswith("Rank: "))
        assert f"P(best): {view.p_best:.1%} · Coverage: {view.coverage:.0%}" in line
        assert f"Coverage: {view.coverage:.0%}" in line
    header = next(r for r in html.split("<tr") if "<th" in r and "P(best)" in r)
    cells = re.findall(r"<th[^>]*>([^<]*)</th>", header)
    assert cells[cells.index("P(best)") + 1] == "Coverage"  # side by side in the ranking
    chart = ch.rank_probability_chart(mini_data, "en")
    assert chart is not None
    labels = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    views = {v.id: v for v in mini_data.cohort}
    for sid, label in zip(chart.data.subjects, labels, strict=True):
        assert label.endswith(f"coverage {views[sid].coverage:.0%}")


# --------------------------------------------------------------------------- lone datum


def test_lone_datum_cells_are_marked_exactly(lone_data: ReportData) -> None:
    card = lone_data.card
    assert [(s.leaf, s.observed, s.how) for s in card.sparse if s.cohort == "vendor"] == [
        ("A1.1", 1, "shrunk")
    ]
    chart = ch.heatmap_chart(lone_data, "en")
    expected = {
        (leaf, sid)
        for leaf in chart.data.leaves
        for sid in chart.data.subjects
        if card.lone_datum(sid, leaf)
    }
    assert set(chart.data.lone) == expected == {("A1.1", "s1")}
    ax = chart.figure.axes[0]
    (markers,) = [c for c in ax.collections if c.get_gid() == "lone-datum"]
    drawn = {(round(float(y)), round(float(x - 0.36))) for x, y in markers.get_offsets()}
    col = {sid: c for c, sid in enumerate(chart.data.subjects)}
    row = {leaf: j for j, leaf in enumerate(chart.data.leaves)}
    assert drawn == {(row[leaf], col[sid]) for leaf, sid in expected}


def test_no_marker_without_sparse_leaves(mini_data: ReportData) -> None:
    chart = ch.heatmap_chart(mini_data, "en")
    assert chart.data.lone == ()
    assert not [c for c in chart.figure.axes[0].collections if c.get_gid() == "lone-datum"]
    html, _ = _render(mini_data)
    assert "◆" not in html


def test_lone_datum_is_explained_on_the_subject_page_and_in_the_method(
    lone_data: ReportData,
) -> None:
    s1 = next(v for v in lone_data.subjects if v.id == "s1")
    effects = [e for e in (*s1.strengths, *s1.weaknesses) if e.leaf == "A1.1"]
    others = [e for e in (*s1.strengths, *s1.weaknesses) if e.leaf != "A1.1"]
    assert all(e.lone is not None for e in effects) and all(e.lone is None for e in others)
    note_en = "reported by only 1 of the cohort: shrunk to the middle"
    note_zh = "同组仅 1 个对象报告此项：向中间收缩"
    for lang, note in (("en", note_en), ("zh", note_zh)):
        html, md = _render(lone_data, lang)
        method = html.split('id="method"', 1)[1]
        assert (
            note in method
            and note in md.split("## " + ("附录二" if lang == "zh" else "Appendix B"))[1]
        )
        if effects:
            page = html.split('id="subject-s1"', 1)[1].split('<section class="subject"', 1)[0]
            assert note in page
        assert ("Cells marked ◆" if lang == "en" else "◆ 标记的格子") in html


# --------------------------------------------------------------------------- landscape


def _coords(d: str) -> list[tuple[float, float]]:
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", d)]
    return list(zip(nums[0::2], nums[1::2], strict=True))


def _bubbles_and_box(svg: str) -> tuple[list[tuple[float, ...]], tuple[float, ...]]:
    """Every bubble's box and the plot area's (x0, y0, x1, y1), in SVG units, read from the SVG.

    matplotlib writes a collection of varied styles as one absolute path per bubble, and one of
    uniform style as <use> references to a marker centred on 0, 0: both are read.
    """
    root = ET.fromstring(svg)

    def box(points: list[tuple[float, float]]) -> tuple[float, ...]:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return (min(xs), min(ys), max(xs), max(ys))

    area = next(g for g in root.iter(SVG + "g") if g.get("id") == "landscape-plot-area")
    plot = box(_coords(next(area.iter(SVG + "path")).get("d", "")))
    defs = {p.get("id"): p.get("d", "") for p in root.iter(SVG + "path") if p.get("id")}
    group = next(g for g in root.iter(SVG + "g") if g.get("id") == "landscape-bubbles")
    out = [box(_coords(p.get("d", ""))) for p in group.iter(SVG + "path") if not p.get("id")]
    for use in group.iter(SVG + "use"):
        cx, cy = float(use.get("x", "0")), float(use.get("y", "0"))
        marker = _coords(defs[use.get(XLINK, "").lstrip("#")])
        out.append(box([(cx + x, cy + y) for x, y in marker]))
    return out, plot


def test_landscape_bubbles_stay_inside_the_axes_even_at_the_corners(
    mini_data: ReportData,
) -> None:
    # push every subject to a corner with the largest bubble: the limits must make room
    corners = [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
    views = list(mini_data.subjects)
    for k, view in enumerate(mini_data.cohort):
        x, y = corners[k % len(corners)]
        scores = {**view.scores, "B": x, "A": y, "A1": 1.0}
        views[views.index(view)] = dataclasses.replace(view, scores=scores, intervals={})
    data = dataclasses.replace(mini_data, subjects=tuple(views))
    for lang in ("en", "zh"):
        chart = ch.landscape_chart(data, lang)  # type: ignore[arg-type]
        bubbles, (x0, y0, x1, y1) = _bubbles_and_box(ch.to_svg(chart))
        assert len(bubbles) == len(chart.data.points) == 3
        for bx0, by0, bx1, by1 in bubbles:
            assert bx1 - bx0 > 20  # the big bubble, not a dot
            assert x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1
        axes_box = chart.figure.axes[0].get_window_extent()
        for box in chart.data.label_boxes.values():
            assert axes_box.x0 - 1 <= box.x0 and box.x1 <= axes_box.x1 + 1
        assert ch.overlaps(list(chart.data.label_boxes.values())) == []


def test_landscape_error_bars_stay_inside_the_axes(mini_data: ReportData) -> None:
    chart = ch.landscape_chart(mini_data, "en")
    (xlo, xhi), (ylo, yhi) = chart.data.limits
    for p in chart.data.points.values():
        for lo, hi in filter(None, (p.x_interval, p.y_interval)):
            assert xlo < lo <= hi < xhi and ylo < lo <= hi < yhi


def test_landscape_labels_show_coverage_and_low_coverage_is_hollow(
    mini_data: ReportData,
) -> None:
    chart = ch.landscape_chart(mini_data, "en")
    views = {v.id: v for v in mini_data.cohort}
    bubbles = next(
        c for c in chart.figure.axes[0].collections if c.get_gid() == "landscape-bubbles"
    )
    faces = bubbles.get_facecolors()
    for k, (sid, point) in enumerate(chart.data.points.items()):
        assert point.label == f"{views[sid].name.en} ({views[sid].coverage:.0%})"
        assert point.hollow == (views[sid].coverage < 0.25)
        assert (faces[k][3] == 0.0) == point.hollow


def test_a_subject_missing_an_axis_is_listed_with_the_dimension_not_drawn_at_zero(
    mini_data: ReportData,
) -> None:
    views = list(mini_data.subjects)
    s3 = next(v for v in views if v.id == "s3")
    views[views.index(s3)] = dataclasses.replace(s3, scores={**s3.scores, "B": float("nan")})
    data = dataclasses.replace(mini_data, subjects=tuple(views))
    for lang, label in (("en", "Three: no evidence on Beta"), ("zh", "三：无证据：乙")):
        chart = ch.landscape_chart(data, lang)  # type: ignore[arg-type]
        assert "s3" not in chart.data.points and chart.data.unplaced == {"s3": ("B",)}
        side = " ".join(t.get_text().replace("\n", "") for t in chart.figure.axes[1].texts)
        assert label in side
        offsets = chart.figure.axes[0].collections[0].get_offsets()
        assert len(offsets) == 2
