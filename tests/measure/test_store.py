"""Request keys and the RunStore: what a key covers, and that errors are never cached."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quanheng.errors import MeasureError
from quanheng.measure.keys import Request, endpoint_identity, request_key
from quanheng.measure.measurement import Measurement
from quanheng.measure.records import Answer, FailedAttempt
from quanheng.measure.runner import RetryPolicy, run_requests
from quanheng.measure.store import ImportRecord, RunStore
from quanheng.specs.endpoint import Endpoint
from tests.measure.fakeserver import FakeServer, ServerConfig, body_key

BASE = Endpoint(base_url="http://127.0.0.1:8080/v1", model="m")
MESSAGES = [{"role": "user", "content": "hello <answer:B>"}]


def _request(endpoint: Endpoint = BASE, item: str = "1") -> Request:
    return Request.build(endpoint, subject="s", task="t", item_id=item, messages=MESSAGES)


@settings(max_examples=40, deadline=None)
@given(
    timeout=st.floats(min_value=0.1, max_value=600),
    concurrency=st.integers(min_value=1, max_value=512),
    retries=st.integers(min_value=0, max_value=10),
    stream=st.booleans(),
    env=st.sampled_from([None, "OPENAI_API_KEY", "OTHER_KEY"]),
    price=st.one_of(st.none(), st.floats(min_value=0, max_value=100)),
    port=st.integers(min_value=1, max_value=65535),
    scheme=st.sampled_from(["http", "https"]),
)
def test_key_ignores_how_we_ask(
    timeout: float,
    concurrency: int,
    retries: int,
    stream: bool,
    env: str | None,
    price: float | None,
    port: int,
    scheme: str,
) -> None:
    other = BASE.model_copy(
        update={
            "base_url": f"{scheme}://127.0.0.1:{port}/v1/",
            "timeout_s": timeout,
            "max_concurrency": concurrency,
            "max_retries": retries,
            "stream": stream,
            "api_key_env": env,
            "price_input_per_mtok": price,
            "price_output_per_mtok": price,
        }
    )
    assert request_key(other, MESSAGES) == request_key(BASE, MESSAGES)


@pytest.mark.parametrize(
    "update",
    [
        {"temperature": 0.7},
        {"model": "m2"},
        {"max_tokens": 64},
        {"top_p": 0.9},
        {"seed": 1},
        {"stop": ["\n"]},
        {"extra_body": {"top_k": 20}},
        {"base_url": "http://10.0.0.2:8080/v1"},
        {"base_url": "http://127.0.0.1:8080/v2"},
    ],
)
def test_key_changes_with_what_changes_the_answer(update: dict[str, object]) -> None:
    changed = Endpoint.model_validate({**BASE.model_dump(), **update})
    assert request_key(changed, MESSAGES) != request_key(BASE, MESSAGES)


def test_key_changes_with_messages_and_repeat() -> None:
    key = request_key(BASE, MESSAGES)
    assert request_key(BASE, MESSAGES, repeat=1) != key
    assert request_key(BASE, [{"role": "user", "content": "other"}]) != key
    assert request_key(BASE, MESSAGES) == key
    assert len(key) == 64


def test_unset_top_p_equals_absent_and_identity_drops_scheme_and_port() -> None:
    assert request_key(BASE.model_copy(update={"top_p": None}), MESSAGES) == request_key(
        BASE, MESSAGES
    )
    assert endpoint_identity("https://API.Example.com:443/v1/") == "api.example.com/v1"


def test_endpoint_refuses_a_pasted_key_without_echoing_it() -> None:
    with pytest.raises(ValueError) as info:
        Endpoint(base_url="http://x/v1", model="m", api_key_env="sk-live-123456")
    assert "NAME of an environment variable" in str(info.value)
    assert "sk-live-123456" not in str(info.value).replace("input_value='sk-live-123456'", "")


def test_endpoint_refuses_reserved_extra_body_and_bad_url() -> None:
    with pytest.raises(ValueError, match="extra_body must not set model"):
        Endpoint(base_url="http://x/v1", model="m", extra_body={"model": "y"})
    with pytest.raises(ValueError, match="http"):
        Endpoint(base_url="ftp://x/v1", model="m")


def test_store_is_wal_and_errors_are_not_answers(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs" / "runs.sqlite") as store:
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        run = store.begin_run(study="st", suite="su", subject="s", settings={"a": 1})
        req = _request()
        body = BASE.body(req.messages)
        store.put_error(req, run_id=run, body=body, error="http_503: busy", attempts=5)
        assert store.completed_keys([req.key]) == set()
        row = store.get(req.key)
        assert row is not None and row.status == "error" and row.response is None
        assert row.error == "http_503: busy" and row.attempts == 5

        answer = Answer("The answer is B.", "stop", 3, 4, "reported", 0.1, 0.05, 80.0)
        store.put_ok(req, run_id=run, body=body, answer=answer, cost=0.002, attempts=1)
        assert store.completed_keys([req.key, "x" * 64]) == {req.key}
        # Neither a later error nor a second answer replaces the first answer.
        store.put_error(req, run_id=run, body=body, error="late", attempts=1)
        other = Answer("other", "stop", 3, 4, "reported", 0.1, 0.05, 80.0)
        store.put_ok(req, run_id=run, body=body, answer=other, cost=0.002, attempts=1)
        row = store.get(req.key)
        assert row is not None and row.status == "ok" and row.response == "The answer is B."
        assert row.request["messages"] == MESSAGES and "Authorization" not in row.request

        store.finish_run(run)
        summary = store.summary(run)
        assert (summary.requests, summary.ok, summary.errors) == (1, 1, 0)
        assert (summary.input_tokens, summary.output_tokens, summary.priced) == (3, 4, 1)
        assert summary.cost == pytest.approx(0.002)
        [record] = store.list_runs()
        assert (record.run_id, record.study, record.suite) == (run, "st", "su")
        assert record.finished is not None and record.settings == {"a": 1}
        assert [r.key for r in store.iter_requests(status="ok")] == [req.key]


def test_store_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(MeasureError, match="schema version 99"):
        RunStore(path)


def test_an_error_row_is_retried_by_the_next_run(tmp_path: Path) -> None:
    down = ServerConfig(fault_rate=1.0, faults=("503",), retry_after_s=0)
    with RunStore(tmp_path / "runs.sqlite") as store:
        with FakeServer(down) as server:
            endpoint = Endpoint(base_url=server.url, model="m", max_retries=1, timeout_s=5)
            req = Request.build(endpoint, subject="s", task="t", item_id="1", messages=MESSAGES)
            first = asyncio.run(run_requests(endpoint, [req], store, retry=RetryPolicy(base_s=0.0)))
            assert (first.ok, first.errors, first.attempts) == (0, 1, 2)
            row = store.get(req.key)
            assert row is not None and row.status == "error" and "http_503" in (row.error or "")
            assert [a["outcome"] for a in store.attempt_log(req.key)] == ["http_503", "http_503"]
        with FakeServer() as server:
            # Same host and path, new port: the same key, so the error row is found and retried.
            endpoint = endpoint.model_copy(update={"base_url": server.url})
            assert request_key(endpoint, MESSAGES) == req.key
            second = asyncio.run(run_requests(endpoint, [req], store))
            assert (second.ok, second.errors, second.cached) == (1, 0, 0)
            assert [e["key"] for e in server.log] == [body_key(endpoint.body(MESSAGES))]
            third = asyncio.run(run_requests(endpoint, [req], store))
            assert (third.ok, third.cached) == (0, 1) and len(server.log) == 1
        row = store.get(req.key)
        assert row is not None and row.status == "ok" and row.response == "The answer is B."


def test_queued_writes_are_read_back_and_committed_together(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        run = store.begin_run()
        first, second = _request(item="1"), _request(BASE.model_copy(update={"seed": 1}), "2")
        body = BASE.body(MESSAGES)
        answer = Answer("A", "stop", 1, 2, "reported", 0.1, None, None)
        store.put_ok(
            first, run_id=run, body=body, answer=answer, cost=None, attempts=1, commit=False
        )
        store.put_error(first, run_id=run, body=body, error="late", attempts=2, commit=False)
        store.put_error(second, run_id=run, body=body, error="e", attempts=1, commit=False)
        failed = FailedAttempt(1, "http_500", 500, "e", None, 0.1)
        store.log_attempt(second.key, run_id=run, attempt=failed, commit=False)
        # Another connection sees nothing until the commit...
        with RunStore(path) as other:
            assert other.completed_keys([first.key]) == set() and other.get(second.key) is None
        # ...while this store reads its own queued writes, in the order they were made.
        assert store.completed_keys([first.key, second.key]) == {first.key}
        row = store.get(first.key)
        assert row is not None and (row.status, row.response) == ("ok", "A")
        assert [a["outcome"] for a in store.attempt_log(second.key)] == ["http_500"]
        store.commit()
        with RunStore(path) as other:
            assert other.completed_keys([first.key, second.key]) == {first.key}
            assert other.summary(run).requests == 2


def test_background_checkpoints_restore_the_automatic_ones(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        with store._background_checkpoints(interval_s=0.01):
            assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
            store.begin_run()
        assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
        assert len(store.list_runs()) == 1


def test_a_woken_checkpoint_copies_the_wal_into_the_file_at_once(tmp_path: Path) -> None:
    import threading
    import time

    path = tmp_path / "runs.sqlite"
    wake = threading.Event()
    with RunStore(path) as store, store._background_checkpoints(interval_s=3600, wake=wake):
        run = store.begin_run()
        for i in range(300):
            item = Request.build(
                BASE, subject="s", task="t", item_id=str(i), messages=[{"content": str(i)}]
            )
            answer = Answer("B" * 200, "stop", 1, 1, "reported", 0.1, None, None)
            store._queue_ok(item, run, "{}", answer, None, 1)
        store.commit()
        before = path.stat().st_size  # the rows are in the WAL, not yet in the file
        time.sleep(0.2)
        assert path.stat().st_size == before  # no checkpoint for an hour unless woken
        wake.set()
        deadline = time.monotonic() + 10
        while path.stat().st_size == before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert path.stat().st_size > before + 300 * 200


_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
_JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    messages=st.lists(st.dictionaries(_TEXT, _JSON_VALUE, max_size=4), max_size=3),
    repeat=st.integers(min_value=0, max_value=10**6),
    model=_TEXT,
    extra=st.dictionaries(_TEXT, _JSON_VALUE, max_size=3),
    stop=st.one_of(st.none(), st.lists(_TEXT, max_size=2)),
)
def test_key_template_gives_the_bytes_of_the_whole_payload(
    messages: list[dict[str, object]],
    repeat: int,
    model: str,
    extra: dict[str, object],
    stop: list[str] | None,
) -> None:
    from quanheng.measure.keys import _slow_key

    endpoint = Endpoint(base_url="https://api.example.com/v1", model=model or "m", stop=stop)
    endpoint = endpoint.model_copy(update={"extra_body": extra})
    assert request_key(endpoint, messages, repeat) == _slow_key(endpoint, messages, repeat)


@settings(max_examples=300, deadline=None)
@given(
    messages=st.lists(
        st.dictionaries(
            st.text(max_size=6),
            st.text() | st.integers() | st.booleans() | st.none() | _JSON_VALUE,
            max_size=4,
        ),
        max_size=3,
    )
)
def test_messages_json_is_the_standard_librarys_text(messages: list[dict[str, object]]) -> None:
    # The fast path decides request keys: it must never differ from the definition.
    from quanheng.measure.keys import _dumps, messages_json

    try:
        expected = _dumps(messages).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no key can be made from it either way
        return
    assert messages_json(messages).encode("utf-8") == expected


def test_messages_json_agrees_on_every_code_point() -> None:
    from quanheng.measure.keys import _dumps, messages_json

    for start in range(0, 0x110000, 2048):
        text = "".join(chr(c) for c in range(start, start + 2048) if not 0xD800 <= c <= 0xDFFF)
        messages = [{"content": text, text[:3] or "k": "v", "role": "user"}]
        assert messages_json(messages) == _dumps(messages), hex(start)


def test_a_known_key_never_changes() -> None:
    # Pinned: a changed key would make every stored answer look unanswered (and re-paid).
    key = request_key(BASE, MESSAGES, 2)
    assert key == "de9e8cec18614a460ccb7f3205a05b0df3050716d06554799cafc05025a5455e"


def _import_record(sha: str) -> ImportRecord:
    cell = Measurement(
        subject="m",
        metric="math.accuracy",
        value=0.5,
        low=0.4,
        high=0.6,
        n=10,
        runs=(f"import:{sha[:12]}",),
    )
    return ImportRecord(
        sha256=sha,
        subject="m",
        harness="lm-eval",
        file="results.json",
        imported="2026-12-04T10:00:00+00:00",
        cells=(cell,),
    )


def test_an_imported_file_is_stored_once_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        assert store.put_import(_import_record("a" * 64)) is True
        changed = _import_record("a" * 64).model_copy(update={"subject": "other"})
        assert store.put_import(changed) is False  # the first one stays
    with RunStore(path, read_only=True) as store:
        (record,) = store.imports()
    assert record == _import_record("a" * 64)


def test_a_store_older_than_the_imports_table_reads_none(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    RunStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE imports")
    with RunStore(path, read_only=True) as store:
        assert store.imports() == []
