"""``quanheng extract``: the summary, and bad input as one line with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_run import run

STUDY = """\
format: quanheng/study@1
id: extract-cli
title: {zh: 抽取, en: Extraction}
framework: cn-llm-vendor-2024
evidence: [evidence]
subjects:
  - {id: baidu, name: {zh: 百度, en: Baidu}}
"""


@pytest.fixture()
def study(tmp_path: Path) -> Path:
    (tmp_path / "s" / "evidence").mkdir(parents=True)
    (tmp_path / "s" / "study.yaml").write_text(STUDY, encoding="utf-8")
    (tmp_path / "doc.md").write_text("百度生态已凝聚535 万开发者。\n", encoding="utf-8")
    return tmp_path / "s"


def test_rules_only_summary_and_next_step(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = str(study.parent / "doc.md")
    code, out, err = run(["extract", str(study), doc, "--rules-only", "--out", "t"], capsys)
    assert (code, err) == (0, "")
    assert "proposals: 1 by rules; 1 passed every check" in out
    assert "  E2.1: 1" in out and "dropped: none" in out
    assert f"next: quanheng review {study}" in out
    assert (study / "proposed" / "t.yaml").exists()
    code, out, _ = run(["extract", str(study), doc, "--rules-only", "--out", "t"], capsys)
    assert "0 new proposal(s)" in out and "(1 already there)" in out and "next:" not in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["missing.md"], "missing.md: document not found — check the path"),
        (["DOC", "--leaves", "E2.9"], "--leaves: 'E2.9' is no leaf, parent or gate"),
        (["DOC", "--with", "nobody"], "--with: subject 'nobody' is not in the study"),
        (["DOC", "--with", "baidu"], "--with: subject 'baidu' has no endpoint or local_model"),
        (["DOC", "--subject", "baidoo"], "subject 'baidoo' is not in the study (did you mean"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    study: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    args = [str(study.parent / "doc.md") if a == "DOC" else a for a in extra]
    code, out, err = run(["extract", str(study), *args], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err
