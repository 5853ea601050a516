"""What every scorer shares: the :class:`Score` it returns, its spec and the registry."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from quanheng.measure.datasets import Item
from quanheng.measure.registry import Registry
from quanheng.measure.templates import ChatMessage

__all__ = [
    "SCORERS",
    "Score",
    "ScoreFn",
    "Scorer",
    "ScorerSpec",
    "VerdictKeyFn",
    "build_scorer",
    "register_scorer",
    "strip_reasoning",
]


class Score(BaseModel):
    """The verdict on one completion.

    Attributes:
        value: 1.0/0.0 for right/wrong, a fraction for graded scores; NaN when the completion
            could not be scored at all (an unparseable judge reply), so metrics can leave it out
            instead of counting it as a silent zero.
        answer: what was extracted from the completion (a letter, a number…), or None.
        explanation: why, in a few words, for reports and debugging.
    """

    model_config = ConfigDict(frozen=True)

    value: float
    answer: str | None = None
    explanation: str = ""


class ScorerSpec(BaseModel):
    """A scorer by name with its arguments — what a result records to re-score it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


ScoreFn = Callable[[Item, str], Score]
JudgeFn = Callable[[Item, str], list[ChatMessage]]
VerdictKeyFn = Callable[[Item, str], tuple[str, str, str]]


class Scorer(BaseModel):
    """A built scorer: call it with ``(item, completion)``.

    For a model-judged scorer (``judge`` is set) the runner first sends
    ``scorer.judge(item, completion)`` to the judge endpoint and then calls the scorer with the
    judge's reply instead of the completion.

    A scorer that is costly or unsafe to call again (one that executes the completion) sets
    ``verdict_key``: ``(answer hash, test hash, scorer version)``. The pipeline then stores its
    score under that key once and reads it back instead of calling the scorer again.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    spec: ScorerSpec
    fn: ScoreFn
    judge: JudgeFn | None = None
    verdict_key: VerdictKeyFn | None = None

    @property
    def needs_judge(self) -> bool:
        """Whether the runner must ask a judge model before scoring."""
        return self.judge is not None

    def __call__(self, item: Item, completion: str) -> Score:
        return self.fn(item, completion)


ScorerFactory = Callable[..., Scorer]
_REGISTRY: Registry[Scorer] = Registry("scorer", (TypeError, ValueError, re.error))
SCORERS: dict[str, ScorerFactory] = _REGISTRY.factories
"""Registered scorer factories by name."""

register_scorer = _REGISTRY.register
"""Register a factory under ``name``; it takes ``spec`` and its args as keywords."""

build_scorer = _REGISTRY.build
"""The scorer a spec names; unknown names or bad args raise :class:`MeasureInputError`."""


_THINK = re.compile(r"^.*</think>", re.DOTALL)


def strip_reasoning(text: str) -> str:
    """The completion without a leading ``<think>…</think>`` block (reasoning models)."""
    return _THINK.sub("", text) if "</think>" in text else text
