"""Report charts — matplotlib figures, and radars drawn straight to SVG — with the data they plot.

Every builder takes :class:`~quanheng.report.content.ReportData` and a language and returns a
:class:`Chart`: the figure plus a plain record of what was drawn where, so tests can read the
coordinates back instead of trusting pixels. Figures are created without pyplot (no global
state) under :func:`~quanheng.report.fonts.chart_rc`, and serialised by :func:`to_svg` (glyphs
as paths, self-contained) and :func:`to_png`.
"""

from __future__ import annotations

import io
import math
import textwrap
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final, Literal, cast

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import Bbox

from quanheng.report.content import LOW_COVERAGE, ReportData, SubjectView
from quanheng.report.fonts import chart_rc
from quanheng.report.i18n import fmt_pct, t
from quanheng.report.svg import SvgCanvas
from quanheng.text import Lang

__all__ = [
    "Chart",
    "HeatmapData",
    "LandscapeData",
    "LandscapePoint",
    "RadarData",
    "RankProbabilityData",
    "TornadoData",
    "heatmap_chart",
    "landscape_chart",
    "overlaps",
    "radar_chart",
    "rank_probability_chart",
    "to_png",
    "to_svg",
    "tornado_chart",
]

LABEL_COLUMNS: Final = 30
"""A subject's name in a chart label is cut (in the middle) to this many columns; the full
name is in the report's tables."""

LEAF_COLUMNS: Final = 48
"""An indicator's id and name in a heatmap row label are cut to this many columns."""

ACCENT = "#1f5fa8"
MUTED = "#8a8f98"
MISSING_FACE = "#d9d9d9"
SCORE_CMAP = LinearSegmentedColormap.from_list(
    "quanheng_score", ["#fff4d6", "#f6b24a", "#c8553d", "#5b1a5e"]
)
"""Score colours run light→dark through warm hues, so the grey of missing cells is never a score."""


@dataclass
class Chart:
    """A drawn chart — a figure or an SVG canvas — and the data in it (a ``*Data`` record)."""

    name: str
    figure: Figure | None  # None for charts drawn straight to SVG (see :mod:`.svg`)
    data: Any
    missing_glyphs: set[str] = field(default_factory=set)
    canvas: SvgCanvas | None = None  # a chart drawn straight to SVG, without a figure


@contextmanager
def _rc() -> Iterator[None]:
    with matplotlib.rc_context(cast(Any, chart_rc())):
        yield


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout=None)
    FigureCanvasAgg(fig)
    return fig


def _name(view: SubjectView, lang: Lang) -> str:
    return view.name.get(lang)


def _wrap(text: str, width: int, lang: Lang) -> str:
    """``text`` in lines of at most ``width`` columns (a CJK character counts as two): broken
    at spaces where there are any, between characters where there are none (Chinese)."""
    del lang  # the columns say it all: wide characters wrap anywhere, words at spaces
    if all(_columns(c) == 1 for c in text):
        return textwrap.fill(text, width) if len(text) > width else text
    out: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for c in paragraph:
            if _columns(line + c) <= width:
                line += c
                continue
            cut = line.rfind(" ")
            if c == " ":
                out.append(line)
                line = ""
            elif cut > 0 and all(_columns(x) == 1 for x in line[cut:]):
                out.append(line[:cut])  # a Latin word runs on: break at the space before it
                line = line[cut + 1 :] + c
            else:
                out.append(line.rstrip())
                line = c
        out.append(line)
    return "\n".join(out)


def _columns(text: str) -> int:
    """Display width: an East Asian wide character counts as two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _elide(text: str, width: int, lang: Lang) -> str:
    """``text`` cut to ``width`` columns in the middle ("Internatio…Group 01"), so names that
    differ only at the end — or only at the start — stay apart. The full name is in the
    report's tables; charts only need to tell their subjects apart."""
    del lang  # the width is counted in columns, whatever the language
    if _columns(text) <= width:
        return text
    head: list[str] = []
    tail: list[str] = []
    budget = width - 1
    i, j = 0, len(text) - 1
    while i <= j:
        take_head = _columns("".join(head)) <= _columns("".join(tail))
        c = text[i] if take_head else text[j]
        w = _columns(c)
        if w > budget:
            break
        budget -= w
        if take_head:
            head.append(c)
            i += 1
        else:
            tail.append(c)
            j -= 1
    return "".join(head).rstrip() + "…" + "".join(reversed(tail)).lstrip()


# --------------------------------------------------------------------------- serialisation


def _save(chart: Chart, fmt: str, **kwargs: Any) -> bytes:
    if chart.figure is None:
        raise ValueError(f"chart {chart.name} is drawn as SVG only")
    buffer = io.BytesIO()
    with _rc(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart.figure.savefig(buffer, format=fmt, **kwargs)
    for w in caught:
        text = str(w.message)
        if text.startswith("Glyph ") and "missing from font" in text:
            chart.missing_glyphs.add(text)
        else:  # anything else is somebody else's warning: hand it on
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return buffer.getvalue()


def to_svg(chart: Chart) -> str:
    """The chart as a self-contained SVG document (text drawn as paths, no fonts needed)."""
    if chart.canvas is not None:
        return chart.canvas.to_string()
    return _save(chart, "svg", metadata={"Date": None}).decode("utf-8")


def to_png(chart: Chart, dpi: float = 110.0) -> bytes:
    """The chart as PNG bytes."""
    return _save(chart, "png", dpi=dpi, metadata={"Software": None})


# --------------------------------------------------------------------------- label placement


def overlaps(boxes: list[Bbox]) -> list[tuple[int, int]]:
    """Pairs of boxes that overlap (touching edges do not count)."""
    out = []
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            if boxes[a].overlaps(boxes[b]) and _area(boxes[a], boxes[b]) > 0.5:
                out.append((a, b))
    return out


def _area(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return float(max(w, 0.0) * max(h, 0.0))


# --------------------------------------------------------------------------- landscape


@dataclass(frozen=True)
class LandscapePoint:
    """One subject in the landscape: its scores and, if simulated, their 90% intervals.

    ``label`` is the drawn label: the name and the subject's coverage; ``hollow`` says the
    bubble is drawn as an outline because the coverage is below :data:`LOW_COVERAGE`.
    """

    subject: str
    label: str
    x: float
    y: float
    size: float | None
    x_interval: tuple[float, float] | None
    y_interval: tuple[float, float] | None
    coverage: float = math.nan
    hollow: bool = False


@dataclass
class LandscapeData:
    """What the landscape chart shows: points, guides, labels' final boxes, the screened-out."""

    x_node: str
    y_node: str
    size_node: str | None
    points: dict[str, LandscapePoint]
    guides: tuple[float, float]
    excluded: list[tuple[str, str]]
    label_boxes: dict[str, Bbox] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    """Subjects not placed: no score on the x or the y axis (see ``unplaced`` for which)."""
    unplaced: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Subject → the axis nodes it has no score on (it is listed beside the chart, not drawn)."""
    no_size: list[str] = field(default_factory=list)
    """Placed subjects without a score on the size node (drawn as a small grey dot)."""
    limits: tuple[tuple[float, float], tuple[float, float]] = ((-0.04, 1.04), (-0.04, 1.04))
    """The axes' x and y limits: padded by the largest bubble's radius so every bubble fits."""


def landscape_chart(data: ReportData, lang: Lang) -> Chart:
    """Competitive landscape: x and y dimension scores, bubble size, quadrant guides at medians.

    Subjects without a score on both axes cannot be placed; they are listed in the chart's
    side panel with the dimensions they have no evidence on, instead of being drawn at zero.
    Every label carries the subject's coverage, and a bubble whose coverage is below
    :data:`~quanheng.report.content.LOW_COVERAGE` is drawn hollow. The axes are padded by the
    largest bubble's radius, so bubbles at 0 or 1 stay inside them.
    """
    x_node, y_node, size_node = data.axes
    points: dict[str, LandscapePoint] = {}
    missing: list[str] = []
    unplaced: dict[str, tuple[str, ...]] = {}
    no_size: list[str] = []
    for view in data.cohort:
        x, y = view.scores.get(x_node, math.nan), view.scores.get(y_node, math.nan)
        if math.isnan(x) or math.isnan(y):
            missing.append(view.id)
            unplaced[view.id] = tuple(n for n, v in ((x_node, x), (y_node, y)) if math.isnan(v))
            continue
        size = view.scores.get(size_node, math.nan) if size_node else math.nan
        if size_node and math.isnan(size):
            no_size.append(view.id)
        points[view.id] = LandscapePoint(
            subject=view.id,
            label=f"{_elide(_name(view, lang), LABEL_COLUMNS, lang)} ({fmt_pct(view.coverage)})",
            x=x,
            y=y,
            size=None if math.isnan(size) else size,
            x_interval=view.intervals.get(x_node),
            y_interval=view.intervals.get(y_node),
            coverage=view.coverage,
            hollow=not view.coverage >= LOW_COVERAGE,
        )
    xs = np.array([p.x for p in points.values()])
    ys = np.array([p.y for p in points.values()])
    guides = (float(np.median(xs)) if len(xs) else 0.5, float(np.median(ys)) if len(ys) else 0.5)
    excluded = [
        (
            v.name.get(lang),
            "、".join(g.name.get(lang) for g in v.gates if g.status == "fail")
            if lang == "zh"
            else ", ".join(g.name.get(lang) for g in v.gates if g.status == "fail"),
        )
        for v in data.excluded
    ]
    record = LandscapeData(
        x_node,
        y_node,
        size_node,
        points,
        guides,
        excluded,
        missing=missing,
        unplaced=unplaced,
        no_size=no_size,
    )
    with _rc():
        fig = _figure(10.0, 7.0)
        ax = fig.add_axes((0.08, 0.09, 0.62, 0.84), gid="landscape-axes")
        ax.patch.set_gid("landscape-plot-area")
        side = fig.add_axes((0.73, 0.09, 0.26, 0.84))
        side.set_axis_off()
        _draw_landscape(fig, ax, data, record, lang)
        _draw_side_panel(side, data, record, lang)
    return Chart("landscape", fig, record)


def _draw_landscape(
    fig: Figure, ax: Axes, data: ReportData, record: LandscapeData, lang: Lang
) -> None:
    pts = list(record.points.values())
    shrink = min(1.0, 10.0 / len(pts)) if pts else 1.0  # a crowd gets smaller bubbles
    sizes = np.array(
        [(60.0 + 900.0 * (p.size if p.size is not None else 0.0)) * shrink for p in pts]
    )
    # Pad the unit square by the largest bubble's radius (+ its edge and a little air), in
    # points: with a margin m on each side of a range 1 + 2m spanning W points, a radius of r
    # points needs m = r / (W − 2r) data units.
    reach = (float(np.sqrt(sizes.max() / math.pi)) if len(sizes) else 0.0) + 3.0
    box = ax.get_position()
    width_pt = box.width * fig.get_figwidth() * 72.0
    height_pt = box.height * fig.get_figheight() * 72.0
    mx = max(0.04, reach / (width_pt - 2 * reach))
    my = max(0.04, reach / (height_pt - 2 * reach))
    record.limits = ((-mx, 1.0 + mx), (-my, 1.0 + my))
    ax.set_xlim(*record.limits[0])
    ax.set_ylim(*record.limits[1])
    ax.set_xlabel(f"{data.node_name(record.x_node).get(lang)} ({record.x_node})")
    ax.set_ylabel(f"{data.node_name(record.y_node).get(lang)} ({record.y_node})")
    gx, gy = record.guides
    ax.axvline(gx, color=MUTED, lw=0.8, ls="--", zorder=1)
    ax.axhline(gy, color=MUTED, lw=0.8, ls="--", zorder=1)
    corners = {
        "quad_tl": (0.01, 0.99, "left", "top"),
        "quad_tr": (0.99, 0.99, "right", "top"),
        "quad_bl": (0.01, 0.01, "left", "bottom"),
        "quad_br": (0.99, 0.01, "right", "bottom"),
    }
    quad_texts = [
        ax.text(x, y, t(key, lang), transform=ax.transAxes, ha=ha, va=va, color=MUTED, fontsize=10)
        for key, (x, y, ha, va) in corners.items()
    ]
    if not pts:
        return
    colours = [matplotlib.colors.to_rgb(ACCENT if p.size is not None else MUTED) for p in pts]
    # a bubble with little evidence behind it is an outline: the eye reads it as provisional
    faces = [(*c, 0.0 if p.hollow else 0.55) for c, p in zip(colours, pts, strict=True)]
    edges = [
        (*c, 1.0) if p.hollow else (1.0, 1.0, 1.0, 1.0) for c, p in zip(colours, pts, strict=True)
    ]
    ax.scatter(
        [p.x for p in pts],
        [p.y for p in pts],
        s=sizes,
        facecolors=faces,
        edgecolors=edges,
        linewidths=[1.3 if p.hollow else 0.8 for p in pts],
        zorder=3,
        gid="landscape-bubbles",
    )
    # Error bars span the simulated interval exactly. A simulated 5-95 % interval need not
    # contain the point score (skewed evidence ranges), so each bar is centred on its interval's
    # midpoint rather than on the point, where a one-sided negative error would be refused.
    bar: dict[str, Any] = {"fmt": "none", "ecolor": "#333333", "lw": 0.8, "capsize": 2, "zorder": 2}
    segments: list[tuple[float, float, float, float]] = []  # x0, y0, x1, y1: labels avoid them
    for p in pts:
        if p.x_interval is not None:
            lo, hi = p.x_interval
            ax.errorbar([(lo + hi) / 2], [p.y], xerr=[(hi - lo) / 2], **bar)
            segments.append((lo, p.y, hi, p.y))
        if p.y_interval is not None:
            lo, hi = p.y_interval
            ax.errorbar([p.x], [(lo + hi) / 2], yerr=[(hi - lo) / 2], **bar)
            segments.append((p.x, lo, p.x, hi))
    # labels: placed by adjustText clear of the bubbles, the error bars, the quadrant names
    # and each other, then drawn with a leader line where moved away from their bubble
    radius = np.sqrt(sizes / math.pi) * fig.dpi / 72.0
    record.label_boxes.update(
        _place_landscape_labels(fig, ax, pts, radius, segments, quad_texts, lang)
    )


LABEL_ITERATIONS: Final = 100
"""adjustText's iterations for the landscape labels: a fixed count, so the layout is the same
on every machine (a time limit would make it depend on the machine's speed)."""


def _place_landscape_labels(
    fig: Figure,
    ax: Axes,
    pts: list[LandscapePoint],
    radius: np.ndarray,
    segments: list[tuple[float, float, float, float]],
    quad_texts: list[Any],
    lang: Lang,
) -> dict[str, Bbox]:
    from adjustText import adjust_text

    renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
    to_data = ax.transData.inverted()
    size = 9.0 if len(pts) <= 15 else (8.0 if len(pts) <= 30 else 7.5)
    anchor_px = ax.transData.transform(np.array([[p.x, p.y] for p in pts]))
    # every label starts above-right of its bubble, clear of the error-bar cross through it
    texts = []
    for p, (px, py), rad in zip(pts, anchor_px, radius, strict=True):
        sx, sy = to_data.transform((px + 0.75 * rad + 3.0, py + 0.75 * rad + 3.0))
        texts.append(ax.text(sx, sy, p.label, fontsize=size, ha="left", va="bottom", zorder=4))

    def data_box(x0: float, y0: float, x1: float, y1: float) -> Bbox:
        return Bbox(to_data.transform(np.array([[x0, y0], [x1, y1]])))

    objects = [
        data_box(px - r, py - r, px + r, py + r)
        for (px, py), r in zip(anchor_px, radius, strict=True)
    ]
    if segments:  # the error bars, as thin boxes (caps included) a label must not sit on
        ends = ax.transData.transform(np.array(segments).reshape(-1, 2)).reshape(-1, 4)
        lows, highs = np.minimum(ends[:, :2], ends[:, 2:]), np.maximum(ends[:, :2], ends[:, 2:])
        objects += [data_box(*(lo - 3.0), *(hi + 3.0)) for lo, hi in zip(lows, highs, strict=True)]
    for q in quad_texts:
        e = q.get_window_extent(renderer)
        objects.append(data_box(e.x0, e.y0, e.x1, e.y1))
    adjust_text(
        texts,
        objects=objects,
        target_x=[p.x for p in pts],
        target_y=[p.y for p in pts],
        avoid_self=False,
        ax=ax,
        iter_lim=LABEL_ITERATIONS,
        force_static=(0.2, 0.4),
        expand=(1.05, 1.25),
        ensure_inside_axes=True,
        prevent_crossings=False,  # its pairwise pass per iteration is most of the time
    )
    # adjustText stops at its iteration limit; a last deterministic pass parts any labels still
    # touching and keeps every one wholly inside the axes
    extents = [tx.get_window_extent(renderer) for tx in texts]
    centres = np.array([[(e.x0 + e.x1) / 2, (e.y0 + e.y1) / 2] for e in extents])
    halves = np.array([[e.width / 2 + 1.5, e.height / 2 + 1.0] for e in extents])
    area = ax.get_window_extent(renderer)
    centres = _part_labels(centres, halves, (area.x0, area.y0, area.x1, area.y1))
    boxes: dict[str, Bbox] = {}
    for p, tx, centre, half, anchor, rad in zip(
        pts, texts, centres, halves, anchor_px, radius, strict=True
    ):
        tx.set_position(tuple(float(v) for v in to_data.transform(centre)))
        tx.set_horizontalalignment("center")
        tx.set_verticalalignment("center")
        # moved away from its bubble: a leader line from the bubble's edge to the label's
        near = np.clip(anchor, centre - half, centre + half)
        gap = float(np.hypot(*(near - anchor)))
        if gap > rad + 6.0:
            start = anchor + (near - anchor) * (rad / gap)
            line = to_data.transform(np.array([start, near]))
            ax.plot(line[:, 0], line[:, 1], color=MUTED, lw=0.6, zorder=2)
        boxes[p.subject] = tx.get_window_extent(renderer)
    return boxes


def _part_labels(
    pos: np.ndarray, half: np.ndarray, bounds: tuple[float, float, float, float]
) -> np.ndarray:
    """Label centres moved apart (along the axis of least overlap) until no two overlap, and
    clipped into ``bounds``; deterministic (ties broken by order)."""
    pos = pos.copy()
    n = len(pos)
    x0, y0, x1, y1 = bounds

    def clip() -> None:
        pos[:, 0] = np.clip(pos[:, 0], x0 + half[:, 0], x1 - half[:, 0])
        pos[:, 1] = np.clip(pos[:, 1], y0 + half[:, 1], y1 - half[:, 1])

    clip()
    tie = np.where(np.arange(n)[:, None] > np.arange(n)[None, :], 1.0, -1.0)
    for _ in range(400):
        dx = pos[:, None, 0] - pos[None, :, 0]
        dy = pos[:, None, 1] - pos[None, :, 1]
        ox = half[:, None, 0] + half[None, :, 0] - np.abs(dx)
        oy = half[:, None, 1] + half[None, :, 1] - np.abs(dy)
        hit = (ox > 0) & (oy > 0)
        np.fill_diagonal(hit, False)
        if not hit.any():
            break
        sx = np.where(dx == 0, tie, np.sign(dx))
        sy = np.where(dy == 0, tie, np.sign(dy))
        along_y = oy < ox
        move = np.zeros_like(pos)
        move[:, 0] = np.sum(np.where(hit & ~along_y, sx * (ox * 0.5 + 0.5), 0.0), axis=1)
        move[:, 1] = np.sum(np.where(hit & along_y, sy * (oy * 0.5 + 0.5), 0.0), axis=1)
        pos += move
        clip()
    return pos


def _draw_side_panel(side: Axes, data: ReportData, record: LandscapeData, lang: Lang) -> None:
    lines: list[tuple[str, dict[str, Any]]] = []
    if record.size_node:
        lines.append(
            (
                f"{t('bubble', lang)}: {data.node_name(record.size_node).get(lang)} "
                f"({record.size_node})",
                {"color": "#333333"},
            )
        )
        lines.append(("", {}))
    lines.append((t("screened_out", lang), {"weight": "bold"}))
    if not record.excluded:
        lines.append((t("screened_none", lang), {"color": MUTED}))
    for name, gates in record.excluded:
        lines.append((_wrap(f"{name}: {t('fails', lang)} {gates}", 34, lang), {}))
    names = {v.id: v.name.get(lang) for v in data.subjects}
    sep = "、" if lang == "zh" else ", "
    if record.unplaced:
        lines.append(("", {}))
        lines.append((t("not_placed", lang), {"weight": "bold"}))
        for sid, nodes in record.unplaced.items():
            dims = sep.join(data.node_name(n).get(lang) for n in nodes)
            colon = "：" if lang == "zh" else ": "  # no space: Chinese wraps by characters
            text = f"{names[sid]}{colon}{t('no_evidence_on', lang, dims=dims)}"
            lines.append((_wrap(text, 34, lang), {"color": "#555555"}))
    if record.no_size:
        lines.append(("", {}))
        lines.append((_wrap(t("no_size", lang), 34, lang), {"weight": "bold"}))
        lines.append((_wrap(sep.join(names[s] for s in record.no_size), 34, lang), {}))
    if record.points:
        lines.append(("", {}))
        lines.append((_wrap(t("label_coverage", lang), 34, lang), {"color": "#555555"}))
        if any(p.hollow for p in record.points.values()):
            note = t("hollow_note", lang, pct=fmt_pct(LOW_COVERAGE))
            lines.append((_wrap(note, 34, lang), {"color": "#555555"}))
    y = 1.0
    for text, style in lines:
        side.text(0.0, y, text, va="top", ha="left", fontsize=9, transform=side.transAxes, **style)
        y -= 0.045 * max(1, text.count("\n") + 1)


# --------------------------------------------------------------------------- radar


@dataclass(frozen=True)
class RadarData:
    """One subject's first-level scores (NaN = no data) and the cohort median of each.

    ``vertices`` are the subject's plotted points (axes with data, in axis order); ``runs`` the
    stroked lines through them — one closed polygon when every axis has data, otherwise one
    open line per stretch of neighbouring axes with data, so no line crosses a missing axis.
    ``label_boxes`` are the axis labels' boxes in points (y downwards), as drawn.
    """

    subject: str
    nodes: tuple[str, ...]
    values: tuple[float, ...]
    cohort_median: tuple[float, ...]
    vertices: tuple[tuple[float, float], ...]
    runs: tuple[tuple[int, ...], ...] = ()
    closed: bool = False
    label_boxes: tuple[tuple[float, float, float, float], ...] = ()


NO_DATA: Final = {"zh": "无数据", "en": "no data"}
"""What a radar axis without data is labelled with."""
RADAR_UNIT = 102.6
"""The radar's unit radius in points."""


def _runs(values: Sequence[float]) -> tuple[tuple[tuple[int, ...], ...], bool]:
    """Stretches of neighbouring axes with data (wrapping round), and whether all have data."""
    n = len(values)
    have = [not math.isnan(v) for v in values]
    if all(have):
        return (tuple(range(n)),), True
    if not any(have):
        return (), False
    start = next(k for k in range(n) if not have[k])  # begin just after a gap: no wrap split
    runs: list[tuple[int, ...]] = []
    current: list[int] = []
    for step in range(1, n + 1):
        k = (start + step) % n
        if have[k]:
            current.append(k)
        elif current:
            runs.append(tuple(current))
            current = []
    if current:
        runs.append(tuple(current))
    return tuple(sorted(runs)), False


def radar_chart(data: ReportData, subject: str, lang: Lang) -> Chart:
    """Radar of one subject over the first-level indicators, against the cohort median.

    Drawn straight to SVG (:class:`~quanheng.report.svg.SvgCanvas`, text as glyph paths like
    every chart) rather than through a matplotlib figure: a report draws one per subject and
    language, and the figure machinery cost ten times the drawing. The vertices are exactly
    the plotted coordinates. An axis without data is never drawn at the centre nor bridged:
    the line breaks there (each stretch of axes with data is its own line, filled as the
    wedges between its neighbouring axes), its spoke is dashed with a hollow marker at the
    centre, and its label is greyed with "no data". Labels hang outward from the ring by
    their angle and are moved further out where they would overlap a neighbour. SVG only.
    """
    nodes = data.card.first_level
    view = next(v for v in data.subjects if v.id == subject)
    values = tuple(view.scores.get(n, math.nan) for n in nodes)
    cohort = np.array([[v.scores.get(n, math.nan) for n in nodes] for v in data.peers(view.kind)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN node: median is NaN
        median = np.nanmedian(cohort, axis=0) if len(cohort) else np.full(len(nodes), np.nan)
    n = len(nodes)
    angles = [math.pi / 2 - 2 * math.pi * k / n for k in range(n)]

    def xy(r: float, k: int) -> tuple[float, float]:
        return (r * math.cos(angles[k]), r * math.sin(angles[k]))

    vertices = tuple(xy(v, k) for k, v in enumerate(values) if not math.isnan(v))
    runs, closed = _runs(values)
    chart_rc()  # the fonts must be there (a clear error if not), as for every chart

    # 5.4 × 4.8 in, the radar's unit circle 102.6 pt across its radius, centred: the layout
    # matplotlib gave it when it drew these (axes at 17 %/10 %, 66 % × 80 %, equal aspect).
    canvas = SvgCanvas(5.4 * 72, 4.8 * 72)
    cx, cy, unit = canvas.width / 2, canvas.height / 2 - 8.0, RADAR_UNIT

    def pt(p: tuple[float, float]) -> tuple[float, float]:
        return (cx + p[0] * unit, cy - p[1] * unit)

    grey = "#d0d0d0"
    for r in (0.2, 0.4, 0.6, 0.8, 1.0):
        canvas.polyline([pt(xy(r, k)) for k in range(n)], stroke=grey, width=0.6, closed=True)
    for k in range(n):
        spoke = [pt((0.0, 0.0)), pt(xy(1.0, k))]
        if math.isnan(values[k]):
            canvas.polyline(spoke, stroke="#b0b0b0", width=0.7, dash=(0.8, 2.2))
        else:
            canvas.polyline(spoke, stroke=grey, width=0.6)
    legend: list[tuple[str, str, float, tuple[float, float] | None, bool]] = []
    med_runs, med_closed = _runs(tuple(float(m) for m in median))
    if sum(len(r) for r in med_runs) > 1:
        for run in med_runs:
            line = [pt(xy(float(median[k]), k)) for k in run]
            canvas.polyline(line, stroke=MUTED, width=1.0, dash=(3.7, 1.6), closed=med_closed)
        legend.append((t("radar_cohort", lang), MUTED, 1.0, (3.7, 1.6), False))
    if vertices:
        if closed:
            shape = [pt(xy(values[k], k)) for k in range(n)]
            canvas.polyline(shape, fill=ACCENT, fill_opacity=0.22, closed=True)
        else:  # the wedges between neighbouring axes with data: never across a gap
            for run in runs:
                if len(run) > 1:
                    wedge = [pt((0.0, 0.0))] + [pt(xy(values[k], k)) for k in run]
                    canvas.polyline(wedge, fill=ACCENT, fill_opacity=0.22, closed=True)
        for run in runs:
            canvas.polyline(
                [pt(xy(values[k], k)) for k in run], stroke=ACCENT, width=1.6, closed=closed
            )
        canvas.dots([pt(v) for v in vertices], 1.8, ACCENT)
        legend.append((_elide(_name(view, lang), 84, lang), ACCENT, 1.6, None, True))
    if not closed:  # "no data" marker: hollow, at the centre the missing spokes run from
        canvas.rings([pt((0.0, 0.0))], 2.4, MUTED)
    boxes = _radar_labels(canvas, data, values, angles, pt, lang)
    for row, (text, colour, width, dash, marker) in enumerate(legend):
        y = canvas.height - 30 + 13 * row
        canvas.polyline([(8.0, y), (26.0, y)], stroke=colour, width=width, dash=dash)
        if marker:
            canvas.dots([(17.0, y)], 1.8, colour)
        canvas.text(33.0, y, text, size=7.5, ha="left")
    record = RadarData(
        subject,
        nodes,
        values,
        tuple(float(m) for m in median),
        vertices,
        runs,
        closed,
        tuple(boxes),
    )
    return Chart(f"radar-{subject}", None, record, set(canvas.missing_glyphs), canvas)


def _radar_labels(
    canvas: SvgCanvas,
    data: ReportData,
    values: tuple[float, ...],
    angles: list[float],
    pt: Any,
    lang: Lang,
) -> list[tuple[float, float, float, float]]:
    """Draw the axis labels outside the ring, aligned by angle, clear of one another."""
    size = 7.5
    placed: list[tuple[float, float, float, float]] = []
    ring = RADAR_UNIT * 1.0
    for k, node in enumerate(data.card.first_level):
        c, s = math.cos(angles[k]), math.sin(angles[k])
        ha: Literal["left", "center", "right"] = (
            "center" if abs(c) < 0.2 else ("left" if c > 0 else "right")
        )
        va: Literal["center", "top", "bottom"] = (
            "center" if abs(s) < 0.5 else ("bottom" if s > 0 else "top")
        )
        missing = math.isnan(values[k])
        label = _wrap(data.node_name(node).get(lang), 18, lang)
        if missing:
            label += f"\n（{NO_DATA[lang]}）" if lang == "zh" else f"\n({NO_DATA[lang]})"
        r = 1.06
        box = (0.0, 0.0, 0.0, 0.0)
        for _ in range(24):  # out along the spoke until clear of the labels placed so far
            x, y = pt((r * c, r * s))
            box = SvgCanvas.text_box(x, y, label, size=size, ha=ha, va=va, italic=missing)
            if not any(_boxes_overlap(box, other, 1.0) for other in placed) and not _box_on_ring(
                box, pt((0.0, 0.0)), ring
            ):
                break
            r += 0.04
        x, y = pt((r * c, r * s))
        canvas.text(
            x,
            y,
            label,
            size=size,
            color=MUTED if missing else "#222222",
            ha=ha,
            va=va,
            italic=missing,
        )
        placed.append(box)
    return placed


def _boxes_overlap(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float], pad: float
) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > -pad and min(a[3], b[3]) - max(a[1], b[1]) > -pad


def _box_on_ring(
    box: tuple[float, float, float, float], centre: tuple[float, float], r: float
) -> bool:
    """Whether a box reaches inside the radar's outer ring (a circle through its corners)."""
    nx = min(max(centre[0], box[0]), box[2])
    ny = min(max(centre[1], box[1]), box[3])
    return math.hypot(nx - centre[0], ny - centre[1]) < r


# --------------------------------------------------------------------------- heatmap


@dataclass(frozen=True)
class HeatmapData:
    """Normalised leaf scores, leaves × subjects (NaN = missing), as drawn.

    ``lone`` holds the (leaf, subject) cells marked ◆: a value on a cohort-relative leaf that
    fewer than 3 of the cohort report, scored on a reference range or shrunk (``lone_datum``).
    """

    leaves: tuple[str, ...]
    subjects: tuple[str, ...]
    values: np.ndarray
    missing: tuple[tuple[str, str], ...]
    lone: tuple[tuple[str, str], ...] = ()


def heatmap_chart(data: ReportData, lang: Lang) -> Chart:
    """All leaves × scored subjects; missing cells hatched grey and never coloured as a score.

    A cell whose leaf has fewer than 3 values in the cohort carries a small diamond at its
    right end: its score comes from a reference range (or shrinkage), not from min–max.
    """
    card = data.card
    cohort = data.cohort
    rows = [card.subjects.index(v.id) for v in cohort]
    leaves = card.node_ids[: card.n_leaves]
    values = card.normalised[rows, :].T if rows else np.zeros((len(leaves), 0))
    missing = tuple(
        (leaves[j], cohort[c].id)
        for j in range(len(leaves))
        for c in range(len(cohort))
        if math.isnan(values[j, c])
    )
    lone = tuple(
        (leaves[j], cohort[c].id)
        for j in range(len(leaves))
        for c in range(len(cohort))
        if card.lone_datum(cohort[c].id, leaves[j])
    )
    record = HeatmapData(tuple(leaves), tuple(v.id for v in cohort), values, missing, lone)
    n_rows, n_cols = values.shape
    with _rc():
        fig = Figure(
            figsize=(max(7.5, 4.6 + 0.3 * n_cols), 2.2 + 0.2 * max(n_rows, 4)),
            layout="constrained",
        )
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.add_patch(
            Rectangle(
                (-0.5, -0.5),
                max(n_cols, 1),
                max(n_rows, 1),
                facecolor=MISSING_FACE,
                edgecolor="#9a9a9a",
                hatch="////",
                lw=0,
                zorder=0,
            )
        )
        image = ax.imshow(
            np.ma.masked_invalid(values),
            cmap=SCORE_CMAP,
            vmin=0.0,
            vmax=1.0,
            aspect="auto",
            interpolation="nearest",
            zorder=1,
        )
        if lone:
            col = {sid: c for c, sid in enumerate(record.subjects)}
            row = {leaf: j for j, leaf in enumerate(leaves)}
            ax.scatter(
                [col[sid] + 0.36 for _, sid in lone],
                [row[leaf] for leaf, _ in lone],
                s=22,
                marker="D",
                facecolors="white",
                edgecolors="#1d1d1f",
                linewidths=0.7,
                zorder=3,
                gid="lone-datum",
            )
        ax.set_xlim(-0.5, max(n_cols, 1) - 0.5)
        ax.set_ylim(max(n_rows, 1) - 0.5, -0.5)
        ax.set_xticks(range(n_cols))
        ax.set_xticklabels(
            [_elide(_name(v, lang), LABEL_COLUMNS, lang) for v in cohort],
            rotation=60,
            ha="right",
            rotation_mode="anchor",
            fontsize=8,
        )
        ax.set_yticks(range(n_rows))
        ax.set_yticklabels(  # the full names are in the report's indicator table
            [
                _elide(f"{leaf} {card.node_names[j].get(lang)}", LEAF_COLUMNS, lang)
                for j, leaf in enumerate(leaves)
            ],
            fontsize=7,
        )
        ax.tick_params(length=0)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        parent_dim = _leaf_dimension(data)
        for j in range(1, n_rows):
            if parent_dim[j] != parent_dim[j - 1]:
                ax.axhline(j - 0.5, color="white", lw=2.0, zorder=2)
        colorbar = fig.colorbar(image, ax=ax, shrink=min(1.0, 3.0 / fig.get_figheight() + 0.1))
        colorbar.set_label(t("score", lang), fontsize=8)
        handles: list[Any] = [
            Patch(
                facecolor=MISSING_FACE,
                edgecolor="#9a9a9a",
                hatch="////",
                label=t("missing", lang),
            )
        ]
        if lone:
            handles.append(
                Line2D(
                    [],
                    [],
                    ls="none",
                    marker="D",
                    markersize=4.5,
                    markerfacecolor="white",
                    markeredgecolor="#1d1d1f",
                    markeredgewidth=0.7,
                    label=t("lone_legend", lang),
                )
            )
        ax.legend(
            handles=handles,
            ncols=len(handles),
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            fontsize=8,
            frameon=False,
        )
    return Chart("heatmap", fig, record)


def _leaf_dimension(data: ReportData) -> list[str]:
    """The dimension each leaf belongs to, in leaf order."""
    owner: dict[str, str] = {}
    for dim in data.framework.tree:
        stack = [dim]
        while stack:
            node = stack.pop()
            if node.is_leaf:
                owner[node.id] = dim.id
            stack.extend(node.children)
    return [owner.get(leaf, "") for leaf in data.card.node_ids[: data.card.n_leaves]]


# --------------------------------------------------------------------------- rank probabilities


@dataclass(frozen=True)
class RankProbabilityData:
    """P(rank = k) per subject (rows in rank order), as stacked."""

    subjects: tuple[str, ...]
    matrix: np.ndarray


def rank_probability_chart(data: ReportData, lang: Lang) -> Chart | None:
    """Stacked bars of rank acceptability per subject; ``None`` without a simulation."""
    analysis = data.analysis
    if analysis is None or not analysis.rank_acceptability:
        return None
    cohort = [v for v in data.cohort if v.id in analysis.rank_acceptability]
    if not cohort:
        return None
    n = max(len(analysis.rank_acceptability[v.id]) for v in cohort)
    matrix = np.zeros((len(cohort), n))
    for r, v in enumerate(cohort):
        probs = analysis.rank_acceptability[v.id]
        matrix[r, : len(probs)] = probs
    record = RankProbabilityData(tuple(v.id for v in cohort), matrix)
    labels = [  # P(rank) is never shown without the evidence behind it
        f"{_elide(_name(v, lang), LABEL_COLUMNS, lang)} · "
        f"{t('cov_short', lang, pct=fmt_pct(v.coverage))}"
        for v in cohort
    ]
    with _rc():
        height = 1.4 + 0.32 * len(cohort)
        fig = _figure(8.0, height)
        # the axes start where the widest label ends: a long name never runs off the figure
        probe = [fig.text(0, 0, label, fontsize=8) for label in labels]
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        widest = max(p.get_window_extent(renderer).width for p in probe) / (fig.dpi * 8.0)
        for p in probe:
            p.remove()
        margin = min(max(0.12, widest + 0.03), 0.5)
        ax = fig.add_axes((margin, 0.9 / height, 0.82 - margin, 1 - 1.3 / height))
        cmap = matplotlib.colormaps["viridis"]
        ypos = np.arange(len(cohort))
        colours = [cmap(k / max(n - 1, 1)) for k in range(n)]
        # One collection of all the non-empty segments, not a bar call per rank: with 50
        # subjects that is 2,500 patches, most of zero width, and the chart's main cost.
        left = np.cumsum(matrix, axis=1) - matrix
        rows, ranks = np.nonzero(matrix > 0)
        boxes = [
            [(x0, y - 0.35), (x0 + w, y - 0.35), (x0 + w, y + 0.35), (x0, y + 0.35)]
            for x0, w, y in zip(
                left[rows, ranks], matrix[rows, ranks], ypos[rows].astype(float), strict=True
            )
        ]
        ax.add_collection(
            PolyCollection(
                boxes,
                facecolors=[colours[k] for k in ranks],
                edgecolors="white",
                linewidths=0.3,
            )
        )
        ax.set_ylim(len(cohort) - 0.5, -0.5)
        handles = [Patch(color=colours[k], label=t("rank_k", lang, k=k + 1)) for k in range(n)]
        ax.set_yticks(ypos)
        ax.set_yticklabels(labels, fontsize=8)
        ax.set_xlim(0, 1)
        ax.set_xlabel(t("probability", lang))
        if n <= 12:
            ax.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                fontsize=7.5,
                frameon=False,
            )
        else:
            sm = matplotlib.cm.ScalarMappable(
                cmap=cmap, norm=matplotlib.colors.Normalize(vmin=1, vmax=n)
            )
            cax = fig.add_axes((0.86, 0.9 / height, 0.02, 1 - 1.3 / height))
            fig.colorbar(sm, cax=cax).set_label(t("rank", lang), fontsize=8)
    return Chart("rank-probability", fig, record)


# --------------------------------------------------------------------------- tornado


@dataclass(frozen=True)
class TornadoData:
    """Parameters by influence (widest first): the target's change at the low and high end."""

    parameters: tuple[str, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    base: float


MAX_TORNADO_BARS = 15


def tornado_chart(data: ReportData, lang: Lang) -> Chart | None:
    """Tornado of the sensitivity analysis; ``None`` without one."""
    analysis = data.analysis
    if analysis is None or not analysis.tornado:
        return None
    base = analysis.tornado_base or 0.0
    bars = sorted(analysis.tornado, key=lambda b: -abs(b.high - b.low))[:MAX_TORNADO_BARS]
    record = TornadoData(
        tuple(b.parameter for b in bars),
        tuple(b.low - base for b in bars),
        tuple(b.high - base for b in bars),
        base,
    )
    with _rc():
        height = 1.5 + 0.34 * len(bars)
        fig = _figure(8.0, height)
        ax = fig.add_axes((0.34, 0.9 / height, 0.6, 1 - 1.4 / height))
        ypos = np.arange(len(bars))
        ax.barh(ypos, record.low, color="#c8553d", height=0.6, label=t("tornado_low", lang))
        ax.barh(ypos, record.high, color=ACCENT, height=0.6, label=t("tornado_high", lang))
        ax.axvline(0, color="#333333", lw=0.8)
        ax.set_yticks(ypos)
        ax.set_yticklabels([_wrap(b.label.get(lang), 36, lang) for b in bars], fontsize=8)
        ax.invert_yaxis()
        target = analysis.tornado_target.get(lang) if analysis.tornado_target else ""
        ax.set_xlabel(_wrap(f"{t('change', lang)} {target}".strip(), 80, lang))
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    return Chart("tornado", fig, record)
