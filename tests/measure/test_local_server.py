"""The local server: a REAL model served by llama.cpp on 127.0.0.1, end to end.

The end-to-end tests start ``python -m llama_cpp.server`` on 127.0.0.1 with SmolLM2-135M (fast)
and ask Qwen2.5-Coder-0.5B one short Chinese question. They skip only when the server or the
weights are not installed, naming the command that installs them.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import httpx
import pytest

from quanheng.errors import LocalModelError
from quanheng.measure.local_server import HOST, LocalServer, ServerOptions, server_available
from tests.measure.local_weights import QWEN, SMOL, need_server


def test_extra_args_cannot_rebind(tmp_path: Path) -> None:
    with pytest.raises(LocalModelError, match=r"127\.0\.0\.1"):
        LocalServer(SMOL, ServerOptions(extra_args=("--host", "0.0.0.0")))


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
    assert "no_such_option" in str(info.value)  # the tail of the server's own log
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
