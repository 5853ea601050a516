"""Rank agreement between scorings: Kendall's tau-b and leave-one-indicator-out variants.

A buyer trusts a ranking more if it survives reasonable changes: dropping one indicator, another
weighting, another aggregation. Kendall's tau between the base scores and each variant says how
much of the order survived (1 = identical order, −1 = reversed). Pure numpy; the caller produces
the variant scores (e.g. scoring once per row of :func:`leave_one_out_weights`).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["kendall_tau", "leave_one_out_weights", "rank_correlations"]


def kendall_tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-b between two score vectors, ties handled.

    tau-b = (C − D) / sqrt((P − T_a) · (P − T_b)), with C and D the concordant and discordant
    pairs, P all pairs, and T_a, T_b the pairs tied in a and in b. Tau-b (not tau-a) because
    tied scores are common (equal rubric levels, capped scores) and tau-a would read a tie as
    disagreement. Equals ``scipy.stats.kendalltau`` (its default variant ``b``).

    Subjects with NaN in either vector are left out. Returns NaN when fewer than two subjects
    remain or either side is constant (every pair tied): no order to compare.
    """
    x = np.asarray(a, dtype=float).ravel()
    y = np.asarray(b, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"score vectors differ in length: {x.size} and {y.size}")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if x.size < 2:
        return math.nan
    iu = np.triu_indices(x.size, k=1)
    dx = np.sign(x[:, None] - x[None, :])[iu]
    dy = np.sign(y[:, None] - y[None, :])[iu]
    untied_x = float(np.count_nonzero(dx))
    untied_y = float(np.count_nonzero(dy))
    if untied_x == 0 or untied_y == 0:
        return math.nan
    tau = float((dx * dy).sum()) / math.sqrt(untied_x * untied_y)
    return min(1.0, max(-1.0, tau))


def rank_correlations(base_scores: np.ndarray, variant_scores: np.ndarray) -> np.ndarray:
    """Kendall's tau-b of each variant's scores against the base scores.

    Args:
        base_scores: ``(S,)`` scores of the reference scoring.
        variant_scores: ``(V, S)``, one row of scores per variant (another weighting, an
            indicator left out, another aggregation method).

    Returns:
        ``(V,)`` taus, NaN for a variant whose order is undefined (see :func:`kendall_tau`).
    """
    base = np.asarray(base_scores, dtype=float)
    variants = np.atleast_2d(np.asarray(variant_scores, dtype=float))
    return np.array([kendall_tau(base, row) for row in variants], dtype=float)


def leave_one_out_weights(weights: np.ndarray) -> np.ndarray:
    """One weight vector per indicator, with that indicator dropped and the rest renormalised.

    Row k is ``weights`` with entry k set to 0 and the others scaled to sum to 1 — the weights
    for the "leave indicator k out" variant. A row whose remaining weights are all zero (the
    only weighted indicator was left out) is all NaN: that variant cannot be scored.

    Args:
        weights: ``(L,)`` non-negative weights.

    Returns:
        ``(L, L)`` weights.
    """
    w = np.asarray(weights, dtype=float)
    rows = np.tile(w, (w.size, 1))
    np.fill_diagonal(rows, 0.0)
    total = rows.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total > 0, rows / np.where(total > 0, total, 1.0), np.nan)
    return np.asarray(out, dtype=float)
