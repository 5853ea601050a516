"""The local server: a REAL model served by llama.cpp on 127.0.0.1, end to end.

The end-to-end tests start the default engine (llama.cpp's ``llama-server`` when built, else
``python -m llama_cpp.server``) on 127.0.0.1 with SmolLM2-135M (fast) and ask Qwen2.5-Coder-0.5B
one short Chinese question; llama-server also answers concurrent requests together, and the
fallback to llama_cpp.server is forced by pointing ``$QUANHENG_LLAMA_SERVER`` at a missing file.
They skip only when a server or the weights are not installed, naming the command that installs
them.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from quanheng.errors import LocalModelError
from quanheng.measure.local_server import (
    BINARY_ENV,
    HOST,
    LocalServer,
    ServerOptions,
    llama_server_binary,
    server_available,
)
from tests.measure.local_weights import (
    QWEN,
    SMOL,
    need_llama_server,
    need_python_server,
    need_server,
)


def test_extra_args_cannot_rebind(tmp_path: Path) -> None:
    with pytest.raises(LocalModelError, match=r"127\.0\.0\.1"):
        LocalServer(SMOL, ServerOptions(extra_args=("--host", "0.0.0.0")))


def test_llama_server_is_chosen_when_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = tmp_path / "llama-server"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.setenv(BINARY_ENV, str(binary))
    server = LocalServer(SMOL, ServerOptions(parallel=3, n_ctx=1024))
    assert (server.engine, server.note, server.concurrency) == ("llama-server", None, 3)
    cmd = server.command(tmp_path / "m.gguf", 4321)
    assert cmd[0] == str(binary)
    flags = dict(zip(cmd[1::2], cmd[2::2], strict=False))
    assert flags["--host"] == HOST and flags["--port"] == "4321" and flags["--alias"] == SMOL
    assert cmd[cmd.index("--parallel") + 1] == "3" and "--cont-batching" in cmd
    assert cmd[cmd.index("--ctx-size") + 1] == "3072"  # n_ctx per slot × slots
    assert cmd[cmd.index("--threads") + 1] == "2"


def test_missing_binary_falls_back_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no" / "llama-server"
    monkeypatch.setenv(BINARY_ENV, str(missing))
    assert llama_server_binary() is None
    server = LocalServer(SMOL)
    assert (server.engine, server.concurrency) == ("llama_cpp.server", 1)
    assert server.note is not None and str(missing) in server.note
    assert "one request at a time" in server.note
    assert server.command(tmp_path / "m.gguf", 1)[1:3] == ["-m", "llama_cpp.server"]
    with pytest.raises(LocalModelError, match="not an executable file"):
        LocalServer(SMOL, ServerOptions(engine="llama-server"))
    with pytest.raises(LocalModelError, match="at least 1"):
        LocalServer(SMOL, ServerOptions(parallel=0))


def test_server_missing_is_reported(tmp_path: Path) -> None:
    bare = tmp_path / "python-without-llama"
    bare.write_text(f'#!/bin/sh\nexec {sys.executable} -S -I "$@"\n')
    bare.chmod(0o755)
    assert not server_available(bare)
    with pytest.raises(LocalModelError, match="not installed"):
        LocalServer(SMOL, ServerOptions(python=bare)).start()


# --- a real server, end to end -----------------------------------------------------------------


def _listening_on(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            addr, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
                found.add(addr)
    return found


def _stream(client: httpx.Client, base_url: str, body: dict[str, object]) -> dict[str, object]:
    text, usage, finish, done = [], None, None, False
    with client.stream("POST", f"{base_url}/chat/completions", json={**body, "stream": True}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if not line.startswith("data: "):
                continue
            if line == "data: [DONE]":
                done = True
                continue
            chunk = json.loads(line[len("data: ") :])
            usage = chunk.get("usage") or usage
            for choice in chunk["choices"]:
                text.append(choice["delta"].get("content") or "")
                finish = choice.get("finish_reason") or finish
    return {"pieces": [t for t in text if t], "usage": usage, "finish": finish, "done": done}


def test_smollm2_served_end_to_end() -> None:
    need_server(SMOL)
    server = LocalServer(SMOL, ServerOptions(start_timeout=60))
    with server as base_url:
        port, pid = server.port, server.pid
        assert port is not None and pid is not None
        assert base_url == f"http://{HOST}:{port}/v1"
        assert _listening_on(port) == {"0100007F"}  # 127.0.0.1 only, never 0.0.0.0 or ::
        assert os.getpgid(pid) == pid  # its own process group

        with httpx.Client(timeout=60, trust_env=False) as client:
            models = client.get(f"{base_url}/models").json()
            assert [m["id"] for m in models["data"]] == [SMOL]

            body: dict[str, object] = {
                "model": SMOL,
                "messages": [{"role": "user", "content": "What is the capital of France?"}],
                "max_tokens": 24,
                "temperature": 0,
            }
            plain = client.post(f"{base_url}/chat/completions", json=body).json()
            answer = plain["choices"][0]["message"]["content"]
            assert answer.strip() and "Paris" in answer
            usage = plain["usage"]
            assert usage["prompt_tokens"] > 0 and 0 < usage["completion_tokens"] <= 24
            assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]

            streamed = _stream(client, base_url, body)
            assert streamed["done"] and streamed["finish"] in ("stop", "length")
            pieces = streamed["pieces"]
            assert isinstance(pieces, list) and "".join(pieces) == answer  # greedy: same text
            # llama-cpp-python's server sends no usage in a stream (it ignores
            # stream_options.include_usage); one content chunk is one generated token, so the
            # runner can count them. Check that here, and the usage if a future version sends it.
            assert len(pieces) <= usage["completion_tokens"]
            if streamed["usage"] is not None:
                assert streamed["usage"] == usage

    assert server.pid is None and server.port is None
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # the whole group is gone
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(1)
        sock.connect((HOST, port))


def test_server_that_fails_to_start_reports_its_log() -> None:
    need_server(SMOL)
    server = LocalServer(
        SMOL, ServerOptions(extra_args=("--no_such_option", "1"), start_timeout=60)
    )
    with pytest.raises(LocalModelError, match="exited with code") as info:
        server.start()
    # the tail of the server's own log (llama-server spells it with dashes)
    assert re.search("no[_-]such[_-]option", str(info.value))
    assert server.pid is None
    if server.log_path is not None:
        server.log_path.unlink(missing_ok=True)


def test_qwen_answers_a_chinese_question() -> None:
    need_server(QWEN)
    with (
        LocalServer(QWEN, ServerOptions(start_timeout=90)) as base_url,
        httpx.Client(timeout=90, trust_env=False) as client,
    ):
        reply = client.post(
            f"{base_url}/chat/completions",
            json={
                "model": QWEN,
                "messages": [{"role": "user", "content": "中国的首都是哪里？请用一句话回答。"}],
                "max_tokens": 32,
                "temperature": 0,
            },
        ).json()
    answer = reply["choices"][0]["message"]["content"]
    assert "北京" in answer
    assert reply["usage"]["completion_tokens"] > 0


# --- llama-server: requests decoded together; and the fallback, for real --------------------------


def test_llama_server_answers_concurrent_requests() -> None:
    need_llama_server(SMOL)
    server = LocalServer(SMOL, ServerOptions(engine="llama-server", parallel=4, start_timeout=60))
    with server as base_url, httpx.Client(timeout=120, trust_env=False) as client:
        assert server.port is not None and server.concurrency == 4
        assert _listening_on(server.port) == {"0100007F"}  # 127.0.0.1 only
        limits = [12, 14, 16, 18, 20, 22, 24, 26]  # 8 requests over 4 slots, each its own
        answers: dict[int, Any] = {}
        started = threading.Barrier(len(limits))

        def ask(i: int, max_tokens: int) -> None:
            body = {
                "model": SMOL,
                "messages": [{"role": "user", "content": "What is the capital of France?"}],
                "max_tokens": max_tokens,
                "temperature": 0,
            }
            started.wait()  # all in flight together
            answers[i] = client.post(f"{base_url}/chat/completions", json=body).json()

        threads = [threading.Thread(target=ask, args=a) for a in enumerate(limits)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(answers) == list(range(len(limits)))
        for i, max_tokens in enumerate(limits):
            reply = answers[i]
            assert reply["model"] == SMOL
            assert "Paris" in reply["choices"][0]["message"]["content"], reply
            assert 0 < reply["usage"]["completion_tokens"] <= max_tokens

        # llama-server reports usage in a stream when asked (stream_options.include_usage).
        body: dict[str, Any] = {
            "model": SMOL,
            "messages": [{"role": "user", "content": "What is the capital of France?"}],
            "max_tokens": 24,
            "temperature": 0,
        }
        plain = client.post(f"{base_url}/chat/completions", json=body).json()
        streamed: Any = _stream(
            client, base_url, {**body, "stream_options": {"include_usage": True}}
        )
        assert "".join(streamed["pieces"]) == plain["choices"][0]["message"]["content"]
        assert streamed["usage"] is not None
        assert streamed["usage"]["completion_tokens"] == plain["usage"]["completion_tokens"]
        assert streamed["usage"]["prompt_tokens"] == plain["usage"]["prompt_tokens"]


def test_fallback_server_serves_when_llama_server_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_python_server(SMOL)
    monkeypatch.setenv(BINARY_ENV, str(tmp_path / "missing"))
    server = LocalServer(SMOL, ServerOptions(start_timeout=60))
    assert server.engine == "llama_cpp.server"
    with server as base_url, httpx.Client(timeout=60, trust_env=False) as client:
        assert server.port is not None and _listening_on(server.port) == {"0100007F"}
        reply = client.post(
            f"{base_url}/chat/completions",
            json={
                "model": SMOL,
                "messages": [{"role": "user", "content": "What is the capital of France?"}],
                "max_tokens": 16,
                "temperature": 0,
            },
        ).json()
    assert "Paris" in reply["choices"][0]["message"]["content"]
