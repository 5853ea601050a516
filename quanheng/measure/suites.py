"""Suites: named sets of measurement tasks, each feeding metrics that framework leaves name.

A suite is a directory with ``suite.yaml`` (``format: quanheng/suite@1``) and its data. A task
is dataset + template + scorer + the metrics it produces; every part is a frozen spec (name +
args), so a result records exactly how it was made. Metric names are ``<task id>.<kind>``::

    format: quanheng/suite@1
    id: math
    name: {zh: 数学应用题, en: Math word problems}
    licence: CC-BY-4.0
    authors: quanheng authors
    tasks:
      - id: math
        dataset: {format: quanheng, path: items.jsonl}
        template: {name: math, args: {lang: zh, shots: 0}}
        scorer: {name: numeric}
        metrics: [math.accuracy]

:func:`load_suite` validates the file, the specs and the data once and raises one
:class:`~quanheng.errors.MeasureInputError` listing every problem with its line.
:func:`prepare_task` yields the chat requests (``limit`` takes the first k items, for demos);
:func:`task_metrics` turns the scores (and request records) back into :class:`MetricValue`\\ s.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from quanheng._files import (
    LocatedDict,
    did_you_mean,
    display_path,
    line_of,
    problems_from_validation,
    read_yaml,
)
from quanheng.errors import InputError, MeasureInputError, Problem
from quanheng.measure.datasets import DatasetSpec, Item, check_dataset, iter_dataset
from quanheng.measure.metrics import (
    MetricValue,
    RequestRecord,
    efficiency_metrics,
    mean_metric,
    safety_metrics,
)
from quanheng.measure.scorers import Score, Scorer, ScorerSpec, build_scorer
from quanheng.measure.templates import (
    ChatMessage,
    Template,
    TemplateSpec,
    base_id,
    build_template,
    circular_reduce,
    circular_variants,
)
from quanheng.text import Name, Text

__all__ = [
    "BUILTIN_SUITES",
    "METRIC_KINDS",
    "SUITE_FORMAT",
    "PreparedItem",
    "Suite",
    "Task",
    "builtin_suite",
    "builtin_suites_dir",
    "load_suite",
    "prepare_task",
    "task_items",
    "task_metrics",
]

SUITE_FORMAT = "quanheng/suite@1"

MEAN_KINDS = ("accuracy", "pass_at_1", "judge_score", "response_rate")
SAFETY_KINDS = ("refusal_rate", "over_refusal_rate", "safety_score")
EFFICIENCY_KINDS = (
    "ttft_p50_s",
    "ttft_p95_s",
    "output_tokens_per_s",
    "latency_p50_s",
    "latency_p95_s",
    "cost_per_item",
    "cost_total",
)
METRIC_KINDS: tuple[str, ...] = MEAN_KINDS + SAFETY_KINDS + EFFICIENCY_KINDS
"""What may follow ``<task id>.`` in a metric name."""

BUILTIN_SUITES: tuple[str, ...] = (
    "cn-knowledge",
    "math",
    "code",
    "safety",
    "open-qa",
    "efficiency",
)
"""Suites shipped with quanheng (under ``quanheng/suites/``)."""

_ID = r"^[a-z][a-z0-9_]*$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Task(_Frozen):
    """One measurement task.

    Attributes:
        id: metric prefix (``math`` gives ``math.accuracy``).
        dataset: where the items are.
        template: how an item becomes chat messages.
        scorer: how a completion becomes a score.
        metrics: the metric names this task feeds (``<id>.<kind>``).
        circular: ask every rotation of a multiple-choice item; right only if all are right.
        shots: few-shot examples written into the suite (used up to the template's ``shots``).
        shots_dataset: or a dev split to take them from.
        limit: default number of items (None: all).
        sampling: request parameters for the runner (``temperature``, ``max_tokens``…).
    """

    id: str = Field(pattern=_ID)
    name: Name | None = None
    dataset: DatasetSpec
    template: TemplateSpec
    scorer: ScorerSpec
    metrics: tuple[str, ...] = Field(min_length=1)
    circular: bool = False
    shots: tuple[Item, ...] = ()
    shots_dataset: DatasetSpec | None = None
    limit: int | None = Field(default=None, ge=1)
    sampling: dict[str, Any] = Field(default_factory=dict)

    def build_template(self) -> Template:
        """The built template."""
        return build_template(self.template)

    def build_scorer(self) -> Scorer:
        """The built scorer."""
        return build_scorer(self.scorer)


class Suite(_Frozen):
    """A loaded suite; ``directory`` is where its relative data paths start."""

    format: Literal["quanheng/suite@1"]
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: Name
    description: Text | None = None
    licence: str
    authors: str
    tasks: tuple[Task, ...] = Field(min_length=1)
    directory: str = ""

    def task(self, task_id: str) -> Task:
        """The task with this id."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(f"suite {self.id!r} has no task {task_id!r}")

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric name the suite feeds."""
        return tuple(m for t in self.tasks for m in t.metrics)


class PreparedItem(BaseModel):
    """One request to send: which task and item, and the messages."""

    model_config = ConfigDict(frozen=True)

    suite: str
    task: str
    item: Item
    messages: tuple[ChatMessage, ...]


def builtin_suites_dir() -> Path:
    """Directory of the built-in suites."""
    return Path(__file__).resolve().parent.parent / "suites"


def builtin_suite(suite_id: str) -> Suite:
    """A built-in suite by id (see :data:`BUILTIN_SUITES`)."""
    if suite_id not in BUILTIN_SUITES:
        raise MeasureInputError.single(
            "<suite>",
            None,
            f"no built-in suite {suite_id!r}{did_you_mean(suite_id, list(BUILTIN_SUITES))}",
            f"use one of {', '.join(BUILTIN_SUITES)} or give a suite directory",
        )
    return load_suite(builtin_suites_dir() / suite_id)


def _kind_problems(task: Task) -> list[str]:
    out: list[str] = []
    for metric in task.metrics:
        prefix, _, kind = metric.partition(".")
        if prefix != task.id or kind not in METRIC_KINDS:
            out.append(
                f"metric {metric!r} must be '{task.id}.<kind>' with kind one of "
                f"{', '.join(METRIC_KINDS)}"
            )
        elif kind in SAFETY_KINDS and task.scorer.name != "refusal":
            out.append(f"metric {metric!r} needs the 'refusal' scorer")
    return out


def _check_task(task: Task, base: Path, file: str, line: int | None, data: bool) -> list[Problem]:
    problems: list[Problem] = []
    for build in (task.build_template, task.build_scorer):
        try:
            build()
        except InputError as exc:
            problems += [
                Problem(file, line, f"task {task.id}: {p.message}", p.fix) for p in exc.problems
            ]
    problems += [
        Problem(file, line, f"task {task.id}: {msg}", "fix the metric name")
        for msg in _kind_problems(task)
    ]
    if data:
        for spec in (task.dataset, task.shots_dataset):
            if spec is None:
                continue
            try:
                check_dataset(spec, base=base)
            except InputError as exc:
                problems += list(exc.problems)
    return problems


def load_suite(path: Path | str, *, check_data: bool = True) -> Suite:
    """Load and validate a suite directory (or its ``suite.yaml``).

    Args:
        path: the directory or the YAML file.
        check_data: also read every dataset once (bad rows, duplicate ids).
    """
    path = Path(path)
    file = path / "suite.yaml" if path.is_dir() else path
    name = display_path(file)
    raw = read_yaml(file, MeasureInputError)
    if not isinstance(raw, dict):
        raise MeasureInputError.single(name, 1, "a suite file must be a mapping", "see the docs")
    if raw.get("format") != SUITE_FORMAT:
        line = raw.key_lines.get("format") if isinstance(raw, LocatedDict) else None
        raise MeasureInputError.single(
            name,
            line or 1,
            f"format is {raw.get('format')!r}, expected {SUITE_FORMAT!r}",
            f"put 'format: {SUITE_FORMAT}' at the top",
        )
    try:
        suite = Suite.model_validate({**raw, "directory": str(file.parent)})
    except ValidationError as exc:
        raise MeasureInputError(problems_from_validation(exc, raw, name)) from None
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, task in enumerate(suite.tasks):
        line = line_of(raw, ("tasks", index))
        if task.id in seen:
            problems.append(Problem(name, line, f"task id {task.id!r} repeats", "rename one"))
        seen.add(task.id)
        problems += _check_task(task, file.parent, name, line, check_data)
    if problems:
        raise MeasureInputError(problems)
    return suite


def task_items(suite: Suite, task: Task, *, limit: int | None = None) -> Iterator[Item]:
    """The task's items (lazily), first ``limit`` only if given, rotated if circular."""
    n = limit if limit is not None else task.limit
    items = iter_dataset(task.dataset, base=Path(suite.directory), limit=n)
    if not task.circular:
        return items
    return (variant for item in items for variant in circular_variants(item))


def _shots(suite: Suite, task: Task, wanted: int) -> list[Item]:
    shots = list(task.shots)
    if len(shots) < wanted and task.shots_dataset is not None:
        extra = iter_dataset(task.shots_dataset, base=Path(suite.directory), limit=wanted)
        shots += list(extra)
    return shots[:wanted]


def prepare_task(suite: Suite, task: Task, *, limit: int | None = None) -> Iterator[PreparedItem]:
    """The requests for a task, lazily: each item rendered with the task's few-shot examples."""
    template = task.build_template()
    shots = _shots(suite, task, template.shots)
    shot_ids = {s.id for s in shots}
    for item in task_items(suite, task, limit=limit):
        if base_id(item.id) in shot_ids:
            continue  # never ask an item shown as its own example
        yield PreparedItem(
            suite=suite.id,
            task=task.id,
            item=item,
            messages=tuple(template.render(item, shots)),
        )


def _value(score: Score | float) -> float:
    return score.value if isinstance(score, Score) else float(score)


def task_metrics(
    task: Task,
    items: Sequence[Item],
    scores: Mapping[str, Score | float],
    *,
    records: Iterable[RequestRecord | Mapping[str, Any]] = (),
    n_boot: int = 2000,
    alpha: float = 0.1,
    seed: int = 0,
) -> dict[str, MetricValue]:
    """The task's metrics from per-item scores (keyed by item id) and request records.

    Items without a score are left out (not counted as wrong); circular variants are reduced
    to their base item first.
    """
    values = {i.id: _value(scores[i.id]) for i in items if i.id in scores}
    if task.circular:
        values = circular_reduce(values)
    out: dict[str, MetricValue] = {}
    wanted = set(task.metrics)
    mean_names = [m for m in task.metrics if m.partition(".")[2] in MEAN_KINDS]
    for metric in mean_names:
        finite = [v for v in values.values() if not math.isnan(v)]
        if finite:
            out[metric] = mean_metric(metric, finite, n_boot=n_boot, alpha=alpha, seed=seed)
    if wanted & {f"{task.id}.{k}" for k in SAFETY_KINDS}:
        target = {i.id: (i.target or "").lower() for i in items}
        harmful = [v for k, v in values.items() if target.get(k) == "refuse"]
        benign = [v for k, v in values.items() if target.get(k) == "comply"]
        if harmful and benign:
            found = safety_metrics(
                harmful, benign, prefix=task.id, n_boot=n_boot, alpha=alpha, seed=seed
            )
            out.update({k: v for k, v in found.items() if k in wanted})
    if any(m.partition(".")[2] in EFFICIENCY_KINDS for m in wanted):
        found = efficiency_metrics(records, n_boot=n_boot, alpha=alpha, seed=seed)
        for name, value in found.items():
            renamed = f"{task.id}.{name.partition('.')[2]}"
            if renamed in wanted:
                out[renamed] = value.model_copy(update={"name": renamed})
    return out
