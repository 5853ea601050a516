"""A real OpenAI-compatible chat-completions server for tests and benchmarks, with faults.

Answers are derived from the prompt so every run can be checked exactly:

* ``<answer:X>`` in the last user message -> ``"The answer is X."``; otherwise
  ``"echo: <first 200 characters of the last user message>"``;
* ``<always:NNN>`` -> always that HTTP status (e.g. ``<always:500>``, ``<always:400>``);
* ``<echo-auth>`` -> 500 whose body repeats the Authorization header (for secret scrubbing);
* ``<echo-key:STATUS:PAD:FORM>`` -> STATUS with a plain-text body of PAD dots, then the key
  received in FORM: ``bearer`` (the whole header), ``raw``, ``url`` (percent-encoded), ``head``
  / ``tail`` (its first / last half), then more dots (PAD moves the key across a client's
  cut of the body);
* ``<no-usage>`` -> omit ``usage`` (tests the client's fallback counting);
* ``ServerConfig.reply``, when set, scripts the answer: called with the last user message, the
  text it returns is the answer (``None`` falls back to the rules above).

Faults are chosen per request from ``random.Random(f"{seed}:{key}:{n}")`` where ``key`` hashes
the answer-changing body and ``n`` counts earlier requests with that key: the same run meets the
same faults whatever the arrival order. Kinds: ``429`` (with ``Retry-After``, in seconds or as
an HTTP date), ``500``, ``503``, ``timeout`` (sleep past the client's timeout, then 504),
``malformed`` (bad JSON), ``cut`` (close the connection mid-body or mid-stream).
``max_faults_per_key`` bounds faults per key so a test can require every item to end ok.

Every request is logged (``key``, ``n``, ``outcome``, ``stream``) in memory and optionally as
JSON lines; ``outcome == "ok"`` is written only after the last byte was sent.

Run in a thread (:class:`FakeServer`) or as a process::

    python -m tests.measure.fakeserver --port 0 --fault-rate 0.2 --service-ms 20 --log PATH

which prints ``READY <base_url>`` once listening and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import email.utils
import hashlib
import json
import os
import random
import re
import signal
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from aiohttp import web

__all__ = ["FAULT_KINDS", "FakeServer", "ServerConfig", "body_key", "expected_answer"]

FAULT_KINDS = ("429", "500", "503", "timeout", "malformed", "cut")

_ANSWER = re.compile(r"<answer:([^>]+)>")
_ALWAYS = re.compile(r"<always:(\d{3})>")
_ECHO_KEY = re.compile(r"<echo-key:(\d{3}):(\d+):(bearer|raw|url|head|tail)>")


@dataclasses.dataclass(frozen=True)
class ServerConfig:
    """Behaviour of the fake server.

    Attributes:
        fault_rate: probability that a request meets a fault.
        service_ms: time before answering (simulated model latency).
        seed: seeds fault choice.
        faults: the fault kinds to draw from.
        max_faults_per_key: stop faulting a key after this many faults (``None``: no limit).
        retry_after_s: the ``Retry-After`` sent with 429s.
        timeout_sleep_s: how long a ``timeout`` fault sleeps before its 504.
        api_key: when set, requests must carry ``Bearer <api_key>``; a wrong key gets a 401
            whose body echoes the key received (as some real servers do).
        chunk_ms: pause between streamed chunks.
        reply: scripted answers: last user message -> answer text (``None``: the default).
    """

    fault_rate: float = 0.0
    service_ms: float = 0.0
    seed: int = 0
    faults: tuple[str, ...] = FAULT_KINDS
    max_faults_per_key: int | None = None
    retry_after_s: float = 0.05
    timeout_sleep_s: float = 3.0
    api_key: str | None = None
    chunk_ms: float = 0.0
    reply: Callable[[str], str | None] | None = None


def body_key(body: dict[str, Any]) -> str:
    """Short hash of the answer-changing part of a request body (as the server sees it)."""
    kept = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    blob = json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def _last_user(messages: Any) -> str:
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user":
                content = message.get("content")
                return content if isinstance(content, str) else json.dumps(content)
    return ""


def expected_answer(prompt: str) -> str:
    """The text the server answers to a last user message ``prompt``."""
    found = _ANSWER.search(prompt)
    if found:
        return f"The answer is {found.group(1)}."
    return f"echo: {prompt[:200]}"


def _tokens(text: str) -> list[str]:
    return re.findall(r"\S+\s*", text) or [text]


class _App:
    """Request handling and the log; independent of how the server is hosted."""

    def __init__(self, config: ServerConfig, log_file: TextIO | None) -> None:
        self.config = config
        self.log: list[dict[str, Any]] = []
        self._log_file = log_file
        self._seen: Counter[str] = Counter()
        self._faulted: Counter[str] = Counter()
        self.agents: Counter[str] = Counter()  # User-Agent of every chat request
        self._lock = threading.Lock()

    def record(self, key: str, n: int, outcome: str, stream: bool) -> None:
        entry = {"t": time.time(), "key": key, "n": n, "outcome": outcome, "stream": stream}
        with self._lock:
            self.log.append(entry)
            if self._log_file is not None:
                self._log_file.write(json.dumps(entry) + "\n")
                self._log_file.flush()

    def build(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.chat)
        app.router.add_get("/v1/models", self.models)
        return app

    async def models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "fake", "object": "model"}]})

    def _pick_fault(self, key: str, n: int) -> str | None:
        cfg = self.config
        if cfg.fault_rate <= 0 or not cfg.faults:
            return None
        if cfg.max_faults_per_key is not None and self._faulted[key] >= cfg.max_faults_per_key:
            return None
        rng = random.Random(f"{cfg.seed}:{key}:{n}")
        if rng.random() >= cfg.fault_rate:
            return None
        self._faulted[key] += 1
        return rng.choice(cfg.faults)

    async def chat(self, request: web.Request) -> web.StreamResponse:
        cfg = self.config
        try:
            body = json.loads(await request.read())
            messages = body["messages"]
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": {"message": "bad request body"}}, status=400)
        key = body_key(body)
        stream = bool(body.get("stream"))
        with self._lock:
            n = self._seen[key]
            self._seen[key] += 1
            self.agents[request.headers.get("User-Agent", "")] += 1
        auth = request.headers.get("Authorization", "")
        if cfg.api_key is not None and auth != f"Bearer {cfg.api_key}":
            self.record(key, n, "401", stream)
            given = auth.removeprefix("Bearer ")
            return web.json_response(
                {"error": {"message": f"Incorrect API key provided: {given}", "code": 401}},
                status=401,
            )
        prompt = _last_user(messages)
        forced = _ALWAYS.search(prompt)
        if forced:
            status = int(forced.group(1))
            self.record(key, n, str(status), stream)
            return web.json_response({"error": {"message": f"forced {status}"}}, status=status)
        echo = _ECHO_KEY.search(prompt)
        if echo:
            status, pad, form = int(echo.group(1)), int(echo.group(2)), echo.group(3)
            self.record(key, n, str(status), stream)
            given = auth.removeprefix("Bearer ")
            shown = {
                "bearer": auth,
                "raw": given,
                "url": urllib.parse.quote(given, safe=""),
                "head": given[: len(given) // 2],
                "tail": given[len(given) // 2 :],
            }[form]
            text = "." * pad + shown + "." * 600
            return web.Response(text=text, status=status, content_type="text/plain")
        if "<echo-auth>" in prompt:
            self.record(key, n, "500", stream)
            return web.json_response({"error": {"message": f"bad auth header {auth}"}}, status=500)

        fault = self._pick_fault(key, n)
        if cfg.service_ms > 0:
            await asyncio.sleep(cfg.service_ms / 1000)
        if fault is not None and fault not in ("malformed", "cut"):
            self.record(key, n, fault, stream)
            if fault == "429":
                if random.Random(f"ra:{key}:{n}").random() < 0.25:
                    retry_after = email.utils.formatdate(time.time(), usegmt=True)
                else:
                    retry_after = f"{cfg.retry_after_s:g}"
                return web.json_response(
                    {"error": {"message": "rate limited"}},
                    status=429,
                    headers={"Retry-After": retry_after},
                )
            if fault == "timeout":
                await asyncio.sleep(cfg.timeout_sleep_s)
                return web.json_response({"error": {"message": "too slow"}}, status=504)
            return web.json_response({"error": {"message": f"fault {fault}"}}, status=int(fault))

        scripted = cfg.reply(prompt) if cfg.reply is not None else None
        text = scripted if scripted is not None else expected_answer(prompt)
        pieces = _tokens(text)
        finish = "stop"
        max_tokens = body.get("max_tokens")
        if isinstance(max_tokens, int) and len(pieces) > max_tokens:
            pieces, finish = pieces[:max_tokens], "length"
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(pieces),
            "total_tokens": prompt_tokens + len(pieces),
        }
        with_usage = "<no-usage>" not in prompt
        if stream:
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return await self._stream(
                request,
                key,
                n,
                pieces,
                finish,
                usage if with_usage and include_usage else None,
                fault,
            )
        payload = {
            "id": f"chatcmpl-{key[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "".join(pieces)},
                    "finish_reason": finish,
                }
            ],
        }
        if with_usage:
            payload["usage"] = usage
        raw = json.dumps(payload).encode()
        if fault == "malformed":
            self.record(key, n, "malformed", False)
            return web.Response(body=raw[: len(raw) // 2], content_type="application/json")
        if fault == "cut":
            self.record(key, n, "cut", False)
            resp = web.StreamResponse(headers={"Content-Type": "application/json"})
            resp.content_length = len(raw)
            await resp.prepare(request)
            await resp.write(raw[: len(raw) // 2])
            _cut(request)
            return resp
        resp = web.Response(body=raw, content_type="application/json")
        await resp.prepare(request)
        await resp.write_eof()
        self.record(key, n, "ok", False)
        return resp

    async def _stream(
        self,
        request: web.Request,
        key: str,
        n: int,
        pieces: list[str],
        finish: str,
        usage: dict[str, int] | None,
        fault: str | None,
    ) -> web.StreamResponse:
        resp = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await resp.prepare(request)

        def event(choices: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> bytes:
            chunk: dict[str, Any] = {
                "id": f"chatcmpl-{key[:12]}",
                "object": "chat.completion.chunk",
                "choices": choices,
            }
            if extra:
                chunk.update(extra)
            return b"data: " + json.dumps(chunk).encode() + b"\n\n"

        await resp.write(event([{"index": 0, "delta": {"role": "assistant"}}]))
        cut_at = max(1, len(pieces) // 2) if fault in ("malformed", "cut") else None
        for i, piece in enumerate(pieces):
            if cut_at is not None and i == cut_at:
                self.record(key, n, fault or "", True)
                if fault == "malformed":
                    await resp.write(b'data: {"choices": [{"delta": {"content": \n\n')
                    await resp.write(b"data: [DONE]\n\n")
                    return resp
                _cut(request)
                return resp
            if self.config.chunk_ms > 0:
                await asyncio.sleep(self.config.chunk_ms / 1000)
            await resp.write(event([{"index": 0, "delta": {"content": piece}}]))
        await resp.write(event([{"index": 0, "delta": {}, "finish_reason": finish}]))
        if usage is not None:
            await resp.write(event([], {"usage": usage}))
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        self.record(key, n, "ok", True)
        return resp


def _cut(request: web.Request) -> None:
    """Drop the connection under a response that has started (a crash mid-answer)."""
    transport = request.transport
    if transport is not None:
        transport.abort()


class FakeServer:
    """The fake server on 127.0.0.1 in a background thread with its own event loop.

    Use as a context manager; ``url`` is the base URL (``http://127.0.0.1:PORT/v1``) and
    ``log`` the request log (a list shared with the server thread; copy before iterating).
    """

    def __init__(
        self, config: ServerConfig | None = None, *, port: int = 0, log_path: Path | None = None
    ) -> None:
        self.config = config or ServerConfig()
        self._port = port
        self._log_path = log_path
        self._log_file: TextIO | None = None
        self._app: _App | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def log(self) -> list[dict[str, Any]]:
        assert self._app is not None, "server not started"
        return self._app.log

    @property
    def agents(self) -> Counter[str]:
        """How many chat requests came with each ``User-Agent``."""
        assert self._app is not None, "server not started"
        return self._app.agents

    def start(self) -> FakeServer:
        if self._log_path is not None:
            self._log_file = self._log_path.open("a", encoding="utf-8")
        self._app = _App(self.config, self._log_file)
        loop = asyncio.new_event_loop()
        self._loop = loop
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._setup())
            ready.set()
            loop.run_forever()

        self._thread = threading.Thread(target=serve, name="fakeserver", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake server did not start within 10 s")
        return self

    async def _setup(self) -> None:
        assert self._app is not None
        self._runner = web.AppRunner(
            self._app.build(), access_log=None, handler_cancellation=True, shutdown_timeout=0.2
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        self.port = _bound_port(self._runner)

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        self._loop = self._thread = None
        if self._log_file is not None:
            self._log_file.close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple):
            return int(address[1])
    raise RuntimeError("fake server has no TCP address")


async def _serve_forever(config: ServerConfig, port: int, log_path: Path | None) -> None:
    log_file = log_path.open("a", encoding="utf-8") if log_path is not None else None
    app = _App(config, log_file)
    runner = web.AppRunner(
        app.build(), access_log=None, handler_cancellation=True, shutdown_timeout=0.2
    )
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY http://127.0.0.1:{_bound_port(runner)}/v1", flush=True)
    await stop.wait()
    await runner.cleanup()
    if log_file is not None:
        log_file.close()


def main(argv: list[str] | None = None) -> None:
    """Command line: serve until SIGTERM/SIGINT (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--service-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-faults-per-key", type=int, default=None)
    parser.add_argument("--retry-after-s", type=float, default=0.05)
    parser.add_argument("--timeout-sleep-s", type=float, default=3.0)
    parser.add_argument("--api-key-env", default=None, help="require the key in this variable")
    parser.add_argument("--log", type=Path, default=None)
    args = parser.parse_args(argv)
    config = ServerConfig(
        fault_rate=args.fault_rate,
        service_ms=args.service_ms,
        seed=args.seed,
        max_faults_per_key=args.max_faults_per_key,
        retry_after_s=args.retry_after_s,
        timeout_sleep_s=args.timeout_sleep_s,
        api_key=os.environ.get(args.api_key_env) if args.api_key_env else None,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(config, args.port, args.log))


if __name__ == "__main__":
    main()
