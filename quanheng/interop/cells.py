"""A measured value with ``n``, standard error and a 90% interval from a harness's scores.

The interval is the one quanheng gives its own runs wherever the file allows it:

* ``bootstrap``: the file has per-sample scores (lm-eval ``--log_samples``, inspect's samples,
  OpenCompass ``details``): a seeded 2,000-resample percentile bootstrap of their mean
  (:func:`quanheng.measure.metrics.bootstrap_ci`), and ``se`` their standard deviation / √n;
* ``stderr``: only the harness's reported standard error: value ± 1.645 · se;
* ``wilson``: a proportion with ``n`` but no standard error: the Wilson score interval;
* ``none``: neither ``n`` nor a standard error: the interval is the value itself.

Proportions' intervals are kept within [0, 1]. Several tasks mapped to one metric (C-Eval's 52
subjects) are pooled: their samples together, or else an ``n``-weighted mean with the standard
errors combined; a group's own score is used instead of its members when both are in the file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from quanheng.interop.parsed import TaskScore
from quanheng.measure.measurement import IntervalMethod
from quanheng.measure.metrics import bootstrap_ci

__all__ = ["Z90", "CellValue", "cell_value"]

Z90 = 1.6448536269514722
"""The standard normal quantile of a two-sided 90% interval."""


@dataclass(frozen=True)
class CellValue:
    """A value, its 90% interval, ``n``, standard error and how the interval was made."""

    value: float
    low: float
    high: float
    n: int
    se: float | None
    interval: IntervalMethod


def cell_value(scores: Sequence[TaskScore], *, seed: int = 0) -> CellValue:
    """One value from the task scores that map to one metric (see the module docstring)."""
    names = {s.task for s in scores}
    kept = [s for s in scores if s.parent not in names] or list(scores)
    if all(s.samples for s in kept):
        samples = np.array([x for s in kept for x in (s.samples or ())], dtype=np.float64)
        mean, low, high = bootstrap_ci(samples, seed=seed)
        value = kept[0].value if len(kept) == 1 else mean
        se = float(samples.std(ddof=1) / math.sqrt(samples.size)) if samples.size > 1 else None
        return CellValue(
            value, min(low, value), max(high, value), int(samples.size), se, "bootstrap"
        )
    counts = [s.n for s in kept]
    if len(kept) == 1:
        value, n, se = kept[0].value, kept[0].n, kept[0].se
    elif all(c is not None and c > 0 for c in counts):
        total = sum(c for c in counts if c is not None)
        value = sum(s.value * (s.n or 0) for s in kept) / total
        n = total
        ses = [s.se for s in kept]
        se = (
            math.sqrt(sum(((s.n or 0) * (s.se or 0.0)) ** 2 for s in kept)) / total
            if all(x is not None for x in ses)
            else None
        )
    else:
        value, n, se = float(np.mean([s.value for s in kept])), None, None
    proportion = 0.0 <= value <= 1.0
    if se is not None:
        low, high = value - Z90 * se, value + Z90 * se
        if proportion:
            low, high = max(low, 0.0), min(high, 1.0)
        return CellValue(value, low, high, n or 0, se, "stderr")
    if n and proportion:
        low, high = _wilson(value, n)
        return CellValue(value, low, high, n, math.sqrt(value * (1 - value) / n), "wilson")
    return CellValue(value, value, value, n or 0, None, "none")


def _wilson(p: float, n: int) -> tuple[float, float]:
    z2 = Z90 * Z90
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z90 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)
