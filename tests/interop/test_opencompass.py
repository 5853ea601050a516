"""OpenCompass outputs (quanheng.interop.opencompass), in its documented layout (see the
fixtures' README: OpenCompass itself does not install here)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from interop_files import opencompass_dataset, opencompass_summary

from quanheng.errors import ResultsFileError
from quanheng.interop.opencompass import parse_opencompass


def test_a_summary_reads_the_per_dataset_details_beside_it() -> None:
    parsed = parse_opencompass(opencompass_summary())
    assert (parsed.harness, parsed.model, parsed.date) == (
        "opencompass",
        "fake-chat",
        "2026-12-04T18:15:00",
    )
    by_task = {s.task: s for s in parsed.scores}
    assert sorted(by_task) == ["ceval-computer_network", "gsm8k"]  # the "-" row is left out
    ceval = by_task["ceval-computer_network"]
    assert (ceval.metric, ceval.value, ceval.n) == ("accuracy", 0.7, 10)  # 70.00 % → 0.7
    assert ceval.samples is not None and sum(ceval.samples) == 7
    assert by_task["gsm8k"].samples is not None and sum(by_task["gsm8k"].samples) == 6


def test_a_summary_alone_has_no_n(tmp_path: Path) -> None:
    alone = tmp_path / "run" / "summary" / opencompass_summary().name
    alone.parent.mkdir(parents=True)
    shutil.copy(opencompass_summary(), alone)
    assert {(s.n, s.samples) for s in parse_opencompass(alone).scores} == {(None, None)}


def test_a_per_dataset_json_with_details_keyed_by_index() -> None:
    parsed = parse_opencompass(opencompass_dataset("gsm8k"))
    (score,) = parsed.scores
    assert (parsed.model, score.task, score.value, score.n) == ("fake-chat", "gsm8k", 0.75, 8)


def test_a_summary_with_several_models_needs_one_named(tmp_path: Path) -> None:
    path = tmp_path / "summary.csv"
    path.write_text("dataset,version,metric,mode,a,b\ngsm8k,1,accuracy,gen,50.0,60.0\n")
    with pytest.raises(ResultsFileError, match="pass --model with one of: a, b"):
        parse_opencompass(path)
    (score,) = parse_opencompass(path, "b").scores
    assert score.value == 0.6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,score\nx,1\n", "not an OpenCompass summary"),
        ("dataset,version,metric,mode,m\ngsm8k,1,accuracy,gen,lots\n", "is not a number"),
    ],
)
def test_bad_summaries_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "summary.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ResultsFileError) as info:
        parse_opencompass(path)
    (line,) = info.value.lines()
    assert str(path) in line and message in line
