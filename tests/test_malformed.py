"""Every malformed file gives exactly one clear line, exit code 2 and no traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from malformed_cases import CASES, Case

from quanheng.cli import main

MINI = Path(__file__).parent / "data" / "mini"


def make_study(tmp_path: Path, case: Case) -> Path:
    root = tmp_path / "study"
    shutil.copytree(MINI, root)
    target = root / case.file
    if case.write is not None:
        target.write_text(case.write, encoding="utf-8")
    else:
        assert case.replace is not None
        old, new = case.replace
        text = target.read_text(encoding="utf-8")
        assert old in text, f"{case.id}: the edit no longer applies to {case.file}"
        target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_file_gives_one_line(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_study(tmp_path, case)
    monkeypatch.chdir(root)
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "."])
    captured = capsys.readouterr()
    assert exit_info.value.code == 2
    assert captured.err.rstrip("\n").split("\n") == [case.expected]
    assert "Traceback" not in captured.err + captured.out


def test_the_unedited_study_is_valid(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(MINI)
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "."])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("ok: study mini-study: 5 subjects, 20 evidence")


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    """Validation collects every problem instead of stopping at the first."""
    root = tmp_path / "study"
    shutil.copytree(MINI, root)
    facts = root / "evidence" / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    text = text.replace(
        "{subject: s2, indicator: A1.2, value: 2,", "{subject: s7, indicator: A1.2, value: 2,"
    )
    text = text.replace("indicator: B1.1, value: 100,", "indicator: B1.1, value: 0,")
    facts.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "quanheng", "validate", "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().split("\n")
    assert lines == [
        "evidence/facts.yaml:13: evidence for unknown subject 's7' — use a subject id from "
        "study.yaml: m1, out, s1, s2, s3",
        "evidence/facts.yaml:15: leaf 'B1.1' is log-normalised and needs values above 0, found 0"
        " — check the value, or use a normalisation with an offset",
    ]
    assert "Traceback" not in proc.stderr
