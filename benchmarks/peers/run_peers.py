"""Run lm-evaluation-harness and inspect_ai over the same items against the fake server.

Both run from ``benchmarks/peers/.venv`` (made by ``setup.sh``), offline, pinned to the client
core, each against a fresh fake server that logs every request. Requests are counted from that
log, never from the harness's own report. Two rates per run:

* ``window``: requests / (last logged request - first logged request + one service time), the
  harness's steady sending rate without its start-up (imports, dataset load) — generous to it;
* ``end_to_end``: requests / wall time of the whole command.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["PEER_VENV", "PeerResult", "measure", "peer_missing", "run_inspect", "run_lm_eval"]

HERE = Path(__file__).resolve().parent
PEER_VENV = HERE / ".venv"

_LM_EVAL_TASK = """\
task: quanheng_mc
dataset_path: json
dataset_kwargs:
  data_files:
    test: {items}
test_split: test
output_type: generate_until
doc_to_text: "{{{{question}}}}"
doc_to_target: "{{{{answer}}}}"
generation_kwargs:
  until: []
  max_gen_toks: 64
  do_sample: false
  temperature: 0.0
filter_list:
  - name: letter
    filter:
      - function: regex
        regex_pattern: "answer is ([A-D])"
      - function: take_first
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
"""


@dataclasses.dataclass(frozen=True)
class PeerResult:
    """One peer run: what the server saw and how long it took."""

    requests: int
    ok: int
    window_rate: float
    end_to_end_rate: float
    wall_s: float
    error: str | None = None


def peer_missing() -> str | None:
    """Why peers cannot run, or ``None`` when the peer venv has both harnesses."""
    if not (PEER_VENV / "bin" / "python").exists():
        return "benchmarks/peers/.venv missing; run benchmarks/peers/setup.sh"
    for tool in ("lm_eval", "inspect"):
        if not (PEER_VENV / "bin" / tool).exists():
            return f"{tool} not installed in benchmarks/peers/.venv; run benchmarks/peers/setup.sh"
    return None


def measure(
    command: list[str],
    env: dict[str, str],
    start_server: Callable[[Path], tuple[subprocess.Popen[str], str]],
    workdir: Path,
    build: Callable[[str], list[str]],
    service_s: float,
    timeout_s: float,
) -> PeerResult:
    """Run ``command + build(url)`` against a fresh logging server; rates from its log."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "server.jsonl"
    log.unlink(missing_ok=True)
    server, url = start_server(log)
    try:
        full = command + build(url)
        started = time.perf_counter()
        proc = subprocess.run(
            full, env=env, cwd=workdir, capture_output=True, text=True, timeout=timeout_s
        )
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    error = None
    if proc.returncode != 0:
        error = f"exit {proc.returncode}: {(proc.stderr or proc.stdout)[-400:]}"
    if not entries:
        return PeerResult(0, 0, 0.0, 0.0, wall, error or "no request reached the server")
    times = [e["t"] for e in entries]
    window = max(times) - min(times) + service_s
    ok = sum(1 for e in entries if e["outcome"] == "ok")
    return PeerResult(len(entries), ok, len(entries) / window, len(entries) / wall, wall, error)


def _env(workdir: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "HF_", "INSPECT_"))}
    env.update(
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        HF_HOME=str(workdir / "hf"),
        TRANSFORMERS_OFFLINE="1",
        NO_PROXY="127.0.0.1,localhost",
        TOKENIZERS_PARALLELISM="false",
    )
    env.update(extra)
    return env


def run_lm_eval(
    items: Path,
    concurrency: int | None,
    workdir: Path,
    start_server: Callable[[Path], tuple[subprocess.Popen[str], str]],
    *,
    pin: list[str],
    service_s: float,
    timeout_s: float = 900,
) -> PeerResult:
    """lm-eval ``local-chat-completions`` at ``num_concurrent=concurrency`` (``None``: default)."""
    workdir.mkdir(parents=True, exist_ok=True)
    tasks = workdir / "tasks"
    tasks.mkdir(exist_ok=True)
    (tasks / "quanheng_mc.yaml").write_text(_LM_EVAL_TASK.format(items=items.resolve()))

    def build(url: str) -> list[str]:
        args = f"model=bench,base_url={url}/chat/completions,tokenizer_backend=none"
        if concurrency is not None:
            args += f",num_concurrent={concurrency}"
        return [
            "--model",
            "local-chat-completions",
            "--model_args",
            args,
            "--tasks",
            "quanheng_mc",
            "--include_path",
            str(tasks),
            "--apply_chat_template",
            "--output_path",
            str(workdir / "out"),
        ]

    return measure(
        [*pin, str(PEER_VENV / "bin" / "lm_eval")],
        _env(workdir, {}),
        start_server,
        workdir,
        build,
        service_s,
        timeout_s,
    )


def run_inspect(
    items: Path,
    concurrency: int | None,
    workdir: Path,
    start_server: Callable[[Path], tuple[subprocess.Popen[str], str]],
    *,
    pin: list[str],
    service_s: float,
    timeout_s: float = 900,
) -> PeerResult:
    """inspect_ai's ``openai-api`` provider at ``--max-connections`` (``None``: default)."""
    workdir.mkdir(parents=True, exist_ok=True)
    task_file = workdir / "inspect_task.py"
    task_file.write_text((HERE / "inspect_task.py").read_text())

    def build(url: str) -> list[str]:
        args = [
            "eval",
            "inspect_task.py",
            "--model",
            "openai-api/fake/bench",
            "--display",
            "plain",
            "--max-tokens",
            "64",
            "--temperature",
            "0",
            "--log-dir",
            str(workdir / "logs"),
        ]
        if concurrency is not None:
            args += ["--max-connections", str(concurrency)]
        return args

    def start(log: Path) -> tuple[subprocess.Popen[str], str]:
        server, url = start_server(log)
        env["FAKE_BASE_URL"] = url
        return server, url

    env = _env(workdir, {"QH_ITEMS": str(items.resolve()), "FAKE_API_KEY": "none"})
    return measure(
        [*pin, str(PEER_VENV / "bin" / "inspect")],
        env,
        start,
        workdir,
        build,
        service_s,
        timeout_s,
    )
