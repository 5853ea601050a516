"""The runner against a real HTTP server with injected faults."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Literal

import aiohttp
import pytest

from quanheng.errors import MeasureInputError
from quanheng.measure.client import (
    RequestFailed,
    auth_headers,
    parse_retry_after,
    send_chat,
)
from quanheng.measure.keys import Request
from quanheng.measure.limiter import Limiter
from quanheng.measure.records import Answer
from quanheng.measure.runner import Progress, RetryPolicy, run_requests
from quanheng.measure.store import RunStore
from quanheng.specs.endpoint import Endpoint
from tests.measure.fakeserver import FakeServer, ServerConfig, body_key, expected_answer

FAST = RetryPolicy(base_s=0.02, max_s=0.2, seed=7)


def _items(endpoint: Endpoint, prompts: list[str], task: str = "t") -> list[Request]:
    return [
        Request.build(
            endpoint,
            subject="s",
            task=task,
            item_id=str(i),
            messages=[{"role": "user", "content": prompt}],
        )
        for i, prompt in enumerate(prompts)
    ]


def _by_key(log: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in log:
        grouped[entry["key"]].append(entry)
    return grouped


@pytest.mark.parametrize("http_client", ["auto", "aiohttp"])
@pytest.mark.parametrize("stream", [True, False])
def test_faulty_server_every_item_ends_once_within_budget(
    tmp_path: Path, stream: bool, http_client: Literal["auto", "aiohttp"]
) -> None:
    """Both HTTP clients (``auto`` is quanheng's own for http://) meet the same faults."""
    config = ServerConfig(fault_rate=0.2, service_ms=5, seed=3, timeout_sleep_s=0.8)
    prompts = [f"question {i} <answer:{'ABCD'[i % 4]}>" for i in range(300)]
    prompts += [f"broken {i} <always:500>" for i in range(3)]
    prompts += [f"refused {i} <always:400>" for i in range(2)]
    with FakeServer(config) as server, RunStore(tmp_path / "runs.sqlite") as store:
        endpoint = Endpoint(
            base_url=server.url,
            model="m",
            stream=stream,
            timeout_s=0.5,
            max_retries=4,
            http_client=http_client,
        )
        items = _items(endpoint, prompts)
        summary = asyncio.run(run_requests(endpoint, items, store, concurrency=16, retry=FAST))
        log = list(server.log)
        agents = set(server.agents)

    # The client asked for is the one that sent: quanheng's own says so, aiohttp says so.
    assert len(agents) == 1
    assert agents.pop().startswith("quanheng/" if http_client == "auto" else "Python/")

    assert summary.items == len(items) == summary.ok + summary.errors + summary.cached
    assert summary.cached == 0
    assert summary.attempts == len(log)
    outcomes = Counter(e["outcome"] for e in log)
    assert {"429", "500", "503", "timeout", "malformed", "cut"} <= set(outcomes)

    grouped = _by_key(log)
    rows = _rows(tmp_path)
    assert set(rows) == {item.key for item in items}
    for item, prompt in zip(items, prompts, strict=True):
        row = rows[item.key]
        entries = grouped[body_key(endpoint.body(item.messages))]
        # Retry budget: never more than max_retries + 1 attempts per item.
        assert 1 <= len(entries) <= endpoint.max_retries + 1
        # Nothing is asked again once answered.
        oks = [i for i, e in enumerate(entries) if e["outcome"] == "ok"]
        assert oks in ([], [len(entries) - 1])
        assert row["attempts"] == len(entries)
        if row["status"] == "ok":
            assert oks and row["response"] == expected_answer(prompt)
        else:
            assert not oks and row["error"]
        if "<always:500>" in prompt:
            assert row["status"] == "error" and len(entries) == endpoint.max_retries + 1
            assert row["error"].startswith("http_500:") and "retries exhausted" in row["error"]
        if "<always:400>" in prompt:
            assert row["status"] == "error" and len(entries) == 1
            assert "not retryable" in row["error"]
    assert summary.errors >= 5


def _rows(tmp_path: Path) -> dict[str, dict[str, Any]]:
    with RunStore(tmp_path / "runs.sqlite") as store:
        return {r.key: r.model_dump() for r in store.iter_requests()}


def test_streaming_measures_first_token_and_falls_back_to_counting(tmp_path: Path) -> None:
    with FakeServer(ServerConfig(chunk_ms=2)) as server, RunStore(tmp_path / "r.sqlite") as store:
        endpoint = Endpoint(
            base_url=server.url,
            model="m",
            price_input_per_mtok=1.0,
            price_output_per_mtok=2.0,
        )
        counted, reported = _items(endpoint, ["one two three <no-usage>", "x <answer:C>"])
        summary = asyncio.run(run_requests(endpoint, [counted, reported], store))
        assert summary.ok == 2
        row = store.get(reported.key)
        assert row is not None and row.response == "The answer is C."
        assert (row.usage_source, row.input_tokens, row.output_tokens) == ("reported", 2, 4)
        assert row.cost == pytest.approx((2 * 1.0 + 4 * 2.0) / 1e6)
        assert row.ttft_s is not None and row.latency_s is not None
        assert 0 < row.ttft_s <= row.latency_s and row.output_tps is not None
        assert row.finish_reason == "stop"
        row = store.get(counted.key)
        assert row is not None and row.response == expected_answer("one two three <no-usage>")
        assert (row.usage_source, row.input_tokens) == ("counted", None)
        assert row.output_tokens == len(row.response.split()) and row.cost is None
        assert summary.cost == pytest.approx((2 * 1.0 + 4 * 2.0) / 1e6)
        # Prompt tokens the stream never reported are unknown, not zero, in every tally.
        assert (summary.input_tokens, summary.input_unknown) == (2, 1)
        totals = store.summary()
        assert (totals.input_tokens, totals.input_unknown) == (2, 1)


def test_non_streaming_answer_without_usage(tmp_path: Path) -> None:
    with FakeServer() as server, RunStore(tmp_path / "r.sqlite") as store:
        endpoint = Endpoint(base_url=server.url, model="m", stream=False, max_tokens=2)
        [item] = _items(endpoint, ["alpha beta gamma <no-usage>"])
        asyncio.run(run_requests(endpoint, [item], store))
        row = store.get(item.key)
        assert row is not None and row.response == "echo: alpha "
        assert (row.usage_source, row.output_tokens, row.ttft_s) == ("none", None, None)
        assert row.finish_reason == "length"


def test_resume_sends_nothing_twice_and_duplicates_once(tmp_path: Path) -> None:
    with FakeServer(ServerConfig(service_ms=2)) as server, RunStore(tmp_path / "r.sqlite") as st:
        endpoint = Endpoint(base_url=server.url, model="m")
        items = _items(endpoint, [f"q{i}" for i in range(40)])
        first = asyncio.run(run_requests(endpoint, items + items[:3], st, concurrency=4))
        assert (first.ok, first.cached, first.items) == (40, 3, 43)
        assert len(server.log) == 40
        again = asyncio.run(run_requests(endpoint, items, st))
        assert (again.ok, again.cached, again.attempts) == (0, 40, 0)
        assert len(server.log) == 40
        assert [r.subject for r in st.list_runs()] == ["m", "m"]


def test_lazy_async_source_keeps_a_fixed_worker_pool(tmp_path: Path) -> None:
    seen_tasks: list[int] = []
    seen_workers: list[int] = []
    pulled = 0

    async def source(endpoint: Endpoint) -> AsyncIterator[Request]:
        nonlocal pulled
        for i in range(1500):
            pulled += 1
            yield Request.build(
                endpoint,
                subject="s",
                task="lazy",
                item_id=str(i),
                messages=[{"role": "user", "content": f"n{i}"}],
            )

    def progress(snapshot: Progress) -> None:
        tasks = asyncio.all_tasks()
        seen_tasks.append(len(tasks))
        seen_workers.append(sum("worker" in t.get_coro().__qualname__ for t in tasks))  # type: ignore[union-attr]
        # Read-ahead is bounded: one chunk plus what the workers hold.
        assert pulled - snapshot.done <= 256 + 8

    with FakeServer() as server, RunStore(tmp_path / "r.sqlite") as store:
        endpoint = Endpoint(base_url=server.url, model="m", stream=False)
        summary = asyncio.run(
            run_requests(
                endpoint,
                source(endpoint),
                store,
                concurrency=8,
                progress_cb=progress,
                progress_interval_s=0.01,
            )
        )
    assert summary.ok == 1500 and pulled == 1500
    assert seen_workers and max(seen_workers) == 8
    # Workers, the ticker, the main task and aiohttp's per-connection helpers; never per item.
    assert max(seen_tasks) <= 3 * 8 + 2


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    config = ServerConfig(fault_rate=1.0, faults=("429",), max_faults_per_key=1, retry_after_s=0.3)
    with FakeServer(config) as server, RunStore(tmp_path / "r.sqlite") as store:
        endpoint = Endpoint(base_url=server.url, model="m")
        # A prompt whose 429 carries delta-seconds (the server sends an HTTP date 1 time in 4).
        prompt = next(
            p for p in (f"p{i}" for i in range(50)) if _retry_after_is_seconds(endpoint, p)
        )
        items = _items(endpoint, [prompt])
        summary = asyncio.run(run_requests(endpoint, items, store, retry=RetryPolicy(base_s=0)))
        assert (summary.ok, summary.retries) == (1, 1)
        first, second = server.log
        assert (first["outcome"], second["outcome"]) == ("429", "ok")
        assert second["t"] - first["t"] >= 0.3
        [attempt] = store.attempt_log(items[0].key)
        assert (attempt["outcome"], attempt["retry_after_s"]) == ("http_429", 0.3)


def _retry_after_is_seconds(endpoint: Endpoint, prompt: str) -> bool:
    import random

    key = body_key(endpoint.body([{"role": "user", "content": prompt}]))
    return random.Random(f"ra:{key}:0").random() >= 0.25


def test_parse_retry_after() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("0.25") == 0.25
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now)
    assert parse_retry_after(
        format_datetime(now + timedelta(seconds=30), usegmt=True), now=now
    ) == pytest.approx(30.0)
    assert (
        parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0
    )
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") == 0.0


def test_limiter_halves_on_overload_and_recovers() -> None:
    limiter = Limiter(16)
    limiter.on_overload(now=10.0)
    assert limiter.cap == 8
    limiter.on_overload(now=10.01)  # inside the cool-down: a burst counts once
    assert limiter.cap == 8
    limiter.on_overload(now=11.0)
    assert limiter.cap == 4
    for _ in range(5):  # about one slot per `limit` successes
        limiter.on_success(0.02)
    assert limiter.cap == 5
    for _ in range(500):
        limiter.on_success(0.02)
    assert limiter.cap == 16


def test_client_classifies_failures_and_answers() -> None:
    async def go(server: FakeServer) -> tuple[Answer, RequestFailed, RequestFailed]:
        endpoint = Endpoint(base_url=server.url, model="m", stream=False)
        async with aiohttp.ClientSession() as session:
            ok = await send_chat(
                session,
                endpoint,
                endpoint.body([{"role": "user", "content": "<answer:D>"}]),
                auth_headers(None),
            )
            failures = []
            for prompt in ("<always:429>", "<always:404>"):
                try:
                    await send_chat(
                        session,
                        endpoint,
                        endpoint.body([{"role": "user", "content": prompt}]),
                        auth_headers(None),
                    )
                except RequestFailed as exc:
                    failures.append(exc)
        return ok, failures[0], failures[1]

    with FakeServer() as server:
        ok, limited, missing = asyncio.run(go(server))
    assert ok.text == "The answer is D." and ok.usage_source == "reported"
    assert (limited.kind, limited.retryable, limited.overload) == ("http_429", True, True)
    assert (missing.kind, missing.retryable, missing.overload) == ("http_404", False, False)


def test_missing_key_variable_fails_before_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QH_UNSET_KEY", raising=False)
    endpoint = Endpoint(base_url="http://127.0.0.1:9/v1", model="m", api_key_env="QH_UNSET_KEY")
    with RunStore(tmp_path / "r.sqlite") as store, pytest.raises(MeasureInputError) as info:
        asyncio.run(run_requests(endpoint, _items(endpoint, ["x"]), store))
    assert "QH_UNSET_KEY" in str(info.value) and "export QH_UNSET_KEY" in str(info.value)


@pytest.mark.parametrize(
    ("http_client", "pasted"),
    [
        ("auto", "sk-pasted-secret\n"),
        ("aiohttp", "sk-pasted-secret\n"),
        ("auto", "“sk-pasted-secret”"),
    ],
)
def test_a_key_with_a_line_break_fails_before_sending_without_echoing_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    http_client: Literal["auto", "aiohttp"],
    pasted: str,
) -> None:
    monkeypatch.setenv("QH_PASTED_KEY", pasted)
    with FakeServer() as server, RunStore(tmp_path / "r.sqlite") as store:
        endpoint = Endpoint(
            base_url=server.url, model="m", api_key_env="QH_PASTED_KEY", http_client=http_client
        )
        with pytest.raises(MeasureInputError) as info:
            asyncio.run(run_requests(endpoint, _items(endpoint, ["x"]), store))
        assert server.log == [] and store.list_runs() == []
    message = str(info.value)
    assert "QH_PASTED_KEY" in message and "line break" in message
    assert "pasted-secret" not in message


@pytest.mark.parametrize("lazy", [False, True])
def test_a_key_repeated_across_chunks_is_sent_once(tmp_path: Path, lazy: bool) -> None:
    with FakeServer(ServerConfig(service_ms=20)) as server, RunStore(tmp_path / "r.sqlite") as st:
        endpoint = Endpoint(base_url=server.url, model="m", stream=False)
        items = _items(endpoint, [f"q{i}" for i in range(300)])
        # The first item again in the same chunk and two more times in the next chunk (the
        # runner reads 256 items per chunk), while its first copy may still be in flight.
        sequence = [items[0], items[0], *items[1:], items[0], items[0]]

        async def source() -> AsyncIterator[Request]:
            for item in sequence:
                yield item

        summary = asyncio.run(
            run_requests(endpoint, source() if lazy else sequence, st, concurrency=4)
        )
        assert (summary.ok, summary.cached, summary.items) == (300, 3, 303)
        assert len(server.log) == 300
        assert len({e["key"] for e in server.log}) == 300


def test_body_template_and_messages_json_give_the_stored_body() -> None:

    from quanheng.measure.keys import messages_json
    from quanheng.measure.sender import body_template
    from quanheng.measure.store import _dumps

    endpoint = Endpoint(
        base_url="http://127.0.0.1:1/v1", model="模型", stop=["\n"], extra_body={"z": [1, "b"]}
    )
    messages = [
        {"role": "system", "content": '答案：B。"quoted" \\ \n\t\x00 \u2028 😀'},
        {"role": "user", "content": "x", "name": "n"},
    ]
    around = body_template(endpoint)
    assert around is not None
    text = around[0] + messages_json(messages) + around[1]
    assert text == _dumps(endpoint.body(messages))  # strings: character for character
    odd = [{"role": "user", "content": "x", "n": 2**70, "f": 1e-7}]  # orjson refuses 2**70
    assert around[0] + messages_json(odd) + around[1] == _dumps(endpoint.body(odd))


def test_answers_parse_with_the_standard_library_where_orjson_refuses() -> None:
    from quanheng.measure.client import _loads

    assert _loads(b'{"a": [1, "\\u4e2d"]}') == {"a": [1, "中"]}
    nan = _loads(b'{"logprob": NaN}')["logprob"]
    assert nan != nan  # NaN, parsed by json where orjson refuses it
    with pytest.raises(ValueError):
        _loads(b"{not json")


def test_answers_reach_disk_within_the_commit_gap(tmp_path: Path) -> None:
    import sqlite3

    from quanheng.measure.committer import Committer

    endpoint = Endpoint(base_url="http://127.0.0.1:1/v1", model="m")
    items = _items(endpoint, ["a", "b", "c"])

    def on_disk() -> int:  # what another process would find after a SIGKILL now
        with sqlite3.connect(tmp_path / "runs.sqlite") as other:
            return int(other.execute("SELECT COUNT(*) FROM requests").fetchone()[0])

    async def scenario(store: RunStore) -> list[int]:
        committer = Committer(store, gap_s=0.05)
        seen: list[int] = []
        answer = Answer("B", "stop", 1, 1, "reported", 0.1, None, None)
        for item in items[:2]:
            store._queue_ok(item, "r", "{}", answer, None, 1)
            committer.schedule()
            await asyncio.sleep(0)  # the end of the tick the answer arrived in
            seen.append(on_disk())
        await asyncio.sleep(0.11)  # the gap has passed twice: the second answer is on disk
        seen.append(on_disk())
        store._queue_ok(items[2], "r", "{}", answer, None, 1)
        committer.schedule()
        await asyncio.sleep(0)  # a gap after the last commit: at the end of its tick again
        seen.append(on_disk())
        return seen

    with RunStore(tmp_path / "runs.sqlite") as store:
        seen = asyncio.run(scenario(store))
    # First answer: committed in its own tick. Second, 0 ms later: waits for the gap, no longer.
    assert seen == [1, 1, 2, 3]


@pytest.mark.parametrize("lazy", [False, True])
def test_a_source_that_fails_midway_stops_the_run_and_keeps_every_answer(
    tmp_path: Path, lazy: bool
) -> None:
    from quanheng.errors import MeasureError

    with FakeServer(ServerConfig(service_ms=1)) as server, RunStore(tmp_path / "r.sqlite") as st:
        endpoint = Endpoint(base_url=server.url, model="m")
        items = _items(endpoint, [f"q{i}" for i in range(300)])

        def source() -> Iterator[Request]:  # read ahead in chunks: fails while the run goes on
            yield from items[:250]
            raise ValueError("dataset row 251: no question field")

        async def async_source() -> AsyncIterator[Request]:
            for item in source():
                yield item

        with pytest.raises(MeasureError, match="dataset row 251: no question field"):
            asyncio.run(
                run_requests(endpoint, async_source() if lazy else source(), st, concurrency=8)
            )
        stored = {row.key for row in st.iter_requests(status="ok")}
        assert 0 < len(stored) <= 250  # the answers that came back before the stop are kept
        server_key = {item.key: body_key(endpoint.body(item.messages)) for item in items}
        before = Counter(entry["key"] for entry in server.log)
        again = asyncio.run(run_requests(endpoint, items, st, concurrency=8))
        assert (again.cached, again.ok) == (len(stored), 300 - len(stored))
        after = Counter(entry["key"] for entry in server.log) - before
        assert not {server_key[key] for key in stored} & set(after)  # none asked again
        assert len(after) == 300 - len(stored)
