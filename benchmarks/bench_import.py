"""Benchmark: ``quanheng import`` of a CMMLU-sized lm-eval run with per-sample results.

Run: .venv/bin/python benchmarks/bench_import.py [--tasks 67] [--per-task 173] [--repeat 3]

The run is built from the real group fixture's layout (``tests/data/interop/lm-eval/group``,
written by lm-eval 0.4.13): a group of ``--tasks`` member tasks with ``--per-task`` samples
each (67 × 173 ≈ CMMLU's 11,582 test questions), one ``samples_<task>_<date>.jsonl`` per member
with the fixture's sample lines (seeded 0/1 scores), and the group's own score. Timed side by
side, each in a fresh copy of the default study:

* ``import``: :func:`quanheng.interop.import_results` — hash, parse, map, bootstrap, store and
  the conflict check (which reads the store through ``collect``), what the command does;
* ``parse floor``: only ``json.loads`` of every line of every file, the least any importer
  reading these files must do; the ratio says what the rest costs.

Target: < 2 s for the CMMLU-sized run on this machine.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

import quanheng
from quanheng.interop import import_results
from quanheng.measure.pipeline import collect

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "interop" / "lm-eval" / "group"
STUDY = ROOT / "studies" / "cn-llm-vendors-2024"


def build_run(folder: Path, tasks: int, per_task: int, seed: int = 0) -> Path:
    """Write a group results file and its members' samples files; return the results file."""
    (template_path,) = FIXTURE.glob("results_*.json")
    template = json.loads(template_path.read_text(encoding="utf-8"))
    member = template["results"]["cmmlu_offline_law"]
    line = json.loads(next(FIXTURE.glob("samples_cmmlu_offline_law_*.jsonl")).open().readline())
    stamp = "2026-12-04T12-00-00.000000"
    rng = random.Random(seed)
    names = [f"cmmlu_offline_{k:02d}" for k in range(tasks)]
    results: dict[str, object] = {}
    total = 0.0
    for name in names:
        scores = [float(rng.random() < 0.6) for _ in range(per_task)]
        total += sum(scores)
        mean = sum(scores) / per_task
        results[name] = {
            **member,
            "name": name,
            "alias": name,
            "sample_len": per_task,
            "exact_match,letter": mean,
        }
        with (folder / f"samples_{name}_{stamp}.jsonl").open("w", encoding="utf-8") as out:
            for i, score in enumerate(scores):
                out.write(json.dumps({**line, "doc_id": i, "exact_match": score}) + "\n")
    group = dict(template["results"]["cmmlu_offline_group"])
    group.update({"sample_len": tasks * per_task, "exact_match,letter": total / (tasks * per_task)})
    results["cmmlu_offline_group"] = group
    data = {
        **template,
        "results": results,
        "group_subtasks": {"cmmlu_offline_group": names},
        "n-samples": {n: {"original": per_task, "effective": per_task} for n in names},
    }
    path = folder / f"results_{stamp}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def parse_floor(folder: Path) -> int:
    """json.loads of every line of every file: the least any importer of them does."""
    lines = 0
    for path in sorted(folder.glob("*.json*")):
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
            lines += 1
            continue
        for text in path.read_text(encoding="utf-8").splitlines():
            json.loads(text)
            lines += 1
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tasks", type=int, default=67)
    parser.add_argument("--per-task", type=int, default=173)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import scipy.stats  # noqa: F401  (the bootstrap's; imported once, not timed)

    with tempfile.TemporaryDirectory(prefix="qh-bench-import-") as tmp:
        root = Path(tmp)
        run_dir = root / "run"
        run_dir.mkdir()
        results = build_run(run_dir, args.tasks, args.per_task)
        size = sum(p.stat().st_size for p in run_dir.iterdir())
        print(f"{args.tasks} tasks × {args.per_task} samples, {size / 2**20:.1f} MiB of files")
        imports: list[float] = []
        floors: list[float] = []
        cell = None
        for k in range(args.repeat):
            started = time.perf_counter()
            parse_floor(run_dir)
            floors.append(time.perf_counter() - started)
            target = root / f"study-{k}"
            shutil.copytree(STUDY, target, ignore=shutil.ignore_patterns("runs", "out"))
            study = quanheng.load_study(target)
            started = time.perf_counter()
            result = import_results(
                study, [results], "lm-eval", "qwen2.5-coder-0.5b", collect=collect
            )
            imports.append(time.perf_counter() - started)
            cell = result.files[0].cells[0]
        assert cell is not None and cell.imported is not None
        print(
            f"value {cell.value:.4f} [{cell.low:.4f}, {cell.high:.4f}] n={cell.n} "
            f"({cell.imported.interval}, task {cell.imported.task})"
        )
        best_import, best_floor = min(imports), min(floors)
        shown = ", ".join(f"{t:.3f}" for t in imports)
        print(f"import      best {best_import:.3f} s  (runs: {shown})")
        shown = ", ".join(f"{t:.3f}" for t in floors)
        print(f"parse floor best {best_floor:.3f} s  (runs: {shown})")
        print(
            f"import / parse floor = {best_import / best_floor:.2f}×; target < 2 s: "
            f"{'met' if best_import < 2.0 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
