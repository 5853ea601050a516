"""The export table (quanheng.interop.export, ``quanheng/export@1``) against the scorecard."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from interop_files import MODEL, fresh_study, inspect_log, lm_eval_ceval

import quanheng
from quanheng.interop.export import COLUMNS, EXPORT_FORMAT, export_rows, render, write_export
from quanheng.interop.importer import import_results
from quanheng.measure.pipeline import collect
from quanheng.scoring.scorecard import Scorecard


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Scorecard:
    study = quanheng.load_study(fresh_study(tmp_path_factory.mktemp("export")))
    import_results(
        study, [lm_eval_ceval()], "lm-eval", MODEL, now=datetime(2026, 12, 1, tzinfo=UTC)
    )
    import_results(study, [inspect_log()], "inspect", MODEL, now=datetime(2026, 12, 2, tzinfo=UTC))
    return quanheng.score(study, measurements=collect(study))


def test_every_row_has_every_column_and_the_format(card: Scorecard) -> None:
    rows = export_rows(card)
    assert all(tuple(r) == COLUMNS for r in rows)
    assert {r["format"] for r in rows} == {EXPORT_FORMAT}
    scores = [r for r in rows if r["record"] == "score"]
    assert len(scores) == len(card.subjects) * len(card.node_ids)


def test_score_rows_are_the_scorecards_numbers(card: Scorecard) -> None:
    rows = export_rows(card, p_best={"baidu": 0.25})
    data = {s["id"]: s for s in card.to_dict()["subjects"]}
    for row in (r for r in rows if r["record"] == "score"):
        subject = data[row["subject"]]
        assert row["score"] == subject["scores"][row["node"]]
        assert (row["rank"], row["status"]) == (subject["rank"], subject["status"])
        assert row["p_best"] == (0.25 if row["subject"] == "baidu" else None)
    levels = {r["node"]: r["node_level"] for r in rows if r["subject"] == MODEL}
    assert (levels["overall"], levels["P"], levels["P5"], levels["P5.1"]) == (
        "overall",
        "dimension",
        "group",
        "leaf",
    )


def test_measured_rows_list_every_measurement_the_shown_one_first(card: Scorecard) -> None:
    rows = [r for r in export_rows(card) if r["record"] == "measured" and r["node"] == "P5.1"]
    assert [(r["harness"], r["value"], r["shown"]) for r in rows] == [
        ("inspect", 0.6, True),
        ("lm-eval", 0.7, False),
    ]
    assert rows[1]["sha256"] is not None and rows[1]["interval"] == "bootstrap"


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_each_format_reads_back_with_pandas(card: Scorecard, tmp_path: Path, fmt: str) -> None:
    rows = export_rows(card)
    path = write_export(rows, fmt, tmp_path / f"export.{fmt}")  # type: ignore[arg-type]
    frame = {
        "jsonl": lambda: pd.read_json(path, lines=True),
        "csv": lambda: pd.read_csv(path),
        "parquet": lambda: pd.read_parquet(path),
    }[fmt]()
    assert tuple(frame.columns) == COLUMNS and len(frame) == len(rows)
    back = frame[frame["record"] == "score"].set_index(["subject", "node"])["score"]
    for row in rows:
        if row["record"] == "score" and row["score"] is not None:
            assert back[(row["subject"], row["node"])] == pytest.approx(row["score"])


def test_csv_leaves_missing_cells_empty(card: Scorecard) -> None:
    text = render(export_rows(card)[:1], "csv")
    header, first = text.splitlines()
    assert header == ",".join(COLUMNS) and ",," in first
    assert pd.read_csv(io.StringIO(text)).shape == (1, len(COLUMNS))
