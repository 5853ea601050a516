"""Flat aggregation methods beside the weighted sum: TOPSIS and the weighted geometric mean.

These score subjects directly from a subjects × criteria matrix with one weight per criterion,
so a report can show whether the choice of aggregation changes the ranking. They are pure numpy
with no validation: the caller has checked shapes and applied the missing-data policy. NaN
propagates — into one subject's score for the sums, into every score for TOPSIS, whose ideal
depends on all subjects. Leading axes broadcast: ``matrix`` may be
``(..., S, C)`` and ``weights`` ``(C,)`` or ``(..., C)``, e.g. one row of weights per Monte Carlo
draw.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from quanheng.mcda.aggregate import GEOMETRIC_FLOOR

__all__ = ["topsis", "weighted_geometric", "weighted_sum"]


def topsis(
    matrix: np.ndarray,
    weights: np.ndarray,
    benefit: np.ndarray,
    *,
    normalisation: Literal["vector", "minmax"] = "vector",
) -> np.ndarray:
    """TOPSIS closeness coefficients (Hwang & Yoon 1981), in [0, 1], higher is better.

    Steps: normalise each column; multiply by its weight; take the ideal (best value of each
    column: the largest for a benefit criterion, the smallest for a cost criterion) and the
    anti-ideal (the worst); measure each subject's Euclidean distance D⁺ to the ideal and D⁻ to
    the anti-ideal; closeness = D⁻ / (D⁺ + D⁻).

    Args:
        matrix: raw values, ``(..., S, C)``.
        weights: one per criterion, ``(C,)`` or ``(..., C)``; used as given (not renormalised —
            scaling all weights by one factor leaves closeness unchanged anyway).
        benefit: ``(C,)`` booleans, True where larger is better.
        normalisation: ``vector`` — x / sqrt(Σ x²) per column, Hwang & Yoon's original, which
            keeps ratios between values; ``minmax`` — (x − min) / (max − min), which stretches
            every criterion to the full [0, 1] range (what pymcdm uses by default). A column of
            zeros (vector) or of equal values (minmax) normalises to 0 and so does not affect
            any distance.

    Returns:
        Closeness per subject, ``(..., S)``; 0.5 when a subject is as far from the ideal as from
        the anti-ideal, including the degenerate case where all subjects are identical.
    """
    x = np.asarray(matrix, dtype=float)
    w = np.asarray(weights, dtype=float)[..., None, :]
    up = np.asarray(benefit, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        if normalisation == "vector":
            norm = np.sqrt((x * x).sum(axis=-2, keepdims=True))
            # `== 0` rather than `> 0`, so that a NaN norm stays NaN instead of becoming 0.
            r = np.where(norm == 0, 0.0, x / np.where(norm == 0, 1.0, norm))
        elif normalisation == "minmax":
            lo = x.min(axis=-2, keepdims=True)
            span = x.max(axis=-2, keepdims=True) - lo
            r = np.where(span == 0, 0.0, (x - lo) / np.where(span == 0, 1.0, span))
        else:
            raise ValueError(f"unknown TOPSIS normalisation {normalisation!r}")
        v = r * w
        hi = v.max(axis=-2, keepdims=True)
        lo_v = v.min(axis=-2, keepdims=True)
        ideal = np.where(up, hi, lo_v)
        anti = np.where(up, lo_v, hi)
        d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=-1))
        d_minus = np.sqrt(((v - anti) ** 2).sum(axis=-1))
        total = d_plus + d_minus
        closeness = np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)
    # NaN must not come back as a confident 0.5 (NaN > 0 is False above).
    return np.where(np.isnan(total), np.nan, closeness)


def weighted_sum(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ_j w_j x_ij / Σ_j w_j: the compensatory baseline the other methods are compared with.

    Args:
        matrix: normalised scores in [0, 1], ``(..., S, C)``.
        weights: ``(C,)`` or ``(..., C)``, non-negative, not all zero.

    Returns:
        ``(..., S)`` scores in [0, 1].
    """
    x = np.asarray(matrix, dtype=float)
    w = np.asarray(weights, dtype=float)[..., None, :]
    return np.asarray((x * w).sum(axis=-1) / w.sum(axis=-1), dtype=float)


def weighted_geometric(
    matrix: np.ndarray, weights: np.ndarray, *, floor: float = GEOMETRIC_FLOOR
) -> np.ndarray:
    """Weighted geometric mean Π_j x_ij^(w_j / Σw): weak spots cost more than in a sum.

    A subject cannot buy back a near-zero criterion with excellence elsewhere, which is the
    point of offering it beside the weighted sum. Scores are floored at ``floor`` (default
    :data:`~quanheng.mcda.aggregate.GEOMETRIC_FLOOR`, 1e-6, the same floor the tree
    aggregation uses) before the logarithm, so a single 0 pulls a subject down hard but does
    not erase every other criterion.

    Args:
        matrix: normalised scores in [0, 1], ``(..., S, C)``.
        weights: ``(C,)`` or ``(..., C)``, non-negative, not all zero.
        floor: smallest score used in the logarithm.

    Returns:
        ``(..., S)`` scores in [floor, 1].
    """
    x = np.asarray(matrix, dtype=float)
    w = np.asarray(weights, dtype=float)[..., None, :]
    logs = np.log(np.maximum(x, floor))
    return np.asarray(np.exp((logs * w).sum(axis=-1) / w.sum(axis=-1)), dtype=float)
