"""``quanheng export``: scorecards and measured results as one flat table, ``quanheng/export@1``.

One table serves JSON lines, CSV and Parquet alike, so a dashboard or notebook reads any of them
the same way: every row has every column of :data:`COLUMNS` (empty where it does not apply),
and ``record`` says what the row is:

* ``score``: one per subject and framework node (``overall``, each dimension, group and leaf):
  the subject's status, rank, coverage and P(best), the node's score and coverage, and for a
  leaf its raw value;
* ``measured``: one per measurement of a measured leaf, quanheng's own (``source`` ``run``) or
  imported (``imported``, with harness, version, task, file, SHA-256 and dates). Where a leaf
  was measured more than once every measurement has a row; ``shown`` marks the one the score
  uses (the precedence of :func:`quanheng.scoring.matrix.precedence`).

The layout is versioned: a column is never renamed or given another meaning within
``quanheng/export@1``; new columns may be appended.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from quanheng.errors import EnvironmentProblem
from quanheng.measure.measurement import Measurement
from quanheng.scoring.scorecard import Scorecard

__all__ = ["COLUMNS", "EXPORT_FORMAT", "ExportFormat", "export_rows", "render", "write_export"]

EXPORT_FORMAT = "quanheng/export@1"

ExportFormat = Literal["jsonl", "csv", "parquet"]

COLUMNS: tuple[str, ...] = (
    "format",
    "record",
    "study",
    "framework",
    "framework_version",
    "profile",
    "subject",
    "subject_name_en",
    "subject_name_zh",
    "cohort",
    "status",
    "rank",
    "overall",
    "coverage",
    "p_best",
    "node",
    "node_level",
    "node_name_en",
    "node_name_zh",
    "score",
    "node_coverage",
    "raw",
    "metric",
    "value",
    "low",
    "high",
    "n",
    "se",
    "interval",
    "source",
    "shown",
    "provenance",
    "harness",
    "harness_version",
    "task",
    "source_metric",
    "file",
    "sha256",
    "run_date",
    "imported",
)
"""Every column, in order. See docs/formats.md ("Export") for each one's meaning."""

_TYPES: dict[str, str] = {
    **dict.fromkeys(
        (
            "overall",
            "coverage",
            "p_best",
            "score",
            "node_coverage",
            "raw",
            "value",
            "low",
            "high",
            "se",
        ),
        "float",
    ),
    "rank": "int",
    "n": "int",
    "shown": "bool",
}


def export_rows(card: Scorecard, p_best: Mapping[str, float] | None = None) -> list[dict[str, Any]]:
    """The card as rows of :data:`COLUMNS`: score rows, then measured rows, subject by subject.

    Args:
        p_best: P(best) per subject from an analysis (``quanheng analyse``); ``None`` leaves
            the column empty.
    """
    rows: list[dict[str, Any]] = []
    base = {
        "format": EXPORT_FORMAT,
        "study": card.study,
        "framework": card.framework,
        "framework_version": card.framework_version,
        "profile": card.profile,
    }
    for i in card.order():
        sid = card.subjects[i]
        excluded = card.gates[i].status == "excluded"
        subject = {
            **base,
            "subject": sid,
            "subject_name_en": card.subject_names[i].get("en"),
            "subject_name_zh": card.subject_names[i].get("zh"),
            "cohort": card.cohorts[i] if card.cohorts else None,
            "status": card.status(sid),
            "rank": int(card.ranks[i]) if card.ranks[i] > 0 else None,
            "overall": _num(card.overall[i]),
            "coverage": None if excluded else _num(card.coverage[i, -1]),
            "p_best": None if p_best is None else p_best.get(sid),
        }
        for k, node in enumerate(card.node_ids):
            rows.append(
                _full(
                    {
                        **subject,
                        "record": "score",
                        "node": node,
                        "node_level": _level(card, k),
                        "node_name_en": card.node_names[k].get("en"),
                        "node_name_zh": card.node_names[k].get("zh"),
                        "score": _num(card.scores[i, k]),
                        "node_coverage": _num(card.coverage[i, k]),
                        "raw": _num(card.raw[i, k]) if k < card.n_leaves else None,
                    }
                )
            )
        rows.extend(_measured_rows(card, subject, sid))
    return rows


def _measured_rows(card: Scorecard, subject: dict[str, Any], sid: str) -> list[dict[str, Any]]:
    m = card.matrix
    if m is None:
        return []
    out = []
    for leaf in m.leaves:
        shown = m.measured.get((sid, leaf))
        if shown is None:
            continue
        k = card.node_ids.index(leaf)
        for j, item in enumerate((shown, *m.conflicts.get((sid, leaf), ()))):
            out.append(
                _full(
                    {
                        **subject,
                        "record": "measured",
                        "node": leaf,
                        "node_level": "leaf",
                        "node_name_en": card.node_names[k].get("en"),
                        "node_name_zh": card.node_names[k].get("zh"),
                        **_measurement(item),
                        "shown": j == 0,
                    }
                )
            )
    return out


def _measurement(m: Measurement) -> dict[str, Any]:
    src = m.imported
    row: dict[str, Any] = {
        "metric": m.metric,
        "value": _num(m.value),
        "low": _num(m.low),
        "high": _num(m.high),
        "n": m.n,
        "source": "run" if src is None else "imported",
        "provenance": " ".join(m.runs),
    }
    if src is not None:
        row.update(
            se=src.se,
            interval=src.interval,
            harness=src.harness,
            harness_version=src.harness_version,
            task=src.task,
            source_metric=src.source_metric,
            file=src.file,
            sha256=src.sha256,
            run_date=src.date,
            imported=src.imported,
        )
    else:
        row["interval"] = "bootstrap"
    return row


def render(rows: Sequence[Mapping[str, Any]], fmt: Literal["jsonl", "csv"]) -> str:
    """The rows as JSON lines or CSV text (a header row, empty cells for missing values)."""
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv(v) for k, v in row.items()})
    return buffer.getvalue()


def write_export(rows: Sequence[Mapping[str, Any]], fmt: ExportFormat, out: Path) -> Path:
    """Write the rows to ``out`` (its folder is created) in ``fmt``; returns ``out``.

    Raises:
        EnvironmentProblem: Parquet without ``pyarrow`` installed (the message says how).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt != "parquet":
        out.write_text(render(rows, fmt), encoding="utf-8")
        return out
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError:
        raise EnvironmentProblem(
            "Parquet needs pyarrow: run `pip install 'quanheng[parquet]'` (or `pip install "
            "pyarrow`), or export --format jsonl or csv"
        ) from None
    kinds = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_()}
    schema = pa.schema([(c, kinds.get(_TYPES.get(c, ""), pa.string())) for c in COLUMNS])
    table = pa.Table.from_pylist([dict(r) for r in rows], schema=schema)
    table = table.replace_schema_metadata({"format": EXPORT_FORMAT})
    pq.write_table(table, out)
    return out


def _full(row: dict[str, Any]) -> dict[str, Any]:
    return {c: row.get(c) for c in COLUMNS}


def _level(card: Scorecard, k: int) -> str:
    if card.node_ids[k] == "overall":
        return "overall"
    if k < card.n_leaves:
        return "leaf"
    return "dimension" if int(card.depth[k]) == 1 else "group"


def _csv(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _num(x: float | Any) -> float | None:
    value = float(x)
    return None if math.isnan(value) else value
