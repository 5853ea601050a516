"""Which quanheng metric a harness's task feeds, and which of its metrics to read.

A mapping is a list of rules, tried in order: the first rule whose ``match`` (a case-insensitive
``fnmatch`` glob) fits the task name decides the quanheng metric (``cn_knowledge.accuracy``), and
its ``source_metric`` list (globs, in order of preference) picks which of the task's reported
metrics to read. A ``--map FILE`` is tried before the built-in rules in ``mappings.yaml``, so a
user can send any task anywhere, or take a built-in one elsewhere.

File format (``quanheng/import-map@1``)::

    format: quanheng/import-map@1
    tasks:
      - match: "my_exam_*"            # glob on the task name (any "prefix/" removed)
        metric: cn_knowledge.accuracy # the quanheng metric; a framework leaf names it
        source_metric: [acc, accuracy]  # optional: the harness metric to read, first found
        harness: [lm-eval]            # optional: only for these harnesses
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from quanheng._files import display_path, problems_from_validation, read_yaml
from quanheng.errors import ResultsFileError

__all__ = [
    "DEFAULT_SOURCE_METRICS",
    "HARNESSES",
    "MAPPING_FORMAT",
    "Harness",
    "Mapping",
    "MappingRule",
    "builtin_mapping",
    "load_mapping",
]

MAPPING_FORMAT = "quanheng/import-map@1"

Harness = Literal["lm-eval", "opencompass", "inspect"]
HARNESSES: tuple[Harness, ...] = ("lm-eval", "opencompass", "inspect")

DEFAULT_SOURCE_METRICS: tuple[str, ...] = (
    "acc",
    "exact_match",
    "accuracy",
    "pass@1*",
    "pass_at_1*",
    "humaneval_pass@1",
    "score",
    "mean",
)
"""The harness metrics read when a rule names none, in order of preference. A glob matches a
metric's whole name (``exact_match,letter``) or its part before the comma (``exact_match``)."""


class MappingRule(BaseModel):
    """One rule: tasks matching ``match`` feed ``metric``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    match: str = Field(min_length=1)
    metric: str = Field(pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$")
    source_metric: tuple[str, ...] = ()
    harness: tuple[Harness, ...] = ()

    def fits(self, task: str, harness: str) -> bool:
        """Whether this rule applies to ``task`` of ``harness``."""
        if self.harness and harness not in self.harness:
            return False
        return fnmatch.fnmatchcase(_normal(task), self.match.lower())


class _MappingFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["quanheng/import-map@1"]
    tasks: tuple[MappingRule, ...]


@dataclass(frozen=True)
class Mapping:
    """Rules in the order they are tried (a user's file first, then the built-in ones)."""

    rules: tuple[MappingRule, ...]

    def rule_for(self, task: str, harness: str) -> MappingRule | None:
        """The first rule that applies to ``task``, or ``None``: the task is not mapped."""
        return next((r for r in self.rules if r.fits(task, harness)), None)

    def then(self, other: Mapping) -> Mapping:
        """This mapping's rules, then ``other``'s."""
        return Mapping(self.rules + other.rules)


def source_metric(rule: MappingRule, metrics: Sequence[str]) -> str | list[str] | None:
    """The task's metric ``rule`` reads: one name, the tied names, or ``None`` (none fits).

    The first preference glob that fits any of ``metrics`` decides; if it fits several (one
    metric under two lm-eval filters), the tie is returned for the caller to report.
    """
    for glob in rule.source_metric or DEFAULT_SOURCE_METRICS:
        pattern = glob.lower()
        hits = [
            m
            for m in metrics
            if fnmatch.fnmatchcase(m.lower(), pattern)
            or fnmatch.fnmatchcase(m.split(",")[0].lower(), pattern)
        ]
        if len(hits) == 1:
            return hits[0]
        if hits:
            return sorted(hits)
    return metrics[0] if len(metrics) == 1 and not rule.source_metric else None


def builtin_mapping() -> Mapping:
    """The rules shipped in ``quanheng/interop/mappings.yaml``."""
    ref = resources.files("quanheng.interop") / "mappings.yaml"
    with resources.as_file(ref) as path:
        return load_mapping(path)


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; every problem is reported, each with its line.

    Raises:
        ResultsFileError: the file is missing, not YAML, or not ``quanheng/import-map@1``.
    """
    raw = read_yaml(path, ResultsFileError)
    name = display_path(path)
    if not isinstance(raw, dict):
        raise ResultsFileError.single(
            name,
            None,
            "a mapping file is a YAML mapping",
            f"start it with `format: {MAPPING_FORMAT}`",
        )
    try:
        parsed = _MappingFile.model_validate(raw)
    except ValidationError as exc:
        raise ResultsFileError(problems_from_validation(exc, raw, name)) from None
    return Mapping(parsed.tasks)


def _normal(task: str) -> str:
    return task.rsplit("/", 1)[-1].lower()
