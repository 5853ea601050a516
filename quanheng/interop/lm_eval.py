"""lm-evaluation-harness results: ``results_<date>.json`` and its ``samples_<task>_<date>.jsonl``.

lm-eval (0.4.x) writes one ``results_*.json`` per run with ``results`` (per task: ``"<metric>,
<filter>": value`` and ``"<metric>_stderr,<filter>": se``), ``n-samples`` (``effective`` is the
count used, after ``--limit``), ``group_subtasks``, ``lm_eval_version``, ``model_name`` and
``date`` (a Unix time). With ``--log_samples`` it writes, beside it, one
``samples_<task>_<same date>.jsonl`` per task: a line per document with each metric's score
under the metric's bare name and the filter in ``filter``. Those per-sample scores are what the
bootstrap interval is computed from.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeGuard

from quanheng.errors import ResultsFileError
from quanheng.interop.parsed import ParsedFile, TaskScore

__all__ = ["parse_lm_eval"]

_HINT = "pass lm-eval's results_<date>.json (written by --output_path)"


def parse_lm_eval(path: Path) -> ParsedFile:
    """Read one lm-eval results file and the per-sample files beside it, when present.

    Raises:
        ResultsFileError: not JSON, or not lm-eval's layout (no ``results`` mapping).
    """
    data = _load_json(path)
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict) or not results:
        raise ResultsFileError.single(
            str(path), None, "not an lm-eval results file (no `results` with tasks)", _HINT
        )
    stamp = path.stem.removeprefix("results_")
    parents = {
        sub: group
        for group, subs in (data.get("group_subtasks") or {}).items()
        for sub in (subs or [])
    }
    n_samples = data.get("n-samples") or {}
    scores: list[TaskScore] = []
    for task, entry in sorted(results.items()):
        if not isinstance(entry, dict):
            continue
        n = _count(n_samples.get(task), entry)
        for key, value in sorted(entry.items()):
            if "," not in key or "_stderr," in key or not _is_number(value):
                continue
            metric, _, filt = key.partition(",")
            se = entry.get(f"{metric}_stderr,{filt}")
            samples = _samples(path.parent, task, stamp, metric, filt)
            scores.append(
                TaskScore(
                    task=task,
                    metric=key,
                    value=float(value),
                    n=len(samples) if samples else n,
                    se=float(se) if _is_number(se) else None,
                    samples=samples,
                    parent=parents.get(task),
                )
            )
    date = data.get("date")
    return ParsedFile(
        harness="lm-eval",
        version=str(data["lm_eval_version"]) if data.get("lm_eval_version") else None,
        model=data.get("model_name") or (data.get("config") or {}).get("model"),
        date=(
            datetime.fromtimestamp(float(date), UTC).isoformat(timespec="seconds")
            if _is_number(date)
            else None
        ),
        scores=tuple(scores),
    )


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsFileError.single(str(path), None, f"not JSON ({exc})", _HINT) from None


def _is_number(value: object) -> TypeGuard[float]:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _count(n_samples: object, entry: dict[str, Any]) -> int | None:
    if isinstance(n_samples, dict) and isinstance(n_samples.get("effective"), int):
        return int(n_samples["effective"])
    sample_len = entry.get("sample_len")
    return int(sample_len) if isinstance(sample_len, int) else None


def _samples(
    folder: Path, task: str, stamp: str, metric: str, filt: str
) -> tuple[float, ...] | None:
    """Per-sample scores of one metric and filter from ``samples_<task>_<stamp>.jsonl``."""
    path = folder / f"samples_{task}_{stamp}.jsonl"
    if not path.is_file():
        return None
    out: list[float] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ResultsFileError.single(
                str(path), number, f"not a JSON line ({exc})", "pass lm-eval's own samples file"
            ) from None
        if row.get("filter", filt) != filt or not _is_number(row.get(metric)):
            continue
        out.append(float(row[metric]))
    return tuple(out) or None
