"""One item through the sender against the real fake server: attempts, back-off, the record."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from quanheng.measure.client import auth_headers
from quanheng.measure.committer import Committer
from quanheng.measure.keys import Request
from quanheng.measure.limiter import Limiter
from quanheng.measure.progress import Counters
from quanheng.measure.sender import ItemSender, RetryPolicy, RunContext, body_template
from quanheng.measure.store import RunStore
from quanheng.measure.transport import open_transport
from quanheng.specs.endpoint import Endpoint
from tests.measure.fakeserver import FakeServer, ServerConfig, body_key

FAST = RetryPolicy(base_s=0.0, max_s=0.0, seed=7)


def _request(endpoint: Endpoint, prompt: str, item_id: str = "1") -> Request:
    return Request.build(
        endpoint,
        subject="s",
        task="t",
        item_id=item_id,
        messages=[{"role": "user", "content": prompt}],
    )


def _run(
    endpoint: Endpoint,
    store: RunStore,
    body: Callable[[ItemSender, RunContext], Awaitable[Any]],
    *,
    policy: RetryPolicy = FAST,
    secrets: tuple[str, ...] = (),
    max_limit: int = 8,
) -> RunContext:
    """Make the run's real parts, run ``body`` with a sender, commit, return the parts."""

    async def main() -> RunContext:
        context = RunContext(
            run_id="run-1",
            endpoint=endpoint,
            store=store,
            policy=policy,
            secrets=list(secrets),
            counters=Counters(),
            limiter=Limiter(max_limit),
            committer=Committer(store),
        )
        headers = auth_headers(secrets[0] if secrets else None)
        async with open_transport(endpoint, headers, max_limit, list(secrets)) as send:
            await body(ItemSender(context, send), context)
        context.committer.cancel()
        store.commit()
        return context

    return asyncio.run(main())


def test_an_answer_is_recorded_once_with_its_body_tokens_and_cost(tmp_path: Path) -> None:
    with FakeServer() as server, RunStore(tmp_path / "runs.sqlite") as store:
        endpoint = Endpoint(
            base_url=server.url,
            model="m",
            stream=False,
            price_input_per_mtok=1.0,
            price_output_per_mtok=2.0,
        )
        req = _request(endpoint, "pick one <answer:B>")
        context = _run(endpoint, store, lambda sender, _: sender.send_item(req))
        row = store.get(req.key)
        # the server logs a request after writing its answer: on a loaded machine the client can
        # read the answer first, so wait (bounded) for the log entry rather than race it
        deadline = time.monotonic() + 5.0
        while not server.log and time.monotonic() < deadline:
            time.sleep(0.01)
        log = list(server.log)
    assert row is not None
    assert (row.status, row.response, row.attempts, row.run_id) == (
        "ok",
        "The answer is B.",
        1,
        "run-1",
    )
    # the server counts words: 3 in the prompt, 4 in "The answer is B."
    assert (row.input_tokens, row.output_tokens) == (3, 4)
    assert row.cost == (3 * 1.0 + 4 * 2.0) / 1_000_000
    assert row.request == endpoint.body(req.messages)  # the body as sent, stored as is
    counters = context.counters
    assert (counters.ok, counters.errors, counters.attempts, counters.retries) == (1, 0, 1, 0)
    assert (counters.input_tokens, counters.output_tokens, counters.priced) == (3, 4, 1)
    assert (counters.in_flight, context.limiter.in_use) == (0, 0)
    assert [entry["outcome"] for entry in log] == ["ok"]


def test_the_body_sent_is_the_stored_sorted_key_json(tmp_path: Path) -> None:
    endpoint = Endpoint(base_url="http://127.0.0.1:1/v1", model="m", seed=3, extra_body={"k": 2})
    req = _request(endpoint, "héllo")
    with RunStore(tmp_path / "runs.sqlite") as store:
        context = RunContext(
            "r", endpoint, store, FAST, [], Counters(), Limiter(1), Committer(store)
        )

        async def never(payload: bytes) -> Any:
            raise AssertionError("not sent")

        sender = ItemSender(context, never)
        text = sender.body_json(req)
    expected = json.dumps(
        endpoint.body(req.messages), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert text == expected
    assert body_template(endpoint) is not None


def test_a_refusal_stops_at_once_and_leaves_one_error_and_one_logged_attempt(
    tmp_path: Path,
) -> None:
    with FakeServer() as server, RunStore(tmp_path / "runs.sqlite") as store:
        endpoint = Endpoint(base_url=server.url, model="m", stream=False, max_retries=4)
        req = _request(endpoint, "bad <always:400>")
        context = _run(endpoint, store, lambda sender, _: sender.send_item(req))
        row = store.get(req.key)
        attempts = store.attempt_log(req.key)
        sent = len(server.log)
    assert row is not None and row.status == "error" and row.attempts == 1
    assert row.error is not None
    assert row.error.startswith("http_400: HTTP 400 from ")
    assert row.error.endswith("(not retryable after 1 attempt(s))")
    assert [(a["attempt"], a["outcome"], a["http_status"]) for a in attempts] == [
        (1, "http_400", 400)
    ]
    assert sent == 1
    counters = context.counters
    assert (counters.errors, counters.retries, counters.attempts) == (1, 0, 1)
    assert context.limiter.cap == 8  # a 400 is no overload signal


def test_server_faults_are_retried_until_retries_run_out_and_each_halves_the_limit(
    tmp_path: Path,
) -> None:
    # back-off ≥ base/2 = 0.05 s between attempts, so every 500 falls outside the 0.05 s window
    # of the last decrease: 8 → 4 → 2 → 1 over three attempts
    policy = RetryPolicy(base_s=0.1, max_s=0.2, seed=1)
    with FakeServer() as server, RunStore(tmp_path / "runs.sqlite") as store:
        endpoint = Endpoint(base_url=server.url, model="m", stream=False, max_retries=2)
        req = _request(endpoint, "broken <always:500>")
        context = _run(endpoint, store, lambda sender, _: sender.send_item(req), policy=policy)
        row = store.get(req.key)
        attempts = store.attempt_log(req.key)
        sent = len(server.log)
    assert row is not None and row.status == "error" and row.attempts == 3
    assert row.error is not None and row.error.endswith("(retries exhausted after 3 attempt(s))")
    assert [(a["attempt"], a["outcome"]) for a in attempts] == [
        (1, "http_500"),
        (2, "http_500"),
        (3, "http_500"),
    ]
    assert sent == 3  # max_retries = 2: one attempt and two retries
    counters = context.counters
    assert (counters.errors, counters.retries, counters.attempts, counters.ok) == (1, 2, 3, 0)
    assert context.limiter.cap == 1


def _seconds_form_prompt(endpoint: Endpoint) -> str:
    """A prompt whose first 429 carries Retry-After in seconds (the server's choice is seeded).

    The fake server sends an HTTP date instead when ``Random(f"ra:{key}:0").random() < 0.25``.
    """
    for i in range(100):
        prompt = f"limited {i}"
        key = body_key(endpoint.body([{"role": "user", "content": prompt}]))
        if random.Random(f"ra:{key}:0").random() >= 0.25:
            return prompt
    raise AssertionError("no prompt found")


def test_retry_after_is_capped_logged_and_pauses_the_limiter(tmp_path: Path) -> None:
    # every key meets exactly one 429 asking for 5 s; the policy caps that at 0.1 s
    config = ServerConfig(fault_rate=1.0, faults=("429",), max_faults_per_key=1, retry_after_s=5)
    policy = RetryPolicy(base_s=0.0, max_s=0.0, max_retry_after_s=0.1, seed=0)
    with FakeServer(config) as server, RunStore(tmp_path / "runs.sqlite") as store:
        endpoint = Endpoint(base_url=server.url, model="m", stream=False)
        req = _request(endpoint, _seconds_form_prompt(endpoint))
        starts: list[float] = []

        async def body(sender: ItemSender, context: RunContext) -> None:
            starts.append(asyncio.get_running_loop().time())
            await sender.send_item(req)

        context = _run(endpoint, store, body, policy=policy)
        row = store.get(req.key)
        attempts = store.attempt_log(req.key)
    assert row is not None and (row.status, row.attempts) == ("ok", 2)
    assert [(a["outcome"], a["retry_after_s"]) for a in attempts] == [("http_429", 0.1)]
    assert (context.counters.retries, context.counters.attempts) == (1, 2)
    # the pause was set 0.1 s after the failure, which came after the start
    assert context.limiter.pause_until >= starts[0] + 0.1


def test_the_api_key_echoed_in_an_error_is_never_stored(tmp_path: Path) -> None:
    secret = "sk-test-0123456789abcdef"
    with FakeServer() as server, RunStore(tmp_path / "runs.sqlite") as store:
        endpoint = Endpoint(base_url=server.url, model="m", stream=False, max_retries=0)
        req = _request(endpoint, "show me <echo-auth>")
        _run(endpoint, store, lambda sender, _: sender.send_item(req), secrets=(secret,))
        row = store.get(req.key)
        attempts = store.attempt_log(req.key)
    assert row is not None and row.error is not None
    assert secret not in row.error and "[REDACTED]" in row.error
    assert secret not in attempts[0]["error"] and "[REDACTED]" in attempts[0]["error"]


def test_an_answer_without_prompt_tokens_is_counted_as_unknown_and_not_priced(
    tmp_path: Path,
) -> None:
    with FakeServer() as server, RunStore(tmp_path / "runs.sqlite") as store:
        endpoint = Endpoint(
            base_url=server.url,
            model="m",
            stream=False,
            price_input_per_mtok=1.0,
            price_output_per_mtok=1.0,
        )
        req = _request(endpoint, "quiet <no-usage>")
        context = _run(endpoint, store, lambda sender, _: sender.send_item(req))
        row = store.get(req.key)
    assert row is not None and (row.status, row.input_tokens, row.cost) == ("ok", None, None)
    counters = context.counters
    assert (counters.ok, counters.input_unknown, counters.priced, counters.cost) == (1, 1, 0, 0.0)


def test_a_cancelled_item_gives_its_slot_back_and_records_nothing(tmp_path: Path) -> None:
    with (
        FakeServer(ServerConfig(service_ms=5_000)) as server,
        RunStore(tmp_path / "r.sqlite") as store,
    ):
        endpoint = Endpoint(base_url=server.url, model="m", stream=False)
        req = _request(endpoint, "slow")

        async def body(sender: ItemSender, context: RunContext) -> None:
            task = asyncio.create_task(sender.send_item(req))
            while context.counters.in_flight == 0:
                await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        context = _run(endpoint, store, body)
        row = store.get(req.key)
        attempts = store.attempt_log()
    assert row is None and attempts == []
    assert (context.counters.attempts, context.counters.in_flight, context.limiter.in_use) == (
        1,
        0,
        0,
    )


def test_back_off_doubles_with_seeded_jitter_in_its_upper_half_drawn_in_retry_order(
    tmp_path: Path,
) -> None:
    # The delays are private to a run (nothing public exposes them), so the rule is checked on
    # _backoff itself: step = min(max_s, base · 2^(attempt − 1)), delay = step/2 + U(0, step/2)
    # from random.Random(seed), one draw per retry in the order retries happen.
    endpoint = Endpoint(base_url="http://127.0.0.1:1/v1", model="m")
    policy = RetryPolicy(base_s=0.5, max_s=3.0, seed=11)

    async def never(payload: bytes) -> Any:
        raise AssertionError("not sent")

    with RunStore(tmp_path / "runs.sqlite") as store:

        def sender() -> ItemSender:
            context = RunContext(
                "r", endpoint, store, policy, [], Counters(), Limiter(1), Committer(store)
            )
            return ItemSender(context, never)

        first, second = sender(), sender()
        delays = [first._backoff(attempt, None) for attempt in (1, 2, 3, 4, 5)]
        longer = first._backoff(1, 9.0)
        again = [second._backoff(attempt, None) for attempt in (1, 2, 3, 4, 5)]
    rng = random.Random(11)
    steps = [0.5, 1.0, 2.0, 3.0, 3.0]  # 0.5 · 2^k, capped at max_s = 3
    assert delays == [step / 2 + rng.uniform(0, step / 2) for step in steps]
    assert longer == 9.0  # a longer Retry-After wins (and took its draw)
    assert again == delays  # the same seed waits the same
