"""What a harness's results file says, before mapping: one score per task and metric.

Each parser (:mod:`~quanheng.interop.lm_eval`, :mod:`~quanheng.interop.opencompass`,
:mod:`~quanheng.interop.inspect`) turns its harness's layout into a :class:`ParsedFile`, so
mapping, intervals and storage are written once for all three.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ParsedFile", "TaskScore"]


@dataclass(frozen=True)
class TaskScore:
    """One metric of one task as the harness reported it, on a 0–1 scale for proportions.

    Attributes:
        task: the harness's task (or dataset) name.
        metric: the harness's metric name (``exact_match,letter``, ``accuracy``).
        value: the reported value.
        n: samples behind it; ``None`` when the file does not say.
        se: the standard error the file reports, if any.
        samples: per-sample scores (0–1) when the file has them, in file order.
        parent: the group this task belongs to in the same file (lm-eval's ``group_subtasks``),
            so a group's own score is used instead of pooling its members twice.
    """

    task: str
    metric: str
    value: float
    n: int | None
    se: float | None = None
    samples: tuple[float, ...] | None = None
    parent: str | None = None


@dataclass(frozen=True)
class ParsedFile:
    """A results file: which harness wrote it, when, for which model, and its scores."""

    harness: str
    version: str | None
    model: str | None
    date: str | None
    scores: tuple[TaskScore, ...]
