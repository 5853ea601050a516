"""Does the aggregation method change the ranking? Weighted sum, geometric mean, TOPSIS.

The weighted sum is compensatory: excellence on one indicator buys back weakness on another.
The weighted geometric mean penalises weak spots; TOPSIS ranks by closeness to an ideal vendor
and distance from the worst. Showing all three, with Kendall's tau against the weighted sum,
tells a buyer whether the recommendation rests on the choice of method.

The sum and the geometric mean run up the tree, with the framework's missing-data policy.
TOPSIS is flat: it scores normalised leaves with each leaf's global weight, and needs a
complete matrix, so a missing cell takes the leaf's cohort median (and a leaf nobody has data
for is left out) — stated in the result, not silent.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quanheng.analysis._kernel import TreeKernel
from quanheng.analysis._results import Result, num
from quanheng.analysis.inputs import DecisionData
from quanheng.mcda.aggregate import fill_missing, rank_desc
from quanheng.mcda.rankcorr import kendall_tau
from quanheng.mcda.topsis import topsis

__all__ = ["MethodComparison", "MethodRanking", "compare_methods"]

METHODS = ("arithmetic", "geometric", "topsis")


class MethodRanking(Result):
    """Scores and ranks under one method, and Kendall's tau against the weighted sum."""

    method: str
    scores: tuple[float, ...]
    ranks: tuple[int, ...]
    tau: float


class MethodComparison(Result):
    """The ranking under each method."""

    subjects: tuple[str, ...]
    methods: tuple[MethodRanking, ...]
    note: str

    @property
    def same_top(self) -> bool:
        """Whether every method puts the same subject first."""
        tops = {self.subjects[int(np.argmin(m.ranks))] for m in self.methods if m.ranks}
        return len(tops) <= 1

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "note": self.note,
            "same_top": self.same_top,
            "methods": [
                {
                    "method": m.method,
                    "tau_vs_arithmetic": num(m.tau),
                    "subjects": {
                        s: {"score": num(x), "rank": r}
                        for s, x, r in zip(self.subjects, m.scores, m.ranks, strict=True)
                    },
                }
                for m in self.methods
            ],
        }


def compare_methods(data: DecisionData) -> MethodComparison:
    """Rank the subjects by weighted sum, weighted geometric mean and TOPSIS."""
    tree = data.tree
    norm = data.normalised()
    out: dict[str, np.ndarray] = {}
    for method in ("arithmetic", "geometric"):
        kernel = TreeKernel(tree, norm, geometric=method == "geometric")
        out[method] = kernel.overall(data.weights[None, :])[0]
    leaf_w = tree.global_weights(data.weights)[: tree.n_leaves]
    complete = fill_missing(norm, "median")
    keep = ~np.isnan(complete).any(axis=0) & (leaf_w > 0)
    if keep.any() and len(data.subjects):
        out["topsis"] = topsis(complete[:, keep], leaf_w[keep], np.ones(int(keep.sum()), bool))
    else:
        out["topsis"] = np.full(len(data.subjects), np.nan)
    base = out["arithmetic"]
    rankings = tuple(
        MethodRanking(
            method=m,
            scores=tuple(float(x) for x in out[m]),
            ranks=tuple(int(r) for r in rank_desc(out[m])),
            tau=kendall_tau(base, out[m]),
        )
        for m in METHODS
    )
    left_out = tree.n_leaves - int(keep.sum())
    note = (
        "TOPSIS scores normalised leaves with their global weights; missing cells take the "
        f"leaf's cohort median; {left_out} leaves without data or weight are left out."
    )
    return MethodComparison(subjects=data.subjects, methods=rankings, note=note)
