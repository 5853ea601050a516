"""report_study / report_scorecard: from a study directory to the files written, in one call."""

from __future__ import annotations

from pathlib import Path

import quanheng
from quanheng.report.api import report_scorecard, report_study
from quanheng.report.i18n import t

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"


def test_one_markdown_file_per_language_named_by_study_and_profile(tmp_path: Path) -> None:
    files = report_study(
        MINI, tmp_path, profile="beta-heavy", langs=("zh", "en"), formats=("md",), draws=100
    )
    assert [p.name for p in files if p.suffix == ".md"] == [
        "mini-study.beta-heavy.report.zh.md",
        "mini-study.beta-heavy.report.en.md",
    ]
    assert all(p.is_file() and p.is_relative_to(tmp_path) for p in files)
    charts = {p.name for p in files if p.parent.name == "mini-study.beta-heavy.report.en.charts"}
    # with an analysis the simulation's charts are drawn
    assert {"rank-probability.svg", "tornado.svg"} <= charts


def test_without_draws_nothing_is_simulated_and_the_report_says_so(tmp_path: Path) -> None:
    files = report_study(MINI, tmp_path, langs=("en",), formats=("md",), draws=0)
    names = {p.name for p in files}
    assert "mini-study.default.report.en.md" in names
    assert not names & {"rank-probability.svg", "tornado.svg"}
    text = (tmp_path / "mini-study.default.report.en.md").read_text(encoding="utf-8")
    assert t("no_analysis", "en") in text


def test_report_study_is_report_scorecard_of_the_loaded_and_scored_study(tmp_path: Path) -> None:
    # the mini study has no run store, so scoring it with or without collect() is the same
    study = quanheng.load_study(MINI)
    card = quanheng.score(study)
    by_card = report_scorecard(
        study, card, tmp_path / "a", langs=("en",), formats=("md",), draws=100, seed=2
    )
    by_path = report_study(MINI, tmp_path / "b", langs=("en",), formats=("md",), draws=100, seed=2)
    assert [p.relative_to(tmp_path / "a") for p in by_card] == [
        p.relative_to(tmp_path / "b") for p in by_path
    ]
    md = "mini-study.default.report.en.md"
    assert (tmp_path / "a" / md).read_bytes() == (tmp_path / "b" / md).read_bytes()
