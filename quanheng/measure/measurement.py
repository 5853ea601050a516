"""What a measurement run yields for scoring: one metric of one subject, with its interval.

This is the whole interface between measuring and scoring. :func:`quanheng.measure.collect`
reads a study's run store into these once; :func:`quanheng.score` takes them as an argument, so
scoring itself never touches a store.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Measurement"]


class Measurement(BaseModel):
    """A metric measured for a subject, with its interval and the runs behind it."""

    model_config = ConfigDict(frozen=True)

    subject: str
    metric: str
    value: float
    low: float
    high: float
    n: int
    runs: tuple[str, ...] = ()
