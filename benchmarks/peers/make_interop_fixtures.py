"""Produce the import fixtures in ``tests/data/interop/`` with the real harnesses, offline.

lm-evaluation-harness and inspect_ai (from ``benchmarks/peers/.venv``, made by ``setup.sh``) run
small tasks over local JSON-lines items against the fake server (``tests/measure/fakeserver.py``
answers ``The answer is X.`` to a prompt carrying ``<answer:X>``). Some items carry a marker that
differs from their gold answer, so the accuracies are not 1 and the per-sample scores vary.

The outputs are copied into ``tests/data/interop/`` with this machine's paths and host names
replaced by placeholders (``/SCRUBBED``, ``127.0.0.1:PORT``); the numbers are left as the
harnesses wrote them. Run from the repository root with the peer venv's Python (its
``zipfile_zstd``, which
inspect_ai installs, reads and rewrites the zstd-compressed members of an ``.eval`` log)::

    benchmarks/peers/.venv/bin/python benchmarks/peers/make_interop_fixtures.py [NAME ...]

with NAME among ``ceval gsm8k inspect group`` to make only those (default: all).

It takes about a minute; nothing but 127.0.0.1 is contacted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import zipfile_zstd  # type: ignore[import-not-found]  # noqa: F401  (zstd members in zipfile)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PEERS = HERE / ".venv" / "bin"
OUT = ROOT / "tests" / "data" / "interop"

LETTERS = "ABCD"

_LM_EVAL_TASK = """\
task: {name}
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
  max_gen_toks: 32
  do_sample: false
  temperature: 0.0
filter_list:
  - name: {filter}
    filter:
      - function: regex
        regex_pattern: "{pattern}"
      - function: take_first
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
"""

_INSPECT_TASK = '''\
"""A CMMLU-style multiple-choice task over local items (QH_ITEMS)."""

import os

from inspect_ai import Task, task
from inspect_ai.dataset import FieldSpec, json_dataset
from inspect_ai.scorer import match
from inspect_ai.solver import generate


@task
def cmmlu_offline() -> Task:
    return Task(
        dataset=json_dataset(
            os.environ["QH_ITEMS"], FieldSpec(input="question", target="answer", id="id")
        ),
        solver=generate(),
        scorer=match(location="end"),
    )
'''


def choice_items(path: Path, n: int, wrong: set[int], topic: str) -> Path:
    """Four-option items; those in ``wrong`` get a marker the gold letter does not match."""
    rows = []
    for i in range(n):
        gold = LETTERS[i % 4]
        said = LETTERS[(i + 1) % 4] if i in wrong else gold
        lines = [f"{topic} question {i} <answer:{said}>"]
        lines += [f"{letter}) option {letter.lower()} of question {i}" for letter in LETTERS]
        lines.append("Answer with the letter of the correct option.")
        rows.append({"id": f"{topic}-{i}", "question": "\n".join(lines), "answer": gold})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def math_items(path: Path, n: int, wrong: set[int]) -> Path:
    """Word problems whose answer is a number; those in ``wrong`` get a marker off by one."""
    rows = []
    for i in range(n):
        answer = 3 * i + 4
        said = answer + 1 if i in wrong else answer
        question = f"Tom has {i + 1} bags of 3 apples and 4 more apples. How many? <answer:{said}>"
        rows.append({"id": f"gsm-{i}", "question": question, "answer": str(answer)})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def start_server(log: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.measure.fakeserver", "--port", "0", "--log", str(log)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("READY "):
        proc.kill()
        raise SystemExit(f"fake server did not start: {line!r}")
    return proc, line.split()[1]


def env(work: Path, extra: dict[str, str]) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "HF_", "INSPECT_"))}
    out.update(
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        HF_HOME=str(work / "hf"),
        TRANSFORMERS_OFFLINE="1",
        NO_PROXY="127.0.0.1,localhost",
        TOKENIZERS_PARALLELISM="false",
        **extra,
    )
    return out


def run(command: list[str], work: Path, extra: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=work, env=env(work, extra), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({done.returncode}):\n{done.stderr[-3000:]}")


def lm_eval(url: str, work: Path, task: str, items: Path, *, samples: bool, limit: int) -> Path:
    tasks = work / "tasks"
    tasks.mkdir(exist_ok=True)
    pattern, name = (
        ("answer is ([A-D])", "letter") if "ceval" in task else ("answer is (\\\\d+)", "number")
    )
    (tasks / f"{task}.yaml").write_text(
        _LM_EVAL_TASK.format(name=task, items=items, filter=name, pattern=pattern)
    )
    out = work / f"lm-eval-{task}"
    command = [
        str(PEERS / "lm_eval"),
        "run",
        "--model",
        "local-chat-completions",
        "--model_args",
        f"model=fake-chat,base_url={url}/chat/completions,tokenizer_backend=none,num_concurrent=2",
        "--tasks",
        task,
        "--include_path",
        str(tasks),
        "--apply_chat_template",
        "--limit",
        str(limit),
        "--output_path",
        str(out),
    ]
    if samples:
        command.append("--log_samples")
    run(command, work, {"OPENAI_API_KEY": "none"})
    return out


def inspect(url: str, work: Path, items: Path, limit: int) -> Path:
    (work / "inspect_task.py").write_text(_INSPECT_TASK)
    logs = work / "inspect-logs"
    command = [
        str(PEERS / "inspect"),
        "eval",
        "inspect_task.py",
        "--model",
        "openai-api/fake/fake-chat",
        "--display",
        "plain",
        "--max-tokens",
        "32",
        "--temperature",
        "0",
        "--limit",
        str(limit),
        "--log-dir",
        str(logs),
    ]
    run(command, work, {"QH_ITEMS": str(items), "FAKE_API_KEY": "none", "FAKE_BASE_URL": url})
    return logs


def scrub_text(text: str, work: Path, url: str) -> str:
    text = text.replace(str(work), "/SCRUBBED").replace(str(ROOT), "/SCRUBBED")
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    text = text.replace(url.split("//")[1].split("/")[0], "127.0.0.1:PORT")
    host = os.uname().nodename
    if len(host) >= 4:  # a short name ("vm") would also hit random ids: left alone
        text = re.sub(rf"\b{re.escape(host)}\b", "HOST", text)
    return re.sub(r"/(home|root|tmp|work)/[^\s\"']*", "/SCRUBBED", text)


def copy_scrubbed(src: Path, dest: Path, work: Path, url: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.suffix == ".eval":  # a zip of JSON members: scrub each member
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = scrub_text(zin.read(info).decode("utf-8"), work, url)
                zout.writestr(info.filename, data, compress_type=info.compress_type)
        return
    dest.write_text(scrub_text(src.read_text(encoding="utf-8"), work, url), encoding="utf-8")


_GROUP = """\
group: cmmlu_offline_group
task:
  - cmmlu_offline_law
  - cmmlu_offline_art
aggregate_metric_list:
  - metric: exact_match
    aggregation: mean
    weight_by_size: true
    filter_list: letter
metadata:
  version: 1.0
"""


def lm_eval_group(url: str, work: Path, law: Path, art: Path) -> Path:
    """A group of two member tasks, with samples: lm-eval writes the group's own score."""
    tasks = work / "tasks"
    tasks.mkdir(exist_ok=True)
    for name, items in (("cmmlu_offline_law", law), ("cmmlu_offline_art", art)):
        (tasks / f"{name}.yaml").write_text(
            _LM_EVAL_TASK.format(
                name=name, items=items, filter="letter", pattern="answer is ([A-D])"
            )
        )
    (tasks / "cmmlu_offline_group.yaml").write_text(_GROUP)
    out = work / "lm-eval-group"
    command = [
        str(PEERS / "lm_eval"),
        "run",
        "--model",
        "local-chat-completions",
        "--model_args",
        f"model=fake-chat,base_url={url}/chat/completions,tokenizer_backend=none,num_concurrent=2",
        "--tasks",
        "cmmlu_offline_group",
        "--include_path",
        str(tasks),
        "--apply_chat_template",
        "--limit",
        "6",
        "--output_path",
        str(out),
        "--log_samples",
    ]
    run(command, work, {"OPENAI_API_KEY": "none"})
    return out


FIXTURES = ("ceval", "gsm8k", "inspect", "group")


def main(argv: list[str]) -> None:
    """Make the fixtures named in ``argv`` (default: all of :data:`FIXTURES`)."""
    wanted = argv or list(FIXTURES)
    if not (PEERS / "lm_eval").exists() or not (PEERS / "inspect").exists():
        raise SystemExit("benchmarks/peers/.venv lacks lm_eval or inspect: run setup.sh first")
    with tempfile.TemporaryDirectory(prefix="qh-interop-") as tmp:
        work = Path(tmp)
        ceval = choice_items(work / "ceval.jsonl", 12, {2, 5, 9}, "ceval")
        gsm = math_items(work / "gsm8k.jsonl", 12, {1, 6})
        cmmlu = choice_items(work / "cmmlu.jsonl", 12, {0, 3, 4, 7}, "cmmlu")
        law = choice_items(work / "law.jsonl", 6, {1}, "law")
        art = choice_items(work / "art.jsonl", 6, {0, 2, 4}, "art")
        server, url = start_server(work / "server.jsonl")
        made: dict[str, Path] = {}
        try:
            if "ceval" in wanted:
                made["lm-eval/ceval"] = lm_eval(
                    url, work, "ceval_offline", ceval, samples=True, limit=10
                )
            if "gsm8k" in wanted:
                made["lm-eval/gsm8k"] = lm_eval(
                    url, work, "gsm8k_offline", gsm, samples=False, limit=8
                )
            if "group" in wanted:
                made["lm-eval/group"] = lm_eval_group(url, work, law, art)
            if "inspect" in wanted:
                made["inspect"] = inspect(url, work, cmmlu, limit=10)
        finally:
            server.terminate()
            server.wait(10)
        for sub, src in made.items():
            shutil.rmtree(OUT / sub, ignore_errors=True)
            pattern = "*.eval" if sub == "inspect" else "*.json*"
            for path in sorted(src.rglob(pattern)):
                copy_scrubbed(path, OUT / sub / path.name, work, url)
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
