"""Asking a model, through the measurement runner: keyed, stored, resumable, concurrent, costed.

Extraction requests are measurement requests with another task name (:data:`TASK`): each is
built with :meth:`~quanheng.measure.keys.Request.build`, so its key is the hash of endpoint,
model, messages and sampling; it is sent by :func:`~quanheng.measure.runner.run_requests` into
the study's run store (``measure.store``) under the store's writer lock, and its answer is
read back from there. A re-run builds the same keys and finds them answered: nothing is sent,
and the local server is not even started. An interrupted run keeps every answer received.

The model is the study's local model by default (the first subject with ``local_model:``,
else the catalogue's default), served for the duration by
:class:`~quanheng.measure.local_server.LocalServer`; ``--with SUBJECT`` uses any measured
subject's endpoint instead. Sampling is greedy (temperature 0) so a re-run would get the same
answer anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quanheng._files import did_you_mean
from quanheng.errors import StudyError
from quanheng.measure.keys import Request
from quanheng.measure.local_server import LocalServer
from quanheng.measure.lock import writer_lock
from quanheng.measure.pipeline import LOCAL_BASE_URL, store_path, subject_endpoint
from quanheng.measure.runner import run_requests
from quanheng.measure.store import RunStore
from quanheng.specs.endpoint import Endpoint
from quanheng.study import Study

__all__ = ["DEFAULT_LOCAL_MODEL", "MAX_TOKENS", "TASK", "Answers", "ModelTarget", "ask",
           "choose_model"]  # fmt: skip

TASK = "extract"
"""The run store's task name for extraction requests."""

MAX_TOKENS = 256
"""Longest answer asked for: a passage's proposals fit in well under this."""
DEFAULT_LOCAL_MODEL = "qwen2.5-coder-0.5b-q4km"


@dataclass(frozen=True)
class ModelTarget:
    """The model proposals are asked of.

    Attributes:
        subject: the study subject whose endpoint or local model it is (``local:MODEL`` when
            the study has none and the catalogue's default is used).
        endpoint: the endpoint before a local server starts (keys do not depend on its port).
        local_model: the local model's id, when quanheng serves it.
    """

    subject: str
    endpoint: Endpoint
    local_model: str | None

    @property
    def name(self) -> str:
        """The model's name, as proposals record it."""
        return self.endpoint.model


def choose_model(
    study: Study, with_subject: str | None = None, *, max_tokens: int = MAX_TOKENS
) -> ModelTarget:
    """The study's local model, or the endpoint of subject ``with_subject``, sampling greedily.

    ``max_tokens`` is part of every request key: answers to a shorter limit are not reused.

    Raises:
        StudyError: ``with_subject`` is not a subject of the study, or has neither an
            endpoint nor a local model.
    """

    def _greedy(endpoint: Endpoint) -> Endpoint:
        return endpoint.model_copy(update={"temperature": 0.0, "max_tokens": max_tokens})

    if with_subject is None:
        local = next((s for s in study.subjects if s.local_model), None)
        if local is None:
            endpoint = Endpoint(
                base_url=LOCAL_BASE_URL, model=DEFAULT_LOCAL_MODEL, max_concurrency=1,
                timeout_s=600.0, max_retries=2,
            )  # fmt: skip
            return ModelTarget(
                f"local:{DEFAULT_LOCAL_MODEL}", _greedy(endpoint), DEFAULT_LOCAL_MODEL
            )
        return ModelTarget(local.id, _greedy(subject_endpoint(local)), local.local_model)
    ids = [s.id for s in study.subjects]
    if with_subject not in ids:
        raise StudyError.single(
            "--with", None,
            f"subject {with_subject!r} is not in the study{did_you_mean(with_subject, ids)}",
            "name a subject with an endpoint: or local_model:",
        )  # fmt: skip
    subject = study.subject(with_subject)
    if not subject.measured:
        measured = [s.id for s in study.subjects if s.measured]
        raise StudyError.single(
            "--with", None, f"subject {with_subject!r} has no endpoint or local_model",
            f"use one of: {', '.join(measured) or 'none (add endpoint: to a subject)'}",
        )  # fmt: skip
    return ModelTarget(subject.id, _greedy(subject_endpoint(subject)), subject.local_model)


@dataclass(frozen=True)
class Answers:
    """What :func:`ask` got.

    Attributes:
        texts: request key → the answer text (keys that failed are absent).
        sent: requests answered now.
        reused: requests whose answer was already stored (nothing sent).
        failed: requests that failed for good this time (a re-run retries them).
        cost: cost of what was sent, when the endpoint has prices.
        unsent: requests not answered and not sent (``send=False``).
    """

    texts: dict[str, str]
    sent: int
    reused: int
    failed: int
    cost: float | None
    unsent: int = 0


def build_requests(
    target: ModelTarget, prompts: Sequence[tuple[str, list[dict[str, Any]], dict[str, Any]]]
) -> list[Request]:
    """One keyed request per ``(item_id, messages, metadata)``."""
    return [
        Request.build(
            target.endpoint,
            subject=target.subject,
            task=TASK,
            item_id=item_id,
            messages=messages,
            metadata=metadata,
        )
        for item_id, messages, metadata in prompts
    ]


def ask(
    study: Study, target: ModelTarget, requests: Sequence[Request], *, send: bool = True
) -> Answers:
    """Send what is not yet answered in the study's run store, then read every answer.

    With ``send=False`` nothing is sent: only the answers already stored are read (a benchmark
    or a reviewer looking at what an interrupted run got).
    """
    path = store_path(study)
    unique = list({r.key: r for r in requests}.values())
    if not send:
        return _stored(path, unique)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        stack.enter_context(writer_lock(path))
        store = stack.enter_context(RunStore(path))
        done = store.completed_keys(r.key for r in unique)
        missing = [r for r in unique if r.key not in done]
        sent = failed = 0
        cost: float | None = None
        if missing:
            endpoint = target.endpoint
            if target.local_model is not None:
                url = stack.enter_context(LocalServer(target.local_model))
                endpoint = endpoint.model_copy(update={"base_url": url})
            run_id = store.begin_run(
                study=study.id, suite=TASK, subject=target.subject,
                settings={"task": TASK,
                          "endpoint": endpoint.model_dump(mode="json", exclude={"base_url"})},
            )  # fmt: skip
            summary = asyncio.run(run_requests(endpoint, missing, store, run_id=run_id))
            store.finish_run(run_id)
            sent, failed, cost = summary.ok, summary.errors, summary.cost
        texts: dict[str, str] = {}
        for req in unique:
            stored = store.get(req.key)
            if stored is not None and stored.status == "ok":
                texts[req.key] = stored.response or ""
    return Answers(texts, sent, len(unique) - len(missing), failed, cost)


def _stored(path: Path, requests: Sequence[Request]) -> Answers:
    """The answers already in the store, read-only and without the writer lock."""
    texts: dict[str, str] = {}
    if path.exists():
        with RunStore(path, read_only=True) as store:
            for req in requests:
                stored = store.get(req.key)
                if stored is not None and stored.status == "ok":
                    texts[req.key] = stored.response or ""
    return Answers(texts, 0, len(texts), 0, None, len(requests) - len(texts))
