"""What a slider move redraws: the ranking table and a light landscape, from one scorecard.

The report's landscape (:func:`quanheng.report.charts.landscape_chart`) is drawn by matplotlib
with label placement, ≈ 0.4 s — right for the overview and the report, too slow to follow a
slider. :func:`landscape_svg` draws the same points — the framework's landscape axes and bubble
size, the cohort's median guide lines, the report's quadrant names — as a plain SVG in well
under a millisecond, so ranking and picture move together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

import numpy as np

from quanheng.analysis import SimulationResult
from quanheng.report.i18n import t
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Study
from quanheng.text import Lang

__all__ = ["RankRow", "axes_of", "landscape_svg", "ranking_rows", "reason_in"]


@dataclass(frozen=True)
class RankRow:
    """One subject's line in the ranking."""

    subject: str
    name: str
    cohort: str
    rank: int | None
    overall: float
    coverage: float
    status: str
    reason: str
    p_best: float | None


def reason_in(study: Study, card: Scorecard, i: int, lang: Lang) -> str:
    """Why subject ``i`` is flagged, excluded or unranked, in ``lang`` (empty when ranked).

    The wording of the report's :meth:`~quanheng.report.content.SubjectView.reason_in`, from the
    card alone: the report's subject view costs a whole report build, too much per slider move.
    """
    names = {g.id: g.name.get(lang) for g in study.framework.gates}
    results = card.gates[i].results
    failed = [names.get(r.gate, r.gate) for r in results if r.status == "fail"]
    open_ = [names.get(r.gate, r.gate) for r in results if r.status in ("unknown", "disputed")]
    sep = "、" if lang == "zh" else ", "
    parts = []
    if failed:
        parts.append(("未通过：" if lang == "zh" else "fails: ") + sep.join(failed))
    if open_:
        parts.append(("证据不足：" if lang == "zh" else "unverified: ") + sep.join(open_))
    if card.status(card.subjects[i]) == "unranked":
        parts.append(t("reason_unranked", lang))
    return ("；" if lang == "zh" else "; ").join(parts)


def ranking_rows(
    card: Scorecard, lang: Lang, sim: SimulationResult | None = None, study: Study | None = None
) -> dict[str, list[RankRow]]:
    """The ranking cohort by cohort (ranks restart in each), screened-out subjects last."""
    p_best = {s: float(sim.p_best[i]) for i, s in enumerate(sim.subjects)} if sim else {}
    out: dict[str, list[RankRow]] = {}
    for i in card.order():
        sid = card.subjects[i]
        status = card.status(sid)
        cohort = card.cohorts[i] if card.cohorts else ""
        out.setdefault("excluded" if status == "excluded" else cohort, []).append(
            RankRow(
                subject=sid,
                name=card.subject_names[i].get(lang),
                cohort=cohort,
                rank=int(card.ranks[i]) if card.ranks[i] > 0 else None,
                overall=float(card.overall[i]),
                coverage=float(card.coverage[i, -1]) if status != "excluded" else math.nan,
                status=status,
                reason=reason_in(study, card, i, lang) if study is not None else card.reason(sid),
                p_best=p_best.get(sid),
            )
        )
    if "excluded" in out:
        out["excluded"] = out.pop("excluded")
    return out


def axes_of(study: Study, card: Scorecard) -> tuple[str, str, str | None]:
    """The landscape's x, y and bubble-size nodes, as the report picks them."""
    land = study.framework.landscape
    if land is not None:
        return land.x, land.y, land.size
    dims = card.dimensions
    return dims[0], dims[1 % len(dims)], dims[2] if len(dims) > 2 else None


def landscape_svg(study: Study, card: Scorecard, lang: Lang) -> str:
    """The main cohort's landscape as an inline ``<svg>`` (every string escaped)."""
    x_id, y_id, size_id = axes_of(study, card)
    kinds = [card.cohorts[i] if card.cohorts else "" for i in range(len(card.subjects))]
    ranked = [i for i in range(len(card.subjects)) if card.ranks[i] > 0]
    main = max(dict.fromkeys(kinds[i] for i in ranked), key=kinds.count) if ranked else ""
    rows = [i for i in ranked if kinds[i] == main]
    xs, ys = card.column(x_id), card.column(y_id)
    sizes = card.column(size_id) if size_id else np.full(len(card.subjects), 0.5)
    w, h, pad = 640, 440, 56
    xv = [float(xs[i]) for i in rows if math.isfinite(xs[i]) and math.isfinite(ys[i])]
    yv = [float(ys[i]) for i in rows if math.isfinite(xs[i]) and math.isfinite(ys[i])]

    def px(v: float) -> float:
        return pad + v * (w - 2 * pad)

    def py(v: float) -> float:
        return h - pad - v * (h - 2 * pad)

    name = card.node_names
    x_name = name[card.node_index(x_id)].get(lang)
    y_name = name[card.node_index(y_id)].get(lang)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        f'class="live-landscape" aria-label="{escape(t("landscape", lang))}">',
        f'<rect x="{pad}" y="{pad}" width="{w - 2 * pad}" height="{h - 2 * pad}" '
        'fill="#fafbfc" stroke="#c9ced6"/>',
    ]
    if xv:
        mx, my = float(np.median(xv)), float(np.median(yv))
        parts.append(
            f'<line x1="{px(mx):.1f}" y1="{pad}" x2="{px(mx):.1f}" y2="{h - pad}" '
            'stroke="#b0b6bf" stroke-dasharray="4 3"/>'
            f'<line x1="{pad}" y1="{py(my):.1f}" x2="{w - pad}" y2="{py(my):.1f}" '
            'stroke="#b0b6bf" stroke-dasharray="4 3"/>'
        )
    for key, (ax, ay, anchor) in {
        "quad_tr": (w - pad - 6, pad + 16, "end"),
        "quad_tl": (pad + 6, pad + 16, "start"),
        "quad_br": (w - pad - 6, h - pad - 8, "end"),
        "quad_bl": (pad + 6, h - pad - 8, "start"),
    }.items():
        parts.append(
            f'<text x="{ax}" y="{ay}" text-anchor="{anchor}" class="quad">'
            f"{escape(t(key, lang))}</text>"
        )
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<text x="{px(tick):.1f}" y="{h - pad + 16}" text-anchor="middle" class="tick">'
            f"{tick:g}</text>"
            f'<text x="{pad - 6}" y="{py(tick) + 4:.1f}" text-anchor="end" class="tick">'
            f"{tick:g}</text>"
        )
    parts.append(
        f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle" class="axis">{escape(x_name)}</text>'
        f'<text x="16" y="{h / 2}" text-anchor="middle" class="axis" '
        f'transform="rotate(-90 16 {h / 2})">{escape(y_name)}</text>'
    )
    for i in rows:
        x, y = float(xs[i]), float(ys[i])
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        s = float(sizes[i]) if math.isfinite(sizes[i]) else 0.0
        r = 6 + 16 * max(0.0, min(1.0, s))
        label = card.subject_names[i].get(lang)
        parts.append(
            f'<g class="bubble" data-subject="{escape(card.subjects[i])}">'
            f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="{r:.1f}" fill="#4c78a8" '
            'fill-opacity="0.55" stroke="#2b4a6f"/>'
            f'<text x="{px(x):.1f}" y="{py(y) - r - 3:.1f}" text-anchor="middle" class="label">'
            f"{escape(label)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
