"""The SVG writer: glyphs as paths defined once, alignment, and missing glyphs reported."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from quanheng.report.svg import SvgCanvas, _layout

NS = {"s": "http://www.w3.org/2000/svg"}
XLINK = "{http://www.w3.org/1999/xlink}href"


def test_each_glyph_is_defined_once_and_used_per_occurrence() -> None:
    canvas = SvgCanvas(200, 100)
    canvas.text(10, 20, "AA 训练", size=8)
    canvas.text(10, 60, "训A", size=8)
    root = ET.fromstring(canvas.to_string())
    defs = root.findall("s:defs/s:path", NS)
    uses = root.findall(".//s:use", NS)
    # glyphs: A, space, 训, 练 — the space has no outline to draw but is defined like the rest
    assert len({d.get("id") for d in defs}) == len(defs) == 4
    assert len(uses) == 5 + 2
    ids = {d.get("id") for d in defs}
    assert all(u.get(XLINK, "")[1:] in ids for u in uses)
    assert sum(1 for d in defs if not d.get("d")) == 1  # only the space has no outline


def test_alignment_shifts_by_the_laid_out_width() -> None:
    width = _layout("训练数据", 7.5, False).width
    assert width > 20  # four CJK characters at 7.5 pt are about 30 pt wide
    offsets = {}
    for ha in ("left", "center", "right"):
        canvas = SvgCanvas(200, 100)
        canvas.text(100, 50, "训练数据", size=7.5, ha=ha)  # type: ignore[arg-type]
        found = re.search(r"translate\(([-\d.]+) ([-\d.]+)\) scale", canvas.to_string())
        assert found is not None
        offsets[ha] = float(found.group(1))
    assert offsets["left"] == pytest.approx(100)
    assert offsets["center"] == pytest.approx(100 - width / 2, abs=0.01)
    assert offsets["right"] == pytest.approx(100 - width, abs=0.01)


def test_a_glyph_no_font_has_is_reported_not_drawn_as_a_box_silently() -> None:
    canvas = SvgCanvas(100, 50)
    canvas.text(10, 10, "A\u9fff", size=8)  # U+9FFF: beyond Noto Sans CJK's repertoire
    assert any("9FFF" in m and "missing from font" in m for m in canvas.missing_glyphs)
    clean = SvgCanvas(100, 50)
    clean.text(10, 10, "训练 data", size=8)
    assert clean.missing_glyphs == set()


def test_lines_stack_downwards_and_text_is_kept_as_title() -> None:
    canvas = SvgCanvas(100, 100)
    canvas.text(50, 50, "one\ntwo", size=10, ha="center")
    svg = canvas.to_string()
    ys = [float(y) for y in re.findall(r"translate\([-\d.]+ ([-\d.]+)\) scale", svg)]
    assert len(ys) == 2 and ys[1] - ys[0] == pytest.approx(12)  # 1.2 line spacing
    assert "<title>one\ntwo</title>" in svg
    assert ET.fromstring(svg).get("viewBox") == "0 0 100 100"


def test_markup_in_text_is_escaped() -> None:
    canvas = SvgCanvas(100, 50)
    canvas.text(10, 10, "<script>x</script> & y", size=8)
    svg = canvas.to_string()
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)  # well-formed
