"""OpenCompass results: the summary CSV and the per-dataset result JSON.

An OpenCompass run writes, under ``<work_dir>/<YYYYmmdd_HHMMSS>/``:

* ``summary/summary_<timestamp>.csv`` with the columns ``dataset,version,metric,mode`` and one
  column per model (its ``abbr``); a cell is the metric in percent, or ``-`` when missing;
* ``results/<model abbr>/<dataset abbr>.json``: the evaluator's metrics (percent, e.g.
  ``{"accuracy": 56.25}``) and, for most evaluators, ``details``: one entry per sample (a list,
  or a mapping by index in older versions) whose ``correct`` (or ``is_correct``) is a boolean,
  or a list of booleans when the dataset was run several times.

OpenCompass reports percentages; quanheng stores fractions, so every value is divided by 100.
A summary row is read with the per-dataset JSON beside it (``../results/<model>/<dataset>.json``)
where that exists: its details give ``n`` and the per-sample scores for the bootstrap. A
per-dataset JSON given on its own is one dataset (its file name) of one model (its folder).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, TypeGuard

from quanheng._files import read_csv
from quanheng.errors import ResultsFileError
from quanheng.interop.parsed import ParsedFile, TaskScore

__all__ = ["parse_opencompass"]

_HINT = "pass OpenCompass's summary/summary_<timestamp>.csv or a results/<model>/<dataset>.json"
_FIXED = ("dataset", "version", "metric", "mode")
_STAMP = re.compile(r"(\d{8})_(\d{6})")


def parse_opencompass(path: Path, model: str | None = None) -> ParsedFile:
    """Read a summary CSV (with the per-dataset JSON beside it) or one per-dataset JSON.

    Args:
        model: the model column of a summary with several; ``None`` when it has one.

    Raises:
        ResultsFileError: neither layout, no such model column, or unreadable numbers.
    """
    if path.suffix.lower() == ".json":
        return _parse_dataset_json(path)
    if path.suffix.lower() != ".csv":
        raise ResultsFileError.single(str(path), None, "not a .csv or .json file", _HINT)
    rows = read_csv(path, ResultsFileError)
    header = list(rows[0][1]) if rows else []
    if header[:4] != list(_FIXED) or len(header) < 5:
        raise ResultsFileError.single(
            str(path),
            1,
            f"not an OpenCompass summary: the header is {','.join(header) or 'empty'}",
            "expected dataset,version,metric,mode,<model>…; " + _HINT,
        )
    models = header[4:]
    chosen = _choose_model(path, models, model)
    results = path.parent.parent / "results" / chosen
    scores: list[TaskScore] = []
    for line, row in rows:
        cell = row[chosen]
        if cell in ("", "-"):
            continue
        try:
            value = float(cell) / 100.0
        except ValueError:
            raise ResultsFileError.single(
                str(path), line, f"{chosen} value {cell!r} is not a number", _HINT
            ) from None
        dataset, metric = row["dataset"], row["metric"]
        details = _details(results / f"{dataset}.json")
        scores.append(
            TaskScore(
                task=dataset,
                metric=metric,
                value=value,
                n=len(details) if details else None,
                samples=details,
            )
        )
    return ParsedFile(
        harness="opencompass", version=None, model=chosen, date=_date(path), scores=tuple(scores)
    )


def _choose_model(path: Path, models: list[str], model: str | None) -> str:
    if model is None and len(models) == 1:
        return models[0]
    if model is not None and model in models:
        return model
    what = (
        f"has no model column {model!r}"
        if model is not None
        else f"has {len(models)} model columns"
    )
    raise ResultsFileError.single(
        str(path), 1, f"the summary {what}", f"pass --model with one of: {', '.join(models)}"
    )


def _parse_dataset_json(path: Path) -> ParsedFile:
    data = _load(path)
    if not isinstance(data, dict) or not any(_is_number(v) for v in data.values()):
        raise ResultsFileError.single(
            str(path), None, "not an OpenCompass result (no numeric metrics)", _HINT
        )
    details = _details(path)
    scores = tuple(
        TaskScore(
            task=path.stem,
            metric=name,
            value=float(value) / 100.0,
            n=len(details) if details else None,
            samples=details if name in ("accuracy", "score", "humaneval_pass@1") else None,
        )
        for name, value in sorted(data.items())
        if _is_number(value)
    )
    return ParsedFile(
        harness="opencompass",
        version=None,
        model=path.parent.name,
        date=_date(path),
        scores=scores,
    )


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsFileError.single(str(path), None, f"not JSON ({exc})", _HINT) from None


def _details(path: Path) -> tuple[float, ...] | None:
    """Per-sample correctness from a per-dataset JSON's ``details``, if it has any."""
    if not path.is_file():
        return None
    data = _load(path)
    details = data.get("details") if isinstance(data, dict) else None
    entries = list(details.values()) if isinstance(details, dict) else details
    if not isinstance(entries, list):
        return None
    out: list[float] = []
    for entry in entries:
        if not isinstance(entry, dict):
            return None
        mark = next(
            (entry[k] for k in ("correct", "is_correct", "cascade_correct") if k in entry), None
        )
        marks: list[Any] = mark if isinstance(mark, list) else [mark]
        if not marks or not all(isinstance(m, bool | int | float) for m in marks):
            return None
        out.append(sum(float(m) for m in marks) / len(marks))
    return tuple(out) or None


def _date(path: Path) -> str | None:
    """The run's time from its ``YYYYmmdd_HHMMSS`` folder or file name (local time, as is)."""
    for part in (path.stem, *(p.name for p in path.parents)):
        found = _STAMP.search(part)
        if found:
            d, t = found[1], found[2]
            return f"{d[:4]}-{d[4:6]}-{d[6:]}T{t[:2]}:{t[2:4]}:{t[4:]}"
    return None


def _is_number(value: object) -> TypeGuard[float]:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )
