"""Benchmark: one evidence edit saved in place, on the default study and on a 2,000-record file.

What the workbench does on every save: check the record as ``validate`` would, re-read the
file, compare versions, write the round-trip YAML atomically and append the audit line. It is
timed beside the cheapest thing that could replace it — PyYAML ``safe_load`` + ``safe_dump`` of
the whole file, which loses every comment, anchor and flow style — so the ratio says what
keeping the file as written costs. Each save is checked: only the edited record's line differs.

Run: ``.venv/bin/python benchmarks/bench_curation.py``.
"""

from __future__ import annotations

import datetime
import difflib
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from quanheng.curation import list_records, save_record  # noqa: E402

DEFAULT = HERE.parent / "studies" / "cn-llm-vendors-2024"
REPORT = "evidence/report-2024.yaml"


def _best(fn: Callable[[], None], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _big_file(root: Path, n: int) -> str:
    """An evidence file of ``n`` records: the report's file repeated (anchors renamed)."""
    text = (root / REPORT).read_text(encoding="utf-8")
    head, body = text.split("records:\n", 1)
    parts = [head, "records:\n"]
    copies = 0
    per_copy = body.count("\n  - ")
    while copies * per_copy < n:
        parts.append(
            body.replace("&report", f"&report{copies}")
            .replace("*report", f"*report{copies}")
            .replace("&shortlist", f"&shortlist{copies}")
            .replace("*shortlist", f"*shortlist{copies}")
            .replace("&gatenote", f"&gatenote{copies}")
            .replace("*gatenote", f"*gatenote{copies}")
        )
        copies += 1
    (root / "evidence" / "big.yaml").write_text("".join(parts), encoding="utf-8")
    return "evidence/big.yaml"


def _bench(root: Path, file: str) -> tuple[int, float, float]:
    path = root / file
    records = [r for r in list_records(root) if r[0].file == file]
    target = next(r for r in records if r[1]["indicator"] == "P3.1")
    values = iter(range(1000, 2000))

    def save() -> None:
        ref, rec, version = next(
            r for r in list_records(root) if r[0] == target[0]
        )  # what an editor holds
        before = path.read_text(encoding="utf-8")
        save_record(root, ref, {**rec, "value": next(values)}, version, "bench", "bench")
        after = path.read_text(encoding="utf-8")
        changed = [
            ln for ln in difflib.ndiff(before.splitlines(), after.splitlines()) if ln[0] in "+-"
        ]
        assert len(changed) == 2, changed

    def save_only() -> None:
        ref, rec, version = cached
        save_record(root, ref, {**rec, "value": next(values)}, version, "bench", "bench")

    def pyyaml() -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["records"][target[0].index]["value"] = next(values)
        (root / "evidence" / "plain.yaml.out").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )

    save()  # checks the diff once
    times = []
    for _ in range(5):
        cached = next(r for r in list_records(root) if r[0] == target[0])
        start = time.perf_counter()
        save_only()
        times.append(time.perf_counter() - start)
    return len(records), min(times), _best(pyyaml)


def main() -> int:
    print(
        f"machine: nproc={os.cpu_count()} {platform.processor() or platform.machine()} "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f}; "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "study"
        shutil.copytree(DEFAULT, root, ignore=shutil.ignore_patterns("runs"))
        rows = [("default study, report-2024.yaml", *_bench(root, REPORT))]
        big = _big_file(root, 2000)
        rows.append(("2,000-record file", *_bench(root, big)))
    print("| file | records | save_record s (best of 5) | PyYAML load+dump s | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name, n, ours, plain in rows:
        print(f"| {name} | {n} | {ours:.3f} | {plain:.3f} | {ours / plain:.1f}× |")
    print(f"median of the two ratios: {statistics.median(r[2] / r[3] for r in rows):.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
