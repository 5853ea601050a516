"""The hand-written statistics quanheng used before it called scipy, krippendorff and choix.

Kept only as the "before" side of ``benchmarks/bench_stats.py``: the code of commit 2811f9b
(``quanheng/mcda/rankcorr.py``, ``quanheng/mcda/agreement.py``, ``quanheng/measure/metrics.py``,
``quanheng/measure/preference.py``), docstrings shortened. Nothing in quanheng imports it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

_CHUNK_CELLS = 4_000_000


def kendall_tau(a: np.ndarray, b: np.ndarray) -> float:
    """Tau-b by signs of all pairwise differences (O(n²) memory)."""
    x = np.asarray(a, dtype=float).ravel()
    y = np.asarray(b, dtype=float).ravel()
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


def krippendorff_alpha(data: np.ndarray, level: str = "ordinal") -> float:
    """Alpha by the coincidence matrix of Krippendorff (2011)."""
    x = np.asarray(data, dtype=float)
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


def _delta2(values: np.ndarray, n_c: np.ndarray, level: str) -> np.ndarray:
    c = values[:, None]
    k = values[None, :]
    if level == "nominal":
        return np.asarray((c != k).astype(float))
    if level == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        i = np.arange(values.size)
        lo = np.minimum(i[:, None], i[None, :])
        hi = np.maximum(i[:, None], i[None, :])
        between = cum[hi + 1] - cum[lo]
        return np.asarray((between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2)
    if level == "interval":
        return np.asarray((c - k) ** 2)
    s = c + k
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(s != 0, (c - k) / np.where(s != 0, s, 1.0), 0.0)
    return np.asarray(d**2)


def bootstrap_ci(
    values: np.ndarray,
    n_boot: int = 2000,
    alpha: float = 0.1,
    seed: int = 0,
    statistic: Callable[[np.ndarray], Any] = lambda a: np.mean(a, axis=-1),
) -> tuple[float, float, float]:
    """Percentile bootstrap, resampled in chunks of ``_CHUNK_CELLS`` values."""
    data = np.asarray(values, dtype=np.float64)
    data = data[~np.isnan(data)]
    n = data.size
    point = float(statistic(data))
    if n == 1:
        return point, point, point
    rng = np.random.default_rng(seed)
    rows = max(1, _CHUNK_CELLS // n)
    boots = np.empty(n_boot, dtype=np.float64)
    for start in range(0, n_boot, rows):
        stop = min(n_boot, start + rows)
        idx = rng.integers(0, n, size=(stop - start, n))
        boots[start:stop] = statistic(data[idx])
    low, high = np.percentile(boots, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return point, float(min(low, point)), float(max(high, point))


def bradley_terry(
    wins: np.ndarray,
    ties: np.ndarray,
    prior: float = 0.0,
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> np.ndarray:
    """Hunter's MM iteration on effective wins ``w = wins + ties/2 + prior/2``."""
    k = wins.shape[0]
    off = 1.0 - np.eye(k)
    w = (wins + ties / 2.0 + prior / 2.0) * off
    games = w + w.T
    total_wins = w.sum(axis=1)
    p = np.full(k, 1.0 / k)
    for _ in range(max_iter):
        denom = (games / np.maximum(p[:, None] + p[None, :], 1e-300)).sum(axis=1)
        step = np.where(denom > 0, total_wins / np.maximum(denom, 1e-300), p)
        new = np.asarray(step / step.sum(), dtype=np.float64)
        if np.max(np.abs(new - p)) < tol:
            return new
        p = new
    return p
