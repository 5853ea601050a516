"""Runs from the browser: ``measure`` against a local fake endpoint, its progress by SSE.

The study is the probe study of the measure tests (one model behind the fake
OpenAI-compatible server, whose API key comes from an environment variable); the key must
never appear in any page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from quanheng.web import create_app
from tests.measure.endpoint_study import write_study
from tests.measure.fakeserver import FakeServer, ServerConfig
from tests.web.support import LiveServer

KEY_ENV = "QUANHENG_WEB_TEST_KEY"
KEY = "sk-web-test-4f1c9a0d7e"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeServer]:
    server = FakeServer(ServerConfig(service_ms=30, api_key=KEY)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory, fake: FakeServer) -> Iterator[Path]:
    mp = pytest.MonkeyPatch()
    mp.setenv(KEY_ENV, KEY)
    prompts = [f"question {i}" for i in range(12)]
    yield write_study(
        tmp_path_factory.mktemp("web-runs") / "probe", fake.url, prompts, api_key_env=KEY_ENV
    )
    mp.undo()


@pytest.fixture(scope="module")
def app(study: Path) -> Any:
    return create_app(study, draws=100)


@pytest.fixture(scope="module")
def server(app: Any) -> Iterator[LiveServer]:
    with LiveServer(app) as live:
        yield live


def test_a_run_started_in_the_browser_streams_progress_and_lands_in_the_store(
    fake: FakeServer, server: LiveServer, app: Any, browser: Any
) -> None:
    # `fake` before `browser`: the fake server's loop stops after Playwright's has closed
    page = browser.new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.goto(server.url + "/runs?lang=en")
    page.check("#start-run input[name=suite][value='suites/probe']")
    page.fill("#start-run input[name=limit]", "8")
    page.click("#start-run button")
    page.wait_for_url("**/runs/*")
    page.wait_for_selector("#run-state[data-state=finished]", timeout=60_000)
    board = page.locator("#board").inner_text()
    assert "probe · efficiency" in board and "8/8" in board
    assert sum(1 for e in fake.log if e.get("outcome") == "ok") >= 8
    assert any("/events" in u for u in seen)  # the board followed the server-sent events
    assert all(u.startswith(server.url) or u.startswith("data:") for u in seen)
    page.close()
    card = app.state.bench.card(None)  # the store is read again after the run
    i = card.index("probe")
    assert card.raw[i, card.node_index("P7.1")] == card.raw[i, card.node_index("P7.1")]  # not NaN


def test_the_api_key_never_appears_in_a_page(app: Any, server: LiveServer) -> None:
    client = httpx.Client(base_url=server.url)
    for page in ("/", "/weights", "/subjects", "/subject/probe", "/runs", "/reports", "/evidence"):
        r = client.get(page)
        assert r.status_code == 200, page
        assert KEY not in r.text, page
    runs = app.state.runs.runs
    for run in runs:
        assert KEY not in client.get(f"/runs/{run}").text
        assert KEY not in client.get(f"/runs/{run}/status").text
    client.close()


def test_a_run_can_be_stopped(app: Any, server: LiveServer) -> None:
    client = httpx.Client(base_url=server.url)
    csrf = app.state.settings.csrf
    r = client.post(
        "/runs",
        data={"csrf": csrf, "subject": "probe", "suite": "suites/probe", "limit": "12"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    run_id = r.headers["location"].split("/runs/")[1].split("?")[0]
    r = client.post(f"/runs/{run_id}/stop", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    run = app.state.runs.get(run_id)
    assert run.state == "stopped"
    assert run.process.poll() is not None
    assert client.post("/runs", data={"csrf": csrf, "subject": "acme"}).status_code == 400
    client.close()
