"""Normalisation arithmetic: raw values → scores in [0, 1].

Pure numpy over arrays whose LAST axis is the subjects of one leaf (leading axes are free, e.g.
Monte Carlo draws). NaN means "no data" and stays NaN: missing data is never a silent zero.
Cohort-relative methods (min–max, log min–max) use the observed values along the last axis only.
"""

from __future__ import annotations

import warnings

import numpy as np

from quanheng.normalisation import Fixed, LogMinMax, MinMax, Normalisation, Rubric, Target

__all__ = [
    "fixed_range",
    "log_minmax",
    "minmax",
    "normalise_leaf",
    "normalise_matrix",
    "rubric",
    "target",
]


def minmax(x: np.ndarray) -> np.ndarray:
    """(x − min) / (max − min) along the last axis; all-equal rows map to 1, NaN stays NaN."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        # An all-missing leaf is legitimate: numpy's "All-NaN slice" warning is noise here.
        warnings.simplefilter("ignore", RuntimeWarning)
        lo = np.nanmin(x, axis=-1, keepdims=True)
        hi = np.nanmax(x, axis=-1, keepdims=True)
        span = hi - lo
        out = np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 1.0)
    return np.where(np.isnan(x), np.nan, out)


def log_minmax(x: np.ndarray, offset: float = 0.0) -> np.ndarray:
    """Min–max of log10(x + offset); the caller guarantees x + offset > 0 where present."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return minmax(np.log10(x + offset))


def fixed_range(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """(x − lo) / (hi − lo) clipped to [0, 1]: absolute, independent of the cohort."""
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def rubric(x: np.ndarray, top: int = 5) -> np.ndarray:
    """Level / top: rubric levels 0..top onto [0, 1]."""
    return np.clip(x / top, 0.0, 1.0)


def target(x: np.ndarray, goal: float, width: float) -> np.ndarray:
    """1 at the target, falling linearly to 0 at ``width`` away from it."""
    return np.clip(1.0 - np.abs(x - goal) / width, 0.0, 1.0)


def normalise_leaf(x: np.ndarray, spec: Normalisation, direction: str = "higher") -> np.ndarray:
    """Apply one leaf's normalisation spec and direction to ``x`` (subjects on the last axis).

    For cohort-relative methods the direction is applied before the min–max (by negating), so a
    cohort where everyone is equal — or only one subject has data — scores 1 either way; flipping
    afterwards would give a lone lower-is-better value the worst score for disclosing it.
    """
    lower = direction == "lower"
    if isinstance(spec, MinMax):
        return minmax(-x if lower else x)
    if isinstance(spec, LogMinMax):
        with np.errstate(invalid="ignore", divide="ignore"):
            logs = np.log10(x + spec.offset)
        return minmax(-logs if lower else logs)
    if isinstance(spec, Fixed):
        out = fixed_range(x, spec.min, spec.max)
        return 1.0 - out if lower else out
    if isinstance(spec, Rubric):
        return rubric(x)
    if isinstance(spec, Target):
        return target(x, spec.target, spec.width)
    raise TypeError(f"unknown normalisation {spec!r}")  # pragma: no cover - the union is closed


def normalise_matrix(
    values: np.ndarray, specs: tuple[Normalisation, ...], directions: tuple[str, ...]
) -> np.ndarray:
    """Normalise a (..., subjects, leaves) array leaf by leaf."""
    out = np.empty_like(values, dtype=np.float64)
    for j, (spec, direction) in enumerate(zip(specs, directions, strict=True)):
        out[..., j] = normalise_leaf(values[..., j], spec, direction)
    return out
