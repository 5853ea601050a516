"""The API key appears nowhere: not in the database, its WAL, logs, errors or progress output."""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest

from quanheng.measure.client import RequestFailed, auth_headers, scrub, send_chat
from quanheng.measure.keys import Request
from quanheng.measure.runner import RetryPolicy, run_requests
from quanheng.measure.store import RunStore
from quanheng.specs.endpoint import Endpoint
from tests.measure.fakeserver import FakeServer, ServerConfig

SECRET = "sk-test-SECRET-5f0c2a9e8d7b41c3a6e2"
ENV = "QH_TEST_SECRET_KEY"


def _files_bytes(db: Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()
    )


def _assert_clean(text: str | bytes, where: str) -> None:
    data = text.encode() if isinstance(text, str) else text
    for form in (SECRET, json.dumps(SECRET)[1:-1], quote(SECRET, safe="")):
        assert form.encode() not in data, f"API key found in {where}"
    assert b"SECRET-5f0c" not in data, f"part of the API key found in {where}"


def test_scrub_catches_raw_json_and_url_forms() -> None:
    tricky = 'sk-"odd\\key/+='
    text = f"a {tricky} b {json.dumps(tricky)} c {quote(tricky, safe='')}"
    cleaned = scrub(text, [tricky, None, ""])
    assert tricky not in cleaned and quote(tricky, safe="") not in cleaned
    assert json.dumps(tricky)[1:-1] not in cleaned
    assert cleaned.count("[REDACTED]") == 3
    assert scrub("abc", ["ab"]) == "abc"  # too short to be a key; left alone


def test_key_is_never_stored_logged_printed_or_raised(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ENV, SECRET)
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "runs" / "runs.sqlite"
    prompts = ["fine <answer:A>", "leaky <echo-auth>", "fine too <answer:B>"]

    def show(progress: object) -> None:
        print(progress)

    store = RunStore(db)
    # 1) The right key: answers plus a 5xx whose body echoes the Authorization header.
    with FakeServer(ServerConfig(api_key=SECRET, service_ms=5)) as server:
        endpoint = Endpoint(base_url=server.url, model="m", api_key_env=ENV, max_retries=1)
        items = [
            Request.build(
                endpoint,
                subject="s",
                task="t",
                item_id=str(i),
                messages=[{"role": "user", "content": p}],
            )
            for i, p in enumerate(prompts)
        ]
        first = asyncio.run(
            run_requests(
                endpoint,
                items,
                store,
                progress_cb=show,
                progress_interval_s=0.001,
                retry=RetryPolicy(base_s=0),
            )
        )
    assert (first.ok, first.errors) == (2, 1)
    leaky = store.get(items[1].key)
    assert leaky is not None and leaky.error is not None and "Bearer [REDACTED]" in leaky.error

    # 2) A server that expects another key answers 401 and echoes the key it was sent.
    with FakeServer(ServerConfig(api_key="sk-the-right-one")) as server:
        endpoint = endpoint.model_copy(update={"base_url": server.url})
        second = asyncio.run(
            run_requests(endpoint, items, store, progress_cb=show, progress_interval_s=0.001)
        )
        assert (second.ok, second.errors, second.cached) == (0, 1, 2)
        assert [e["outcome"] for e in server.log] == ["401"]  # 401 is not retried

        # The client's exception, its repr, args and formatted traceback.
        async def direct() -> RequestFailed:
            async with aiohttp.ClientSession() as session:
                try:
                    await send_chat(
                        session,
                        endpoint,
                        endpoint.body(items[1].messages),
                        auth_headers(endpoint.api_key()),
                        secrets=[endpoint.api_key()],
                    )
                except RequestFailed as exc:
                    return exc
            raise AssertionError("expected a 401")

        exc = asyncio.run(direct())
    assert exc.http_status == 401 and "Incorrect API key provided: [REDACTED]" in str(exc)
    for text in (str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))):
        _assert_clean(text, "exception")
    row = store.get(items[1].key)
    assert row is not None and row.error is not None and "401" in row.error
    _assert_clean(row.error, "stored error")

    # Everything on disk, before and after the WAL is checkpointed on close.
    _assert_clean(_files_bytes(db), "SQLite files (open)")
    attempts = store.attempt_log()
    assert attempts and all("[REDACTED]" in (a["error"] or "") for a in attempts)
    store.close()
    _assert_clean(_files_bytes(db), "SQLite files (closed)")

    printed = capsys.readouterr()
    assert "done=" in printed.out
    _assert_clean(printed.out + printed.err, "progress output")
    assert "[REDACTED]" in caplog.text
    _assert_clean(caplog.text, "log records")
    _assert_clean(repr(endpoint) + endpoint.model_dump_json(), "endpoint dump")
