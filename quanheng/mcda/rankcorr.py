"""Rank agreement between scorings: Kendall's tau-b and leave-one-indicator-out variants.

A buyer trusts a ranking more if it survives reasonable changes: dropping one indicator, another
weighting, another aggregation. Kendall's tau between the base scores and each variant says how
much of the order survived (1 = identical order, −1 = reversed); scipy computes it. numpy and
scipy only; the caller produces the variant scores (e.g. scoring once per row of
:func:`leave_one_out_weights`).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["kendall_tau", "leave_one_out_weights", "rank_correlations"]


def kendall_tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-b between two score vectors, ties handled: ``scipy.stats.kendalltau``.

    Tau-b = (C − D) / sqrt((P − T_a) · (P − T_b)), with C and D the concordant and discordant
    pairs, P all pairs, and T_a, T_b the pairs tied in a and in b. Tau-b (not tau-a) because
    tied scores are common (equal rubric levels, capped scores) and tau-a would read a tie as
    disagreement. The statistic is scipy's (variant ``b``, the p-value by the cheap asymptotic
    method, since only the statistic is used); this function adds what scipy leaves to the
    caller: a length check and the NaN rules below, decided here so scipy never warns.

    scipy costs ≈ 190 µs a call against ≈ 20–40 µs for the hand-written pair count it replaced;
    an analysis calls this once per aggregation method and once per weighted leaf (59 times on
    the built-in framework), which adds ≈ 10 ms to an analysis that takes over a second
    (``benchmarks/bench_stats.py``, RESULTS.md), so no hand-written version is kept.

    Subjects with NaN in either vector are left out. Returns NaN when fewer than two subjects
    remain or either side is constant (every pair tied): no order to compare.
    """
    x = np.asarray(a, dtype=float).ravel()
    y = np.asarray(b, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"score vectors differ in length: {x.size} and {y.size}")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if x.size < 2 or np.all(x == x[0]) or np.all(y == y[0]):
        return math.nan
    # Imported here: scipy.stats takes ≈ 0.5–1 s to import, which commands that never compare
    # rankings (`show`, `validate`) must not pay.
    from scipy.stats import kendalltau

    return float(kendalltau(x, y, variant="b", method="asymptotic").statistic)


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
