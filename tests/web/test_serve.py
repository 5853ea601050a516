"""``quanheng serve`` as a user starts it: its own process, the URL it prints, the token, and a
kill in the middle of saves that leaves every evidence file whole."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import quanheng
from quanheng.curation import list_records
from tests.web.support import ROOT, copy_study

TOKEN = "serve-test-token-8c1f"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_study(tmp_path_factory.mktemp("web-serve") / "study")


@pytest.fixture(scope="module")
def served(study: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    argv = ["serve", str(study), "--port", str(port), "--token", TOKEN]
    proc = subprocess.Popen(
        [sys.executable, "-m", "quanheng", *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/healthz", headers={"Authorization": f"Bearer {TOKEN}"})
            break
        except httpx.TransportError:
            time.sleep(0.2)
    try:
        yield proc, line
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        proc.stdout.close()


def test_serve_prints_its_url_and_wants_the_token(
    served: tuple[subprocess.Popen[str], str],
) -> None:
    _, line = served
    assert f"?token={TOKEN}" in line and "http://127.0.0.1:" in line
    base = line.split("http://", 1)[1].split("/", 1)[0]
    with httpx.Client(base_url=f"http://{base}") as client:
        assert client.get("/").status_code == 401
        r = client.get(f"/?token={TOKEN}", follow_redirects=True)
        assert r.status_code == 200 and "quanheng" in r.text  # the cookie carries it on


def test_killing_the_server_mid_save_leaves_every_file_whole(
    served: tuple[subprocess.Popen[str], str], study: Path
) -> None:
    proc, line = served
    base = "http://" + line.split("http://", 1)[1].split("/", 1)[0]
    head = {"Authorization": f"Bearer {TOKEN}"}
    client = httpx.Client(base_url=base, headers=head, timeout=30)
    page = client.get("/evidence/edit?file=evidence/report-2024.yaml&index=30").text
    csrf = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    form = {
        "csrf": csrf,
        "file": "evidence/report-2024.yaml",
        "index": "30",
        "version": "",
    }
    record = next(
        rec
        for ref, rec, _ in list_records(study)
        if ref.file == "evidence/report-2024.yaml" and ref.index == 30
    )
    form.update(
        subject=record["subject"],
        indicator=record["indicator"],
        value=str(record["value"]).lower(),
        source_title=record["source"].get("title", ""),
        source_date=str(record["source"].get("date", "")),
        source_url=record["source"].get("url", ""),
        source_publisher=record["source"].get("publisher", ""),
        analyst=record["analyst"],
        who="killer",
    )
    saved: list[int] = []

    def hammer() -> None:
        for n in range(200):
            try:
                r = client.post("/evidence/save", data={**form, "quote": f"quote {n}"})
            except httpx.TransportError:
                return
            if r.status_code in (200, 303):
                saved.append(n)

    worker = threading.Thread(target=hammer)
    worker.start()
    deadline = time.monotonic() + 60
    while len(saved) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # somewhere inside a later save
    os.kill(proc.pid, signal.SIGKILL)
    worker.join(30)
    client.close()
    assert saved, "no save went through before the kill"
    loaded = quanheng.load_study(study)  # what `quanheng validate` checks
    quotes = [r.quote for r in loaded.evidence if r.file.endswith("report-2024.yaml") and r.line]
    assert any(q.startswith("quote ") for q in quotes)
    # a temporary file a kill left behind ends in .tmp, which no loader reads
    assert all(p.suffix == ".tmp" for p in (study / "evidence").iterdir() if p.name[0] == ".")
    for entry in (study / "audit.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(entry)
