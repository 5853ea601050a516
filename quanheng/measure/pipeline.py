"""Measuring a study: suites × measured subjects → run store → metrics → measured leaves.

Two halves, kept apart on purpose:

* :func:`measure` sends. For every measured subject (an ``endpoint``, or a ``local_model`` that
  quanheng serves on 127.0.0.1 for the duration) and every task of the study's suites, it streams
  the task's items as requests through the runner into the study's :class:`RunStore`. Every
  answer is committed as it arrives; a re-run sends only what is missing. Rubric-judged tasks
  then send the judge its prompts, keyed and stored the same way.
* :func:`collect` reads. It recomputes the request keys from the study as it is now, looks the
  answers up, scores them with the task's scorer and turns them into
  :class:`~quanheng.measure.measurement.Measurement` values with bootstrap intervals. Scoring is
  never stored, so a fixed scorer re-scores old answers without a single new request.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quanheng._files import did_you_mean
from quanheng.errors import MeasureError, MeasureInputError
from quanheng.measure.datasets import Item
from quanheng.measure.keys import Request, request_key
from quanheng.measure.local_server import LocalServer
from quanheng.measure.lock import Holder, writer_lock
from quanheng.measure.measurement import Measurement
from quanheng.measure.metrics import MetricValue
from quanheng.measure.runner import Progress, RunSummary, run_requests
from quanheng.measure.scorers import Score, Scorer
from quanheng.measure.store import RunStore, StoredRequest
from quanheng.measure.suites import (
    Suite,
    Task,
    builtin_suite,
    load_suite,
    prepare_task,
    task_metrics,
)
from quanheng.specs.endpoint import Endpoint
from quanheng.study import Study, Subject

__all__ = [
    "JUDGE_SUFFIX",
    "LOCAL_BASE_URL",
    "MeasureResult",
    "TaskRun",
    "check_selection",
    "collect",
    "measure",
    "store_path",
    "study_suites",
    "subject_endpoint",
]

LOCAL_BASE_URL = "http://127.0.0.1/v1"
"""Base URL of a local model before its server starts; the port is not part of request keys."""

JUDGE_SUFFIX = ":judge"
"""Judge requests are stored under the judged task's id plus this suffix."""

_ENDPOINT_FIELDS = frozenset(Endpoint.model_fields)


@dataclass(frozen=True)
class TaskRun:
    """What measuring one task of one suite on one subject did."""

    subject: str
    suite: str
    task: str
    summary: RunSummary
    judged: RunSummary | None = None


@dataclass(frozen=True)
class MeasureResult:
    """Every task run of a :func:`measure` call, the tasks it had to skip (with why), and notes
    on how it ran (e.g. a local model served by the serial fallback server).

    The totals keep apart what the command line must not mix up: ``answered`` now, ``reused``
    from the store and ``failed`` (judge requests included), since a run with failures is not
    done — those items are retried by the next run.
    """

    runs: tuple[TaskRun, ...]
    skipped: tuple[tuple[str, str, str], ...]
    notes: tuple[str, ...] = ()

    def _summaries(self) -> Iterator[RunSummary]:
        for run in self.runs:
            yield run.summary
            if run.judged is not None:
                yield run.judged

    @property
    def answered(self) -> int:
        """Requests answered by this call (items and judge verdicts)."""
        return sum(s.ok for s in self._summaries())

    @property
    def reused(self) -> int:
        """Requests whose answer was already in the store, so nothing was sent for them."""
        return sum(s.cached for s in self._summaries())

    @property
    def failed(self) -> int:
        """Requests that failed for good in this call; the next run retries them."""
        return sum(s.errors for s in self._summaries())


ProgressSink = Callable[[str, str, Progress], None]


# --------------------------------------------------------------------------- planning


def store_path(study: Study) -> Path:
    """The study's run store file."""
    return study.path / study.spec.measure.store


def study_suites(study: Study, only: Sequence[str] | None = None) -> list[Suite]:
    """The study's suites (built-in ids or paths relative to the study), optionally filtered."""
    refs = list(study.spec.measure.suites)
    if only:
        unknown = [s for s in only if s not in refs]
        if unknown:
            raise MeasureInputError.single(
                "--suite",
                None,
                f"suite(s) {', '.join(unknown)} are not in the study's measure.suites"
                f"{did_you_mean(unknown[0], refs)}",
                f"use one of: {', '.join(refs)}",
            )
        refs = [r for r in refs if r in only]
    suites = []
    for ref in refs:
        path = study.path / ref
        suites.append(load_suite(path) if path.exists() else builtin_suite(ref))
    return suites


def check_selection(
    study: Study, suites: Sequence[str] | None = None, subjects: Sequence[str] | None = None
) -> None:
    """Refuse (one line each, exit 2 from the CLI) suites or subjects the study does not have."""
    study_suites(study, suites)
    _chosen_subjects(study, subjects)


def subject_endpoint(
    subject: Subject, base_url: str | None = None, concurrency: int = 1
) -> Endpoint:
    """The endpoint requests for ``subject`` go to (a local model's before or after start).

    For a local model, ``concurrency`` is what its server takes at once
    (:attr:`LocalServer.concurrency <quanheng.measure.local_server.LocalServer.concurrency>`:
    llama-server's slots, or 1 for the serial llama_cpp.server); it is not part of any request key.
    """
    if subject.endpoint is not None:
        return subject.endpoint
    if subject.local_model is None:
        raise MeasureInputError.single(
            "study.yaml",
            None,
            f"subject {subject.id!r} has no endpoint or local_model",
            "add `endpoint:` (base_url, model, api_key_env) or `local_model:`",
        )
    return Endpoint(
        base_url=base_url or LOCAL_BASE_URL,
        model=subject.local_model,
        max_concurrency=concurrency,
        timeout_s=600.0,
        max_retries=2,
    )


def task_endpoint(endpoint: Endpoint, task: Task) -> Endpoint:
    """The endpoint with the task's sampling settings (``max_tokens``, ``temperature`` …).

    Settings that are not endpoint fields (``top_k``, ``repetition_penalty`` …) go into the
    request body through ``extra_body``, so they are sent and are part of the request key.
    """
    update: dict[str, Any] = {k: v for k, v in task.sampling.items() if k in _ENDPOINT_FIELDS}
    extra = {k: v for k, v in task.sampling.items() if k not in _ENDPOINT_FIELDS}
    if extra:
        update["extra_body"] = {**endpoint.extra_body, **extra}
    return Endpoint.model_validate({**endpoint.model_dump(), **update}) if update else endpoint


def _limit(study: Study, suite: Suite, task: Task, override: int | None) -> int | None:
    if override is not None:
        return override
    return study.spec.measure.limit_for(suite.id, task.limit)


def _requests(
    subject: str, endpoint: Endpoint, suite: Suite, task: Task, limit: int | None, repeats: int
) -> Iterator[Request]:
    for prepared in prepare_task(suite, task, limit=limit):
        messages = [dict(m) for m in prepared.messages]
        for repeat in range(repeats):
            yield Request.build(
                endpoint,
                subject=subject,
                task=task.id,
                item_id=prepared.item.id,
                messages=messages,
                repeat=repeat,
                metadata={"suite": suite.id},
            )


def _judge_requests(
    subject: str,
    answers: Sequence[tuple[Item, Request, StoredRequest]],
    scorer: Scorer,
    judge: Endpoint,
    task: Task,
) -> Iterator[Request]:
    assert scorer.judge is not None
    for item, req, stored in answers:
        messages = [dict(m) for m in scorer.judge(item, stored.response or "")]
        yield Request.build(
            judge,
            subject=subject,
            task=task.id + JUDGE_SUFFIX,
            item_id=item.id,
            messages=messages,
            repeat=req.repeat,
            metadata={"judged_key": req.key},
        )


# --------------------------------------------------------------------------- sending


def measure(
    study: Study,
    *,
    suites: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
    concurrency: int | None = None,
    limit: int | None = None,
    progress: ProgressSink | None = None,
    wait: bool = False,
    on_wait: Callable[[Holder], None] | None = None,
) -> MeasureResult:
    """Run the study's suites against its measured subjects; resumable at any point.

    Only one process measures into a store at a time (:mod:`quanheng.measure.lock`): the lock
    is taken before anything is sent and held until the store is closed.

    Args:
        study: the study (its ``measure:`` section names suites, limits, judge and store).
        suites: only these suite ids (default: all of the study's).
        subjects: only these subject ids (default: every subject with an endpoint or model).
        concurrency: requests in flight per endpoint (default: each endpoint's own).
        limit: items per task, overriding the study's limits.
        progress: called as ``progress(subject, task, snapshot)`` while requests run.
        wait: when another process holds the store's lock, wait for it instead of failing.
        on_wait: called once with the holder before waiting.

    Raises:
        StoreInUse: another process is measuring into the same store (and ``wait`` is false).
    """
    chosen = _chosen_subjects(study, subjects)
    suite_list = study_suites(study, suites)
    path = store_path(study)
    with contextlib.ExitStack() as stack:
        stack.enter_context(writer_lock(path, wait=wait, on_wait=on_wait))
        servers: dict[str, tuple[str, int]] = {}
        store = stack.enter_context(RunStore(path))
        judge = _judge_subject(study)

        def endpoint_of(subject: Subject) -> Endpoint:
            if subject.local_model is None or _all_answered(
                study, store, subject, suite_list, judge, limit
            ):
                # nothing to send: no need to start (and wait for) a local server
                return subject_endpoint(subject)
            if subject.local_model not in servers:
                server = LocalServer(subject.local_model)
                url = stack.enter_context(server)
                servers[subject.local_model] = (url, server.concurrency)
                if server.note is not None:
                    notes.append(server.note)
            return subject_endpoint(subject, *servers[subject.local_model])

        settings = _Sending(study, store, concurrency, limit, progress)
        runs: list[TaskRun] = []
        skipped: list[tuple[str, str, str]] = []
        notes: list[str] = []
        for subject in chosen:
            endpoint = endpoint_of(subject)
            for suite in suite_list:
                for task in suite.tasks:
                    scorer = task.build_scorer()
                    if scorer.needs_judge and judge is None:
                        skipped.append((subject.id, task.id, "no judge: set measure.judge"))
                        continue
                    judge_ep = endpoint_of(judge) if scorer.needs_judge and judge else None
                    target = _Target(subject, endpoint, suite, task)
                    runs.append(_run_task(settings, target, scorer, judge_ep))
        return MeasureResult(tuple(runs), tuple(skipped), tuple(notes))


@dataclass(frozen=True, slots=True)
class _Target:
    """One task of one suite, for one subject at one endpoint."""

    subject: Subject
    endpoint: Endpoint
    suite: Suite
    task: Task


@dataclass(frozen=True, slots=True)
class _Sending:
    """What one :func:`measure` call applies to every task it runs."""

    study: Study
    store: RunStore
    concurrency: int | None
    limit: int | None
    progress: ProgressSink | None


def _run_task(
    settings: _Sending, target: _Target, scorer: Scorer, judge_endpoint: Endpoint | None
) -> TaskRun:
    """Send a task's requests (and, for judged tasks, the judge's), each run recorded."""
    study, store, concurrency, progress = (
        settings.study,
        settings.store,
        settings.concurrency,
        settings.progress,
    )
    subject, suite, task = target.subject, target.suite, target.task
    ep = task_endpoint(target.endpoint, task)
    if concurrency is None and subject.local_model is not None and _times_itself(task):
        concurrency = 1
    n = _limit(study, suite, task, settings.limit)
    repeats = study.spec.measure.repeats
    requests = list(_requests(subject.id, ep, suite, task, n, repeats))
    run_id = store.begin_run(
        study=study.id,
        suite=suite.id,
        subject=subject.id,
        settings={
            "task": task.id,
            "limit": n,
            "repeats": repeats,
            "endpoint": ep.model_dump(mode="json", exclude={"base_url"}),
        },
    )
    sink = None if progress is None else _bind(progress, subject.id, task.id)
    summary = asyncio.run(
        run_requests(ep, requests, store, concurrency=concurrency, run_id=run_id, progress_cb=sink)
    )
    store.finish_run(run_id)
    judged = None
    if judge_endpoint is not None:
        answers = _answers(store, suite, task, requests)
        judge_ep = task_endpoint(judge_endpoint, task).model_copy(update={"temperature": 0.0})
        judge_reqs = list(_judge_requests(subject.id, answers, scorer, judge_ep, task))
        judge_run = store.begin_run(
            study=study.id, suite=suite.id, subject=subject.id,
            settings={"task": task.id + JUDGE_SUFFIX, "judge": judge_ep.model},
        )  # fmt: skip
        judge_sink = None if progress is None else _bind(progress, subject.id, task.id + " ⚖")
        judged = asyncio.run(
            run_requests(
                judge_ep, judge_reqs, store, concurrency=concurrency, run_id=judge_run,
                progress_cb=judge_sink,
            )
        )  # fmt: skip
        store.finish_run(judge_run)
    return TaskRun(subject.id, suite.id, task.id, summary, judged)


def _times_itself(task: Task) -> bool:
    """Whether the task measures speed (``efficiency.*``): on a local model, whose requests share
    this machine's cores, it runs one request at a time so it times the model, not the load."""
    return any(m.startswith("efficiency.") for m in task.metrics)


def _all_answered(
    study: Study,
    store: RunStore,
    subject: Subject,
    suites: Sequence[Suite],
    judge: Subject | None,
    limit: int | None,
) -> bool:
    """Whether every request :func:`measure` would send for ``subject`` already has an answer."""
    endpoint = subject_endpoint(subject)
    repeats = study.spec.measure.repeats
    for suite in suites:
        for task in suite.tasks:
            scorer = task.build_scorer()
            if scorer.needs_judge and judge is None:
                continue
            if scorer.needs_judge and judge is not None and judge.id == subject.id:
                return False  # judging: the judge's requests depend on answers, check by sending
            n = _limit(study, suite, task, limit)
            ep = task_endpoint(endpoint, task)
            for req in _requests(subject.id, ep, suite, task, n, repeats):
                stored = store.get(req.key)
                if stored is None or stored.status != "ok":
                    return False
    return True


def _bind(progress: ProgressSink, subject: str, task: str) -> Callable[[Progress], None]:
    return lambda snapshot: progress(subject, task, snapshot)


def _chosen_subjects(study: Study, only: Sequence[str] | None) -> list[Subject]:
    measured = [s for s in study.subjects if s.measured]
    if only:
        known = {s.id for s in measured}
        unknown = [s for s in only if s not in known]
        if unknown:
            raise MeasureInputError.single(
                "--subject",
                None,
                f"{', '.join(unknown)} has no endpoint or local_model in the study"
                f"{did_you_mean(unknown[0], sorted(known))}",
                f"measured subjects: {', '.join(sorted(known)) or 'none'}",
            )
        return [s for s in measured if s.id in only]
    return measured


def _judge_subject(study: Study) -> Subject | None:
    judge = study.spec.measure.judge
    return next((s for s in study.subjects if s.id == judge), None) if judge else None


def _answers(
    store: RunStore, suite: Suite, task: Task, requests: Sequence[Request]
) -> list[tuple[Item, Request, StoredRequest]]:
    items = {p.item.id: p.item for p in prepare_task(suite, task, limit=None)}
    out = []
    for req in requests:
        stored = store.get(req.key)
        if stored is not None and stored.status == "ok" and req.item_id in items:
            out.append((items[req.item_id], req, stored))
    return out


# --------------------------------------------------------------------------- reading


def collect(study: Study, *, seed: int = 0) -> list[Measurement]:
    """Measured values of every measured subject from the study's run store (none if absent).

    Keys are recomputed from the study as it is now, so answers to other prompts or other
    sampling settings are never mixed in; items without an answer are left out of the metrics
    (their count is ``n``), never counted as wrong. The store is opened read-only
    (:class:`RunStore` ``read_only``), so a store on a read-only disk or folder can be read.

    Code answers are executed once: a scorer with a ``verdict_key`` is read from the store's
    verdicts; only answers without one (a store older than the table) are executed, and their
    verdicts are written afterwards, so the next read executes nothing. Where the store cannot
    be written, they are executed on each read instead.

    Values imported from other harnesses (``quanheng import``, the store's ``imports`` table)
    come after the study's own, each with its origin in ``imported``; scoring decides which
    one a leaf shows where both exist.
    """
    path = store_path(study)
    if not path.exists():
        return []
    out: list[Measurement] = []
    judge = _judge_subject(study)
    fresh: list[_Verdict] = []
    with RunStore(path, read_only=True) as store:  # reading needs no write access
        reading = _Reading(study, store, judge, seed, {}, fresh)
        for subject in (s for s in study.subjects if s.measured):
            endpoint = subject_endpoint(subject)
            for suite in study_suites(study):
                for task in suite.tasks:
                    metrics, runs = _task_metrics(reading, _Target(subject, endpoint, suite, task))
                    out.extend(
                        Measurement(
                            subject=subject.id,
                            metric=name,
                            value=value.value,
                            low=value.low,
                            high=value.high,
                            n=value.n,
                            runs=runs,
                        )
                        for name, value in sorted(metrics.items())
                        if not math.isnan(value.value)
                    )
        known = {s.id for s in study.subjects}
        out.extend(c for r in store.imports() for c in r.cells if c.subject in known)
    if fresh:
        _save_verdicts(path, fresh)
    return out


_Verdict = tuple[tuple[str, str, str], Score]


def _save_verdicts(path: Path, verdicts: list[_Verdict]) -> None:
    """Write verdicts computed while reading; a store that cannot be written keeps none."""
    try:
        with RunStore(path) as store:
            for key, score in verdicts:
                store.put_verdict(key, score.value, score.answer, score.explanation)
    except (MeasureError, sqlite3.Error, OSError):
        return


@dataclass(frozen=True, slots=True)
class _Reading:
    """One :func:`collect` pass over a store: what every task's metrics are read with.

    ``cache`` holds each task's dataset items (read once per pass); ``fresh`` collects the code
    verdicts computed during the pass, written to the store when it ends.
    """

    study: Study
    store: RunStore
    judge: Subject | None
    seed: int
    cache: _ItemCache
    fresh: list[_Verdict]


def _task_metrics(
    reading: _Reading, target: _Target
) -> tuple[dict[str, MetricValue], tuple[str, ...]]:
    """A task's metrics from the stored answers to the requests the study would send now."""
    study, store, judge = reading.study, reading.store, reading.judge
    suite, task, subject = target.suite, target.task, target.subject.id
    scorer = task.build_scorer()
    if scorer.needs_judge and judge is None:
        return {}, ()
    ep = task_endpoint(target.endpoint, task)
    n = _limit(study, suite, task, None)
    items: dict[str, Item] = {}
    per_item: dict[str, list[float]] = {}
    records: list[dict[str, Any]] = []
    runs: set[str] = set()
    judge_ep = (
        task_endpoint(subject_endpoint(judge), task).model_copy(update={"temperature": 0.0})
        if scorer.needs_judge and judge is not None
        else None
    )
    for req in _requests(subject, ep, suite, task, n, study.spec.measure.repeats):
        stored = store.get(req.key)
        if stored is None or stored.status != "ok":
            continue
        item = _item_of(reading.cache, suite, task, req.item_id, n)
        items[item.id] = item
        runs.add(stored.run_id)
        records.append(_record(stored))
        score = _score(store, scorer, item, stored, judge_ep, req.repeat, reading.fresh)
        if score is not None:
            per_item.setdefault(item.id, []).append(score.value)
    scores = {k: sum(v) / len(v) for k, v in per_item.items()}
    metrics = task_metrics(task, list(items.values()), scores, records=records, seed=reading.seed)
    return metrics, tuple(sorted(runs))


_ItemCache = dict[tuple[str, str, str, int | None], dict[str, Item]]


def _item_of(cache: _ItemCache, suite: Suite, task: Task, item_id: str, limit: int | None) -> Item:
    """The dataset item behind a request (each task's items are read once per collect)."""
    key = (suite.directory, suite.id, task.id, limit)
    if key not in cache:
        cache[key] = {p.item.id: p.item for p in prepare_task(suite, task, limit=limit)}
    return cache[key][item_id]


def _score(
    store: RunStore,
    scorer: Scorer,
    item: Item,
    stored: StoredRequest,
    judge: Endpoint | None,
    repeat: int,
    fresh: list[_Verdict],
) -> Score | None:
    """Score one stored answer: a stored code verdict, the judge's stored verdict, or the scorer.

    A code verdict computed here is appended to ``fresh`` for the caller to store.
    """
    completion = stored.response or ""
    if judge is None and scorer.verdict_key is not None:
        key = scorer.verdict_key(item, completion)
        known = store.verdict(key)
        if known is not None:
            return Score(value=known[0], answer=known[1], explanation=known[2])
        score = scorer(item, completion)
        fresh.append((key, score))
        return score
    if judge is None:
        return scorer(item, completion)
    assert scorer.judge is not None
    messages = [dict(m) for m in scorer.judge(item, completion)]
    verdict = store.get(request_key(judge, messages, repeat))
    if verdict is None or verdict.status != "ok":
        return None
    return scorer(item, verdict.response or "")


def _record(stored: StoredRequest) -> dict[str, Any]:
    return {
        "latency_s": stored.latency_s or 0.0,
        "ttft_s": stored.ttft_s,
        "output_tokens": stored.output_tokens or 0,
        "input_tokens": stored.input_tokens or 0,
        "output_tokens_per_s": stored.output_tps,
        "cost": stored.cost,
    }
