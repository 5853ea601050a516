"""A small SVG writer for charts drawn many times over: lines, polygons, dots and text as paths.

A report has one radar per subject — 48 of them for 50 subjects, in each language. Through
matplotlib each costs a figure, an axes, a text layout of every label and a fresh conversion of
every glyph to a path: about 40 ms, two fifths of the report's chart time. A radar is a few
polygons and fifteen labels, so it is drawn here directly, with what makes matplotlib's SVG
self-contained kept: glyphs are written as paths (``<defs>`` once per file, ``<use>`` per
occurrence), taken from the same fonts by matplotlib's own :class:`TextToPath`, so the file
needs no font to be viewed and a missing glyph is reported exactly as matplotlib reports it.
Glyph outlines and label layouts are cached for the process: the labels repeat in every radar.
"""

from __future__ import annotations

import functools
import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.textpath import TextToPath

from quanheng.report.fonts import FONT_FAMILIES

__all__ = ["GlyphDefs", "SvgCanvas"]

HAlign = Literal["left", "center", "right"]
VAlign = Literal["center", "baseline", "top", "bottom"]

_TEXT2PATH = TextToPath()
_GLYPHS: dict[str, tuple[np.ndarray, np.ndarray]] = {}
"""Every glyph outline seen in this process, by matplotlib's glyph id (font and character)."""
LINE_SPACING = 1.2
"""Line height as a multiple of the font size (matplotlib's default)."""
ASCENT = 0.8
DESCENT = 0.22
"""A line's extent above and below its baseline, as multiples of the font size (for boxes)."""


def _num(x: float) -> str:
    """Coordinates to 2 decimals, without a trailing ``.00`` — small files, stable bytes."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@functools.lru_cache(maxsize=16384)
def _glyph_d(glyph_id: str) -> str:
    """The SVG path data of a glyph outline, in font units scaled by ``TextToPath.FONT_SCALE``."""
    verts, codes = _GLYPHS[glyph_id]
    parts: list[str] = []
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == Path.MOVETO:
            parts.append(f"M{_num(verts[i][0])} {_num(verts[i][1])}")
            i += 1
        elif code == Path.LINETO:
            parts.append(f"L{_num(verts[i][0])} {_num(verts[i][1])}")
            i += 1
        elif code == Path.CURVE3:
            (x1, y1), (x2, y2) = verts[i], verts[i + 1]
            parts.append(f"Q{_num(x1)} {_num(y1)} {_num(x2)} {_num(y2)}")
            i += 2
        elif code == Path.CURVE4:
            (x1, y1), (x2, y2), (x3, y3) = verts[i], verts[i + 1], verts[i + 2]
            parts.append(f"C{_num(x1)} {_num(y1)} {_num(x2)} {_num(y2)} {_num(x3)} {_num(y3)}")
            i += 3
        else:  # CLOSEPOLY (its vertex is ignored) or STOP
            if code == Path.CLOSEPOLY:
                parts.append("Z")
            i += 1
    return "".join(parts)


@dataclass(frozen=True)
class _Line:
    """One laid-out line of text: glyph ids and positions in font units, width in points."""

    glyphs: tuple[tuple[str, float, float, float], ...]
    width: float
    missing: frozenset[str]


@functools.lru_cache(maxsize=4096)
def _layout(text: str, size: float, italic: bool) -> _Line:
    prop = FontProperties(
        family=list(FONT_FAMILIES), size=size, style="italic" if italic else "normal"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # the font list matplotlib itself draws this text with (family fallbacks included)
        font = _TEXT2PATH._get_font(prop)  # type: ignore[attr-defined]
        info, new, _ = _TEXT2PATH.get_glyphs_with_font(
            font, text, glyph_map=_GLYPHS, return_new_glyphs_only=True
        )
        _GLYPHS.update(new)
        width, _, _ = _TEXT2PATH.get_text_width_height_descent(text, prop, ismath=False)
    missing = frozenset(
        str(w.message)
        for w in caught
        if str(w.message).startswith("Glyph ") and "missing from font" in str(w.message)
    )
    glyphs = tuple((str(g), float(x), float(y), float(s)) for g, x, y, s in info)
    return _Line(glyphs, float(width), missing)


@dataclass
class SvgCanvas:
    """An SVG document in points (1 unit = 1/72 inch), y downwards, built element by element."""

    width: float
    height: float
    _body: list[str] = field(default_factory=list)
    _glyphs: dict[str, None] = field(default_factory=dict)  # matplotlib's glyph ids, in order
    missing_glyphs: set[str] = field(default_factory=set)
    texts: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)
    """Every text drawn and its box ``(x0, y0, x1, y1)`` in points, y downwards: what a test
    checks for overlaps (see :func:`~quanheng.report.pagecheck.text_overlaps`)."""

    def polyline(
        self,
        points: list[tuple[float, float]],
        *,
        stroke: str | None = None,
        width: float = 1.0,
        fill: str | None = None,
        fill_opacity: float | None = None,
        dash: tuple[float, float] | None = None,
        closed: bool = False,
    ) -> None:
        """A line through ``points`` (closed into a polygon if asked), stroked and/or filled."""
        if len(points) < 2:
            return
        d = "M" + " L".join(f"{_num(x)} {_num(y)}" for x, y in points) + (" Z" if closed else "")
        attrs = [f'd="{d}"', f'fill="{fill}"' if fill else 'fill="none"']
        if fill_opacity is not None:
            attrs.append(f'fill-opacity="{_num(fill_opacity)}"')
        if stroke:
            attrs += [f'stroke="{stroke}"', f'stroke-width="{_num(width)}"']
            attrs.append('stroke-linejoin="round" stroke-linecap="round"')
            if dash:
                attrs.append(f'stroke-dasharray="{_num(dash[0])} {_num(dash[1])}"')
        self._body.append(f"<path {' '.join(attrs)}/>")

    def dots(self, points: list[tuple[float, float]], radius: float, fill: str) -> None:
        """Filled circles (markers) at ``points``."""
        for x, y in points:
            self._body.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(radius)}" fill="{fill}"/>'
            )

    def rings(self, points: list[tuple[float, float]], radius: float, stroke: str) -> None:
        """Hollow circles (open markers) at ``points``, white inside."""
        for x, y in points:
            self._body.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(radius)}" fill="#ffffff" '
                f'stroke="{stroke}" stroke-width="1"/>'
            )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        color: str = "#222222",
        ha: HAlign = "left",
        va: VAlign = "center",
        italic: bool = False,
    ) -> None:
        """Text as glyph paths; lines split at ``\\n``; ``(x, y)`` placed as ``ha``/``va`` say.

        ``va="top"`` hangs the block of lines below ``y``, ``"bottom"`` stands it on ``y``,
        ``"center"`` centres it there and ``"baseline"`` puts the first line's baseline on it.
        """
        lines = text.split("\n")
        step = size * LINE_SPACING
        first = self.first_baseline(y, len(lines), size, va)
        scale = size / _TEXT2PATH.FONT_SCALE
        x0, x1 = math.inf, -math.inf
        parts = [f'<g fill="{color}"><title>{escape(text.replace(chr(0), ""))}</title>']
        for k, line in enumerate(lines):
            laid = _layout(line, size, italic)
            self.missing_glyphs |= laid.missing
            shift = {"left": 0.0, "center": laid.width / 2, "right": laid.width}[ha]
            ox, oy = x - shift, first + k * step
            parts.append(
                f'<g transform="translate({_num(ox)} {_num(oy)}) scale({scale:.5g} {-scale:.5g})">'
            )
            for glyph, gx, gy, gs in laid.glyphs:
                self._glyphs[glyph] = None
                transform = f"translate({_num(gx)} {_num(gy)})" + (
                    f" scale({gs:.5g})" if gs != 1 else ""
                )
                # the glyph's id in the output is only known when it is written: a placeholder
                parts.append(f'<use xlink:href="#\0{glyph}\0" transform="{transform}"/>')
            parts.append("</g>")
            x0, x1 = min(x0, ox), max(x1, ox + laid.width)
        parts.append("</g>")
        self._body.append("".join(parts))
        top = first - ASCENT * size
        bottom = first + (len(lines) - 1) * step + DESCENT * size
        self.texts.append((text, (x0, top, x1, bottom)))

    @staticmethod
    def first_baseline(y: float, n_lines: int, size: float, va: VAlign) -> float:
        """Where the first of ``n_lines`` lines' baseline goes for a block placed at ``y``."""
        step = size * LINE_SPACING
        if va == "center":  # the block of lines centred on y (cap height ≈ 0.7 em)
            return y - step * (n_lines - 1) / 2 + 0.35 * size
        if va == "top":
            return y + ASCENT * size
        if va == "bottom":
            return y - DESCENT * size - step * (n_lines - 1)
        return y

    @staticmethod
    def text_box(
        x: float, y: float, text: str, *, size: float, ha: HAlign, va: VAlign, italic: bool = False
    ) -> tuple[float, float, float, float]:
        """The box ``(x0, y0, x1, y1)`` :meth:`text` would draw ``text`` in, without drawing."""
        lines = text.split("\n")
        widths = [_layout(line, size, italic).width for line in lines]
        shift = {"left": 0.0, "center": 0.5, "right": 1.0}[ha]
        x0 = min(x - shift * w for w in widths)
        x1 = max(x - shift * w + w for w in widths)
        first = SvgCanvas.first_baseline(y, len(lines), size, va)
        bottom = first + (len(lines) - 1) * size * LINE_SPACING + DESCENT * size
        return (x0, first - ASCENT * size, x1, bottom)

    def body(self, ids: dict[str, str]) -> str:
        """The elements in drawing order, glyph references resolved through ``ids``."""
        return _REF.sub(lambda m: ids[m.group(1)], "".join(self._body))

    def to_string(self) -> str:
        """A standalone document: its own glyph definitions first, then the elements."""
        ids = {g: f"g{k}" for k, g in enumerate(self._glyphs)}
        defs = "".join(f'<path id="{ref}" d="{_glyph_d(g)}"/>' for g, ref in ids.items())
        w, h = _num(self.width), _num(self.height)
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="{XLINK}" '
            f'width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}" version="1.1">'
            f'<rect width="{w}" height="{h}" fill="#ffffff"/>'
            f"<defs>{defs}</defs>{self.body(ids)}</svg>\n"
        )


_REF = re.compile("\0([^\0]*)\0")
XLINK = "http://www.w3.org/1999/xlink"


@dataclass
class GlyphDefs:
    """Glyph definitions shared by many SVG drawings inlined in one HTML document.

    Fifty radars repeat the same fifteen labels; as standalone files each carries its own copy
    of every glyph outline (≈ 70 kB of a 72 kB radar). Inlined in HTML, the drawings refer to
    one hidden ``<svg>`` of definitions instead (:meth:`to_string`, placed once in the page),
    which cuts the page by megabytes and the PDF printer's work with it.
    """

    prefix: str = "qg"
    _ids: dict[str, str] = field(default_factory=dict)

    def inline(self, canvas: SvgCanvas, label: str, css_class: str = "") -> str:
        """``canvas`` as an ``<svg>`` element for HTML, its glyphs defined in this registry."""
        for glyph in canvas._glyphs:
            self._ids.setdefault(glyph, f"{self.prefix}{len(self._ids)}")
        w, h = _num(canvas.width), _num(canvas.height)
        cls = f' class="{escape(css_class)}"' if css_class else ""
        return (
            f'<svg{cls} xmlns="http://www.w3.org/2000/svg" xmlns:xlink="{XLINK}" '
            f'viewBox="0 0 {w} {h}" role="img" aria-label={quoteattr(label)}>'
            f'<rect width="{w}" height="{h}" fill="#ffffff"/>{canvas.body(self._ids)}</svg>'
        )

    def to_string(self) -> str:
        """The hidden ``<svg>`` holding every glyph used so far (place it before the drawings)."""
        defs = "".join(f'<path id="{ref}" d="{_glyph_d(g)}"/>' for g, ref in self._ids.items())
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0" aria-hidden="true" '
            f'style="position:absolute"><defs>{defs}</defs></svg>'
        )
