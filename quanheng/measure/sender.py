"""One item through to its one recorded outcome: admission, attempts, back-off, the record.

For each item the sender serialises the body once (the same sorted-key JSON the store keeps),
then, per attempt, takes a slot from the :class:`~quanheng.measure.limiter.Limiter`, sends, and
gives the slot back. A retryable failure (429, 5xx, timeouts, dropped or cut connections) is
retried up to ``endpoint.max_retries`` times after an exponential back-off with jitter (seeded,
so runs are repeatable) or the server's ``Retry-After`` if longer; a non-retryable one (400,
401, 403, 404, ...) stops at once. Exactly one outcome per item is queued in the run store —
``ok`` with the answer, or ``error`` with the last reason — and every failed attempt goes to
the append-only attempts log. The :class:`~quanheng.measure.committer.Committer` decides when
those writes are committed.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from quanheng.measure.client import RequestFailed, scrub
from quanheng.measure.committer import Committer
from quanheng.measure.keys import Request, _dumps, json_template, messages_json
from quanheng.measure.limiter import Limiter
from quanheng.measure.progress import Counters
from quanheng.measure.records import Answer, FailedAttempt
from quanheng.measure.store import RunStore
from quanheng.measure.transport import Send
from quanheng.specs.endpoint import Endpoint

__all__ = ["ItemSender", "RetryPolicy", "RunContext", "body_template"]

log = logging.getLogger("quanheng.measure")


class RetryPolicy(BaseModel):
    """How long to wait between attempts (the number of retries is ``Endpoint.max_retries``).

    Attributes:
        base_s: back-off before the first retry; doubles per retry.
        max_s: cap on one back-off.
        max_retry_after_s: cap on a server's ``Retry-After`` (a broken server asking for a day
            should not stall a run for a day).
        seed: seeds the jitter so repeated runs wait the same; ``None`` for fresh entropy.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_s: float = Field(default=0.5, ge=0.0)
    max_s: float = Field(default=30.0, ge=0.0)
    max_retry_after_s: float = Field(default=120.0, ge=0.0)
    seed: int | None = 0


@dataclass(frozen=True, slots=True)
class RunContext:
    """The parts of one run that every item's attempts use, made once per run.

    Attributes:
        run_id: the run outcomes are recorded under.
        endpoint: the body, retries and prices.
        store: where outcomes and failed attempts are queued.
        policy: the back-off.
        secrets: scrubbed from every error text (the API key).
        counters: the run's tallies.
        limiter: the slots in flight.
        committer: told after every write.
    """

    run_id: str
    endpoint: Endpoint
    store: RunStore
    policy: RetryPolicy
    secrets: list[str]
    counters: Counters
    limiter: Limiter
    committer: Committer


_MESSAGES = "\x00quanheng-body-messages\x00"


def body_template(endpoint: Endpoint) -> tuple[str, ...] | None:
    """The request body's sorted-key JSON before and after its messages, once per run.

    The body differs between items only in its messages, so ``head + json(messages) + tail``
    (:func:`~quanheng.measure.keys.json_template`) is exactly ``_dumps(body)`` (a test
    compares them) without re-serialising the fixed fields for every item.
    """
    return json_template(endpoint.body(_MESSAGES), _MESSAGES)  # type: ignore[arg-type]


class ItemSender:
    """Sends items over ``send`` with retries and records each one's outcome.

    One sender serves every worker of a run; it keeps the run's parts as attributes and the
    jitter's random generator, which every retry draws from in the order retries happen.

    Args:
        context: the run's parts.
        send: the run's transport (:func:`~quanheng.measure.transport.open_transport`).
    """

    def __init__(self, context: RunContext, send: Send) -> None:
        endpoint = context.endpoint
        self._send = send
        self._run_id = context.run_id
        self._endpoint = endpoint
        self._store = context.store
        self._policy = context.policy
        self._secrets = context.secrets
        self._counters = context.counters
        self._limiter = context.limiter
        self._committer = context.committer
        self._rng = random.Random(context.policy.seed)
        self._max_retries = endpoint.max_retries
        self._priced = (
            endpoint.price_input_per_mtok is not None and endpoint.price_output_per_mtok is not None
        )
        self._body_around = body_template(endpoint)

    def body_json(self, req: Request) -> str:
        """The body sent for ``req``, as the store keeps it."""
        around = self._body_around
        if around is not None:
            return around[0] + messages_json(req.messages) + around[1]
        return _dumps(self._endpoint.body(req.messages))

    async def send_item(self, req: Request) -> None:
        """Attempt ``req`` until it is answered, fails for good, or retries run out."""
        loop = asyncio.get_running_loop()
        limiter, counters, committer, send = (
            self._limiter,
            self._counters,
            self._committer,
            self._send,
        )
        body_json = self.body_json(req)
        payload = body_json.encode("utf-8")
        attempt = 0
        while True:
            attempt += 1
            if not limiter.try_acquire(loop.time()):
                await limiter.acquire()
            counters.attempts += 1
            counters.in_flight += 1
            try:
                result = await send(payload)
            except RequestFailed as failure:
                counters.in_flight -= 1
                limiter.release()
                committer.check()
                delay = self._record_failure(req, body_json, failure, attempt, loop.time())
                if delay is None:
                    return
                await asyncio.sleep(delay)
                continue
            except BaseException:
                counters.in_flight -= 1
                limiter.release()
                raise
            counters.in_flight -= 1
            limiter.release()
            committer.check()
            self._record_ok(req, body_json, result, attempt)
            return

    def _record_ok(self, req: Request, body_json: str, answer: Answer, attempt: int) -> None:
        """Queue the answer with its cost, tell the limiter and the committer, count it."""
        self._limiter.on_success(answer.latency_s)
        input_tokens = answer.input_tokens
        output_tokens = answer.output_tokens
        cost = self._endpoint.cost(input_tokens, output_tokens) if self._priced else None
        self._store._queue_ok(req, self._run_id, body_json, answer, cost, attempt)
        self._committer.schedule()
        counters = self._counters
        counters.ok += 1
        if input_tokens is None:
            counters.input_unknown += 1
        elif input_tokens:
            counters.input_tokens += input_tokens
        if output_tokens:
            counters.output_tokens += output_tokens
        if cost is not None:
            counters.cost += cost
            counters.priced += 1

    def _record_failure(
        self, req: Request, body_json: str, failure: RequestFailed, attempt: int, now: float
    ) -> float | None:
        """Log a failed attempt; the back-off before the next one, or ``None`` if final.

        An overload shrinks the limit and a ``Retry-After`` pauses every new attempt, whether
        or not this item is tried again.
        """
        message = scrub(str(failure), self._secrets)
        limiter = self._limiter
        if failure.overload:
            limiter.on_overload(now)
        retry_after = None
        if failure.retry_after_s is not None:
            retry_after = min(failure.retry_after_s, self._policy.max_retry_after_s)
            limiter.pause(now, retry_after)
        failed = FailedAttempt(
            attempt, failure.kind, failure.http_status, message, retry_after, failure.latency_s
        )
        self._store.log_attempt(req.key, run_id=self._run_id, attempt=failed, commit=False)
        self._committer.schedule()
        if not failure.retryable or attempt > self._max_retries:
            why = "not retryable" if not failure.retryable else "retries exhausted"
            self._store._queue_error(
                req,
                self._run_id,
                body_json,
                f"{failure.kind}: {message} ({why} after {attempt} attempt(s))",
                attempt,
            )
            self._counters.errors += 1
            log.warning("item %s/%s failed: %s", req.task, req.item_id, message)
            return None
        self._counters.retries += 1
        delay = self._backoff(attempt, retry_after)
        log.debug("retry %d of %s/%s in %.2fs: %s", attempt, req.task, req.item_id, delay, message)
        return delay

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential back-off with jitter in its upper half, or ``retry_after`` if longer."""
        policy = self._policy
        step: float = min(policy.max_s, policy.base_s * 2 ** (attempt - 1))
        delay = step / 2 + self._rng.uniform(0, step / 2)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay
