"""inspect_ai logs (quanheng.interop.inspect), read from inspect_ai 0.3.285's own .eval log.

quanheng's venv has no inspect_ai, so these read the documented zip/JSON layout directly
(zstd members through ``zstandard``), as a user without inspect installed would.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from interop_files import inspect_log

from quanheng.errors import ResultsFileError
from quanheng.interop.inspect import _member, parse_inspect


def test_an_eval_log_gives_task_model_version_and_sample_scores() -> None:
    parsed = parse_inspect(inspect_log())
    assert (parsed.harness, parsed.version) == ("inspect", "0.3.285")
    assert parsed.model == "openai-api/fake/fake-chat"
    (score,) = parsed.scores
    assert (score.task, score.metric, score.value, score.n) == (
        "cmmlu_offline",
        "accuracy",
        0.6,
        10,
    )
    assert score.se == pytest.approx(0.163299, abs=1e-6)
    assert score.samples is not None and sorted(score.samples) == [0.0] * 4 + [1.0] * 6


def test_the_json_log_layout_reads_the_same(tmp_path: Path) -> None:
    path = inspect_log()
    with zipfile.ZipFile(path) as archive:
        log = json.loads(_member(path, archive, "header.json"))
        log["samples"] = [
            json.loads(_member(path, archive, n))
            for n in archive.namelist()
            if n.startswith("samples/")
        ]
    as_json = tmp_path / "log.json"
    as_json.write_text(json.dumps(log), encoding="utf-8")
    assert parse_inspect(as_json).scores == parse_inspect(path).scores


def test_a_log_without_results_says_its_status(tmp_path: Path) -> None:
    path = tmp_path / "cancelled.json"
    path.write_text(json.dumps({"status": "cancelled", "eval": {"task": "x"}}), encoding="utf-8")
    with pytest.raises(ResultsFileError, match="status 'cancelled' and no results"):
        parse_inspect(path)


@pytest.mark.parametrize("kind", ["zip", "text"])
def test_other_files_are_refused_in_one_line(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "not-a-log.eval"
    if kind == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("something.json", "{}")
    else:
        path.write_text("hello", encoding="utf-8")
    with pytest.raises(ResultsFileError) as info:
        parse_inspect(path)
    (line,) = info.value.lines()
    assert str(path) in line and "inspect_ai log" in line
