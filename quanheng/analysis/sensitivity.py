"""How sensitive is the ranking to each weight and each indicator?

Three deterministic questions, all answered at the point values with the same tree arithmetic
as scoring (:class:`~quanheng.analysis._kernel.TreeKernel`, many weight vectors per call):

* **tornado** — change one node's local weight by ±``delta`` (relative), rescaling its siblings
  proportionally so they still sum to 1: how far do the overall scores move, and do ranks
  change? Sorted by the largest move, this is the data of a tornado chart, per dimension, first
  level node and leaf.
* **reversals** — for each adjacent pair in the ranking, the smallest change of one node's local
  weight (siblings rescaled proportionally) that puts the lower subject level with or ahead of
  the upper one. Found on a grid over [0, 1] and refined by bisection, so it holds for the
  geometric mean and for missing data, where scores are not linear in the weight.
* **leave one leaf out** — drop each leaf (weight 0, siblings renormalised — what the ``drop``
  policy does for missing data) and compare the ranking with the full one by Kendall's tau.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from quanheng.analysis._kernel import TreeKernel
from quanheng.analysis._results import Result, num
from quanheng.analysis.inputs import DecisionData
from quanheng.mcda.aggregate import rank_desc
from quanheng.mcda.rankcorr import kendall_tau
from quanheng.mcda.tree import CompiledTree

__all__ = [
    "LeaveOneOut",
    "Reversal",
    "SensitivityResult",
    "TornadoRow",
    "sensitivity",
    "set_weight",
]

GRID = 101
BISECTIONS = 30


class TornadoRow(Result):
    """One node's weight changed by ±delta: the overall scores at both ends."""

    node: str
    depth: int
    weight: float
    low_weight: float
    high_weight: float
    score_low: tuple[float, ...]
    score_high: tuple[float, ...]
    max_change: float
    rank_changes: int
    top_low: str
    top_high: str


class Reversal(Result):
    """The smallest single-weight change that makes ``behind`` catch up with ``ahead``."""

    ahead: str
    behind: str
    gap: float
    node: str | None
    weight: float | None
    new_weight: float | None
    alternatives: tuple[tuple[str, float, float], ...] = ()

    @property
    def change(self) -> float | None:
        """New minus current local weight (None when no single weight reverses the pair)."""
        if self.weight is None or self.new_weight is None:
            return None
        return self.new_weight - self.weight


class LeaveOneOut(Result):
    """The ranking without one leaf, compared with the full ranking."""

    leaf: str
    tau: float
    top: str | None
    max_rank_shift: int


class SensitivityResult(Result):
    """Tornado rows (largest change first), adjacent-pair reversals and leave-one-out taus."""

    subjects: tuple[str, ...]
    delta: float
    base: tuple[float, ...]
    tornado: tuple[TornadoRow, ...]
    reversals: tuple[Reversal, ...]
    leave_one_out: tuple[LeaveOneOut, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data with node ids and subject ids spelt out."""
        return {
            "delta": num(self.delta),
            "base": {s: num(x) for s, x in zip(self.subjects, self.base, strict=True)},
            "tornado": [
                {
                    "node": r.node,
                    "depth": r.depth,
                    "weight": num(r.weight),
                    "weights": [num(r.low_weight), num(r.high_weight)],
                    "max_change": num(r.max_change),
                    "rank_changes": r.rank_changes,
                    "top": [r.top_low, r.top_high],
                    "scores": {
                        s: [num(lo), num(hi)]
                        for s, lo, hi in zip(self.subjects, r.score_low, r.score_high, strict=True)
                    },
                }
                for r in self.tornado
            ],
            "reversals": [
                {
                    "ahead": r.ahead,
                    "behind": r.behind,
                    "gap": num(r.gap),
                    "node": r.node,
                    "weight": None if r.weight is None else num(r.weight),
                    "new_weight": None if r.new_weight is None else num(r.new_weight),
                    "alternatives": [
                        {"node": n, "weight": num(w), "new_weight": num(t)}
                        for n, w, t in r.alternatives
                    ],
                }
                for r in self.reversals
            ],
            "leave_one_out": [
                {
                    "leaf": r.leaf,
                    "tau": num(r.tau),
                    "top": r.top,
                    "max_rank_shift": r.max_rank_shift,
                }
                for r in self.leave_one_out
            ],
        }


def set_weight(
    tree: CompiledTree, weights: np.ndarray, node: int, values: np.ndarray
) -> np.ndarray:
    """Weight vectors ``(T, N)`` with ``node``'s local weight set to each of ``values``.

    Its siblings are rescaled proportionally so the parent's weights still sum to what they
    did; if the siblings had no weight, the remainder is shared equally among them.
    """
    t = np.asarray(values, dtype=np.float64)
    out = np.broadcast_to(weights, (len(t), len(weights))).copy()
    kids = tree.children[int(tree.parent[node])]
    sibs = kids[kids != node]
    total = float(weights[kids].sum())
    rest = total - float(weights[node])
    out[:, node] = t
    if len(sibs):
        if rest > 0:
            out[:, sibs] = weights[sibs][None, :] * ((total - t) / rest)[:, None]
        else:
            out[:, sibs] = ((total - t) / len(sibs))[:, None]
    return out


def _ranks(scores: np.ndarray) -> np.ndarray:
    return rank_desc(scores)


def sensitivity(data: DecisionData, *, delta: float = 0.2) -> SensitivityResult:
    """Tornado, adjacent-pair reversals and leave-one-leaf-out for a decision problem.

    Args:
        data: the decision problem (point values and the profile's weights).
        delta: relative weight change for the tornado (0.2 = ±20 %).
    """
    tree = data.tree
    w = data.weights
    kernel = TreeKernel(tree, data.normalised(), geometric=data.aggregation == "geometric")
    base = kernel.overall(w[None, :])[0]
    base_ranks = _ranks(base)
    subjects = data.subjects
    movable = [
        k
        for k in range(len(tree.ids) - 1)
        if len(tree.children[int(tree.parent[k])]) > 1
        and w[tree.children[int(tree.parent[k])]].sum() > 0
    ]
    tornado = _tornado(tree, kernel, w, movable, base, base_ranks, subjects, delta)
    reversals = _reversals(tree, kernel, w, movable, base, subjects)
    loo = _leave_one_out(tree, kernel, w, base, base_ranks, subjects)
    return SensitivityResult(
        subjects=subjects,
        delta=delta,
        base=tuple(float(x) for x in base),
        tornado=tornado,
        reversals=reversals,
        leave_one_out=loo,
    )


def _top(scores: np.ndarray, subjects: tuple[str, ...]) -> str:
    s = np.where(np.isnan(scores), -np.inf, scores)
    return subjects[int(np.argmax(s))] if len(subjects) else ""


def _tornado(
    tree: CompiledTree,
    kernel: TreeKernel,
    w: np.ndarray,
    movable: list[int],
    base: np.ndarray,
    base_ranks: np.ndarray,
    subjects: tuple[str, ...],
    delta: float,
) -> tuple[TornadoRow, ...]:
    if not movable:
        return ()
    stacks = []
    ends = []
    for k in movable:
        total = float(w[tree.children[int(tree.parent[k])]].sum())
        lo = max(0.0, w[k] * (1 - delta))
        hi = min(total, w[k] * (1 + delta))
        ends.append((lo, hi))
        stacks.append(set_weight(tree, w, k, np.array([lo, hi])))
    scores = kernel.overall(np.concatenate(stacks))
    rows = []
    for i, k in enumerate(movable):
        s_lo, s_hi = scores[2 * i], scores[2 * i + 1]
        change = np.nanmax(np.abs(np.stack([s_lo, s_hi]) - base[None, :]), initial=0.0)
        moved = (_ranks(s_lo) != base_ranks) | (_ranks(s_hi) != base_ranks)
        rows.append(
            TornadoRow(
                node=tree.ids[k],
                depth=int(tree.depth[k]),
                weight=float(w[k]),
                low_weight=ends[i][0],
                high_weight=ends[i][1],
                score_low=tuple(float(x) for x in s_lo),
                score_high=tuple(float(x) for x in s_hi),
                max_change=float(change),
                rank_changes=int(moved.sum()),
                top_low=_top(s_lo, subjects),
                top_high=_top(s_hi, subjects),
            )
        )
    rows.sort(key=lambda r: (-round(r.max_change, 12), r.node))
    return tuple(rows)


def _reversals(
    tree: CompiledTree,
    kernel: TreeKernel,
    w: np.ndarray,
    movable: list[int],
    base: np.ndarray,
    subjects: tuple[str, ...],
) -> tuple[Reversal, ...]:
    ranked = np.argsort(-np.where(np.isnan(base), -np.inf, base), kind="stable")
    pairs = list(itertools.pairwise(int(i) for i in ranked if not np.isnan(base[i])))
    if not pairs:
        return ()

    def holding(a: int, b: int) -> Reversal:
        """A pair no single weight change can reverse."""
        gap = float(base[a] - base[b])
        return Reversal(
            ahead=subjects[a], behind=subjects[b], gap=gap, node=None, weight=None, new_weight=None
        )

    if not movable:
        return tuple(holding(a, b) for a, b in pairs)
    totals = np.array([w[tree.children[int(tree.parent[k])]].sum() for k in movable])
    grid = np.linspace(0.0, 1.0, GRID)
    stacks = [set_weight(tree, w, k, grid * totals[i]) for i, k in enumerate(movable)]
    scores = kernel.overall(np.concatenate(stacks)).reshape(len(movable), GRID, -1)
    a_idx = np.array([a for a, _ in pairs])
    b_idx = np.array([b for _, b in pairs])
    # diff[node, t, pair] = score(ahead) − score(behind); reversed where ≤ 0
    diff = scores[:, :, a_idx] - scores[:, :, b_idx]
    diff = np.where(np.isnan(diff), np.inf, diff)
    t_now = np.array([w[k] for k in movable])
    # For each (node, pair): the grid point with diff ≤ 0 closest to the current weight.
    dist = np.abs(grid[None, :] * totals[:, None] - t_now[:, None])  # (nodes, GRID)
    reversed_ = diff <= 0
    masked = np.where(reversed_, dist[:, :, None], np.inf)
    best_g = masked.argmin(axis=1)  # (nodes, pairs)
    found = np.isfinite(masked.min(axis=1))
    # Bisection between the current weight (not reversed) and the grid point (reversed).
    nodes_i, pairs_i = np.nonzero(found)
    lo = t_now[nodes_i].copy()  # not reversed
    hi = grid[best_g[nodes_i, pairs_i]] * totals[nodes_i]  # reversed
    # the (node, pair) searches of one node share one set_weight call per step
    groups = [(movable[n], np.flatnonzero(nodes_i == n)) for n in np.unique(nodes_i)]
    vecs = np.empty((len(nodes_i), len(w)))
    for _ in range(BISECTIONS):
        mid = (lo + hi) / 2
        for node, rows in groups:
            vecs[rows] = set_weight(tree, w, node, mid[rows])
        sc = kernel.overall(vecs) if len(mid) else np.zeros((0, len(subjects)))
        d = sc[np.arange(len(mid)), a_idx[pairs_i]] - sc[np.arange(len(mid)), b_idx[pairs_i]]
        rev = ~(d > 0)
        hi = np.where(rev, mid, hi)
        lo = np.where(rev, lo, mid)
    out = []
    for p, (a, b) in enumerate(pairs):
        sel = np.flatnonzero(pairs_i == p)
        cands = sorted(
            ((abs(hi[j] - t_now[nodes_i[j]]), tree.ids[movable[nodes_i[j]]], j) for j in sel),
        )
        if cands:
            _, node, j = cands[0]
            alternatives = tuple(
                (tree.ids[movable[nodes_i[jj]]], float(t_now[nodes_i[jj]]), float(hi[jj]))
                for _, _, jj in cands[1:4]
            )
            out.append(
                Reversal(
                    ahead=subjects[a],
                    behind=subjects[b],
                    gap=float(base[a] - base[b]),
                    node=node,
                    weight=float(t_now[nodes_i[j]]),
                    new_weight=float(hi[j]),
                    alternatives=alternatives,
                )
            )
        else:
            out.append(holding(a, b))
    return tuple(out)


def _leave_one_out(
    tree: CompiledTree,
    kernel: TreeKernel,
    w: np.ndarray,
    base: np.ndarray,
    base_ranks: np.ndarray,
    subjects: tuple[str, ...],
) -> tuple[LeaveOneOut, ...]:
    leaves = [j for j in range(tree.n_leaves) if w[j] > 0]
    if not leaves:
        return ()
    vecs = []
    for j in leaves:
        v = w.copy()
        kids = tree.children[int(tree.parent[j])]
        v[j] = 0.0
        rest = v[kids].sum()
        if rest > 0:
            v[kids] = v[kids] / rest * w[kids].sum()
        vecs.append(v)
    scores = kernel.overall(np.stack(vecs))
    out = []
    for i, j in enumerate(leaves):
        s = scores[i]
        ranks = _ranks(s)
        ranked = (ranks > 0) & (base_ranks > 0)
        shift = int(np.abs(ranks - base_ranks)[ranked].max(initial=0))
        out.append(
            LeaveOneOut(
                leaf=tree.ids[j],
                tau=kendall_tau(base, s),
                top=_top(s, subjects) if np.isfinite(s).any() else None,
                max_rank_shift=shift,
            )
        )
    out.sort(key=lambda r: (np.nan_to_num(r.tau, nan=2.0), r.leaf))
    return tuple(out)
