"""Agreement between analysts: Krippendorff's alpha, and cells that need a second look.

When several analysts rate the same cells (a subject on a rubric leaf, levels 0–5), the
consolidated value (a median) hides whether they agreed. Krippendorff's alpha measures agreement
per dimension beyond what chance would give, tolerating missing ratings and any number of
analysts; :func:`flag_disagreements` points at the individual cells where analysts are two or more
levels apart, which a reviewer should settle before the numbers are published.

Pure numpy, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Literal, TypeVar

import numpy as np

__all__ = ["Level", "disagreement_mask", "flag_disagreements", "krippendorff_alpha"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
"""Krippendorff's levels of measurement; rubric levels are ``ordinal``."""

K = TypeVar("K", bound=Hashable)


def krippendorff_alpha(data: np.ndarray, level: Level = "ordinal") -> float:
    """Krippendorff's alpha reliability for raters × units data with missing values.

    Computed by the coincidence-matrix method of Krippendorff (2011), "Computing Krippendorff's
    Alpha-Reliability": units with fewer than two ratings are not pairable and are dropped;
    every ordered pair of ratings within a unit of m_u ratings adds 1 / (m_u − 1) to the
    coincidence o_ck of its two values; n_c = Σ_k o_ck and n = Σ_c n_c; then

        alpha = 1 − (n − 1) · Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck

    with the difference function δ² of the level: nominal 1 if c ≠ k; ordinal
    (Σ_{g=c..k} n_g − (n_c + n_k) / 2)²; interval (c − k)²; ratio ((c − k) / (c + k))².
    The ordinal metric uses only the order of the values and how often each is used, so
    rubric levels need no spacing assumption.

    Args:
        data: ``(raters, units)`` values, NaN where a rater did not rate a unit. For ``ratio``
            the values must be non-negative.
        level: level of measurement.

    Returns:
        alpha: 1 for perfect agreement, 0 for agreement at chance level, negative for systematic
        disagreement. NaN when alpha is undefined: fewer than two pairable ratings, or only one
        distinct value among them (no variation to agree about).
    """
    x = np.asarray(data, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"data must be raters × units, got shape {x.shape}")
    present = ~np.isnan(x)
    m_u = present.sum(axis=0)
    pairable = m_u >= 2
    x = x[:, pairable]
    present = present[:, pairable]
    m_u = m_u[pairable]
    if m_u.size == 0:
        return math.nan
    values = np.unique(x[present])
    if values.size < 2:
        return math.nan
    # counts[u, c]: how many raters gave value c to unit u.
    idx = np.searchsorted(values, np.where(present, x, values[0]))
    counts = np.zeros((x.shape[1], values.size))
    for r in range(x.shape[0]):
        np.add.at(counts, (np.arange(x.shape[1])[present[r]], idx[r][present[r]]), 1.0)
    inv = 1.0 / (m_u - 1.0)
    coincidence = (counts * inv[:, None]).T @ counts - np.diag((counts * inv[:, None]).sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    delta2 = _delta2(values, n_c, level)
    observed = float((coincidence * delta2).sum())
    expected = float((np.outer(n_c, n_c) * delta2).sum())
    if expected <= 0:
        return math.nan
    return float(1.0 - (n - 1.0) * observed / expected)


def disagreement_mask(levels: np.ndarray, min_gap: float = 2.0) -> np.ndarray:
    """Boolean mask of cells whose ratings span ``min_gap`` levels or more.

    Args:
        levels: ``(raters, ...)`` ratings, NaN where a rater gave none; the cells are the
            trailing axes (e.g. subjects × leaves).
        min_gap: the spread (max − min) at which a cell is flagged; 2 by default, because
            neighbouring rubric levels are a matter of judgement and two apart is not.

    Returns:
        ``levels.shape[1:]`` booleans; a cell with fewer than two ratings is never flagged.
    """
    x = np.asarray(levels, dtype=float)
    present = ~np.isnan(x)
    hi = np.where(present, x, -np.inf).max(axis=0, initial=-np.inf)
    lo = np.where(present, x, np.inf).min(axis=0, initial=np.inf)
    enough = present.sum(axis=0) >= 2
    with np.errstate(invalid="ignore"):
        spread = np.where(enough, hi - lo, 0.0)
    return np.asarray(enough & (spread >= min_gap))


def flag_disagreements(
    levels_by_cell: Mapping[K, Sequence[float | None]], min_gap: float = 2.0
) -> list[K]:
    """The cells whose analysts' levels differ by ``min_gap`` (2) or more, in mapping order.

    Args:
        levels_by_cell: for each cell (e.g. ``(subject, leaf)``), the levels the analysts gave;
            ``None`` and NaN entries are ignored.
        min_gap: the spread (max − min) at which a cell is flagged.

    Returns:
        The keys of the flagged cells.
    """
    flagged: list[K] = []
    for cell, levels in levels_by_cell.items():
        given = [float(v) for v in levels if v is not None and not math.isnan(float(v))]
        if len(given) >= 2 and max(given) - min(given) >= min_gap:
            flagged.append(cell)
    return flagged


def _delta2(values: np.ndarray, n_c: np.ndarray, level: Level) -> np.ndarray:
    """Squared difference δ²_ck between every pair of observed values."""
    c = values[:, None]
    k = values[None, :]
    if level == "nominal":
        return np.asarray((c != k).astype(float))
    if level == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        i = np.arange(values.size)
        lo = np.minimum(i[:, None], i[None, :])
        hi = np.maximum(i[:, None], i[None, :])
        between = cum[hi + 1] - cum[lo]  # Σ n_g for g from the lower to the higher value
        return np.asarray((between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2)
    if level == "interval":
        return np.asarray((c - k) ** 2)
    if level == "ratio":
        s = c + k
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.where(s != 0, (c - k) / np.where(s != 0, s, 1.0), 0.0)
        return np.asarray(d**2)
    raise ValueError(f"unknown level of measurement {level!r}")
