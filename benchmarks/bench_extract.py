"""Benchmark: how much of the default study's hand-curated evidence does ``extract`` find?

The document is the seed report's text (``../shared/seeds/`` beside the repository, read at
benchmark time and never copied into the repo). The truth is the default study's records
curated from that report (``studies/cn-llm-vendors-2024/evidence/report-2024.yaml``): facts,
rubric levels and gates. A proposal is right when its (subject, leaf or gate, value) matches a
truth record: the same subject and indicator, and the value within the record's ``range``
(else equal within 1e-6 relative; levels and booleans exactly). Each truth record is matched
at most once.

Three runs: the rule finder alone (``--rules-only``), the local model alone (the study's local
model, qwen2.5-coder-0.5b-q4km, asked about the passages the rule finder selects — one
request per passage, not the whole document), and both. Reported: precision, recall and F1,
overall and per kind, the share of proposals each check dropped, requests and wall time.

The study is copied to ``~/.cache/quanheng/bench-extract/`` and its run store kept there, so a
second run reuses the model's answers (``--fresh`` starts from an empty store). Without the
local model installed the model runs are skipped and said so.

Run: ``.venv/bin/python benchmarks/bench_extract.py [--fresh] [--rules-only]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
STUDY = ROOT / "studies" / "cn-llm-vendors-2024"
TRUTH_FILE = "report-2024.yaml"
CACHE = Path.home() / ".cache" / "quanheng" / "bench-extract"


def seed_document() -> Path | None:
    """The seed report's text (the file whose front matter names the report)."""
    if not SEEDS.is_dir():
        return None
    for path in sorted(SEEDS.iterdir()):
        if path.is_file() and "大模型架构及应用场景深度分析" in path.read_text("utf-8")[:2000]:
            return path
    return None


def truth(study: Any) -> list[Any]:
    return [r for r in study.evidence if Path(r.file).name == TRUTH_FILE]


def _matches(record: dict[str, Any], gold: Any) -> bool:
    if (record["subject"], record["indicator"]) != (gold.subject, gold.indicator):
        return False
    value = record["value"]
    if isinstance(gold.value, bool) or isinstance(value, bool):
        return value is gold.value
    if gold.range is not None:
        return bool(gold.range[0] <= float(value) <= gold.range[1])
    return math.isclose(float(value), float(gold.value), rel_tol=1e-6)


def score(records: list[dict[str, Any]], gold: list[Any]) -> dict[str, float]:
    used: set[int] = set()
    hits = 0
    for rec in records:
        for i, g in enumerate(gold):
            if i not in used and _matches(rec, g):
                used.add(i)
                hits += 1
                break
    p = hits / len(records) if records else 0.0
    r = len(used) / len(gold) if gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"proposed": len(records), "right": hits, "truth": len(gold), "p": p, "r": r, "f1": f1}


def _kind(study: Any, indicator: str) -> str:
    if indicator in study.framework.gate_ids:
        return "gate"
    return str(study.framework.leaf(indicator).kind)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fresh", action="store_true", help="empty the cached run store first")
    parser.add_argument("--rules-only", action="store_true", help="skip the model runs")
    parser.add_argument(
        "--stored-only",
        action="store_true",
        help="send nothing: score the model on the passages whose answers are already stored",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import quanheng
    from quanheng.extract.pipeline import extract
    from quanheng.measure.local_server import server_available

    doc = seed_document()
    if doc is None:
        print(f"no seed report under {SEEDS}: nothing to benchmark")
        return 0
    if args.fresh and CACHE.exists():
        shutil.rmtree(CACHE)
    work = CACHE / "study"
    if work.exists():
        for child in work.iterdir():  # refresh the study files, keep the run store
            if child.name != "runs":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(STUDY, work, dirs_exist_ok=True)
    study = quanheng.load_study(work)
    gold = truth(study)
    kinds = sorted({_kind(study, g.indicator) for g in gold})

    cpu = platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):  # the first CPU's
            cpu = line.split(":", 1)[1].strip()
            break
    command = " ".join([".venv/bin/python benchmarks/bench_extract.py", *sys.argv[1:]])
    counts = ", ".join(f"{k} {sum(_kind(study, g.indicator) == k for g in gold)}" for k in kinds)
    print(f"Machine: nproc = {os.cpu_count()}, {cpu!r}, Python {platform.python_version()}; ")
    print(f"load average {os.getloadavg()[0]:.1f} at start.")
    print(f"Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Command: `{command}`")
    print(f"Document: {doc.name} ({doc.stat().st_size:,} bytes).")
    print(f"Truth: {len(gold)} records of {TRUTH_FILE} ({counts}).\n")

    runs: list[tuple[str, dict[str, Any]]] = [("rules alone", {"rules_only": True})]
    model_ok = server_available() and not args.rules_only
    if model_ok:
        runs += [("local model alone", {"use_rules": False}), ("rules + local model", {})]
    else:
        why = "--rules-only" if args.rules_only else "the local model server is not installed"
        print(f"model runs skipped: {why}\n")
    rows = []
    for label, options in runs:
        began = time.perf_counter()
        result = extract(study, [doc], write=False, send=not args.stored_only, **options)
        wall = time.perf_counter() - began
        records = [s.record for s in result.survivors]
        overall = score(records, gold)
        per_kind = {
            k: score(
                [r for r in records if _kind(study, r["indicator"]) == k],
                [g for g in gold if _kind(study, g.indicator) == k],
            )
            for k in kinds
        }
        rows.append((label, result, overall, per_kind, wall))

    head = " | ".join(f"F1 {k}" for k in kinds)
    print(f"| run | proposals | passed checks | right | P | R | F1 | {head} | sent / reused | s |")
    print("|---|---:|---:|---:|---:|---:|---:|" + "---:|" * len(kinds) + "---|---:|")
    for label, result, o, per_kind, wall in rows:
        made = sum(result.proposed.values())
        answers = result.answers
        asked = "–" if answers is None else f"{answers.sent} / {answers.reused}"
        by_kind = " | ".join(f"{per_kind[k]['f1']:.2f}" for k in kinds)
        print(
            f"| {label} | {made} | {len(result.survivors)} | {o['right']} | {o['p']:.2f} | "
            f"{o['r']:.2f} | {o['f1']:.2f} | {by_kind} | {asked} | {wall:.1f} |"
        )
    print("\nShare of proposals dropped by each check (of all proposals made in the run):\n")
    checks = list(rows[0][1].dropped)
    print("| run | " + " | ".join(checks) + " |")
    print("|---|" + "---:|" * len(checks))
    for label, result, *_ in rows:
        made = sum(result.proposed.values()) or 1
        shares = " | ".join(f"{result.dropped[c] / made:.0%}" for c in checks)
        print(f"| {label} | {shares} |")
    for label, result, *_ in rows:
        if result.model is not None and result.answers is not None:
            print(
                f"\n{label}: model {result.model}; {result.passages[0]} passages read, "
                f"{result.passages[1]} selected for the model, "
                f"{result.passages[1] - result.answers.unsent} of them answered"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
