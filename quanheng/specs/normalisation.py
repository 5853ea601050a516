"""Normalisation specs: how a leaf's raw value becomes a score in [0, 1].

The specs are data (a discriminated union on ``type``) so a framework file can name them and a
scorecard can record them; :func:`normalise_leaf` and :func:`normalise_matrix` apply them with the
arithmetic of :mod:`quanheng.mcda.normalise`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from quanheng.mcda.normalise import fixed_range, minmax, rubric, target
from quanheng.text import Text

__all__ = [
    "RUBRIC_LEVELS",
    "Fixed",
    "LogFixed",
    "LogMinMax",
    "MinMax",
    "Normalisation",
    "Reference",
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


class Reference(_Spec):
    """The scale a cohort-relative leaf falls back to when its cohort has too few values.

    Min–max over one or two observed values invents extremes (a lone value scores 1, two values
    score 1 and 0), so with fewer than three a leaf is scored on this absolute range instead —
    linear for ``minmax``, on log10(x + offset) for ``log_minmax`` — clipped to [0, 1].

    Attributes:
        min: the value that scores 0.
        max: the value that scores 1.
        basis: why these bounds: the public range they come from, with its source.
    """

    min: float = Field(allow_inf_nan=False)
    max: float = Field(allow_inf_nan=False)
    basis: Text

    @model_validator(mode="after")
    def _ordered(self) -> Reference:
        if not self.max > self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        return self


class MinMax(_Spec):
    """(x − min) / (max − min) over the cohort's observed values.

    ``reference`` is the absolute range used while the cohort has fewer than three values.
    """

    type: Literal["minmax"] = "minmax"
    reference: Reference | None = None

    @property
    def cohort_relative(self) -> bool:
        return True


class LogMinMax(_Spec):
    """Min–max of log10(x + offset): for quantities spanning orders of magnitude.

    ``reference`` (in the leaf's own units) is the range used while the cohort has fewer than
    three values, on the same log scale.
    """

    type: Literal["log_minmax"] = "log_minmax"
    offset: float = 0.0
    reference: Reference | None = None

    @property
    def cohort_relative(self) -> bool:
        return True


class LogFixed(_Spec):
    """log10(x + offset) on a fixed range, clipped to [0, 1]: absolute, for wide quantities."""

    type: Literal["log_fixed"] = "log_fixed"
    min: float
    max: float
    offset: float = 0.0

    @model_validator(mode="after")
    def _ordered(self) -> LogFixed:
        if not self.max > self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        if not self.min + self.offset > 0:
            raise ValueError(f"min + offset ({self.min + self.offset:g}) must be above 0")
        return self

    @property
    def log_bounds(self) -> tuple[float, float]:
        """The range on the log10 scale normalisation measures on."""
        return math.log10(self.min + self.offset), math.log10(self.max + self.offset)


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


Normalisation = Annotated[
    MinMax | LogMinMax | Fixed | LogFixed | Rubric | Target, Field(discriminator="type")
]


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
    if isinstance(spec, LogFixed):
        with np.errstate(invalid="ignore", divide="ignore"):
            out = fixed_range(np.log10(x + spec.offset), *spec.log_bounds)
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
