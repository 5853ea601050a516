"""Overall scores for many weight vectors at once, as a few matrix products per tree level.

:func:`quanheng.mcda.aggregate.aggregate` scores every node for any leading shape and is the
reference. Simulations and sensitivity sweeps need only the overall score, for thousands of
weight vectors, and most of their leaf columns do not change between draws. This kernel
exploits both:

* the tree is evaluated level by level (by height: parents of leaves first), each level one
  matrix product per kind of child, so the Python loop runs over levels, not nodes or draws;
* leaf columns are split into **fixed** ones (no uncertainty: their normalised values are
  computed once and folded into a ``(children, parents × subjects)`` matrix, so a level costs a
  single ``(draws, children) @ (children, parents × subjects)`` product) and **varying** ones,
  given per draw.

Missing data follows the framework's policy exactly as ``aggregate`` does: the caller fills
``worst``/``median``; for ``drop`` an unavailable child is left out and its siblings' weights
renormalised, and a node whose available children all have zero weight is unavailable itself.
Presence of a leaf never changes between draws (a draw perturbs values, it does not invent
them), so the leaf denominators are fixed matrices too. The weighted geometric mean is the
arithmetic mean of logarithms, so it runs through the same products in log space.

Layout: arrays are ``(nodes, subjects, draws)`` — draws last and contiguous — so each level
is one ``(parents, children) @ (children, subjects × draws)`` product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quanheng.mcda.aggregate import GEOMETRIC_FLOOR
from quanheng.mcda.tree import CompiledTree

__all__ = ["POINT_BLOCK", "TreeKernel", "effective_weights"]

POINT_BLOCK = 256
"""Weight vectors per block when :meth:`TreeKernel.overall` scores fixed values."""


@dataclass(frozen=True)
class _Level:
    parents: np.ndarray  # positions of this level's parents (inner nodes)
    # per parent with leaf children: (its row j, leaf kids, their presence (k, S), fixed leaf
    # kids, their values (f, S)) — one small product each, not a block-diagonal dense one
    blocks: tuple[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...]
    varying: np.ndarray  # varying leaf children (positions)
    varying_onehot: np.ndarray  # (P, V): parent of each varying column
    inner: np.ndarray  # inner children (positions)
    inner_onehot: np.ndarray  # (P, len(inner))


class TreeKernel:
    """Evaluate the overall score of every subject for a stack of local weight vectors.

    Args:
        tree: the compiled framework tree.
        fixed_scores: ``(S, L)`` leaf scores used for fixed columns, after the missing-data
            policy (NaN = unavailable under ``drop``).
        varying: leaf positions whose scores are given per draw to :meth:`overall`.
        geometric: weighted geometric instead of arithmetic mean at every node.
    """

    def __init__(
        self,
        tree: CompiledTree,
        fixed_scores: np.ndarray,
        varying: np.ndarray | None = None,
        *,
        geometric: bool = False,
    ) -> None:
        self.tree = tree
        self.geometric = geometric
        n_subjects = fixed_scores.shape[0]
        self.n_subjects = n_subjects
        present = ~np.isnan(fixed_scores)
        values = self.transform(np.where(present, fixed_scores, 0.0))
        values = np.where(present, values, 0.0)
        self.varying = (
            np.empty(0, dtype=np.int64) if varying is None else np.asarray(varying, np.int64)
        )
        col_of = {int(v): k for k, v in enumerate(self.varying)}
        self._col_of = col_of
        self._present = present
        self._leaf_values = values  # transformed fixed leaf scores, 0 where unavailable
        height = np.zeros(len(tree.ids), dtype=np.int64)
        for p in tree.inner:
            height[p] = 1 + int(height[tree.children[p]].max())
        levels: list[_Level] = []
        for h in range(1, int(height[tree.root]) + 1):
            parents = np.array([p for p in tree.inner if height[p] == h], dtype=np.int64)
            kids = [(int(k), j) for j, p in enumerate(parents) for k in tree.children[p]]
            n_par = len(parents)

            is_leaf = [k < tree.n_leaves for k, _ in kids]
            leaves = [kj for kj, leaf in zip(kids, is_leaf, strict=True) if leaf]
            inner = [kj for kj, leaf in zip(kids, is_leaf, strict=True) if not leaf]
            fixed = [(k, j) for k, j in leaves if k not in col_of]
            var = [(k, j) for k, j in leaves if k in col_of]
            blocks = []
            for j in range(n_par):
                kid_leaves = np.array([k for k, jj in leaves if jj == j], dtype=np.int64)
                if not kid_leaves.size:
                    continue
                kid_fixed = np.array([k for k, jj in fixed if jj == j], dtype=np.int64)
                blocks.append(
                    (
                        j,
                        kid_leaves,
                        present[:, kid_leaves].T.astype(np.float64),
                        kid_fixed,
                        np.ascontiguousarray(values[:, kid_fixed].T),
                    )
                )
            var_onehot = np.zeros((n_par, len(self.varying)))
            for k, j in var:
                var_onehot[j, col_of[k]] = 1.0
            inner_onehot = np.zeros((n_par, len(inner)))
            for r, (_, j) in enumerate(inner):
                inner_onehot[j, r] = 1.0
            levels.append(
                _Level(
                    parents=parents,
                    blocks=tuple(blocks),
                    varying=np.array([k for k, _ in var], dtype=np.int64),
                    varying_onehot=var_onehot,
                    inner=np.array([k for k, _ in inner], dtype=np.int64),
                    inner_onehot=inner_onehot,
                )
            )
        self.levels = tuple(levels)

    def transform(self, scores: np.ndarray) -> np.ndarray:
        """Leaf scores as the kernel averages them: logs (floored) for the geometric mean."""
        if self.geometric:
            return np.asarray(np.log(np.maximum(scores, GEOMETRIC_FLOOR)))
        return scores

    def overall(
        self,
        weights: np.ndarray,
        varying_scores: np.ndarray | None = None,
        *,
        overwrite: bool = False,
    ) -> np.ndarray:
        """Overall scores ``(D, S)``; NaN for a subject with no available data.

        Args:
            weights: local weights ``(D, N)``.
            varying_scores: ``(V, S, D)`` scores of the varying leaves (in ``varying`` order),
                already through the missing-data policy and :meth:`transform`, with 0 where a
                leaf is unavailable under ``drop``.
            overwrite: the kernel may scale ``varying_scores`` in place (saves a copy).
        """
        w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
        if varying_scores is None and len(w) > POINT_BLOCK:
            # Thousands of weight vectors over fixed values (sensitivity sweeps): in blocks,
            # so each level's (parents, subjects, block) arrays stay in cache.
            parts = [
                self.evaluate(w[b : b + POINT_BLOCK])[0] for b in range(0, len(w), POINT_BLOCK)
            ]
            return np.concatenate(parts, axis=0)
        return self.evaluate(w, varying_scores, overwrite=overwrite)[0]

    def evaluate(
        self,
        weights: np.ndarray,
        varying_scores: np.ndarray | None = None,
        *,
        nodes: np.ndarray | None = None,
        overwrite: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Overall scores ``(D, S)`` and the scores ``(K, S, D)`` of ``nodes`` in the same pass.

        The level-by-level pass computes every inner node's score anyway; keeping the few a
        report plots (the dimensions, the landscape's axes) costs one copy each, so their
        intervals come from exactly the draws that rank the subjects. A leaf in ``nodes`` gives
        its (drawn or fixed) normalised score. Unavailable nodes are NaN. Node scores keep the
        kernel's layout (draws last) and precision (float32 for drawn values), so a caller
        keeping them for all draws pays no transpose and half the memory.

        Args:
            weights: local weights ``(D, N)``.
            varying_scores: as for :meth:`overall`.
            nodes: tree positions to report (default: none).
            overwrite: as for :meth:`overall`.
        """
        picked = np.empty(0, dtype=np.int64) if nodes is None else np.asarray(nodes, np.int64)
        # Drawn values come as float32 (see _values); the tree then runs in float32 too, which
        # halves the memory traffic. Point evaluations (no varying leaves) stay float64.
        dtype = np.float64 if varying_scores is None else varying_scores.dtype
        w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
        n_draws = w.shape[0]
        wt = np.ascontiguousarray(w.T, dtype=dtype)  # (N, D): draws last, like all below
        s = self.n_subjects
        n_leaves = self.tree.n_leaves
        n_inner = len(self.tree.ids) - n_leaves
        inner_scores = np.zeros((n_inner, s, n_draws), dtype=dtype)
        inner_avail = np.zeros((n_inner, s, n_draws), dtype=dtype)
        mean = np.zeros((0, s, n_draws))
        avail = np.zeros((0, s, n_draws), dtype=bool)
        weighted: np.ndarray | None = None
        leaf_picks: dict[int, np.ndarray] = {}
        for k in picked:
            if k >= n_leaves:
                continue
            col = self._col_of.get(int(k))
            if col is not None and varying_scores is not None:
                leaf_picks[int(k)] = varying_scores[col].copy()  # before scaling
            else:
                fixed_col = self._leaf_values[:, int(k)].astype(dtype)
                leaf_picks[int(k)] = np.broadcast_to(fixed_col[:, None], (s, n_draws))
        if self.varying.size:
            assert varying_scores is not None, "varying leaves need their scores"
            wv = wt[self.varying][:, None, :]
            if overwrite:
                weighted = np.multiply(varying_scores, wv, out=varying_scores)
            else:
                weighted = varying_scores * wv
            weighted = weighted.reshape(len(self.varying), s * n_draws)
        for level in self.levels:
            n_par = len(level.parents)
            num = np.zeros((n_par, s, n_draws), dtype=dtype)
            den = np.zeros((n_par, s, n_draws), dtype=dtype)
            for j, kid_leaves, presence, kid_fixed, values in level.blocks:
                den[j] = presence.T.astype(dtype) @ wt[kid_leaves]
                if kid_fixed.size:
                    num[j] = values.T.astype(dtype) @ wt[kid_fixed]
            if level.varying.size and weighted is not None:
                onehot = level.varying_onehot.astype(weighted.dtype)
                num += (onehot @ weighted).reshape(n_par, s, n_draws)
            if level.inner.size:
                rows = level.inner - n_leaves
                wi = wt[level.inner][:, None, :]
                k = len(rows)
                num += (
                    level.inner_onehot.astype(dtype) @ (inner_scores[rows] * wi).reshape(k, -1)
                ).reshape(n_par, s, n_draws)
                den += (
                    level.inner_onehot.astype(dtype) @ (inner_avail[rows] * wi).reshape(k, -1)
                ).reshape(n_par, s, n_draws)
            avail = den > 0
            # Where nothing is available num is 0 too: divide by 1 there (0/1 = 0). Arithmetic
            # on a mask is several times faster than a masked ``where=`` division.
            den += ~avail
            mean = np.divide(num, den, out=num)
            inner_scores[level.parents - n_leaves] = mean
            inner_avail[level.parents - n_leaves] = avail
        root = mean[-1].astype(np.float64)
        if self.geometric:
            root = np.exp(root)
        overall = np.ascontiguousarray(np.where(avail[-1], root, np.nan).T)
        picks = np.empty((len(picked), s, n_draws), dtype=dtype)
        for c, k in enumerate(picked):
            if k >= n_leaves:
                score = inner_scores[k - n_leaves]
                ok = inner_avail[k - n_leaves] > 0
            else:
                score = leaf_picks[int(k)]
                ok = np.broadcast_to(self._present[:, int(k)][:, None], (s, n_draws))
            if self.geometric:
                score = np.exp(score)
            picks[c] = np.where(ok, score, np.nan)
        return overall, picks


def effective_weights(tree: CompiledTree, weights: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Each subject's weight on each node in its overall score, after ``drop`` renormalisation.

    ``G[s, k]`` is the product of local weights from node k up to the root, each divided by
    the weight of its siblings available for subject s. For the weighted sum, the overall score
    is ``Σ_leaves G[s, l] · x[s, l]`` exactly, which is what lets a recommendation say which
    leaves separate two subjects and by how much.

    Args:
        tree: the compiled tree.
        weights: local weights ``(N,)``.
        present: ``(S, L)`` leaves with data (after the missing-data policy).

    Returns:
        ``(S, N)``; 0 for unavailable nodes, 1 at the root of a subject with any data.
    """
    s = present.shape[0]
    n = len(tree.ids)
    avail = np.zeros((s, n), dtype=bool)
    avail[:, : tree.n_leaves] = present
    den = np.zeros((s, n))
    for p in tree.inner:
        kids = tree.children[p]
        den[:, p] = (weights[kids][None, :] * avail[:, kids]).sum(axis=1)
        avail[:, p] = den[:, p] > 0
    out = np.zeros((s, n))
    out[:, tree.root] = avail[:, tree.root]
    for p in reversed(tree.inner):
        kids = tree.children[p]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(
                avail[:, kids],
                weights[kids][None, :] / np.where(den[:, [p]] > 0, den[:, [p]], 1),
                0,
            )
        out[:, kids] = out[:, [p]] * share
    return out
