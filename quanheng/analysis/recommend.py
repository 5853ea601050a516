"""Which vendor for this use case? Top picks, what separates them, the risks, pilots to run.

A recommendation is the analysis a buyer acts on, so each part is traceable:

* **picks** — the top subjects of the profile's ranking, each with its score interval and the
  probability of being best under the profile's weight and value uncertainty (SMAA);
* **trade-offs** — for each pick after the first, the leaves that decide the order between it
  and the first pick: the largest differences in weighted contribution (for the weighted sum,
  the contributions add up exactly to the score gap);
* **risks** — what could make the pick wrong: entry gates passed on a single record or not
  verified, low coverage (little of the weight backed by data), analysts who disagree on its
  cells, an order the simulation does not settle, and scores that are relative to the cohort;
* **pilots** — the profile's suggested pilot scenarios, to test the pick before committing.

Before all of these comes the **evidence check** (:mod:`quanheng.analysis.sufficiency`): when the
leaves carrying most of the profile's weight have little evidence, the recommendation says
"insufficient evidence for this use case", lists the leaves to collect ordered by their expected
value of information from the simulation (:mod:`quanheng.analysis.voi`), and labels the ordering
it still shows as provisional. P(best) is always given with the pick's coverage, and the leaves
named as deciding a trade-off always have data for at least one side: a leaf only the prior
speaks for decides nothing.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field, PrivateAttr

from quanheng import _lazy
from quanheng.analysis._kernel import effective_weights
from quanheng.analysis._results import Result, num
from quanheng.analysis.analysts import AgreementResult, analyst_agreement
from quanheng.analysis.inputs import DecisionData, decision_data
from quanheng.analysis.options import check_simulation_options
from quanheng.analysis.simulate import Concentration, SimulationResult, simulate
from quanheng.analysis.sufficiency import (
    Evidence,
    EvidenceCheck,
    LeafToCollect,
    check_evidence,
    leaves_to_collect,
)
from quanheng.errors import InputError
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Study
from quanheng.text import local

__all__ = [
    "INSUFFICIENT",
    "Contribution",
    "Pick",
    "Recommendation",
    "Risk",
    "TradeOff",
    "p_best_label",
    "recommend",
]

LOW_COVERAGE = 0.5
"""Below this share of the weight backed by data, a pick's score rests mostly on assumptions."""
SETTLED = 0.9
"""An order held in fewer draws than this is reported as unsettled."""
VOI_DRAWS = 10_000
"""At most this many draws are kept for the value of information (the first ones)."""
INSUFFICIENT = "insufficient evidence for this use case"
"""What a recommendation says first when its evidence check fails."""

RiskKind = Literal[
    "thin_gate", "unverified_gate", "low_coverage", "disagreement", "unsettled", "cohort"
]


class Contribution(Result):
    """One leaf's part in the gap between two subjects."""

    leaf: str
    weight: float
    score_a: float | None
    score_b: float | None
    difference: float


class TradeOff(Result):
    """Why ``a`` is ahead of ``b``: the leaves that decide it, largest first."""

    a: str
    b: str
    gap: float
    p_a_ahead: float
    favours_a: tuple[Contribution, ...]
    favours_b: tuple[Contribution, ...]


class Risk(Result):
    """Something that could make a pick wrong, with what to check."""

    subject: str | None
    kind: RiskKind
    message: str
    facts: dict[str, Any] = Field(default_factory=dict)
    """What the message says, as data (ids, shares), for renderings in other languages; not
    part of the JSON, whose ``message`` says it in English."""


class Pick(Result):
    """A recommended subject."""

    subject: str
    name: str
    rank: int
    score: float
    interval: tuple[float, float]
    p_best: float
    coverage: float
    strengths: tuple[str, ...]


class Recommendation(Result):
    """The answer to "which vendor for this use case", with its reasons."""

    study: str
    profile: str
    profile_name: str
    description: str | None
    picks: tuple[Pick, ...]
    tradeoffs: tuple[TradeOff, ...]
    risks: tuple[Risk, ...]
    pilots: tuple[str, ...]
    draws: int
    seed: int
    concentration: float | str
    leaf_names: dict[str, str]
    check: EvidenceCheck
    collect: tuple[LeafToCollect, ...] = ()
    _sources: tuple[Study, Scorecard] | None = PrivateAttr(default=None)
    """The study and scorecard recommended from (not part of the JSON): the notebook view."""

    def _repr_html_(self) -> str | None:
        """The headline, the picks with P(best) and coverage, the ranking and the landscape."""
        return _lazy.display(self, "html")

    def _repr_markdown_(self) -> str | None:
        """The headline and the picks with P(best) and coverage, as Markdown."""
        return _lazy.display(self, "markdown")

    @property
    def evidence(self) -> Evidence:
        """``sufficient`` or ``insufficient`` (:mod:`quanheng.analysis.sufficiency`)."""
        return self.check.evidence

    @property
    def provisional(self) -> bool:
        """Whether the ordering shown is provisional: the evidence is insufficient."""
        return self.check.evidence == "insufficient"

    @property
    def headline(self) -> str:
        """One sentence: the picks in order with P(best) and coverage; first, if so, that the
        evidence is insufficient."""
        if not self.picks:
            return f"{self.profile_name}: no subject can be ranked."
        parts = [f"{p.name} ({p_best_label(p)})" for p in self.picks]
        lead = f"{INSUFFICIENT}; provisional ordering: " if self.provisional else ""
        return f"{self.profile_name}: {lead}" + ", then ".join(parts) + "."

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data in a fixed order."""

        def contrib(c: Contribution) -> dict[str, Any]:
            return {
                "leaf": c.leaf,
                "name": self.leaf_names.get(c.leaf, c.leaf),
                "weight": num(c.weight),
                "scores": [
                    None if c.score_a is None else num(c.score_a),
                    None if c.score_b is None else num(c.score_b),
                ],
                "difference": num(c.difference),
            }

        return {
            "format": "quanheng/recommendation@1",
            "study": self.study,
            "profile": {"id": self.profile, "name": self.profile_name},
            "headline": self.headline,
            "evidence": self.evidence,
            "provisional": self.provisional,
            "evidence_check": {
                "message": INSUFFICIENT if self.provisional else None,
                "reasons": list(self.check.reasons),
                "cohort_coverage": num(self.check.cohort_coverage),
                "decisive_leaves": list(self.check.decisive_leaves),
                "decisive_weight": num(self.check.decisive_weight),
                "decisive_coverage": num(self.check.decisive_coverage),
                "top": self.check.top,
                "top_coverage": num(self.check.top_coverage),
            },
            "collect": [
                {
                    "leaf": c.leaf,
                    "name": c.name,
                    "weight": num(c.weight),
                    "missing": c.missing,
                    "subjects": c.subjects,
                    "evppi": None if c.evppi is None else num(c.evppi),
                    "p_pick_changes": None if c.p_pick_changes is None else num(c.p_pick_changes),
                    "group": c.group,
                    "group_evppi": None if c.group_evppi is None else num(c.group_evppi),
                }
                for c in self.collect
            ],
            "settings": {
                "draws": self.draws,
                "seed": self.seed,
                "concentration": self.concentration
                if isinstance(self.concentration, str)
                else (num(self.concentration) if np.isfinite(self.concentration) else "inf"),
            },
            "picks": [
                {
                    "subject": p.subject,
                    "name": p.name,
                    "rank": p.rank,
                    "score": num(p.score),
                    "interval_90": [num(p.interval[0]), num(p.interval[1])],
                    "p_best": num(p.p_best),
                    "coverage": num(p.coverage),
                    "strengths": list(p.strengths),
                }
                for p in self.picks
            ],
            "tradeoffs": [
                {
                    "a": t.a,
                    "b": t.b,
                    "gap": num(t.gap),
                    "p_a_ahead": num(t.p_a_ahead),
                    "favours_a": [contrib(c) for c in t.favours_a],
                    "favours_b": [contrib(c) for c in t.favours_b],
                }
                for t in self.tradeoffs
            ],
            "risks": [
                {"subject": r.subject, "kind": r.kind, "message": r.message} for r in self.risks
            ],
            "pilots": list(self.pilots),
        }


def recommend(
    study: Study,
    card: Scorecard,
    *,
    top: int = 3,
    draws: int = 10_000,
    seed: int = 0,
    concentration: Concentration | None = None,
    data: DecisionData | None = None,
    simulation: SimulationResult | None = None,
    agreement: AgreementResult | None = None,
    leaves_per_tradeoff: int = 3,
    collect: int = 8,
) -> Recommendation:
    """Recommend subjects for the use case a profile describes.

    Args:
        study: the loaded study.
        card: its scorecard under the profile of the use case (:func:`quanheng.score`);
            nothing is scored again.
        top: how many picks.
        draws, seed, concentration: the simulation behind P(best) and the intervals.
        data, simulation, agreement: reuse results already computed for this profile.
        leaves_per_tradeoff: deciding leaves listed on each side of a trade-off.
        collect: leaves to collect listed, most valuable first (the value of information
            needs the simulation's kept draws: a ``simulation`` passed in without them lists
            the leaves by the weight missing).
    """
    check_simulation_options(draws, concentration)
    if top < 1:
        raise InputError.single("--top", None, f"{top} picks", "give at least 1")
    data = data or decision_data(study, card)
    sim = simulation or simulate(
        data, draws=draws, seed=seed, concentration=concentration, keep=min(draws, VOI_DRAWS)
    )
    agree = agreement or analyst_agreement(study)
    prof = study.profile(card.profile)
    tree = data.tree
    n_leaves = tree.n_leaves
    names = {s.id: s.name.get("en") for s in study.subjects}
    leaf_names = {leaf.id: leaf.name.get("en") for leaf in study.framework.leaves}
    # Picks by the probability of being best: with thin evidence the point ranking (shown as
    # each pick's rank) can put first a subject that is less likely best once the missing cells
    # are drawn — a recommendation goes by the probability, and says so.
    order = sorted(
        range(len(sim.subjects)),
        key=lambda i: (-float(sim.p_best[i]), int(sim.point_ranks[i]), sim.subjects[i]),
    )[:top]
    norm = data.normalised()
    present = ~np.isnan(norm)
    has = ~np.isnan(data.values)  # data, not the missing-data policy's fill
    geometric = data.aggregation == "geometric"
    g = effective_weights(tree, data.weights, present)[:, :n_leaves]
    x = np.where(present, norm, 0.0)
    if geometric:
        x = np.where(present, np.log(np.maximum(x, 1e-6)), 0.0)
    contrib = g * x
    card_row = {sid: i for i, sid in enumerate(card.subjects)}

    picks = []
    for i in order:
        sid = data.subjects[i]
        cov = float(card.coverage[card_row[sid], -1])
        lead = _strengths(i, order, contrib, g, has)
        picks.append(
            Pick(
                subject=sid,
                name=names.get(sid, sid),
                rank=int(sim.point_ranks[i]),
                score=float(sim.point[i]),
                interval=(float(sim.q05[i]), float(sim.q95[i])),
                p_best=float(sim.p_best[i]),
                coverage=cov,
                strengths=tuple(data.leaf_ids[j] for j in lead),
            )
        )

    tradeoffs = []
    if order:
        a = order[0]
        for b in order[1:]:
            tradeoffs.append(
                _tradeoff(data, sim, a, b, contrib, g, norm, present, has, leaves_per_tradeoff)
            )

    risks = _risks(study, data, sim, agree, order, card_row)
    check = check_evidence(data, order[0] if order else None)
    wanted = leaves_to_collect(data, sim, leaf_names, limit=collect)
    result = Recommendation(
        study=study.id,
        profile=prof.id,
        profile_name=prof.name.get("en"),
        description=prof.description.get("en") if prof.description is not None else None,
        picks=tuple(picks),
        tradeoffs=tuple(tradeoffs),
        risks=tuple(risks),
        pilots=tuple(local(p, "en") for p in prof.pilots),
        draws=sim.draws,
        seed=sim.seed,
        concentration=sim.concentration,
        leaf_names=leaf_names,
        check=check,
        collect=tuple(wanted),
    )
    result._sources = (study, card)
    return result


def p_best_label(p: Pick) -> str:
    """``P(best) 41% · coverage 27%``: P(best) is never shown without the evidence behind it."""
    cov = "—" if p.coverage != p.coverage else f"{p.coverage:.0%}"
    return f"P(best) {p.p_best:.0%} · coverage {cov}"


def _strengths(
    i: int, order: list[int], contrib: np.ndarray, g: np.ndarray, has: np.ndarray
) -> list[int]:
    """Leaves with data where subject i contributes most above the other picks' mean (top 3)."""
    others = [j for j in order if j != i]
    lead = contrib[i] - contrib[others].mean(axis=0) if others else contrib[i]
    cols = [
        int(j)
        for j in np.argsort(-lead, kind="stable")
        if lead[j] > 0 and g[i, j] > 0 and has[i, j]
    ]
    return cols[:3]


def _tradeoff(
    data: DecisionData,
    sim: SimulationResult,
    a: int,
    b: int,
    contrib: np.ndarray,
    g: np.ndarray,
    norm: np.ndarray,
    present: np.ndarray,
    has: np.ndarray,
    k: int,
) -> TradeOff:
    diff = contrib[a] - contrib[b]
    order = np.argsort(-np.abs(diff), kind="stable")

    def item(j: int) -> Contribution:
        return Contribution(
            leaf=data.leaf_ids[j],
            weight=float(max(g[a, j], g[b, j])),
            score_a=float(norm[a, j]) if present[a, j] else None,
            score_b=float(norm[b, j]) if present[b, j] else None,
            difference=float(diff[j]),
        )

    # A leaf neither subject has data on could only be decided by the drawn prior (or the
    # missing-data policy's fill): it is never named as deciding.
    known = has[a] | has[b]
    pos = [int(j) for j in order if diff[j] > 1e-12 and known[j]][:k]
    neg = [int(j) for j in order if diff[j] < -1e-12 and known[j]][:k]
    return TradeOff(
        a=data.subjects[a],
        b=data.subjects[b],
        gap=float(sim.point[a] - sim.point[b]),
        p_a_ahead=float(sim.pairwise[a, b]),
        favours_a=tuple(item(j) for j in pos),
        favours_b=tuple(item(j) for j in neg),
    )


def _risks(
    study: Study,
    data: DecisionData,
    sim: SimulationResult,
    agree: AgreementResult,
    order: list[int],
    card_row: dict[str, int],
) -> list[Risk]:
    card = data.card
    out: list[Risk] = []
    for pos, i in enumerate(order):
        sid = data.subjects[i]
        if card is not None:
            gates = card.gates[card_row[sid]]
            thin = [r for r in gates.results if r.status == "pass" and len(r.records) == 1]
            if thin:
                refs = "; ".join(f"{r.gate} ({r.records[0].ref})" for r in thin)
                out.append(
                    Risk(
                        subject=sid,
                        kind="thin_gate",
                        message=f"{len(thin)} of {len(gates.results)} gates pass on a single "
                        f"record each: {refs}; confirm them with a second source",
                        facts={
                            "gates": [r.gate for r in thin],
                            "refs": [r.records[0].ref for r in thin],
                            "total": len(gates.results),
                        },
                    )
                )
            for r in gates.results:
                if r.status in ("unknown", "disputed"):
                    what = "has no evidence" if r.status == "unknown" else "is disputed"
                    out.append(
                        Risk(
                            subject=sid,
                            kind="unverified_gate",
                            message=f"gate {r.gate} {what}; verify it before shortlisting",
                            facts={"gate": r.gate, "status": r.status},
                        )
                    )
            cov = float(card.coverage[card_row[sid], -1])
            if cov < LOW_COVERAGE:
                out.append(
                    Risk(
                        subject=sid,
                        kind="low_coverage",
                        message=f"only {cov:.0%} of the profile's weight is backed by data; the "
                        "rest of its score is extrapolated from its siblings",
                        facts={"coverage": cov},
                    )
                )
        for cell in agree.flagged_for(sid):
            levels = ", ".join(f"{a} {v:g}" for a, v in cell.levels)
            out.append(
                Risk(
                    subject=sid,
                    kind="disagreement",
                    message=f"analysts disagree on {cell.leaf} ({levels}); settle it in review",
                    facts={"leaf": cell.leaf, "levels": [[a, float(v)] for a, v in cell.levels]},
                )
            )
        if pos + 1 < len(order):
            j = order[pos + 1]
            p = float(sim.pairwise[i, j])
            if p < SETTLED:
                out.append(
                    Risk(
                        subject=sid,
                        kind="unsettled",
                        message=f"ahead of {data.subjects[j]} in only {p:.0%} of the simulated "
                        "weightings and values; treat them as close alternatives",
                        facts={"other": data.subjects[j], "p": p},
                    )
                )
    if card is not None and card.cohort_relative:
        gw = card.global_weights[: card.n_leaves]
        rel = {leaf for leaf in card.cohort_relative}
        share = float(sum(w for lid, w in zip(card.node_ids, gw, strict=False) if lid in rel))
        if share > 0:
            out.append(
                Risk(
                    subject=None,
                    kind="cohort",
                    message=f"{share:.0%} of the weight sits on cohort-relative leaves "
                    f"({len(rel)} of {card.n_leaves}): those scores rank subjects against this "
                    "cohort, not against an absolute bar",
                    facts={"share": share, "leaves": len(rel), "total": card.n_leaves},
                )
            )
    return out
