"""The pages that read the study: overview, weights (live), a subject, an indicator.

Charts are the report's own (:mod:`quanheng.report.charts`), built from the report's content
(:func:`quanheng.report.content.build_report`), so the workbench and the report always agree;
only the slider's landscape is the light one of :mod:`.live`.
"""

from __future__ import annotations

import base64
import json
import math
import re
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup

from quanheng.errors import InputError
from quanheng.report import charts
from quanheng.report.content import ReportData, build_report, describe_normalisation
from quanheng.scoring.scorecard import Scorecard
from quanheng.specs.normalisation import Rubric
from quanheng.text import Lang
from quanheng.web.context import bench_of, check_csrf, checked_form, lang_of, render, text_field
from quanheng.web.live import landscape_svg, ranking_rows
from quanheng.web.state import Workbench, slider_nodes

__all__ = ["router"]

router = APIRouter()

_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,80}$")


def _profile_of(request: Request) -> str | None:
    bench = bench_of(request)
    given = request.query_params.get("profile") or None
    if given is not None and given not in bench.study().profiles:
        raise HTTPException(404, f"profile {given!r} is not in the study")
    return given


def report_data(bench: Workbench, profile: str | None) -> ReportData:
    """The report's content for a profile, built once per study state."""
    card = bench.card(profile)
    return bench.memo(
        f"report:{card.profile}",
        lambda: build_report(bench.study(), card, None, matrix=card.matrix),
    )


def _img(svg: str, alt: str) -> Markup:
    """A chart as an ``<img>`` of an SVG data URI: no script in it can run, nothing is fetched."""
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="chart" alt="{}" src="{}">').format(alt, uri)


def _chart(bench: Workbench, key: str, draw: Any) -> str:
    def make() -> str:
        chart = draw()
        try:
            return charts.to_svg(chart)
        finally:
            if chart.figure is not None:
                chart.figure.clear()

    return bench.memo(key, make)


def report_landscape(bench: Workbench, profile: str | None, lang: Lang) -> Markup | None:
    """The report's landscape of a profile, as an image."""
    data = report_data(bench, profile)
    if not data.cohort:
        return None
    svg = _chart(
        bench, f"landscape:{data.card.profile}:{lang}", lambda: charts.landscape_chart(data, lang)
    )
    return _img(svg, data.title.get(lang))


# --------------------------------------------------------------------------- overview


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    """The landscape, the ranking by cohort with coverage and P(best), and who was screened out."""
    bench = bench_of(request)
    lang = lang_of(request)
    profile = _profile_of(request)
    study = bench.study()
    card = bench.card(profile)
    sim = bench.probabilities(card)
    data = report_data(bench, profile)
    return render(
        request,
        "overview.html.j2",
        {
            "profiles": study.profiles,
            "profile": card.profile,
            "groups": ranking_rows(card, lang, sim, study),
            "landscape": report_landscape(bench, profile, lang),
            "excluded": data.excluded,
            "warnings": [x.get(lang) for x in data.warnings],
            "draws": bench.draws,
        },
    )


# --------------------------------------------------------------------------- weights


@router.get("/weights", response_class=HTMLResponse)
def weights_page(request: Request) -> Response:
    """Sliders for the dimensions and first-level groups; ranking, landscape and P(best)."""
    bench = bench_of(request)
    lang = lang_of(request)
    profile = _profile_of(request)
    study = bench.study()
    card = bench.card(profile)
    weights = bench.weights_of(profile)
    fw = study.framework
    names = {n.id: n.name.get(lang) for _, n in fw.walk()}
    names["overall"] = card.node_names[-1].get(lang)
    return render(
        request,
        "weights.html.j2",
        {
            "profiles": study.profiles,
            "profile": card.profile,
            "sliders": [
                (parent, names.get(parent, parent), [(k, names[k], weights[k]) for k in kids])
                for parent, kids in slider_nodes(study)
            ],
            "ranking": _ranking_html(request, card, None),
            "landscape": Markup(landscape_svg(study, card, lang)),  # built from escaped parts
            "draws": bench.draws,
            "saved": request.query_params.get("saved"),
        },
    )


def _ranking_html(request: Request, card: Scorecard, sim: Any) -> Markup:
    lang = lang_of(request)
    from quanheng.web.context import _ENV
    from quanheng.web.words import say

    html = _ENV.get_template("_ranking.html.j2").render(
        groups=ranking_rows(card, lang, sim, bench_of(request).study()),
        w=lambda k, **f: say(k, lang, **f),
        lang=lang,
    )
    return Markup(html)


async def _weights_body(request: Request) -> tuple[str | None, dict[str, float]]:
    check_csrf(request)
    try:
        body = json.loads(await request.body())
        profile = body.get("profile") or None
        raw = body.get("weights", {})
        weights = {str(k): float(v) for k, v in raw.items()}
    except (ValueError, TypeError, AttributeError):
        raise HTTPException(400, "expected JSON {profile, weights: {node: number}}") from None
    if profile is not None and profile not in bench_of(request).study().profiles:
        raise HTTPException(404, f"profile {profile!r} is not in the study")
    return profile, weights


@router.post("/api/reweight")
async def reweight(request: Request) -> Response:
    """Point scores under the posted weights: the ranking and the landscape, as HTML."""
    profile, weights = await _weights_body(request)
    bench = bench_of(request)
    lang = lang_of(request)
    try:
        card = bench.reweight(profile, weights)
    except InputError as exc:
        raise HTTPException(400, str(exc)) from None
    order = [card.subjects[i] for i in card.order() if card.ranks[i] > 0]
    return JSONResponse(
        {
            "ranking": str(_ranking_html(request, card, None)),
            "landscape": landscape_svg(bench.study(), card, lang),
            "order": order,
            "overall": {
                s: (None if math.isnan(v) else round(float(v), 6))
                for s, v in zip(card.subjects, card.overall, strict=True)
            },
        }
    )


@router.post("/api/probabilities")
async def probabilities(request: Request) -> Response:
    """P(best) of the main cohort under the posted weights, from the live draws."""
    profile, weights = await _weights_body(request)
    bench = bench_of(request)
    try:
        card = bench.reweight(profile, weights)
    except InputError as exc:
        raise HTTPException(400, str(exc)) from None
    sim = await _in_thread(bench.probabilities, card)
    p_best = {} if sim is None else {s: float(sim.p_best[i]) for i, s in enumerate(sim.subjects)}
    return JSONResponse({"p_best": p_best, "draws": bench.draws})


async def _in_thread(fn: Any, *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


@router.post("/weights/save")
async def save_as_profile(request: Request) -> Response:
    """Write the sliders' weights into ``study.yaml`` as a new profile."""
    form = await checked_form(request)
    bench = bench_of(request)
    lang = lang_of(request)
    try:
        from quanheng.curation.profiles import save_profile
    except ImportError:
        raise HTTPException(501, "saving profiles needs quanheng.curation") from None
    profile_id = text_field(form, "profile_id")
    if not _ID.match(profile_id):
        raise HTTPException(400, "profile id: letters, digits, '-', '_' or '.', at most 80")
    try:
        weights = json.loads(text_field(form, "weights") or "{}")
        clean = {str(k): float(v) for k, v in weights.items()}
    except (ValueError, TypeError, AttributeError):
        raise HTTPException(
            400, "weights: expected a JSON mapping of node ids to numbers"
        ) from None
    known = {n for _, kids in slider_nodes(bench.study()) for n in kids}
    unknown = sorted(set(clean) - known)
    if unknown:
        raise HTTPException(400, f"weights: unknown nodes {unknown}")
    name_en = text_field(form, "name_en") or profile_id
    name_zh = text_field(form, "name_zh") or name_en
    mapping = {
        "id": profile_id,
        "name": {"zh": name_zh, "en": name_en},
        "weights": clean,
        "normalise": True,
    }
    save_profile(
        bench.study_dir,
        profile_id,
        mapping,
        who=text_field(form, "who") or "workbench",
        reason=text_field(form, "reason"),
    )
    return RedirectResponse(
        f"/weights?profile={profile_id}&saved={profile_id}&lang={lang}", status_code=303
    )


# --------------------------------------------------------------------------- subjects


@router.get("/subjects", response_class=HTMLResponse)
def subjects_page(request: Request) -> Response:
    """Every subject and every indicator, linked."""
    bench = bench_of(request)
    study = bench.study()
    return render(
        request,
        "subjects.html.j2",
        {"subjects": study.subjects, "tree": list(study.framework.walk())},
    )


@router.get("/subject/{subject_id}", response_class=HTMLResponse)
def subject_page(request: Request, subject_id: str) -> Response:
    """One subject: scores by node, radar, gates, evidence and measured results."""
    bench = bench_of(request)
    lang = lang_of(request)
    profile = _profile_of(request)
    study = bench.study()
    if subject_id not in {s.id for s in study.subjects}:
        raise HTTPException(404, f"subject {subject_id!r} is not in the study")
    data = report_data(bench, profile)
    card = data.card
    view = next(v for v in data.subjects if v.id == subject_id)
    radar = None
    if view.in_cohort and any(math.isfinite(view.scores.get(n, math.nan)) for n in card.dimensions):
        svg = _chart(
            bench,
            f"radar:{card.profile}:{subject_id}:{lang}",
            lambda: charts.radar_chart(data, subject_id, lang),
        )
        radar = _img(svg, view.name.get(lang))
    fw = study.framework
    nodes = [
        (depth, node, view.scores.get(node.id), float(card.coverage[card.index(subject_id), k]))
        for depth, node in fw.walk()
        if depth <= 2
        for k in [card.node_ids.index(node.id)]
    ]
    records = [r for r in study.evidence if r.subject == subject_id]
    return render(
        request,
        "subject.html.j2",
        {
            "s": study.subject(subject_id),
            "view": view,
            "radar": radar,
            "nodes": nodes,
            "records": records,
            "node_names": {n.id: n.name for _, n in fw.walk()} | {g.id: g.name for g in fw.gates},
        },
    )


@router.get("/leaf/{leaf_id}", response_class=HTMLResponse)
def leaf_page(request: Request, leaf_id: str) -> Response:
    """One leaf: definition, unit, normalisation, rubric levels; every subject's value."""
    bench = bench_of(request)
    lang = lang_of(request)
    profile = _profile_of(request)
    study = bench.study()
    fw = study.framework
    node = fw.nodes.get(leaf_id)
    gate = next((g for g in fw.gates if g.id == leaf_id), None)
    if node is None and gate is None:
        raise HTTPException(404, f"indicator {leaf_id!r} is not in the framework")
    card = bench.card(profile)
    rows = []
    for s in study.subjects:
        i = card.index(s.id)
        value = normalised = None
        if node is not None and node.is_leaf:
            j = card.node_index(leaf_id)
            value = float(card.raw[i, j])
            normalised = float(card.normalised[i, j])
        records = [r for r in study.evidence if r.subject == s.id and r.indicator == leaf_id]
        rows.append((s, value, normalised, records))
    norm = describe_normalisation(node.normalisation, node.direction) if node else None
    levels: list[tuple[int, Any]] = []
    if node is not None and isinstance(node.normalisation, Rubric):
        levels = sorted(node.normalisation.levels.items())
    return render(
        request,
        "leaf.html.j2",
        {
            "node": node or gate,
            "is_gate": gate is not None,
            "norm": norm.get(lang) if norm else None,
            "levels": levels,
            "rows": rows,
        },
    )
