"""Throughput of quanheng's runner against bare client loops and peer harnesses.

The fake server (``tests/measure/fakeserver.py``, 20 ms service time, no faults) runs in its
own process pinned to CPU 0; every client runs pinned to CPU 1, so each client's CPU cost is
measured alone (``--no-pin`` to disable). Every client gets the same multiple-choice items
(``benchmarks/peers/items.py``) at the same concurrency:

* bare aiohttp and bare httpx: the fastest plain client loops (``c`` workers, one request
  each, nothing stored); the faster of the two is the practical **limit**;
* bare http1: the same loop over quanheng's own HTTP/1.1 client (``quanheng.measure.http1``),
  which the runner uses for plain http:// endpoints: quanheng / bare http1 is what
  everything the runner adds to its HTTP client costs;
* quanheng: :func:`run_requests` with a fresh SQLite RunStore, items built lazily from a
  generator inside the timed region (key hashing, resume checks, limiter, durable writes);
  and the same with ``http_client: aiohttp`` (the https:// path);
* lm-evaluation-harness and inspect_ai (from ``benchmarks/peers/.venv``, made by
  ``benchmarks/peers/setup.sh``), at the same concurrency and at their own defaults; their
  requests are counted from the server's log, their rate is over the first-to-last request
  window (start-up excluded) and over the whole command. quanheng runs the same way as a
  command (``--child-run``) for the comparison with them.

Throughput runs take the best of ``--repeats`` runs per client. At concurrency ``c`` a run
sends ``min(N, max(100, N * c / 32))`` items (``--no-scale`` sends N everywhere): at c=1 the
20 ms service time caps every client near 50 req/s, so more items only add minutes.

Then, with quanheng alone: peak RSS of a 100,000-item run streamed from a generator (in a
fresh process), and the time to resume a 100,000-item run that is 90% done (90,000 answers
inserted directly into the store), plus the skip-only cost of a run where all are done.

    python benchmarks/bench_runner.py             # N = 5000, 100,000-item scale runs
    python benchmarks/bench_runner.py --quick     # N = 500, 20,000-item scale runs, 1 repeat
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import platform
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, Literal

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "peers"))

from items import item, write_items  # noqa: E402
from run_peers import PeerResult, measure, peer_missing, run_inspect, run_lm_eval  # noqa: E402

from quanheng.measure.http1 import Http1Pool  # noqa: E402
from quanheng.measure.keys import Request  # noqa: E402
from quanheng.measure.records import Answer  # noqa: E402
from quanheng.measure.runner import run_requests  # noqa: E402
from quanheng.measure.store import RunStore  # noqa: E402
from quanheng.specs.endpoint import Endpoint  # noqa: E402

Bench = Callable[[str, int, int], Coroutine[Any, Any, None]]
# quanheng, lm-eval and inspect_ai run as commands against a logging server (None: not run)
_Commands = tuple[PeerResult | None, PeerResult | None, PeerResult | None]
SERVICE_MS = 20.0
SERVER_CPU = 0
CLIENT_CPU = 1


def _messages(i: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": str(item(i)["question"])}]


def _body(i: int) -> dict[str, object]:
    return {"model": "bench", "messages": _messages(i), "temperature": 0.0, "max_tokens": 64}


async def _pool(n: int, c: int, one: Callable[[int], Awaitable[None]]) -> None:
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            await one(i)

    await asyncio.gather(*(worker() for _ in range(c)))


async def bare_aiohttp(url: str, n: int, c: int) -> None:
    connector = aiohttp.TCPConnector(limit=c)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(i: int) -> None:
            async with session.post(f"{url}/chat/completions", json=_body(i)) as resp:
                data = await resp.json()
                assert resp.status == 200, data
                assert data["choices"][0]["message"]["content"]

        await _pool(n, c, one)


async def bare_httpx(url: str, n: int, c: int) -> None:
    limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def one(i: int) -> None:
            resp = await client.post(f"{url}/chat/completions", json=_body(i))
            assert resp.status_code == 200, resp.text
            assert resp.json()["choices"][0]["message"]["content"]

        await _pool(n, c, one)


async def bare_http1(url: str, n: int, c: int) -> None:
    """quanheng's own HTTP/1.1 client (:mod:`quanheng.measure.http1`) in the same bare loop."""
    pool = Http1Pool(f"{url}/chat/completions", {"Content-Type": "application/json"}, max_idle=c)

    async def one(i: int) -> None:
        resp = await pool.post(json.dumps(_body(i)).encode())
        try:
            data = json.loads(await resp.read())
        finally:
            resp.release()
        assert resp.status == 200, data
        assert data["choices"][0]["message"]["content"]

    try:
        await _pool(n, c, one)
    finally:
        pool.close()


def _endpoint(url: str, c: int, http_client: Literal["auto", "aiohttp"] = "auto") -> Endpoint:
    return Endpoint(
        base_url=url,
        model="bench",
        max_tokens=64,
        stream=False,
        max_concurrency=c,
        http_client=http_client,
    )


def _requests(endpoint: Endpoint, start: int, stop: int) -> Iterator[Request]:
    for i in range(start, stop):
        yield Request.build(endpoint, subject="b", task="mc", item_id=str(i), messages=_messages(i))


async def quanheng(url: str, n: int, c: int) -> None:
    await _quanheng(url, n, c, "auto")


async def quanheng_aiohttp(url: str, n: int, c: int) -> None:
    """quanheng with ``http_client: aiohttp`` (what https:// endpoints use)."""
    await _quanheng(url, n, c, "aiohttp")


async def _quanheng(url: str, n: int, c: int, http_client: Literal["auto", "aiohttp"]) -> None:
    endpoint = _endpoint(url, c, http_client)
    with tempfile.TemporaryDirectory() as tmp, RunStore(Path(tmp) / "r.sqlite") as store:
        summary = await run_requests(endpoint, _requests(endpoint, 0, n), store, concurrency=c)
    assert summary.ok == n, summary


# -- processes and pinning --------------------------------------------------------------------


def _pin_prefix(pin: bool) -> list[str]:
    if pin and shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(CLIENT_CPU)]
    return []


def _start_server(pin: bool, log: Path | None = None) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "tests.measure.fakeserver", "--port", "0"]
    command += ["--service-ms", f"{SERVICE_MS:g}"]
    if log is not None:
        command += ["--log", str(log)]
    if pin and shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        command = ["taskset", "-c", str(SERVER_CPU), *command]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"fake server did not start: {line!r}")
    return proc, line.split()[1]


def _timed(bench: Bench, url: str, n: int, c: int) -> float:
    start = time.perf_counter()
    asyncio.run(bench(url, n, c))
    return n / (time.perf_counter() - start)


# -- scale: memory and resume -----------------------------------------------------------------


def _child_memory(url: str, n: int, c: int) -> None:
    """In a fresh process: run ``n`` streamed items, print RSS before and peak RSS in MiB."""
    baseline = _rss_mib()
    endpoint = _endpoint(url, c)
    with tempfile.TemporaryDirectory() as tmp, RunStore(Path(tmp) / "r.sqlite") as store:
        start = time.perf_counter()
        summary = asyncio.run(
            run_requests(endpoint, _requests(endpoint, 0, n), store, concurrency=c)
        )
        elapsed = time.perf_counter() - start
    assert summary.ok == n, summary
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{baseline:.1f} {peak:.1f} {elapsed:.2f}")


def _rss_mib() -> float:
    """Resident memory now (VmRSS), or the peak so far where /proc is missing."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _memory(url: str, n: int, c: int, pin: bool) -> tuple[float, float, float]:
    out = subprocess.run(
        [*_pin_prefix(pin), sys.executable, __file__, "--child-memory", url, str(n), str(c)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def _child_run(url: str, n: int, c: int) -> None:
    """In a fresh process: one quanheng run, for a wall time comparable to a peer command's."""
    asyncio.run(quanheng(url, n, c))


def _quanheng_command(
    n: int,
    c: int,
    workdir: Path,
    server: Callable[[Path], tuple[subprocess.Popen[str], str]],
    pin: list[str],
) -> PeerResult:
    """quanheng as a command (``--child-run``: start-up, imports, run), measured like a peer:
    the same logging server, the same window and end-to-end rates."""

    def build(url: str) -> list[str]:
        return [str(Path(__file__).resolve()), "--child-run", url, str(n), str(c)]

    return measure(
        [*pin, sys.executable], dict(os.environ), server, workdir, build, SERVICE_MS / 1000, 900
    )


def _prefill(store: RunStore, endpoint: Endpoint, n: int) -> None:
    """Insert ``n`` ok answers directly, as a run that stopped after ``n`` items would have."""
    run_id = store.begin_run(subject="b", settings={"prefill": n})
    for i, req in enumerate(_requests(endpoint, 0, n)):
        answer = Answer(
            f"The answer is {'ABCD'[i % 4]}.", "stop", 30, 4, "reported", 0.02, None, 200.0
        )
        store.put_ok(
            req,
            run_id=run_id,
            body=endpoint.body(req.messages),
            answer=answer,
            cost=None,
            attempts=1,
            commit=(i + 1) % 5000 == 0,
        )
    store.commit()


def _resume(url: str, n: int, c: int) -> tuple[float, float, int]:
    """(seconds to finish a 90%-done run, seconds for an all-done run, items sent)."""
    endpoint = _endpoint(url, c)
    done = n * 9 // 10
    with tempfile.TemporaryDirectory() as tmp:
        with RunStore(Path(tmp) / "r.sqlite") as store:
            _prefill(store, endpoint, done)
        with RunStore(Path(tmp) / "r.sqlite") as store:
            start = time.perf_counter()
            summary = asyncio.run(run_requests(endpoint, _requests(endpoint, 0, n), store))
            resume_s = time.perf_counter() - start
            assert (summary.ok, summary.cached) == (n - done, done), summary
        with RunStore(Path(tmp) / "r.sqlite") as store:
            start = time.perf_counter()
            again = asyncio.run(run_requests(endpoint, _requests(endpoint, 0, n), store))
            skip_s = time.perf_counter() - start
            assert (again.ok, again.cached, again.attempts) == (0, n, 0), again
    return resume_s, skip_s, summary.ok


# -- main -------------------------------------------------------------------------------------


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _peer_cell(result: PeerResult | None) -> str:
    if result is None:
        return "not run"
    if result.error is not None and result.requests == 0:
        return "failed"
    mark = "" if result.error is None else " (exit≠0)"
    return f"{result.window_rate:.0f}{mark}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="500 items, small scale runs")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32, 128])
    parser.add_argument("--repeats", type=int, default=None, help="best of (default 3; quick 1)")
    parser.add_argument("--scale-items", type=int, default=None, help="memory/resume run size")
    parser.add_argument("--no-scale", action="store_true", help="send N items at every c")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and client")
    parser.add_argument("--no-peers", action="store_true", help="skip lm-eval and inspect_ai")
    parser.add_argument("--child-memory", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-run", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        url, n, c = args.child_memory
        _child_memory(url, int(n), int(c))
        return
    if args.child_run:
        url, n, c = args.child_run
        _child_run(url, int(n), int(c))
        return

    pin = not args.no_pin and shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
    if pin:
        os.sched_setaffinity(0, {CLIENT_CPU})
    total = 500 if args.quick else args.items
    repeats = args.repeats or (1 if args.quick else 3)
    scale_n = args.scale_items or (20_000 if args.quick else 100_000)
    peers_reason = "--no-peers" if args.no_peers else peer_missing()
    benches: dict[str, Bench] = {
        "aiohttp": bare_aiohttp,
        "httpx": bare_httpx,
        "http1": bare_http1,
        "quanheng": quanheng,
        "qh-aiohttp": quanheng_aiohttp,
    }

    def sized(c: int) -> int:
        return total if args.no_scale else min(total, max(100, total * c // 32))

    rows: list[tuple[int, int, dict[str, float], _Commands]] = []
    proc, url = _start_server(pin)
    try:
        asyncio.run(bare_aiohttp(url, 100, 8))  # warm the server
        for c in args.concurrency:
            n = sized(c)
            best: dict[str, float] = dict.fromkeys(benches, 0.0)
            for rep in range(repeats):
                for name, bench in benches.items():
                    rate = _timed(bench, url, n, c)
                    best[name] = max(best[name], rate)
                    print(f"c={c:<4} n={n:<5} #{rep} {name:<10} {rate:8.0f} req/s", file=sys.stderr)
            rows.append((c, n, best, (None, None, None)))
        memory = _memory(url, scale_n, 128, pin)
        print(f"memory: {memory}", file=sys.stderr)
        resume = _resume(url, scale_n, 128)
        print(f"resume: {resume}", file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait(10)

    defaults: dict[str, PeerResult | None] = {"lm-eval": None, "inspect_ai": None}
    if peers_reason is None:
        pin_cmd = _pin_prefix(pin)

        def server(log: Path) -> tuple[subprocess.Popen[str], str]:
            return _start_server(pin, log)

        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            for index, (c, n, best, _) in enumerate(rows):
                items = write_items(work / f"items-{n}.jsonl", n)
                qh = _quanheng_command(n, c, work / f"quanheng-{c}", server, pin_cmd)
                print(f"c={c:<4} n={n:<5} quanheng  {qh}", file=sys.stderr)
                kwargs: dict[str, Any] = {"pin": pin_cmd, "service_s": SERVICE_MS / 1000}
                lm = run_lm_eval(items, c, work / f"lm-{c}", server, **kwargs)
                print(f"c={c:<4} n={n:<5} lm-eval   {lm}", file=sys.stderr)
                ins = run_inspect(items, c, work / f"inspect-{c}", server, **kwargs)
                print(f"c={c:<4} n={n:<5} inspect   {ins}", file=sys.stderr)
                rows[index] = (c, n, best, (qh, lm, ins))
            kwargs = {"pin": pin_cmd, "service_s": SERVICE_MS / 1000}
            n_lm, n_in = sized(1), sized(10)
            defaults["lm-eval"] = run_lm_eval(
                write_items(work / "d-lm.jsonl", n_lm), None, work / "lm-default", server, **kwargs
            )
            defaults["inspect_ai"] = run_inspect(
                write_items(work / "d-in.jsonl", n_in), None, work / "in-default", server, **kwargs
            )
            print(f"defaults: {defaults}", file=sys.stderr)

    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = shlex.join(["python", "benchmarks/bench_runner.py", *sys.argv[1:]])
    placement = (
        f"server pinned to CPU {SERVER_CPU}, clients to CPU {CLIENT_CPU}" if pin else "not pinned"
    )
    print(f"Machine: {_cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, ")
    print(f"aiohttp {aiohttp.__version__}, httpx {httpx.__version__}; {placement}.  ")
    print(f"Date: {now}.  ")
    print(f"Command: `{command}` (best of {repeats}; fake server service time {SERVICE_MS:g} ms)")
    print()
    print(
        "| concurrency | items | bare aiohttp req/s | bare httpx req/s | limit req/s "
        "| quanheng req/s | quanheng / limit | bare http1 req/s | quanheng / bare http1 "
        "| quanheng, aiohttp client / limit | lm-eval req/s | inspect_ai req/s "
        "| quanheng / best peer |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c, n, best, (qh, lm, ins) in rows:
        limit = max(best["aiohttp"], best["httpx"])
        peer_rates = [r.window_rate for r in (lm, ins) if r is not None and r.requests]
        peer_e2e = [r.end_to_end_rate for r in (lm, ins) if r is not None and r.requests]
        vs_peer = "n/a"
        if peer_rates and qh is not None and qh.requests:
            vs_peer = (
                f"{qh.window_rate / max(peer_rates):.2f} "
                f"(e2e {qh.end_to_end_rate / max(peer_e2e):.2f})"
            )
        print(
            f"| {c} | {n} | {best['aiohttp']:.0f} | {best['httpx']:.0f} | {limit:.0f} "
            f"| {best['quanheng']:.0f} | {best['quanheng'] / limit:.2f} | {best['http1']:.0f} "
            f"| {best['quanheng'] / best['http1']:.2f} | {best['qh-aiohttp'] / limit:.2f} "
            f"| {_peer_cell(lm)} | {_peer_cell(ins)} | {vs_peer} |"
        )
    print()
    if peers_reason is not None:
        print(f"Peers: not run: {peers_reason}.")
    else:
        print(
            "Peers: each harness runs as a command against a fresh server that logs every "
            "request; the table gives its rate over the log's first-to-last request window "
            "(start-up excluded); quanheng / best peer compares quanheng's command measured "
            "the same way (window, and in brackets whole commands: interpreter start, imports, "
            "run). Window / end-to-end req/s (quanheng; lm-eval; inspect_ai): "
            + "; ".join(
                f"c={c} {qh.window_rate:.0f} / {qh.end_to_end_rate:.0f}; "
                f"{lm.window_rate:.0f} / {lm.end_to_end_rate:.0f}; "
                f"{ins.window_rate:.0f} / {ins.end_to_end_rate:.0f}"
                for c, _, _, (qh, lm, ins) in rows
                if qh is not None and lm is not None and ins is not None
            )
            + "."
        )
        for name, result in defaults.items():
            if result is not None:
                print(
                    f"{name} at its defaults: {result.window_rate:.0f} req/s window, "
                    f"{result.end_to_end_rate:.0f} req/s end to end ({result.requests} requests"
                    f"{'' if result.error is None else '; ' + result.error})."
                )
    base, peak, elapsed = memory
    print(
        f"Peak RSS, {scale_n:,} items streamed from a generator at c=128: {peak:.0f} MiB "
        f"(RSS before the run, after imports: {base:.0f} MiB; the run took {elapsed:.1f} s)."
    )
    resume_s, skip_s, sent = resume
    print(
        f"Resume of a {scale_n:,}-item run 90% done: {resume_s:.2f} s to send the remaining "
        f"{sent:,}; skip-only (all {scale_n:,} done): {skip_s:.2f} s "
        f"({skip_s / scale_n * 1e6:.0f} µs per skipped item)."
    )


if __name__ == "__main__":
    main()
