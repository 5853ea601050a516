"""``validate`` warns about rescaled profile weights; ``show --profile`` prints the weights used."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from cli_run import run

MINI = Path(__file__).parent.parent / "data" / "mini"


def test_validate_warns_when_normalise_changes_written_weights(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["validate", str(MINI)], capsys)
    assert code == 0 and out.startswith("ok: study mini-study")
    # beta-heavy writes {A: 1, B: 3} under the root: they sum to 4 and become 0.25 / 0.75.
    assert err.splitlines() == [
        "warning: tests/data/mini/study.yaml:18: profile 'beta-heavy': the weights under overall "
        "sum to 4, so normalise: true rescales what you wrote: A 1 → 0.25, B 3 → 0.75 — write "
        "weights that sum to 1 under overall to use them as written (quanheng show STUDY "
        "--profile ID prints the weights used)"
    ]


def test_weights_that_sum_to_one_give_no_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "mini"
    shutil.copytree(MINI, study)
    text = (study / "study.yaml").read_text(encoding="utf-8")
    (study / "study.yaml").write_text(text.replace("{A: 1, B: 3}", "{A: 0.25, B: 0.75}"), "utf-8")
    code, _, err = run(["validate", str(study)], capsys)
    assert code == 0
    assert "beta-heavy" not in err


def test_show_profile_prints_used_written_and_global_weights(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["show", str(MINI), "--profile", "beta-heavy"], capsys)
    assert code == 0
    lines = {line.split()[1]: line for line in out.splitlines() if re.match(r"^\W+[AB]\s", line)}
    assert "w=0.75 (written 3, rescaled) global 0.75" in lines["B"]
    assert "w=0.25 (written 1, rescaled) global 0.25" in lines["A"]


def test_show_profile_needs_a_study(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["show", "cn-llm-vendor-2024", "--profile", "x"], capsys)
    assert code == 2
    assert err.strip() == "--profile: profiles belong to a study — give a study directory"
