"""Agreement between analysts: Krippendorff's alpha, and cells that need a second look.

When several analysts rate the same cells (a subject on a rubric leaf, levels 0–5), the
consolidated value (a median) hides whether they agreed. Krippendorff's alpha measures agreement
per dimension beyond what chance would give, tolerating missing ratings and any number of
analysts; :func:`flag_disagreements` points at the individual cells where analysts are two or more
levels apart, which a reviewer should settle before the numbers are published.

numpy and the ``krippendorff`` package, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Literal, TypeVar, get_args

import krippendorff
import numpy as np

__all__ = ["Level", "disagreement_mask", "flag_disagreements", "krippendorff_alpha"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
"""Krippendorff's levels of measurement; rubric levels are ``ordinal``."""

K = TypeVar("K", bound=Hashable)

_LEVELS: frozenset[str] = frozenset(get_args(Level))


def krippendorff_alpha(data: np.ndarray, level: Level = "ordinal") -> float:
    """Krippendorff's alpha reliability for raters × units data with missing values.

    The ``krippendorff`` package computes it (the coincidence-matrix method of Krippendorff
    (2011), "Computing Krippendorff's Alpha-Reliability"). With the difference function δ² of
    the level (nominal 1 if c ≠ k; ordinal (Σ_{g=c..k} n_g − (n_c + n_k) / 2)²; interval
    (c − k)²; ratio ((c − k) / (c + k))²), alpha = 1 − observed / expected disagreement. The
    ordinal metric uses only the order of the values and how often each is used, so rubric
    levels need no spacing assumption.

    This wrapper settles first what the package would answer with an exception or a 0 / 0:
    units with fewer than two ratings are dropped (they are not pairable, and a value seen only
    there must not enter the value domain), and when nothing pairable is left, or only one
    distinct value, alpha is NaN — there is no variation to agree about.

    Args:
        data: ``(raters, units)`` values, NaN where a rater did not rate a unit. For ``ratio``
            the values must be non-negative.
        level: level of measurement.

    Returns:
        alpha: 1 for perfect agreement, 0 for agreement at chance level, negative for systematic
        disagreement. NaN when alpha is undefined (see above).

    Raises:
        ValueError: ``data`` is not two-dimensional, or ``level`` is unknown.
    """
    x = np.asarray(data, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"data must be raters × units, got shape {x.shape}")
    if level not in _LEVELS:
        raise ValueError(f"unknown level of measurement {level!r}")
    x = x[:, (~np.isnan(x)).sum(axis=0) >= 2]
    if np.unique(x[~np.isnan(x)]).size < 2:
        return math.nan
    return float(krippendorff.alpha(reliability_data=x, level_of_measurement=level))


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
