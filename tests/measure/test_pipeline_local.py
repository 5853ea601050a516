"""End to end against a REAL local model: measure → run store → collect → score → report data.

SmolLM2-135M is served by llama.cpp on 127.0.0.1 (llama-server when built, else
llama_cpp.server; started and stopped by quanheng) and answers two items of two built-in suites.
The test skips only when the server or the weights are not installed, naming the command that
installs them.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import textwrap
from pathlib import Path

import numpy as np
import pytest

import quanheng
from quanheng.cli import main
from quanheng.measure import measure
from quanheng.measure.local_server import llama_server_binary
from quanheng.measure.pipeline import collect, store_path
from tests.measure.local_weights import SMOL, need_server

STUDY_YAML = """\
format: quanheng/study@1
id: local-e2e
title: {zh: 本地端到端, en: Local end to end}
framework: cn-llm-vendor-2024
unknown_gate: flag
evidence: []
subjects:
  - {id: acme, name: {zh: 甲, en: Acme}}
  - id: smol
    kind: model
    vendor: acme
    name: {zh: 小模型, en: Smol}
    local_model: smollm2-135m
measure:
  suites: [cn-knowledge, efficiency]
  limit: 2
"""


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().out


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_server(SMOL)
    study = tmp_path_factory.mktemp("local-e2e")
    (study / "study.yaml").write_text(textwrap.dedent(STUDY_YAML), encoding="utf-8")
    result = measure(quanheng.load_study(study))
    assert [(r.task, r.summary.ok, r.summary.errors) for r in result.runs] == [
        ("cn_knowledge", 2, 0),
        ("efficiency", 2, 0),
    ]
    return study


def test_answers_are_stored_and_become_measured_leaves(measured: Path) -> None:
    study = quanheng.load_study(measured)
    values = {m.metric: m for m in collect(study)}
    assert values["cn_knowledge.accuracy"].n == 2
    assert values["efficiency.output_tokens_per_s"].value > 0
    ttft = values["efficiency.ttft_p50_s"]
    assert 0 < ttft.low <= ttft.value <= ttft.high
    with sqlite3.connect(store_path(study)) as db:
        rows = db.execute("SELECT count(*) FROM requests WHERE status = 'ok'").fetchone()[0]
        settings = [json.loads(r[0]) for r in db.execute("SELECT settings FROM runs")]
    assert rows == 4
    # the local endpoint takes as many requests at once as the server has slots
    slots = 4 if llama_server_binary() is not None else 1
    assert {s["endpoint"]["max_concurrency"] for s in settings} == {slots}

    card = quanheng.score(study, measurements=collect(study))
    cells = card.measured_cells("smol")
    assert set(cells) == {"P5.1", "P7.1", "P7.2"}  # the leaves these two suites measure
    assert cells["P7.2"]["value"] == pytest.approx(values["efficiency.output_tokens_per_s"].value)
    for cell in cells.values():  # every measured number names the runs behind it
        assert cell["provenance"] and all(r in _run_ids(study) for r in cell["provenance"])
    assert "runs" in card.digests
    # vendors and models are separate cohorts: the model is ranked among models only
    assert card.cohort("smol") == "model" and card.ranks[card.subjects.index("smol")] == 1
    assert card.measured_cells("acme") == {}


def test_rerun_sends_nothing_and_score_reads_the_store(
    measured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _request_count(measured)
    code, out = _cli(["measure", str(measured)], capsys)
    assert code == 0
    assert "0 answered now, 4 reused, 0 failed" in out
    assert _request_count(measured) == before

    code, out = _cli(["score", str(measured), "--json"], capsys)
    assert code == 0
    card = json.loads(out)
    smol = next(s for s in card["subjects"] if s["id"] == "smol")
    assert smol["cohort"] == "model" and set(smol["measured"]) == {"P5.1", "P7.1", "P7.2"}

    code, out = _cli(["runs", str(measured)], capsys)
    assert code == 0
    flat = " ".join(out.split())
    assert "total: 4 requests, 4 ok, 0 errors" in flat
    if llama_server_binary() is not None:  # llama-server reports usage in streams too
        assert re.search(r"0 errors; tokens: [1-9][\d,]* in / [1-9][\d,]* out", flat), flat
    else:  # llama-cpp-python's streams report no usage: prompt tokens unknown, never 0
        assert re.search(r"0 errors; tokens: unknown in / [1-9]\d* out", flat), flat
    with sqlite3.connect(measured / "runs" / "runs.sqlite") as db:
        answering = {r[0] for r in db.execute("SELECT DISTINCT run_id FROM requests")}
    assert len(answering) == 2  # the first measure's two task runs; the re-run sent nothing
    for run_id in answering:
        assert run_id in out
    assert "re-runs that found every answer stored are not listed" in out


def _run_ids(study: quanheng.Study) -> set[str]:
    with sqlite3.connect(store_path(study)) as db:
        return {r[0] for r in db.execute("SELECT run_id FROM runs")}


def _request_count(study_dir: Path) -> int:
    with sqlite3.connect(study_dir / "runs" / "runs.sqlite") as db:
        return int(db.execute("SELECT count(*) FROM requests").fetchone()[0])


def test_analysis_sees_the_measured_values(measured: Path) -> None:
    from quanheng.analysis.inputs import decision_data

    study = quanheng.load_study(measured)
    card = quanheng.score(study, measurements=collect(study))  # the store, read once
    data = decision_data(study, card, kind="model")
    assert data.subjects == ("smol",)
    leaves = list(card.node_ids[: card.n_leaves])
    row = card.subjects.index("smol")
    for leaf in ("P5.1", "P7.1", "P7.2"):
        j = leaves.index(leaf)
        assert not math.isnan(data.values[0, j])
    # the analysis scores the measured cells exactly as the card did (a lone model: its
    # log-scaled leaves P7.1/P7.2 are on their reference range, entering on the log10 scale)
    np.testing.assert_allclose(data.normalised()[0], card.normalised[row], equal_nan=True)
