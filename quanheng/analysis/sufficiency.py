"""Does the evidence support a verdict for this use case, and what should be collected first?

A profile puts its weight on some leaves; a pick is only as good as the evidence on those.
Drawing the missing cells (:mod:`quanheng.analysis.simulate`) makes P(best) honest about the
gaps, but P(best) can still be high when the evidence that *was* collected happens to separate
the subjects while the leaves the buyer cares about most are empty for everybody. So
:func:`check_evidence` applies a stated rule on the profile's global leaf weights:

* **profile coverage** of a subject — the share of the profile's global leaf weight on leaves
  where it has data (what the scorecard calls coverage); over the cohort, its mean;
* **decisive leaves** — the fewest leaves that carry half the profile's global weight (largest
  weights first, ties by framework order): the leaves the use case turns on;
* the evidence is **insufficient** when the decisive leaves' coverage across the cohort (the
  weighted share of their cells, over all ranked subjects, that have data) is below
  :data:`MIN_DECISIVE_COVERAGE`, or the top pick's profile coverage is below
  :data:`MIN_TOP_COVERAGE`. An ordering is still shown then, labelled provisional.

:func:`leaves_to_collect` lists the leaves with missing cells among the ranked subjects, ordered
by how much knowing them could change the pick: their expected value of partial perfect
information (EVPPI, :mod:`quanheng.analysis.voi`) from the simulation's draws. In a framework
of fifty leaves a single leaf rarely overturns the pick on its own (its EVPPI is then 0), while
the leaves of one topic together can; evidence is also usually collected per topic, so ties are
broken by the EVPPI of all missing cells under the leaf's parent, and then by the weight
missing (global weight × subjects lacking it).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from quanheng.analysis._results import Result
from quanheng.analysis.inputs import DecisionData
from quanheng.analysis.simulate import SimulationResult
from quanheng.analysis.voi import evppi_groups

__all__ = [
    "DECISIVE_SHARE",
    "MIN_DECISIVE_COVERAGE",
    "MIN_TOP_COVERAGE",
    "EvidenceCheck",
    "LeafToCollect",
    "check_evidence",
    "leaves_to_collect",
    "profile_coverage",
]

DECISIVE_SHARE = 0.5
"""The decisive leaves are the fewest that carry this share of the profile's global weight.

Half: whatever the other leaves say, these leaves alone can outweigh them, so a verdict that
knows nothing about them is a verdict about a different use case.
"""
MIN_DECISIVE_COVERAGE = 0.5
"""Below this weighted share of the decisive leaves' cells with data (over the ranked cohort),
the evidence is insufficient: most of what the use case turns on would be drawn from the prior,
so the pick would rest on the subjects' standing elsewhere, not on the use case."""
MIN_TOP_COVERAGE = 0.3
"""Below this profile coverage of the top pick, the evidence is insufficient whatever the
cohort has: more than two thirds of the pick's own score would come from the prior. Between
this and :data:`quanheng.analysis.recommend.LOW_COVERAGE` (0.5) a pick is shown with a
low-coverage risk; below it, no pick is made."""

Evidence = Literal["sufficient", "insufficient"]


class EvidenceCheck(Result):
    """The sufficiency rule applied to one profile and its ranked cohort."""

    evidence: Evidence
    reasons: tuple[str, ...]
    cohort_coverage: float
    decisive_leaves: tuple[str, ...]
    decisive_weight: float
    decisive_coverage: float
    top: str | None
    top_coverage: float


class LeafToCollect(Result):
    """A leaf with missing cells among the ranked subjects, and what knowing it is worth."""

    leaf: str
    name: str
    weight: float
    missing: int
    subjects: int
    evppi: float | None
    p_pick_changes: float | None
    group: str
    group_evppi: float | None


def _leaf_weights(data: DecisionData) -> np.ndarray:
    return np.asarray(data.tree.global_weights(data.weights)[: data.tree.n_leaves], np.float64)


def profile_coverage(data: DecisionData) -> np.ndarray:
    """``(S,)`` each ranked subject's share of the profile's global leaf weight with data."""
    gw = _leaf_weights(data)
    total = float(gw.sum())
    present = ~np.isnan(data.values)
    return np.asarray(present @ gw / total if total > 0 else np.zeros(len(data.subjects)))


def decisive_leaves(data: DecisionData) -> np.ndarray:
    """Column positions of the fewest leaves carrying :data:`DECISIVE_SHARE` of the weight."""
    gw = _leaf_weights(data)
    total = float(gw.sum())
    if total <= 0:
        return np.zeros(0, dtype=np.intp)
    order = np.argsort(-gw, kind="stable")
    cum = np.cumsum(gw[order]) / total
    k = int(np.searchsorted(cum, DECISIVE_SHARE - 1e-12)) + 1
    return np.asarray(order[:k], dtype=np.intp)


def _floor_pct(x: float) -> str:
    """A share as whole percent rounded down: 29.9 % below a 30 % bar reads "29%", not "30%"."""
    return f"{math.floor(x * 100 + 1e-9)}%"


def check_evidence(data: DecisionData, top: int | None) -> EvidenceCheck:
    """The sufficiency rule (module docstring) for ``data``, whose top pick is row ``top``."""
    gw = _leaf_weights(data)
    present = ~np.isnan(data.values)
    cov = profile_coverage(data)
    dec = decisive_leaves(data)
    dec_w = float(gw[dec].sum())
    dec_cov = float((present[:, dec].mean(axis=0) @ gw[dec]) / dec_w) if dec_w > 0 else 0.0
    top_cov = float(cov[top]) if top is not None else 0.0
    reasons = []
    if dec_cov < MIN_DECISIVE_COVERAGE:
        reasons.append(
            f"the {len(dec)} leaves carrying half of the profile's weight have data for only "
            f"{_floor_pct(dec_cov)} of the ranked subjects' cells (at least "
            f"{MIN_DECISIVE_COVERAGE:.0%} needed)"
        )
    if top is not None and top_cov < MIN_TOP_COVERAGE:
        reasons.append(
            f"the top pick, {data.subjects[top]}, has data for only {_floor_pct(top_cov)} of the "
            f"profile's weight (at least {MIN_TOP_COVERAGE:.0%} needed)"
        )
    if top is None:
        reasons.append("no subject can be ranked")
    return EvidenceCheck(
        evidence="insufficient" if reasons else "sufficient",
        reasons=tuple(reasons),
        cohort_coverage=float(cov.mean()) if len(cov) else 0.0,
        decisive_leaves=tuple(data.leaf_ids[j] for j in dec),
        decisive_weight=dec_w / float(gw.sum()) if gw.sum() > 0 else 0.0,
        decisive_coverage=dec_cov,
        top=data.subjects[top] if top is not None else None,
        top_coverage=top_cov,
    )


def leaves_to_collect(
    data: DecisionData,
    sim: SimulationResult,
    names: dict[str, str] | None = None,
    *,
    limit: int | None = None,
) -> list[LeafToCollect]:
    """Weighted leaves missing for some ranked subject, most valuable to collect first.

    EVPPI comes from ``sim``'s kept draws (``simulate(..., keep=n)``); without them (or with
    ``missing_model="ignore"``) it is ``None`` and the order is by the weight missing.
    """
    names = names or {}
    tree = data.tree
    gw = _leaf_weights(data)
    missing = np.isnan(data.values).sum(axis=0)
    index = sim.kept_cell_index
    have_draws = len(sim.kept_scores) > 0 and len(index) > 0
    cells_of: dict[int, np.ndarray] = {}
    if have_draws:
        for j in np.unique(index[:, 1]):
            cells_of[int(j)] = np.flatnonzero(index[:, 1] == j)
    wanted = [j for j in range(tree.n_leaves) if missing[j] > 0 and gw[j] > 0]
    parents = sorted({int(tree.parent[j]) for j in wanted})
    values: list[tuple[float, float]] = []
    group_values: dict[int, float] = {}
    if have_draws:
        none = np.zeros(0, dtype=np.intp)
        under = {
            p: np.concatenate(
                [none]
                + [cells_of.get(k, none) for k in range(tree.n_leaves) if tree.parent[k] == p]
            )
            for p in parents
        }
        found = evppi_groups(
            sim.kept_scores,
            sim.kept_cells,
            [cells_of.get(j, none) for j in wanted] + [under[p] for p in parents],
        )
        values = found[: len(wanted)]
        group_values = {p: v for p, (v, _) in zip(parents, found[len(wanted) :], strict=True)}
    out = []
    for pos, j in enumerate(wanted):
        parent = int(tree.parent[j])
        lid = data.leaf_ids[j]
        out.append(
            LeafToCollect(
                leaf=lid,
                name=names.get(lid, lid),
                weight=float(gw[j]),
                missing=int(missing[j]),
                subjects=len(data.subjects),
                evppi=values[pos][0] if have_draws else None,
                p_pick_changes=values[pos][1] if have_draws else None,
                group=tree.ids[parent],
                group_evppi=group_values.get(parent) if have_draws else None,
            )
        )
    out.sort(
        key=lambda c: (
            -(c.evppi or 0.0),
            -(c.group_evppi or 0.0),
            -round(c.weight * c.missing, 12),  # equal weights tie exactly, not by rounding
            data.leaf_ids.index(c.leaf),
        )
    )
    return out[:limit] if limit is not None else out
