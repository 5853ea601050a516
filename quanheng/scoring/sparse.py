"""Cohort-relative leaves with too few values: scored on a reference scale, or shrunk.

Min–max normalisation over a cohort invents extremes when the cohort has one or two values:
a lone value scores 1, two values score 1 and 0, and one more vendor reporting can flip a whole
dimension. So while a cohort has fewer than :data:`MIN_OBSERVED` values on a ``minmax`` or
``log_minmax`` leaf, that leaf is scored on an absolute scale instead:

* its framework's ``reference`` range, when it declares one (``fixed`` on the leaf's own scale,
  log10 for ``log_minmax``) — the public range the framework cites;
* otherwise a documented shrinkage toward the middle of the scale, written as a fixed range
  around the observed values: **one value scores 0.5** (there is nothing to compare it with) on
  a range from 0 to twice the value (one decade either side of it on a log scale); **two values
  score 0.25 and 0.75** (their order is known, their distance is not) on a range that extends
  half their gap beyond each; two equal values count as one.

Each cohort is resolved apart (vendors and models are normalised separately), and the result is
recorded on the scorecard (:class:`SparseLeaf`) so charts and explanations can flag the cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from quanheng.specs.normalisation import Fixed, LogFixed, LogMinMax, MinMax, Normalisation

__all__ = ["MIN_OBSERVED", "SparseLeaf", "resolve_sparse"]

MIN_OBSERVED = 3
"""A cohort-relative leaf needs this many observed values before min–max is used."""


@dataclass(frozen=True, slots=True)
class SparseLeaf:
    """A cohort-relative leaf scored on an absolute scale because its cohort has few values.

    Attributes:
        cohort: the cohort (subject kind) it applies to.
        leaf: the leaf id.
        observed: how many subjects of the cohort have a value (1 or 2).
        how: ``reference`` (the framework's range) or ``shrunk`` (the fallback above).
        scale: the fixed range used, in the leaf's units (``log`` says it is applied on log10).
    """

    cohort: str
    leaf: str
    observed: int
    how: Literal["reference", "shrunk"]
    scale: Fixed | LogFixed

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the range and whether it is on a log scale."""
        return {
            "cohort": self.cohort,
            "leaf": self.leaf,
            "observed": self.observed,
            "how": self.how,
            "min": self.scale.min,
            "max": self.scale.max,
            "log": isinstance(self.scale, LogFixed),
        }


def resolve_sparse(
    values: np.ndarray,
    specs: tuple[Normalisation, ...],
    leaf_ids: tuple[str, ...],
    cohort: str = "",
) -> tuple[tuple[Normalisation, ...], tuple[SparseLeaf, ...]]:
    """The normalisations one cohort is scored with, and the leaves that had too few values.

    Args:
        values: raw values ``(S, L)`` of the cohort's subjects, NaN where missing.
        specs: each leaf's normalisation as the framework writes it.
        leaf_ids: the leaves' ids, in column order.
        cohort: the cohort's name, recorded on each :class:`SparseLeaf`.

    Returns:
        The effective specs (the framework's where the cohort has enough values) and the
        sparse leaves.
    """
    out = list(specs)
    sparse: list[SparseLeaf] = []
    for j, spec in enumerate(specs):
        if not isinstance(spec, MinMax | LogMinMax):
            continue
        col = values[:, j]
        seen = np.unique(col[~np.isnan(col)])
        if seen.size == 0 or int((~np.isnan(col)).sum()) >= MIN_OBSERVED:
            continue
        scale: Fixed | LogFixed
        if spec.reference is not None:
            lo, hi = spec.reference.min, spec.reference.max
            how: Literal["reference", "shrunk"] = "reference"
            if isinstance(spec, LogMinMax):
                scale = LogFixed(min=lo, max=hi, offset=spec.offset)
            else:
                scale = Fixed(min=lo, max=hi)
        else:
            how = "shrunk"
            scale = _shrunk(seen, spec)
        out[j] = scale
        sparse.append(SparseLeaf(cohort, leaf_ids[j], int((~np.isnan(col)).sum()), how, scale))
    return tuple(out), tuple(sparse)


def _shrunk(seen: np.ndarray, spec: MinMax | LogMinMax) -> Fixed | LogFixed:
    """The fallback range: one value in the middle, two at a quarter from each end."""
    if isinstance(spec, LogMinMax):
        logs = np.log10(seen + spec.offset)
        lo, hi = _range(float(logs.min()), float(logs.max()), log=True)
        return LogFixed(min=10**lo - spec.offset, max=10**hi - spec.offset, offset=spec.offset)
    lo, hi = _range(float(seen.min()), float(seen.max()), log=False)
    return Fixed(min=lo, max=hi)


def _range(a: float, b: float, *, log: bool) -> tuple[float, float]:
    if b > a:
        half = (b - a) / 2
        return a - half, b + half
    width = 1.0 if log else (abs(a) if a != 0 else 1.0)
    if not log and a > 0:
        return 0.0, 2 * a
    return a - width, a + width
