"""Aggregate output tokens/s of the local model: llama-server (parallel slots) vs llama_cpp.server.

Both servers serve qwen2.5-coder-0.5b-q4km from the same llama.cpp sources and CPU flags, with 2
threads, on 127.0.0.1 (started by :class:`quanheng.measure.local_server.LocalServer`), and both
are up for the whole run. For each concurrency ``c`` in 1, 2, 4, 8 the same 16 short chat prompts
(8 Chinese, 8 English; ``max_tokens`` 64, temperature 0, not streamed, so ``usage`` is exact) are
sent ``c`` at a time to each server in turn — serial first, then llama-server with each slot count
— so the servers see the same machine load, side by side. Aggregate throughput is the sum of
``usage.completion_tokens`` over the wall time of the batch.

Answer agreement at temperature 0, as the share of prompts whose text is exactly equal:
between the two servers (each at c = 1) and, per server, between c = 1 and every other c
(batched decoding changes the floating-point order of the matrix products, so greedy answers
can drift).

    python benchmarks/bench_local_serving.py              # 16 prompts, c = 1 2 4 8, slots 4 8
    python benchmarks/bench_local_serving.py --quick      # 8 prompts, c = 1 4, slots 4
    python benchmarks/bench_local_serving.py --json out.json

Skips (exit 0, saying why) when the model, llama-server or llama_cpp.server is not installed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quanheng.errors import LocalModelError  # noqa: E402
from quanheng.measure.local_server import (  # noqa: E402
    LocalServer,
    ServerOptions,
    llama_server_binary,
    python_server_available,
)

MODEL = "qwen2.5-coder-0.5b-q4km"
MAX_TOKENS = 64
PROMPTS = (
    "中国的首都是哪里？请用一句话回答。",
    "请用两句话介绍长城。",
    "一年有几个季节？分别是什么？",
    "水在多少摄氏度沸腾？",
    "请解释什么是人工智能。",
    "用一句话描述太阳系。",
    "写一个Python函数，计算两个数的和。",
    "列举三种常见的水果。",
    "What is the capital of France? Answer in one sentence.",
    "Explain what a prime number is.",
    "Name three primary colors.",
    "Write a Python function that reverses a string.",
    "What does HTTP stand for?",
    "Give one tip for writing clear code.",
    "How many days are in a leap year?",
    "Describe the water cycle briefly.",
)


@dataclass
class Batch:
    """One server's answers to every prompt at one concurrency."""

    engine: str
    concurrency: int
    seconds: float
    tokens: int
    texts: list[str]

    @property
    def tps(self) -> float:
        return self.tokens / self.seconds


async def _ask(client: httpx.AsyncClient, url: str, prompt: str) -> tuple[str, int]:
    r = await client.post(
        f"{url}/chat/completions",
        json={
            "model": MODEL,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": MAX_TOKENS,
            "temperature": 0,
        },
    )
    r.raise_for_status()
    body = r.json()
    return body["choices"][0]["message"]["content"], int(body["usage"]["completion_tokens"])


async def _batch(url: str, prompts: tuple[str, ...], concurrency: int) -> tuple[float, list]:
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=900, trust_env=False, limits=limits) as client:

        async def one(p: str) -> tuple[str, int]:
            async with gate:
                return await _ask(client, url, p)

        began = time.perf_counter()
        answers = await asyncio.gather(*(one(p) for p in prompts))
        return time.perf_counter() - began, answers


def run_batch(engine: str, url: str, prompts: tuple[str, ...], concurrency: int) -> Batch:
    seconds, answers = asyncio.run(_batch(url, prompts, concurrency))
    batch = Batch(engine, concurrency, seconds, sum(n for _, n in answers), [t for t, _ in answers])
    print(
        f"  {engine:<22} c={concurrency}: {batch.tokens:5d} tokens in {seconds:6.1f} s = "
        f"{batch.tps:6.1f} tok/s",
        flush=True,
    )
    return batch


def agreement(a: list[str], b: list[str]) -> float:
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def _machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0]
    return (
        f"nproc = {os.cpu_count()}, {cpu!r}, Linux {platform.release()}, Python "
        f"{platform.python_version()}, load average {load:.1f} at start"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="8 prompts, c = 1 4, slots 4")
    parser.add_argument("--concurrency", type=int, nargs="+", default=None)
    parser.add_argument("--slots", type=int, nargs="+", default=None, help="llama-server slots")
    parser.add_argument("--json", type=Path, default=None, help="write the raw results here")
    args = parser.parse_args()
    prompts = PROMPTS[::2] if args.quick else PROMPTS
    levels = args.concurrency or ([1, 4] if args.quick else [1, 2, 4, 8])
    slot_counts = args.slots or ([4] if args.quick else [4, 8])

    if llama_server_binary() is None or not python_server_available():
        print("skipped: needs both llama-server (scripts/build_llama_server.sh) and "
              "llama_cpp.server (scripts/install_local_model.sh .venv)")  # fmt: skip
        return 0
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"machine: {_machine()}\ndate: {started}\ncommand: {' '.join(sys.argv)}")
    print(f"{len(prompts)} prompts, max_tokens {MAX_TOKENS}, temperature 0, model {MODEL}\n")

    servers = {"llama_cpp.server": LocalServer(MODEL, ServerOptions(engine="llama_cpp.server"))}
    for n in slot_counts:
        servers[f"llama-server -np {n}"] = LocalServer(
            MODEL, ServerOptions(engine="llama-server", parallel=n)
        )
    urls: dict[str, str] = {}
    try:
        for name, server in servers.items():
            urls[name] = server.__enter__()
            print(f"started {name} in {server.start_seconds:.1f} s", flush=True)
        for name, url in urls.items():  # warm-up: load pages, fill caches
            run_batch(name + " (warm-up)", url, prompts[:2], 2)
        results: list[Batch] = []
        for c in levels:
            print(f"concurrency {c}", flush=True)
            for name, url in urls.items():
                results.append(run_batch(name, url, prompts, c))
    except LocalModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        for server in servers.values():
            server.stop()

    by = {(b.engine, b.concurrency): b for b in results}
    serial = "llama_cpp.server"
    print("\n| concurrency | " + " | ".join(f"{n} tok/s" for n in urls) + " | "
          + " | ".join(f"{n} ÷ serial" for n in urls if n != serial) + " |")  # fmt: skip
    print("|---:|" + "---:|" * (2 * len(urls) - 1))
    for c in levels:
        row = [f"{by[(n, c)].tps:.1f}" for n in urls]
        row += [f"{by[(n, c)].tps / by[(serial, c)].tps:.2f}×" for n in urls if n != serial]
        print(f"| {c} | " + " | ".join(row) + " |")

    print("\nanswer agreement (exact text) at temperature 0:")
    lo = levels[0]
    for n in urls:
        if n != serial:
            share = agreement(by[(serial, lo)].texts, by[(n, lo)].texts)
            print(f"  {serial} vs {n}, c={lo}: {share:.0%}")
    for n in urls:
        for c in levels[1:]:
            share = agreement(by[(n, lo)].texts, by[(n, c)].texts)
            print(f"  {n}: c={lo} vs c={c}: {share:.0%}")
    if args.json is not None:
        args.json.write_text(
            json.dumps([b.__dict__ for b in results], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
