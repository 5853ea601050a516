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
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, cast

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
    # Chinese has no spaces to wrap at; count a CJK character as two columns.
    if lang == "zh" and not any(c == " " for c in text):
        return "\n".join(text[i : i + width // 2] for i in range(0, len(text), width // 2))
    return textwrap.fill(text, width) if len(text) > width else text


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


def place_labels(
    anchors: np.ndarray,
    sizes: np.ndarray,
    obstacles: np.ndarray,
    bounds: tuple[float, float, float, float],
    iterations: int = 400,
) -> np.ndarray:
    """Label centres (display pixels) that do not overlap each other, the points or obstacles.

    A plain iterative repulsion: each label starts beside its point; overlapping labels push
    each other apart along the axis of least overlap, labels sitting on a marker or a fixed
    obstacle are pushed off it, a weak spring pulls every label back toward its point, and all
    stay within ``bounds``. Deterministic, and fast for the few dozen labels a landscape has.

    Args:
        anchors: (n, 3) point x, y and marker radius in pixels.
        sizes: (n, 2) label width and height in pixels.
        obstacles: (m, 4) fixed boxes x0, y0, x1, y1 in pixels.
        bounds: x0, y0, x1, y1 the labels must stay within.
    """
    n = len(anchors)
    if n == 0:
        return np.zeros((0, 2))
    pad = 2.0
    half = sizes / 2 + pad
    pos = anchors[:, :2].copy()
    # start above-right of the marker, clear of the error-bar cross through its centre
    pos[:, 0] += 0.7 * anchors[:, 2] + half[:, 0]
    pos[:, 1] += 0.7 * anchors[:, 2] + half[:, 1]
    pts = anchors[:, :2]
    radius = anchors[:, 2]
    x0, y0, x1, y1 = bounds

    def clip() -> None:
        pos[:, 0] = np.clip(pos[:, 0], x0 + half[:, 0], x1 - half[:, 0])
        pos[:, 1] = np.clip(pos[:, 1], y0 + half[:, 1], y1 - half[:, 1])

    def push(centres: np.ndarray, halves: np.ndarray, mutual: bool, gain: float) -> np.ndarray:
        dx = pos[:, None, 0] - centres[None, :, 0]
        dy = pos[:, None, 1] - centres[None, :, 1]
        ox = half[:, None, 0] + halves[None, :, 0] - np.abs(dx)
        oy = half[:, None, 1] + halves[None, :, 1] - np.abs(dy)
        hit = (ox > 0) & (oy > 0)
        if mutual:
            np.fill_diagonal(hit, False)
        tie = np.where(np.arange(n)[:, None] > np.arange(len(centres))[None, :], 1.0, -1.0)
        sx = np.where(dx == 0, tie, np.sign(dx))
        sy = np.where(dy == 0, tie, np.sign(dy))
        along_y = oy < ox
        share = 0.5 if mutual else 1.0
        move = np.zeros_like(pos)
        move[:, 0] = np.sum(np.where(hit & ~along_y, sx * (ox * share + 0.5), 0.0), axis=1)
        move[:, 1] = np.sum(np.where(hit & along_y, sy * (oy * share + 0.5), 0.0), axis=1)
        return move * gain

    marker_half = np.stack([radius, radius], axis=1) * 0.8
    home = pts + np.stack([0.7 * radius + half[:, 0], 0.7 * radius + half[:, 1]], axis=1)
    for _ in range(iterations):
        move = push(pos, half, True, 1.0)
        move += push(pts, marker_half, False, 0.25)  # soft: dense clusters have no free space
        if len(obstacles):
            centres = (obstacles[:, :2] + obstacles[:, 2:]) / 2
            halves = (obstacles[:, 2:] - obstacles[:, :2]) / 2
            move += push(centres, halves, False, 1.0)
        move += (home - pos) * 0.01
        pos += move
        clip()
    # finally labels against labels only, until none overlap (or give up)
    for _ in range(iterations):
        move = push(pos, half, True, 1.0)
        if not move.any():
            break
        pos += move
        clip()
    return pos


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
            label=f"{_name(view, lang)} ({fmt_pct(view.coverage)})",
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
    # labels: measure, place, then draw with a leader line when moved away
    renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
    texts = [ax.text(0, 0, p.label, fontsize=9, zorder=4) for p in pts]
    extents = [tx.get_window_extent(renderer) for tx in texts]
    for tx in texts:
        tx.remove()
    anchor_px = ax.transData.transform(np.array([[p.x, p.y] for p in pts]))
    radius = np.sqrt(sizes / math.pi) * fig.dpi / 72.0
    anchors = np.column_stack([anchor_px, radius])
    label_sizes = np.array([[e.width, e.height] for e in extents])
    obstacles = np.array(
        [list(q.get_window_extent(renderer).extents) for q in quad_texts], dtype=float
    )
    if segments:  # the error bars, as thin boxes (caps included) a label must not sit on
        ends = ax.transData.transform(np.array(segments).reshape(-1, 2)).reshape(-1, 4)
        lows, highs = np.minimum(ends[:, :2], ends[:, 2:]), np.maximum(ends[:, :2], ends[:, 2:])
        obstacles = np.vstack([obstacles, np.hstack([lows - 3.0, highs + 3.0])])
    bbox = ax.get_window_extent(renderer)
    bounds = (float(bbox.x0), float(bbox.y0), float(bbox.x1), float(bbox.y1))
    centres = place_labels(anchors, label_sizes, obstacles, bounds)
    inverse = ax.transData.inverted()
    reach = 0.8 * max(float(label_sizes[:, 0].max()), 1.0)
    for p, centre, anchor, rad in zip(pts, centres, anchors, radius, strict=True):
        x, y = (float(v) for v in inverse.transform(centre))
        if float(np.hypot(*(centre - anchor[:2]))) > rad + reach:  # moved away: leader line
            ax.plot([p.x, x], [p.y, y], color=MUTED, lw=0.6, zorder=2)
        label = ax.text(x, y, p.label, ha="center", va="center", fontsize=9, zorder=4)
        record.label_boxes[p.subject] = label.get_window_extent(renderer)


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
    """One subject's first-level scores (NaN = no data) and the cohort median of each."""

    subject: str
    nodes: tuple[str, ...]
    values: tuple[float, ...]
    cohort_median: tuple[float, ...]
    vertices: tuple[tuple[float, float], ...]


def radar_chart(data: ReportData, subject: str, lang: Lang) -> Chart:
    """Radar of one subject over the first-level indicators, against the cohort median.

    Drawn straight to SVG (:class:`~quanheng.report.svg.SvgCanvas`, text as glyph paths like
    every chart) rather than through a matplotlib figure: a report draws one per subject and
    language, and the figure machinery cost ten times the drawing. The vertices are exactly
    the plotted coordinates. Axes without data are labelled "missing" and skipped by the
    polygon, never drawn at the centre. SVG only: the Markdown links it as SVG.
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
    record = RadarData(subject, nodes, values, tuple(float(m) for m in median), vertices)
    chart_rc()  # the fonts must be there (a clear error if not), as for every chart

    # 5.4 × 4.8 in, the radar's unit circle 102.6 pt across its radius, centred: the layout
    # matplotlib gave it when it drew these (axes at 17 %/10 %, 66 % × 80 %, equal aspect).
    canvas = SvgCanvas(5.4 * 72, 4.8 * 72)
    cx, cy, unit = canvas.width / 2, canvas.height / 2, 102.6

    def pt(p: tuple[float, float]) -> tuple[float, float]:
        return (cx + p[0] * unit, cy - p[1] * unit)

    grey = "#d0d0d0"
    for r in (0.2, 0.4, 0.6, 0.8, 1.0):
        canvas.polyline([pt(xy(r, k)) for k in range(n)], stroke=grey, width=0.6, closed=True)
    for k in range(n):
        canvas.polyline([pt((0.0, 0.0)), pt(xy(1.0, k))], stroke=grey, width=0.6)
    med_pts = [pt(xy(float(m), k)) for k, m in enumerate(median) if not math.isnan(m)]
    legend: list[tuple[str, str, float, tuple[float, float] | None, bool]] = []
    if len(med_pts) > 1:
        canvas.polyline(med_pts, stroke=MUTED, width=1.0, dash=(3.7, 1.6), closed=True)
        legend.append((t("radar_cohort", lang), MUTED, 1.0, (3.7, 1.6), False))
    if vertices:
        shape = [pt(v) for v in vertices]
        canvas.polyline(shape, fill=ACCENT, fill_opacity=0.22, closed=True)
        canvas.polyline(shape, stroke=ACCENT, width=1.6, closed=True)
        canvas.dots(shape, 1.5, ACCENT)
        legend.append((_name(view, lang), ACCENT, 1.6, None, True))
    for k, node in enumerate(nodes):
        lx, ly = xy(1.1, k)
        ha: Literal["left", "center", "right"] = (
            "center" if abs(lx) < 0.15 else ("left" if lx > 0 else "right")
        )
        label = _wrap(data.node_name(node).get(lang), 16, lang)
        missing = math.isnan(values[k])
        if missing:
            label += f"\n({t('missing', lang)})"
        x, y = pt((lx, ly))
        canvas.text(
            x, y, label, size=7.5, color=MUTED if missing else "#222222", ha=ha, italic=missing
        )
    for row, (text, colour, width, dash, marker) in enumerate(legend):
        y = canvas.height - 34 + 14 * row
        canvas.polyline([(8.0, y), (26.0, y)], stroke=colour, width=width, dash=dash)
        if marker:
            canvas.dots([(17.0, y)], 1.5, colour)
        canvas.text(33.0, y, text, size=7.5, ha="left")
    return Chart(f"radar-{subject}", None, record, set(canvas.missing_glyphs), canvas)


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
        ax.set_xticklabels([_name(v, lang) for v in cohort], rotation=60, ha="right", fontsize=8)
        ax.set_yticks(range(n_rows))
        ax.set_yticklabels(
            [f"{leaf} {card.node_names[j].get(lang)}" for j, leaf in enumerate(leaves)],
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
    with _rc():
        height = 1.4 + 0.32 * len(cohort)
        fig = _figure(8.0, height)
        ax = fig.add_axes((0.22, 0.9 / height, 0.6, 1 - 1.3 / height))
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
        ax.set_yticklabels(  # P(rank) is never shown without the evidence behind it
            [f"{_name(v, lang)} · {t('cov_short', lang, pct=fmt_pct(v.coverage))}" for v in cohort],
            fontsize=8,
        )
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
        ax.set_xlabel(f"{t('change', lang)} {target}".strip())
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    return Chart("tornado", fig, record)
