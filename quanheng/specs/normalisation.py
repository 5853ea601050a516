"""Normalisation specs: how a leaf's raw value becomes a score in [0, 1].

The specs are data (a discriminated union on ``type``) so a framework file can name them and a
scorecard can record them; :func:`normalise_leaf` and :func:`normalise_matrix` apply them with the
arithmetic of :mod:`quanheng.mcda.normalise`.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from quanheng.mcda.normalise import fixed_range, minmax, rubric, target
from quanheng.text import Text

__all__ = [
    "RUBRIC_LEVELS",
    "Fixed",
    "LogMinMax",
    "MinMax",
    "Normalisation",
    "Rubric",
    "Target",
    "normalise_leaf",
    "normalise_matrix",
]

RUBRIC_LEVELS = (0, 1, 2, 3, 4, 5)


class _Spec(BaseModel):
    # A .nan bound, offset or target turns every score on the leaf into nan: refuse it here.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @property
    def cohort_relative(self) -> bool:
        """Whether a subject's score depends on who else is compared."""
        return False


class MinMax(_Spec):
    """(x − min) / (max − min) over the cohort's observed values."""

    type: Literal["minmax"] = "minmax"

    @property
    def cohort_relative(self) -> bool:
        return True


class LogMinMax(_Spec):
    """Min–max of log10(x + offset): for quantities spanning orders of magnitude."""

    type: Literal["log_minmax"] = "log_minmax"
    offset: float = 0.0

    @property
    def cohort_relative(self) -> bool:
        return True


class Fixed(_Spec):
    """(x − min) / (max − min) on a fixed, absolute range, clipped to [0, 1]."""

    type: Literal["fixed"] = "fixed"
    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Fixed:
        if not self.max > self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        return self


class Rubric(_Spec):
    """Analyst levels 0..5, each with a written descriptor; score = level / 5."""

    type: Literal["rubric"] = "rubric"
    levels: dict[int, Text]

    @model_validator(mode="after")
    def _all_levels(self) -> Rubric:
        missing = [lv for lv in RUBRIC_LEVELS if lv not in self.levels]
        extra = sorted(lv for lv in self.levels if lv not in RUBRIC_LEVELS)
        if extra:
            raise ValueError(f"levels {extra} are outside 0..5")
        if missing:
            raise ValueError(f"levels {missing} have no descriptor; every level 0..5 needs one")
        return self


class Target(_Spec):
    """Closeness to a target value: max(0, 1 − |x − target| / width)."""

    type: Literal["target"] = "target"
    target: float
    width: float = Field(gt=0)


Normalisation = Annotated[MinMax | LogMinMax | Fixed | Rubric | Target, Field(discriminator="type")]


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
