"""Aggregation up the indicator tree, with coverage and explicit missing-data policies.

Pure numpy over ``(..., subjects, leaves)`` arrays of normalised leaf scores (NaN = no data) and a
:class:`~quanheng.framework.CompiledTree`. Weights are the tree's local weights, shape ``(nodes,)``
or ``(..., nodes)`` for per-draw weights in simulations.

Missing data is never a silent zero:

* ``drop`` (default): a missing child is left out and its siblings' weights renormalised;
  a node with no data at all is missing itself.
* ``worst``: a missing leaf counts as 0, the worst normalised score — stated, not silent.
* ``median``: a missing leaf takes the cohort median of that leaf.

Coverage is the share of a node's weight backed by data, whatever the policy.
"""

from __future__ import annotations

import warnings

import numpy as np

from quanheng.mcda.tree import CompiledTree

__all__ = ["GEOMETRIC_FLOOR", "aggregate", "fill_missing", "rank_desc"]

GEOMETRIC_FLOOR = 1e-6
"""Scores are floored here before logs in the geometric mean, so one zero does not erase a node."""


def fill_missing(leaf_scores: np.ndarray, policy: str) -> np.ndarray:
    """Apply the missing-data policy to normalised leaf scores (subjects on axis −2)."""
    if policy == "drop":
        return leaf_scores
    if policy == "worst":
        return np.where(np.isnan(leaf_scores), 0.0, leaf_scores)
    if policy == "median":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(leaf_scores, axis=-2, keepdims=True)
        return np.where(np.isnan(leaf_scores), med, leaf_scores)
    raise ValueError(f"unknown missing-data policy {policy!r}")


def aggregate(
    leaf_scores: np.ndarray,
    tree: CompiledTree,
    weights: np.ndarray | None = None,
    *,
    method: str = "arithmetic",
    missing: str = "drop",
) -> tuple[np.ndarray, np.ndarray]:
    """Score every node of the tree.

    Args:
        leaf_scores: normalised leaf scores, shape ``(..., S, L)``, NaN where there is no data.
        tree: the compiled framework tree.
        weights: local weights, ``(N,)`` or ``(..., N)``; defaults to the tree's.
        method: ``arithmetic`` (weighted mean) or ``geometric`` (weighted geometric mean).
        missing: ``drop``, ``worst`` or ``median``.

    Returns:
        ``(scores, coverage)``, each ``(..., S, N)`` in the tree's node order; the root is last.
    """
    w_all = tree.weights if weights is None else weights
    present = ~np.isnan(leaf_scores)
    filled = fill_missing(leaf_scores, missing)
    shape = (*leaf_scores.shape[:-1], len(tree.ids))
    scores = np.full(shape, np.nan)
    coverage = np.zeros(shape)
    scores[..., : tree.n_leaves] = filled
    coverage[..., : tree.n_leaves] = present
    for p in tree.inner:
        kids = tree.children[p]
        w = np.take(w_all, kids, axis=-1)[..., None, :]
        s = scores[..., kids]
        avail = ~np.isnan(s)
        den = (w * avail).sum(axis=-1)
        if method == "arithmetic":
            num = (w * np.where(avail, s, 0.0)).sum(axis=-1)
        elif method == "geometric":
            logs = np.log(np.maximum(np.where(avail, s, 1.0), GEOMETRIC_FLOOR))
            num = (w * np.where(avail, logs, 0.0)).sum(axis=-1)
        else:
            raise ValueError(f"unknown aggregation {method!r}")
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = num / den
        if method == "geometric":
            mean = np.exp(mean)
        scores[..., p] = np.where(den > 0, mean, np.nan)
        total = w.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            coverage[..., p] = np.where(
                total > 0, (w * coverage[..., kids]).sum(axis=-1) / total, 0.0
            )
    return scores, coverage


def rank_desc(scores: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4) along the last axis, highest first; NaN ranks 0."""
    s = np.where(np.isnan(scores), -np.inf, scores)
    ahead = (s[..., None, :] > s[..., :, None] + tol).sum(axis=-1)
    return np.where(np.isnan(scores), 0, ahead + 1).astype(np.int64)
