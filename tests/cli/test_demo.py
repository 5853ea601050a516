"""``quanheng demo`` reads the run store once and scores once; every stage after takes the card."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import quanheng.measure.pipeline as pipeline
import quanheng.measure.store as store_module
import quanheng.scoring.engine as engine
from quanheng.cli import main

STUDY = Path(__file__).resolve().parents[2] / "studies" / "cn-llm-vendors-2024"


def _counting(counts: Counter[str], name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return func(*args, **kwargs)

    return wrapper


def test_demo_reads_the_store_once_and_scores_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "study"
    shutil.copytree(STUDY, study, ignore=shutil.ignore_patterns("runs"))
    with store_module.RunStore(study / "runs" / "runs.sqlite"):
        pass  # a real, empty run store: reading it is real work, counted below
    monkeypatch.setenv("QUANHENG_STUDY", str(study))
    monkeypatch.chdir(tmp_path)
    counts: Counter[str] = Counter()
    opened = store_module.RunStore.__init__

    def counted_open(self: store_module.RunStore, path: str | Path, **options: Any) -> None:
        counts["store opened"] += 1
        opened(self, path, **options)

    monkeypatch.setattr(store_module.RunStore, "__init__", counted_open)
    monkeypatch.setattr(pipeline, "collect", _counting(counts, "collect", pipeline.collect))
    monkeypatch.setattr(engine, "score_matrix", _counting(counts, "score", engine.score_matrix))
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", "out", "--no-measure"])
    assert exit_info.value.code == 0
    assert counts == Counter({"store opened": 1, "collect": 1, "score": 1})
    assert (tmp_path / "out" / "cn-llm-vendors-2024.default.report.en.md").exists()
    capsys.readouterr()


def test_demo_refuses_an_output_path_that_is_a_file_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QUANHENG_STUDY", str(tmp_path / "no-study-here"))  # never reached
    (tmp_path / "out").write_text("a file", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("out is a file, not a directory — give --out a directory (it is created)")
    assert len(err.splitlines()) == 1
    assert (tmp_path / "out").read_text(encoding="utf-8") == "a file"
