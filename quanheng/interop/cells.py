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
errors combined; a group's own score is used instead of its members when both are in the file,
its interval from their samples where it has none of its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

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
    tasks: tuple[str, ...]
    """The tasks the value is of (a group's members, pooled into it, are not named)."""


def cell_value(scores: Sequence[TaskScore], *, seed: int = 0) -> CellValue:
    """One value from the task scores that map to one metric (see the module docstring)."""
    names = {s.task for s in scores}
    members: dict[str, list[TaskScore]] = {}
    for s in scores:
        if s.parent in names:
            members.setdefault(s.parent, []).append(s)
    kept = [_with_members(s, members.get(s.task, [])) for s in scores if s.parent not in names]
    tasks = tuple(s.task for s in kept)
    if all(s.samples for s in kept):
        samples = np.array([x for s in kept for x in (s.samples or ())], dtype=np.float64)
        mean, low, high = bootstrap_ci(samples, seed=seed)
        value = kept[0].value if len(kept) == 1 else mean
        se = float(samples.std(ddof=1) / math.sqrt(samples.size)) if samples.size > 1 else None
        return CellValue(
            value, min(low, value), max(high, value), int(samples.size), se, "bootstrap", tasks
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
        return CellValue(value, low, high, n or 0, se, "stderr", tasks)
    if n and proportion:
        low, high = _wilson(value, n)
        se = math.sqrt(value * (1 - value) / n)
        return CellValue(value, low, high, n, se, "wilson", tasks)
    return CellValue(value, value, value, n or 0, None, "none", tasks)


def _with_members(group: TaskScore, members: Sequence[TaskScore]) -> TaskScore:
    """A group's score with its members' samples and ``n`` where it has none of its own.

    lm-eval writes per-sample files for the member tasks only: the group's reported value is
    kept, and its interval is the bootstrap over its members' samples pooled.
    """
    if not members:
        return group
    samples = group.samples
    if samples is None and all(m.samples for m in members):
        samples = tuple(x for m in members for x in (m.samples or ()))
    n = group.n
    if n is None and all(m.n is not None for m in members):
        n = sum(m.n or 0 for m in members)
    return replace(group, samples=samples, n=len(samples) if samples else n)


def _wilson(p: float, n: int) -> tuple[float, float]:
    z2 = Z90 * Z90
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z90 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)
