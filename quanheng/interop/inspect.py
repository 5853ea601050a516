"""inspect_ai logs: ``.eval`` (a zip of JSON members) or ``.json`` (one JSON document).

Where ``inspect_ai`` is importable its own reader (``inspect_ai.log.read_eval_log``) reads the
log; elsewhere the documented layout is read directly: an ``.eval`` file is a zip holding
``header.json`` (``version``, ``status``, ``eval`` with ``task``, ``model``, ``created`` and
``packages``, ``results`` with ``completed_samples`` and ``scores``: per scorer, ``metrics``
such as ``accuracy`` and ``stderr``) and ``samples/<id>_epoch_<k>.json`` (each with ``scores``:
per scorer, a ``value``). inspect_ai compresses the members with zstd, which Python's
``zipfile`` reads only from 3.14: before that the ``zstandard`` package decompresses them. A
``.json`` log holds the same fields with the samples in one ``samples`` list.

Per-sample values become scores as inspect's ``value_to_float`` does: ``C`` (correct) 1,
``I`` (incorrect) 0, ``P`` (partial) 0.5, ``N`` (no answer) 0, numbers and booleans as they are;
a sample run for several epochs scores the mean of its epochs.
"""

from __future__ import annotations

import json
import math
import struct
import zipfile
from pathlib import Path
from typing import Any, TypeGuard

from quanheng.errors import EnvironmentProblem, ResultsFileError
from quanheng.interop.parsed import ParsedFile, TaskScore

__all__ = ["parse_inspect"]

_HINT = "pass an inspect_ai log (.eval or .json, written by `inspect eval --log-dir`)"
_LETTERS = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}
_ZSTD = 93  # the zip compression method number of Zstandard


def parse_inspect(path: Path) -> ParsedFile:
    """Read an inspect_ai log: its task, model, date, each scorer's metrics and sample scores.

    Raises:
        ResultsFileError: not a zip or JSON log, or no ``results`` in it (a log of a run that
            failed or was cancelled before scoring).
    """
    header, samples = _read(path)
    ev = header.get("eval") if isinstance(header, dict) else None
    results = header.get("results") if isinstance(header, dict) else None
    if not isinstance(ev, dict) or not isinstance(results, dict):
        status = header.get("status") if isinstance(header, dict) else None
        what = f"an inspect_ai log with status {status!r} and no results" if status else None
        raise ResultsFileError.single(
            str(path), None, what or "not an inspect_ai log (no `eval` and `results`)", _HINT
        )
    task = str(ev.get("task", "")).split("/")[-1]
    n = results.get("completed_samples")
    per_scorer = _sample_scores(samples)
    scores: list[TaskScore] = []
    for entry in results.get("scores") or []:
        scorer = str(entry.get("name") or entry.get("scorer") or "")
        metrics = entry.get("metrics") or {}
        stderr = (metrics.get("stderr") or {}).get("value")
        kept = per_scorer.get(scorer)
        for name, metric in sorted(metrics.items()):
            value = (metric or {}).get("value")
            if name == "stderr" or not _is_number(value):
                continue
            se = float(stderr) if _is_number(stderr) and name in ("accuracy", "mean") else None
            samples_of = kept if kept and name in ("accuracy", "mean") else None
            scores.append(
                TaskScore(
                    task=task,
                    metric=name if len(results.get("scores") or []) == 1 else f"{scorer}/{name}",
                    value=float(value),
                    n=len(samples_of) if samples_of else (int(n) if isinstance(n, int) else None),
                    se=se,
                    samples=samples_of,
                )
            )
    packages = ev.get("packages") or {}
    return ParsedFile(
        harness="inspect",
        version=packages.get("inspect_ai"),
        model=ev.get("model"),
        date=ev.get("created"),
        scores=tuple(scores),
    )


def _read(path: Path) -> tuple[Any, list[Any]]:
    """The log's header (everything but the samples) and its samples, by inspect or by hand."""
    try:
        from inspect_ai.log import read_eval_log  # type: ignore[import-not-found]
    except ImportError:
        read_eval_log = None
    if read_eval_log is not None:
        try:
            log = read_eval_log(str(path)).model_dump(mode="json")
        except Exception as exc:  # inspect's reader raises many kinds; the file is at fault
            raise ResultsFileError.single(
                str(path), None, f"inspect_ai cannot read it ({exc})", _HINT
            ) from None
        return log, list(log.get("samples") or [])
    if zipfile.is_zipfile(path):
        return _read_zip(path)
    try:
        log = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsFileError.single(
            str(path), None, f"neither a zip nor JSON ({exc})", _HINT
        ) from None
    return log, list(log.get("samples") or []) if isinstance(log, dict) else []


def _read_zip(path: Path) -> tuple[Any, list[Any]]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if "header.json" not in names:
            raise ResultsFileError.single(
                str(path), None, "a zip without header.json: not an inspect_ai .eval log", _HINT
            )
        header = json.loads(_member(path, archive, "header.json"))
        samples = [
            json.loads(_member(path, archive, name))
            for name in sorted(names)
            if name.startswith("samples/") and name.endswith(".json")
        ]
    return header, samples


def _member(path: Path, archive: zipfile.ZipFile, name: str) -> bytes:
    """One member's bytes; zstd members (inspect's default) through ``zstandard``."""
    info = archive.getinfo(name)
    if info.compress_type != _ZSTD:
        return archive.read(info)
    try:
        import zstandard
    except ImportError:
        raise EnvironmentProblem(
            f"{path}: its members are zstd-compressed and this Python cannot read them; "
            "run `pip install zstandard` (or install inspect-ai)"
        ) from None
    with path.open("rb") as raw:
        raw.seek(info.header_offset)
        local = raw.read(30)
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        raw.seek(info.header_offset + 30 + name_len + extra_len)
        data = raw.read(info.compress_size)
    out: bytes = zstandard.ZstdDecompressor().decompress(data, max_output_size=info.file_size)
    return out


def _sample_scores(samples: list[Any]) -> dict[str, tuple[float, ...]]:
    """Per scorer, each sample's score (the mean over its epochs), in sample-id order."""
    by_scorer: dict[str, dict[str, list[float]]] = {}
    for sample in samples:
        if not isinstance(sample, dict):
            continue
        for scorer, score in (sample.get("scores") or {}).items():
            value = _to_float((score or {}).get("value"))
            if value is not None:
                by_scorer.setdefault(scorer, {}).setdefault(str(sample.get("id")), []).append(value)
    return {
        scorer: tuple(sum(v) / len(v) for _, v in sorted(ids.items()))
        for scorer, ids in by_scorer.items()
    }


def _to_float(value: object) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        return _LETTERS.get(value.upper())
    return float(value) if _is_number(value) else None


def _is_number(value: object) -> TypeGuard[float]:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )
