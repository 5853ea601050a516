"""Normalisation specs: how a leaf's raw value becomes a score in [0, 1].

The specs are data (a discriminated union on ``type``) so a framework file can name them and a
scorecard can record them; the arithmetic lives in :mod:`quanheng.scoring.normalise`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from quanheng.text import Text

__all__ = [
    "RUBRIC_LEVELS",
    "Fixed",
    "LogMinMax",
    "MinMax",
    "Normalisation",
    "Rubric",
    "Target",
]

RUBRIC_LEVELS = (0, 1, 2, 3, 4, 5)


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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
