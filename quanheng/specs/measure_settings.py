"""The ``measure:`` section of a study: which suites run, on how many items, judged by whom."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DEFAULT_SUITES", "MeasureSettings"]

DEFAULT_SUITES = ("cn-knowledge", "math", "code", "safety", "open-qa", "efficiency")


class MeasureSettings(BaseModel):
    """How a study measures its subjects.

    Attributes:
        suites: built-in suite ids or paths (relative to the study) to a ``suite.yaml``.
        limit: items per task (the first ``limit``); ``None`` runs every item. A task's own
            ``limit`` (e.g. the efficiency probe's 20) applies when it is smaller.
        limits: per-suite overrides of ``limit``.
        repeats: samples per item (repeat k is a separate request and a separate answer).
        judge: the subject whose endpoint grades open answers (rubric-judged tasks); without a
            judge those tasks are skipped and their leaves stay missing.
        store: the run store, relative to the study directory.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    suites: tuple[str, ...] = DEFAULT_SUITES
    limit: int | None = Field(default=None, ge=1)
    limits: dict[str, int] = Field(default_factory=dict)
    repeats: int = Field(default=1, ge=1)
    judge: str | None = None
    store: str = "runs/runs.sqlite"

    def limit_for(self, suite_id: str, task_limit: int | None) -> int | None:
        """Items to run for a task of ``suite_id``: the smallest limit that applies."""
        given = [n for n in (self.limits.get(suite_id, self.limit), task_limit) if n is not None]
        return min(given) if given else None
