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


ECHO_KEY = "sk-proj-Zq8/Lm3+Xw7=Tb2Nc5Vd9Hf4Jg6Kp1Rs0Yu"  # 44 characters, some URL-encoded
ECHO_ENV = "QH_TEST_ECHO_KEY"


def _key_pieces(text: str) -> list[str]:
    """Every 8 consecutive characters of the key (or of its URL form) still in ``text``."""
    found = []
    for form in (ECHO_KEY, quote(ECHO_KEY, safe="")):
        found += [form[i : i + 8] for i in range(len(form) - 7) if form[i : i + 8] in text]
    return found


@pytest.mark.parametrize("http_client", ["auto", "aiohttp"])  # the lean client and aiohttp
def test_no_piece_of_an_echoed_key_survives_any_body_length(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    http_client: str,
) -> None:
    """Issue #13 part 5: a 4xx/5xx body echoing the key, placed so a 500-character cut splits
    it (pads 470–499), shown whole, URL-encoded, as the header, or in halves."""
    monkeypatch.setenv(ECHO_ENV, ECHO_KEY)
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "runs.sqlite"
    prompts = [
        f"<echo-key:{status}:{pad}:{form}>"
        for status, form in [
            (401, "raw"),
            (500, "bearer"),
            (400, "url"),
            (503, "head"),
            (403, "tail"),
            (429, "raw"),
        ]
        for pad in (0, 470, 476, 480, 485, 490, 495, 499, 3000)
    ]
    with FakeServer(ServerConfig(retry_after_s=0)) as server, RunStore(db) as store:
        endpoint = Endpoint(
            base_url=server.url,
            model="m",
            api_key_env=ECHO_ENV,
            max_retries=1,
            http_client=http_client,  # type: ignore[arg-type]
        )
        items = [
            Request.build(
                endpoint, subject="s", task="t", item_id=str(i),
                messages=[{"role": "user", "content": p}],
            )
            for i, p in enumerate(prompts)
        ]  # fmt: skip
        summary = asyncio.run(
            run_requests(endpoint, items, store, retry=RetryPolicy(base_s=0, max_retry_after_s=0))
        )
        assert summary.errors == len(prompts)
        stored = [store.get(r.key) for r in items]
        errors = [row.error or "" for row in stored if row is not None]
        attempts = [a["error"] or "" for a in store.attempt_log()]
    assert len(errors) == len(prompts) and len(attempts) > len(prompts)  # 429/5xx retried
    # Where the key begins well inside the kept 500 characters, the marker shows where it was.
    shown = [e for p, e in zip(prompts, errors, strict=True) if int(p.split(":")[2]) <= 480]
    assert shown and all("[REDACTED]" in e for e in shown)
    for where, texts in (("requests.error", errors), ("attempts.error", attempts)):
        leaks = [(t[:60], _key_pieces(t)) for t in texts if _key_pieces(t)]
        assert leaks == [], f"key pieces in {where}"
    assert _key_pieces(caplog.text) == [], "key pieces in the log"
    assert _key_pieces(_files_bytes(db).decode("utf-8", "replace")) == [], "in the SQLite files"


def test_measure_prints_no_piece_of_an_echoed_key(tmp_path: Path) -> None:
    """The same through `quanheng measure` in its own process: stdout, stderr and the store."""
    from tests.measure.endpoint_study import quanheng, write_study

    with FakeServer() as server:
        prompts = [f"<echo-key:{s}:{pad}:raw>" for s in (401, 500) for pad in (470, 480, 490)]
        study = write_study(tmp_path / "study", server.url, prompts, api_key_env=ECHO_ENV)
        done = quanheng("measure", str(study), env={ECHO_ENV: ECHO_KEY})
    assert done.returncode == 3, done.stderr  # every item failed
    assert done.stderr.count("[REDACTED]") == len(prompts)
    assert _key_pieces(done.stdout + done.stderr) == []
    db = study / "runs" / "runs.sqlite"
    assert _key_pieces(_files_bytes(db).decode("utf-8", "replace")) == []
