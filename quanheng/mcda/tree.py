"""The indicator tree as arrays: what every aggregation, weighting and simulation runs on.

Pure data, no framework file behind it: :func:`quanheng.framework.compile_tree` builds one from a
validated framework, and tests or benchmarks build one by hand.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CompiledTree", "resolve_weights"]


class CompiledTree:
    """The framework tree as arrays, for vectorised scoring.

    Positions ``0..L-1`` are the leaves (in ``Framework.leaves`` order), ``L..L+N-1`` the inner
    nodes in post-order (children before parents), and the last position is the root ("overall"),
    whose children are the dimensions. ``parent[i]`` is the position of i's parent (−1 for the
    root) and ``weights[i]`` i's weight within its parent, resolved from the file: omitted on all
    siblings means equal weights, and ``normalise_weights`` rescales to a sum of 1.
    """

    ROOT_ID = "overall"

    def __init__(
        self,
        ids: tuple[str, ...],
        n_leaves: int,
        parent: np.ndarray,
        children: tuple[np.ndarray, ...],
        weights: np.ndarray,
        depth: np.ndarray,
    ) -> None:
        self.ids = ids
        self.n_leaves = n_leaves
        self.parent = parent
        self.children = children
        self.weights = weights
        self.depth = depth
        self.index = {node_id: i for i, node_id in enumerate(ids)}

    @property
    def root(self) -> int:
        """Position of the root."""
        return len(self.ids) - 1

    @property
    def inner(self) -> range:
        """Positions of the inner nodes and the root, children before parents."""
        return range(self.n_leaves, len(self.ids))

    def with_weights(self, overrides: dict[str, float], rescale: bool) -> np.ndarray:
        """Weights with some nodes' local weights replaced; optionally rescaled per parent."""
        weights = self.weights.copy()
        touched: set[int] = set()
        for node_id, value in overrides.items():
            i = self.index[node_id]
            weights[i] = value
            touched.add(int(self.parent[i]))
        if rescale:
            for p in touched:
                kids = self.children[p]
                total = weights[kids].sum()
                if total > 0:
                    weights[kids] = weights[kids] / total
        return weights

    def global_weights(self, weights: np.ndarray | None = None) -> np.ndarray:
        """Each node's weight in the overall score: the product of local weights to the root."""
        local = self.weights if weights is None else weights
        out = np.ones(len(self.ids), dtype=np.float64)
        for i in reversed(range(len(self.ids) - 1)):
            out[i] = local[i] * out[self.parent[i]]
        return out


def resolve_weights(given: list[float | None], rescale: bool) -> np.ndarray:
    """Sibling weights as the file states them: all omitted → equal; rescaled on request."""
    if all(w is None for w in given):
        return np.full(len(given), 1.0 / len(given))
    arr = np.array([0.0 if w is None else w for w in given], dtype=np.float64)
    if rescale and arr.sum() > 0:
        arr = arr / arr.sum()
    return arr
