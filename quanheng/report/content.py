"""What a report says, assembled once from a study and its scorecard, in both languages.

:func:`build_report` turns a :class:`~quanheng.scoring.scorecard.Scorecard` (and, when one was
run, a simulation's result as :class:`ReportAnalysis`) into :class:`ReportData`: plain frozen
records that keep names bilingual (:class:`~quanheng.text.Name`) and numbers unformatted. Charts and
renderers read only this, so the Chinese and the English report are built from the very same
numbers and differ in words alone.
"""

from __future__ import annotations

import hashlib
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from quanheng.errors import EnvironmentProblem
from quanheng.evidence import EvidenceRecord
from quanheng.framework import Framework, Node
from quanheng.report.fonts import uncovered_chars
from quanheng.report.i18n import drawable, fmt_number, t
from quanheng.report.origins import MeasuredOrigin, measured_origins
from quanheng.scoring.matrix import IndicatorMatrix, assemble
from quanheng.scoring.scorecard import Scorecard
from quanheng.scoring.sparse import SparseLeaf
from quanheng.specs.normalisation import (
    Fixed,
    LogFixed,
    LogMinMax,
    MinMax,
    Normalisation,
    Rubric,
    Target,
)
from quanheng.study import Profile, Study
from quanheng.text import Lang, Name, Text

__all__ = [
    "LOW_COVERAGE",
    "EvidenceEntry",
    "GateGroup",
    "GateView",
    "LeafEffect",
    "MeasuredView",
    "ReportAnalysis",
    "ReportData",
    "SubjectView",
    "TornadoBar",
    "TreeRow",
    "analysis_for_report",
    "build_report",
    "describe_normalisation",
    "evidence_cutoff",
    "lone_datum_note",
    "warning_text",
]

if TYPE_CHECKING:
    from quanheng.analysis import Analysis

TOP_EFFECTS = 3
"""How many strengths and weaknesses a subject page lists."""

LOW_COVERAGE = 0.25
"""Below this coverage (share of weight backed by data) the landscape draws a hollow bubble."""


# --------------------------------------------------------------------------- simulation input


class TornadoBar(BaseModel):
    """One parameter of a sensitivity analysis: the target's score at either end of its range."""

    model_config = ConfigDict(frozen=True)

    parameter: str
    label: Name
    low: float
    high: float


class ReportAnalysis(BaseModel):
    """What the report shows from a simulation (SMAA / Monte Carlo) and a sensitivity analysis.

    The report does not run simulations; it takes their results in this shape, so a report can
    be written with or without them and the simulation's own types can evolve separately.

    Attributes:
        draws: number of simulation draws.
        seed: the random seed, for reproduction.
        intervals: subject → node id → (low, high), the 90% interval of the node's score.
        p_best: subject → probability of ranking first.
        rank_acceptability: subject → probability of each rank 1..n.
        tornado_target: what the tornado bars move (e.g. the leader's overall score).
        tornado_base: the target's value at the base case.
        tornado: the parameters, most influential first or in any order.
        digest: content hash of the simulation result, for the method appendix.
        settings: other settings worth stating (distribution of weights, etc.), as text.
    """

    model_config = ConfigDict(frozen=True)

    draws: int
    seed: int | None = None
    level: float = 0.90
    intervals: dict[str, dict[str, tuple[float, float]]] = {}
    p_best: dict[str, float] = {}
    rank_acceptability: dict[str, tuple[float, ...]] = {}
    tornado_target: Name | None = None
    tornado_base: float | None = None
    tornado: tuple[TornadoBar, ...] = ()
    digest: str | None = None
    settings: dict[str, str] = {}

    def interval(self, subject: str, node: str) -> tuple[float, float] | None:
        """The 90% interval of one node's score for one subject, if simulated."""
        return self.intervals.get(subject, {}).get(node)


def analysis_for_report(analysis: Analysis, card: Scorecard) -> ReportAnalysis:
    """The report's view of a :class:`quanheng.analysis.Analysis` of the same study and profile.

    The simulation gives 90% intervals of the overall score and of the nodes it was asked to
    score (the dimensions and the landscape's axes and size, from the same draws), rank
    acceptability and P(best); the tornado shows how the point leader's overall score moves
    when each node's weight goes to either end of the sensitivity range.
    """
    sim = analysis.simulation
    sens = analysis.sensitivity
    intervals = {
        s: {"overall": (float(sim.q05[i]), float(sim.q95[i])), **sim.node_intervals(i)}
        for i, s in enumerate(sim.subjects)
        if not (math.isnan(sim.q05[i]) or math.isnan(sim.q95[i]))
    }
    p_best = {s: float(sim.rank_acceptability[i, 0]) for i, s in enumerate(sim.subjects)}
    ranks = {
        s: tuple(float(x) for x in sim.rank_acceptability[i]) for i, s in enumerate(sim.subjects)
    }
    bars: list[TornadoBar] = []
    target: Name | None = None
    base: float | None = None
    if sens.tornado and sens.subjects:
        order = sim.order()
        leader = sim.subjects[order[0]] if order else sens.subjects[0]
        k = sens.subjects.index(leader) if leader in sens.subjects else 0
        name = card.subject_names[card.subjects.index(sens.subjects[k])]
        target = Name(zh=f"{name.zh} 总分", en=f"{name.en}'s overall score")
        base = float(sens.base[k])
        for row in sens.tornado:
            node = card.node_names[card.node_ids.index(row.node)]
            span = f"{row.low_weight:.2f}–{row.high_weight:.2f}"
            bars.append(
                TornadoBar(
                    parameter=row.node,
                    label=Name(
                        zh=f"{row.node} {node.zh} 权重 {span}",
                        en=f"{row.node} {node.en} weight {span}",
                    ),
                    low=float(row.score_low[k]),
                    high=float(row.score_high[k]),
                )
            )
    settings = {
        "concentration": str(sim.concentration),
        "value model": sim.value_model,
        "uncertain cells": str(sim.uncertain_cells),
        "sensitivity delta": f"{sens.delta:g}",
    }
    digest = hashlib.sha256(analysis.to_json().encode("utf-8")).hexdigest()[:16]
    return ReportAnalysis(
        draws=sim.draws,
        seed=sim.seed,
        intervals=intervals,
        p_best=p_best,
        rank_acceptability=ranks,
        tornado_target=target,
        tornado_base=base,
        tornado=tuple(bars),
        digest=digest,
        settings=settings,
    )


# --------------------------------------------------------------------------- report records


@dataclass(frozen=True)
class LeafEffect:
    """How far one leaf lifts or sinks a subject relative to the cohort."""

    leaf: str
    name: Name
    raw: float
    unit: str | Text | None
    normalised: float
    cohort_mean: float
    effect: float
    lone: SparseLeaf | None = None
    """Set when the leaf's cohort had fewer than 3 values: scored on a reference or shrunk."""

    def note(self, lang: Lang) -> str:
        """Why this value is not a cohort comparison (empty for an ordinary cell)."""
        return lone_datum_note(self.lone, lang) if self.lone is not None else ""


@dataclass(frozen=True)
class GateView:
    """One gate's outcome for one subject, with the evidence that decided it."""

    gate: str
    name: Name
    status: str
    anchors: tuple[str, ...]
    records: tuple[EvidenceRecord, ...]


@dataclass(frozen=True)
class GateGroup:
    """Gates of one subject with the same outcome decided by the same quotes, shown once.

    A vendor that passes four gates on one shortlisting sentence reads that sentence once,
    beside the four gates' names, not four times.
    """

    gates: tuple[GateView, ...]

    @property
    def status(self) -> str:
        """The outcome the grouped gates share."""
        return self.gates[0].status

    @property
    def records(self) -> tuple[EvidenceRecord, ...]:
        """The records, from the first gate (the others' say the same)."""
        return self.gates[0].records

    @property
    def anchors(self) -> tuple[str, ...]:
        """The evidence-appendix anchors of the first gate's records."""
        return self.gates[0].anchors

    def names(self, lang: Lang) -> str:
        """The grouped gates' names, joined in ``lang``."""
        return ("、" if lang == "zh" else ", ").join(g.name.get(lang) for g in self.gates)


def group_gates(gates: tuple[GateView, ...]) -> tuple[GateGroup, ...]:
    """``gates`` grouped by (status, quotes), in the order each group first appears."""
    groups: dict[tuple[str, tuple[str, ...]], list[GateView]] = {}
    for g in gates:
        groups.setdefault((g.status, tuple(r.quote for r in g.records)), []).append(g)
    return tuple(GateGroup(tuple(v)) for v in groups.values())


def unique_quotes(gates: tuple[GateView, ...]) -> tuple[EvidenceRecord, ...]:
    """The records behind ``gates``, each quote once (first occurrence kept)."""
    seen: dict[str, EvidenceRecord] = {}
    for g in gates:
        for r in g.records:
            seen.setdefault(r.quote, r)
    return tuple(seen.values())


@dataclass(frozen=True)
class MeasuredView:
    """A measured leaf's raw value and interval for one subject."""

    leaf: str
    name: Name
    value: float
    low: float
    high: float
    unit: str | Text | None
    normalised: float
    origin: str


@dataclass(frozen=True)
class SubjectView:
    """Everything the report says about one subject."""

    id: str
    name: Name
    description: Text | None
    status: str
    reason: str
    rank: int | None
    overall: float
    coverage: float
    scores: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    p_best: float | None
    strengths: tuple[LeafEffect, ...]
    weaknesses: tuple[LeafEffect, ...]
    gates: tuple[GateView, ...]
    measured: tuple[MeasuredView, ...]
    kind: str = ""

    @property
    def gate_groups(self) -> tuple[GateGroup, ...]:
        """The gates grouped so that each quote is shown once (see :class:`GateGroup`)."""
        return group_gates(self.gates)

    @property
    def failed_quotes(self) -> tuple[EvidenceRecord, ...]:
        """The records behind the failed gates, each quote once."""
        return unique_quotes(tuple(g for g in self.gates if g.status == "fail"))

    @property
    def in_cohort(self) -> bool:
        """Scored (not screened out)."""
        return self.status != "excluded"

    def reason_in(self, lang: Lang) -> str:
        """Why it is flagged or excluded, with the gates' names in ``lang`` (empty if neither)."""
        failed = [g.name.get(lang) for g in self.gates if g.status == "fail"]
        open_ = [g.name.get(lang) for g in self.gates if g.status in ("unknown", "disputed")]
        sep = "、" if lang == "zh" else ", "
        parts = []
        if failed:
            parts.append(("未通过：" if lang == "zh" else "fails: ") + sep.join(failed))
        if open_:
            parts.append(("证据不足：" if lang == "zh" else "unverified: ") + sep.join(open_))
        if self.status == "unranked":
            parts.append(t("reason_unranked", lang))
        return ("；" if lang == "zh" else "; ").join(parts) if self.reason else ""


@dataclass(frozen=True)
class EvidenceEntry:
    """One record in the evidence appendix, with the anchor other sections link to."""

    anchor: str
    subject: str
    subject_name: Name
    indicator: str
    indicator_name: Name
    record: EvidenceRecord


@dataclass(frozen=True)
class TreeRow:
    """One node of the framework tree in the method appendix."""

    id: str
    name: Name
    depth: int
    kind: str | None
    direction: str | None
    unit: str | Text | None
    weight: float
    global_weight: float
    normalisation: Name | None
    cohort_relative: bool
    sparse: tuple[SparseLeaf, ...] = ()
    """The cohorts in which this leaf had fewer than 3 values (scored on an absolute scale)."""
    description: Text | None = None
    """The criterion's definition, as the framework gives it."""
    levels: tuple[tuple[int, Text], ...] = ()
    """A rubric leaf's level descriptors, 0..5."""
    reference: Text | None = None
    """Where a sparse cohort's reference range comes from (``reference.basis``)."""

    def notes(self, lang: Lang) -> list[str]:
        """One note per sparse cohort: how few reported it and the scale it was scored on."""
        return [lone_datum_note(sp, lang, with_cohort=True) for sp in self.sparse]


@dataclass(frozen=True)
class ReportData:
    """A report's content: language-neutral, numbers unformatted, built by :func:`build_report`."""

    study_id: str
    title: Name
    description: Text | None
    framework: Framework
    profile: Profile
    card: Scorecard
    analysis: ReportAnalysis | None
    axes: tuple[str, str, str | None]
    gate_names: dict[str, Name]
    subjects: tuple[SubjectView, ...]
    evidence: tuple[EvidenceEntry, ...]
    tree: tuple[TreeRow, ...]
    consistency: dict[str, float]
    digests: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)
    as_of: str | None = None
    """The evidence cut-off: the latest source date among the study's evidence records."""
    study_path: str | None = None
    """The study as the report command was given it, for the reproduce command."""
    measured_origins: tuple[MeasuredOrigin, ...] = ()
    """Measured cells imported from other harnesses or measured more than once, with origins."""

    def reproduce(self, lang: Lang) -> str:
        """The command that writes this report again: study path, profile, draws and seed."""
        parts = ["quanheng report", _shell_word(self.study_path or self.study_id)]
        if self.profile.id != "default":
            parts += ["--profile", _shell_word(self.profile.id)]
        if self.analysis is not None:
            parts += ["--draws", str(self.analysis.draws)]
            if self.analysis.seed is not None:
                parts += ["--seed", str(self.analysis.seed)]
        else:
            parts += ["--draws", "0"]
        parts += ["--lang", lang]
        return " ".join(parts)

    @property
    def main_kind(self) -> str:
        """The kind the landscape compares (the one with most scored subjects: vendors)."""
        kinds = [s.kind for s in self.subjects if s.in_cohort]
        return max(dict.fromkeys(kinds), key=kinds.count) if kinds else ""

    @property
    def cohort(self) -> tuple[SubjectView, ...]:
        """Scored subjects of the main kind, in rank order: the landscape's and charts' cohort.

        Vendors and models are normalised and ranked apart, so they are never drawn together.
        """
        return self.peers(self.main_kind)

    @property
    def scored(self) -> tuple[SubjectView, ...]:
        """Every scored subject (ranked or flagged), cohort by cohort."""
        return tuple(s for s in self.subjects if s.in_cohort)

    @property
    def others(self) -> tuple[SubjectView, ...]:
        """Scored subjects of the other kinds (e.g. measured models beside the vendors)."""
        return tuple(s for s in self.scored if s.kind != self.main_kind)

    def peers(self, kind: str) -> tuple[SubjectView, ...]:
        """Scored subjects of one kind, in rank order."""
        return tuple(s for s in self.scored if s.kind == kind)

    @property
    def excluded(self) -> tuple[SubjectView, ...]:
        """Subjects screened out by a gate."""
        return tuple(s for s in self.subjects if not s.in_cohort)

    @property
    def warnings(self) -> tuple[Name, ...]:
        """The scorecard's warnings (settings under which the ranking means little), bilingual."""
        return tuple(warning_text(w) for w in self.card.warnings)

    def node_name(self, node_id: str) -> Name:
        """A node's bilingual name (the root is "overall")."""
        return self.card.node_names[self.card.node_ids.index(node_id)]


# --------------------------------------------------------------------------- building


def build_report(
    study: Study,
    card: Scorecard,
    analysis: ReportAnalysis | None = None,
    *,
    matrix: IndicatorMatrix | None = None,
    consistency: Mapping[str, float] | None = None,
    study_path: str | None = None,
) -> ReportData:
    """Assemble everything a report shows.

    Args:
        study: the study the scorecard was computed from (names, evidence, framework).
        card: the scorecard of one profile.
        analysis: simulation and sensitivity results, if any were run.
        matrix: the indicator matrix the card was scored from, when measurements were merged
            into it; default: the study's evidence alone.
        consistency: AHP consistency ratios by node id, when the profile's weights were elicited
            by pairwise judgements.
        study_path: the study path as the user gave it (for the reproduce command); default:
            the study's directory.
    """
    fw = study.framework
    matrix = matrix if matrix is not None else assemble(study)
    scorecard_digest = hashlib.sha256(card.to_json().encode("utf-8")).hexdigest()[:16]
    card = _drawable_card(card)
    leaves = {leaf.id: leaf for leaf in fw.leaves}
    gate_names = {g.id: _drawable_name(g.name) for g in fw.gates}
    landscape = fw.landscape
    dims = card.dimensions
    axes: tuple[str, str, str | None] = (
        (landscape.x, landscape.y, landscape.size)
        if landscape is not None
        else (dims[0], dims[1 % len(dims)], dims[2] if len(dims) > 2 else None)
    )

    evidence, anchors = _evidence(study, card, fw)
    vendor_of = {s.id: s.vendor for s in study.subjects if s.vendor is not None}
    effects = _effects(card)
    names = {s.id: s for s in study.subjects}
    subjects: list[SubjectView] = []
    for i in card.order():
        sid = card.subjects[i]
        gates = card.gates[i]
        in_cohort = gates.status != "excluded"
        strengths, weaknesses = effects.get(i, ((), ()))
        subjects.append(
            SubjectView(
                id=sid,
                name=card.subject_names[i],
                description=names[sid].description if sid in names else None,
                status=card.status(sid),
                reason=card.reason(sid),
                rank=int(card.ranks[i]) if card.ranks[i] > 0 else None,
                overall=float(card.overall[i]),
                coverage=float(card.coverage[i, -1]) if in_cohort else math.nan,
                scores={n: float(card.scores[i, k]) for k, n in enumerate(card.node_ids)},
                intervals=dict(analysis.intervals.get(sid, {})) if analysis else {},
                p_best=analysis.p_best.get(sid) if analysis else None,
                strengths=tuple(
                    _leaf_effect(card, leaves, i, j, mean, eff) for j, mean, eff in strengths
                ),
                weaknesses=tuple(
                    _leaf_effect(card, leaves, i, j, mean, eff) for j, mean, eff in weaknesses
                ),
                gates=tuple(
                    GateView(
                        gate=r.gate,
                        name=gate_names.get(r.gate, Name(zh=r.gate, en=r.gate)),
                        status=r.status,
                        # a model without gate evidence of its own inherits its vendor's
                        anchors=anchors.get((sid, r.gate))
                        or anchors.get((vendor_of.get(sid) or sid, r.gate), ()),
                        records=r.records,
                    )
                    for r in gates.results
                ),
                measured=_measured(card, matrix, leaves, i),
                kind=card.cohort(sid),
            )
        )
    digests = dict(card.digests)
    digests["scorecard"] = scorecard_digest
    if analysis is not None:
        digests["analysis"] = analysis.digest or _analysis_digest(analysis)
    return ReportData(
        study_id=study.id,
        title=_drawable_name(study.spec.title),
        description=study.spec.description,
        framework=fw,
        profile=study.profile(card.profile),
        card=card,
        analysis=analysis,
        axes=axes,
        gate_names=gate_names,
        subjects=tuple(subjects),
        evidence=evidence,
        tree=_tree(card, fw),
        consistency=dict(consistency or {}),
        digests=digests,
        as_of=evidence_cutoff(study.evidence),
        study_path=study_path or _display_path(study.path),
        measured_origins=measured_origins(card, matrix),
    )


def _drawable_name(name: Name) -> Name:
    """``name`` with the characters the report fonts cannot draw replaced visibly (``[奖牌]``)."""
    zh, en = drawable(name.zh, "zh", _uncovered), drawable(name.en, "en", _uncovered)
    return name if (zh, en) == (name.zh, name.en) else Name(zh=zh, en=en)


def _uncovered(text: str) -> set[str]:
    try:
        return uncovered_chars([text])
    except EnvironmentProblem:  # no fonts: writing the report says so, with the fix
        return set()


def _drawable_card(card: Scorecard) -> Scorecard:
    """The card with subject and node names every chart can draw (see :func:`_drawable_name`)."""
    subjects = tuple(_drawable_name(n) for n in card.subject_names)
    nodes = tuple(_drawable_name(n) for n in card.node_names)
    if subjects == card.subject_names and nodes == card.node_names:
        return card
    return card.model_copy(update={"subject_names": subjects, "node_names": nodes})


def _analysis_digest(analysis: ReportAnalysis) -> str:
    text = analysis.model_dump_json()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _effects(
    card: Scorecard,
) -> dict[int, tuple[list[tuple[int, float, float]], list[tuple[int, float, float]]]]:
    """Per cohort subject: (leaf, cohort mean, effect) of its top strengths and weaknesses.

    The effect of a leaf is (subject's normalised score − cohort mean) × the leaf's global
    weight: how many points of the overall score the leaf adds or removes against an average
    member of the cohort. Missing cells have no effect rather than a negative one.
    """
    norm = card.normalised
    scored = np.array([g.status != "excluded" for g in card.gates], dtype=bool)
    kinds = np.array(card.cohorts or ("",) * len(card.subjects))
    out: dict[int, tuple[list[tuple[int, float, float]], list[tuple[int, float, float]]]] = {}
    for kind in dict.fromkeys(kinds.tolist()):  # each kind against its own cohort
        cohort = scored & (kinds == kind)
        if cohort.any():
            _cohort_effects(card, norm, cohort, out)
    return out


def _cohort_effects(
    card: Scorecard,
    norm: np.ndarray,
    cohort: np.ndarray,
    out: dict[int, tuple[list[tuple[int, float, float]], list[tuple[int, float, float]]]],
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN leaves: mean is NaN
        means = np.nanmean(norm[cohort], axis=0)
    effect = (norm - means) * card.global_weights[: card.n_leaves]
    for i in np.flatnonzero(cohort):
        row = effect[i]
        valid = [j for j in range(card.n_leaves) if not math.isnan(row[j])]
        ups = sorted((j for j in valid if row[j] > 1e-12), key=lambda j: (-row[j], j))
        downs = sorted((j for j in valid if row[j] < -1e-12), key=lambda j: (row[j], j))
        out[int(i)] = (
            [(j, float(means[j]), float(row[j])) for j in ups[:TOP_EFFECTS]],
            [(j, float(means[j]), float(row[j])) for j in downs[:TOP_EFFECTS]],
        )


def _leaf_effect(
    card: Scorecard, leaves: dict[str, Node], i: int, j: int, mean: float, effect: float
) -> LeafEffect:
    leaf_id = card.node_ids[j]
    sid = card.subjects[i]
    return LeafEffect(
        leaf=leaf_id,
        name=card.node_names[j],
        raw=float(card.raw[i, j]),
        unit=leaves[leaf_id].unit if leaf_id in leaves else None,
        normalised=float(card.normalised[i, j]),
        cohort_mean=mean,
        effect=effect,
        lone=card.sparse_leaf(sid, leaf_id) if card.lone_datum(sid, leaf_id) else None,
    )


def _measured(
    card: Scorecard, matrix: IndicatorMatrix, leaves: dict[str, Node], i: int
) -> tuple[MeasuredView, ...]:
    sid = card.subjects[i]
    row = matrix.subjects.index(sid) if sid in matrix.subjects else None
    out: list[MeasuredView] = []
    if row is None:
        return ()
    for j, leaf_id in enumerate(card.node_ids[: card.n_leaves]):
        leaf = leaves.get(leaf_id)
        if leaf is None or leaf.kind != "measured" or math.isnan(card.raw[i, j]):
            continue
        col = matrix.leaves.index(leaf_id)
        out.append(
            MeasuredView(
                leaf=leaf_id,
                name=card.node_names[j],
                value=float(card.raw[i, j]),
                low=float(matrix.low[row, col]),
                high=float(matrix.high[row, col]),
                unit=leaf.unit,
                normalised=float(card.normalised[i, j]),
                origin=matrix.origin.get((sid, leaf_id), "evidence"),
            )
        )
    return tuple(out)


_ANCHOR_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def _evidence(
    study: Study, card: Scorecard, fw: Framework
) -> tuple[tuple[EvidenceEntry, ...], dict[tuple[str, str], tuple[str, ...]]]:
    """Every record behind a number or a gate, ordered by subject (rank order) then indicator."""
    indicators: list[tuple[str, Name]] = [(g.id, g.name) for g in fw.gates]
    indicators += [(leaf.id, leaf.name) for leaf in fw.leaves]
    cells = study.cells
    entries: list[EvidenceEntry] = []
    anchors: dict[tuple[str, str], tuple[str, ...]] = {}
    for i in card.order():
        sid = card.subjects[i]
        for ind, ind_name in indicators:
            cell = cells.get((sid, ind))
            if cell is None:
                continue
            base = _ANCHOR_SAFE.sub("_", f"ev-{sid}-{ind}")
            here: list[str] = []
            for k, rec in enumerate(cell.records, start=1):
                anchor = f"{base}-{k}"
                here.append(anchor)
                entries.append(
                    EvidenceEntry(
                        anchor=anchor,
                        subject=sid,
                        subject_name=card.subject_names[i],
                        indicator=ind,
                        indicator_name=ind_name,
                        record=rec,
                    )
                )
            anchors[(sid, ind)] = tuple(here)
    return tuple(entries), anchors


def describe_normalisation(spec: Normalisation | None, direction: str | None) -> Name | None:
    """A short formula for a leaf's normalisation, in both languages."""
    if spec is None:
        return None
    zh: str
    en: str
    if isinstance(spec, MinMax):
        zh, en = "组内最小–最大", "min–max within the cohort"
    elif isinstance(spec, LogMinMax):
        zh, en = "log10 后组内最小–最大", "min–max of log10 within the cohort"
        if spec.offset:
            zh += f"，偏移 {spec.offset:g}"
            en += f", offset {spec.offset:g}"
    elif isinstance(spec, LogFixed):
        zh = f"log10 后固定区间 [{spec.min:g}, {spec.max:g}]"
        en = f"fixed range [{spec.min:g}, {spec.max:g}] on log10"
    elif isinstance(spec, Fixed):
        zh = f"固定区间 [{spec.min:g}, {spec.max:g}]"
        en = f"fixed range [{spec.min:g}, {spec.max:g}]"
    elif isinstance(spec, Rubric):
        zh, en = "评级 0–5 → 等级/5", "rubric 0–5 → level/5"
    elif isinstance(spec, Target):
        zh = f"目标值 {spec.target:g} ± {spec.width:g}"
        en = f"target {spec.target:g} ± {spec.width:g}"
    else:  # pragma: no cover - the union is closed
        zh = en = str(spec)
    if direction == "lower" and not isinstance(spec, Rubric | Target):
        zh += "，取 1 − x（越低越好）"
        en += ", 1 − x (lower is better)"
    return Name(zh=zh, en=en)


def _reference_basis(spec: Normalisation | None) -> Text | None:
    ref = getattr(spec, "reference", None)
    return ref.basis if ref is not None else None


_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}$")


def evidence_cutoff(records: tuple[EvidenceRecord, ...] | list[EvidenceRecord]) -> str | None:
    """The latest source date (``YYYY-MM-DD`` or ``YYYY-MM``) among ``records``: what the
    report's findings are as of. ``None`` when no record gives a date."""
    dates = [str(r.source.date) for r in records if r.source.date]
    dates = [d for d in dates if _DATE.match(d)]
    return max(dates) if dates else None


def _display_path(path: Path) -> str:
    """The study directory relative to the working directory when it lies under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)


_SHELL_SAFE = re.compile(r"^[A-Za-z0-9_./:=+-]+$")


def _shell_word(word: str) -> str:
    return word if _SHELL_SAFE.match(word) else "'" + word.replace("'", "'\\''") + "'"


def _tree(card: Scorecard, fw: Framework) -> tuple[TreeRow, ...]:
    index = {n: k for k, n in enumerate(card.node_ids)}
    rows: list[TreeRow] = []
    for depth, node in fw.walk():
        k = index[node.id]
        spec = node.normalisation
        rows.append(
            TreeRow(
                id=node.id,
                name=node.name,
                depth=depth,
                kind=node.kind,
                direction=node.direction if node.is_leaf else None,
                unit=node.unit,
                weight=float(card.weights[k]),
                global_weight=float(card.global_weights[k]),
                normalisation=describe_normalisation(spec, node.direction),
                cohort_relative=bool(spec is not None and spec.cohort_relative),
                sparse=tuple(sp for sp in card.sparse if sp.leaf == node.id),
                description=node.description,
                levels=tuple(sorted(spec.levels.items())) if isinstance(spec, Rubric) else (),
                reference=_reference_basis(spec),
            )
        )
    return tuple(rows)


def lone_datum_note(sparse: SparseLeaf, lang: Lang, *, with_cohort: bool = False) -> str:
    """How a leaf its cohort gave fewer than 3 values was scored, in ``lang``.

    "reported by only 1 of the cohort: scored on the reference range [0, 24]" — or shrunk to
    the middle, when the framework gives the leaf no reference range.
    """
    log = t("lone_log", lang) if isinstance(sparse.scale, LogFixed) else ""
    low, high = (fmt_number(x, lang) for x in (sparse.scale.min, sparse.scale.max))
    scale = f"[{low}, {high}]{log}"
    key = "lone_reference" if sparse.how == "reference" else "lone_shrunk"
    text = t(key, lang, n=sparse.observed, scale=scale)
    if with_cohort:
        known = sparse.cohort in ("vendor", "model")
        cohort = t("cohort_short_" + sparse.cohort, lang) if known else sparse.cohort
        text = f"{cohort}{'：' if lang == 'zh' else ': '}{text}"
    return text


_GEOMETRIC = re.compile(
    r"geometric aggregation: (\d+) of (\d+) ranked subjects have a leaf scoring 0 \((.*)\)"
)
_NOISE = re.compile(r"(\d+) of (\d+) ranked subjects score below 0\.001 overall")


def warning_text(warning: str) -> Name:
    """A scorecard warning in both languages (the scorecard says it in English)."""
    if m := _GEOMETRIC.match(warning):
        cause = "warn_cause_worst" if "missing=worst" in m[3] else "warn_cause_minmax"
        zh = t("warn_geometric", "zh", n=m[1], total=m[2], cause=t(cause, "zh"))
        return Name(zh=zh, en=warning)
    if m := _NOISE.match(warning):
        return Name(zh=t("warn_noise", "zh", n=m[1], total=m[2]), en=warning)
    return Name(zh=warning, en=warning)
