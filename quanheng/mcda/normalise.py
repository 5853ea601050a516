"""Normalisation arithmetic: raw values → scores in [0, 1].

The framework's normalisation *specs* (:mod:`quanheng.specs.normalisation`) name one of these
functions and its parameters; this module knows nothing of them.

Pure numpy over arrays whose LAST axis is the subjects of one leaf (leading axes are free, e.g.
Monte Carlo draws). NaN means "no data" and stays NaN: missing data is never a silent zero.
Cohort-relative methods (min–max, log min–max) use the observed values along the last axis only.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = [
    "fixed_range",
    "log_minmax",
    "minmax",
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
