"""lm-eval results files (quanheng.interop.lm_eval), read from lm-eval 0.4.13's own output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from interop_files import lm_eval_ceval, lm_eval_group, lm_eval_gsm8k

from quanheng.errors import ResultsFileError
from quanheng.interop.lm_eval import parse_lm_eval


def test_results_with_their_samples_file() -> None:
    parsed = parse_lm_eval(lm_eval_ceval())
    assert (parsed.harness, parsed.version, parsed.model) == ("lm-eval", "0.4.13", "fake-chat")
    assert parsed.date is not None and parsed.date.startswith("2026-12-04T")
    (score,) = parsed.scores
    assert (score.task, score.metric, score.value, score.n) == (
        "ceval_offline",
        "exact_match,letter",
        0.7,
        10,
    )
    assert score.se == pytest.approx(0.152753, abs=1e-6)
    assert score.samples is not None and len(score.samples) == 10
    assert sum(score.samples) == 7  # the samples agree with the reported mean


def test_results_alone_keep_n_and_stderr(tmp_path: Path) -> None:
    alone = tmp_path / lm_eval_ceval().name
    shutil.copy(lm_eval_ceval(), alone)  # no samples_*.jsonl beside it
    (score,) = parse_lm_eval(alone).scores
    assert (score.samples, score.n) == (None, 10)
    (gsm,) = parse_lm_eval(lm_eval_gsm8k()).scores
    assert (gsm.task, gsm.value, gsm.n, gsm.samples) == ("gsm8k_offline", 0.75, 8, None)


def test_a_group_names_its_members_parent() -> None:
    by_task = {s.task: s for s in parse_lm_eval(lm_eval_group()).scores}
    assert {t: s.parent for t, s in by_task.items()} == {
        "cmmlu_offline_group": None,
        "cmmlu_offline_law": "cmmlu_offline_group",
        "cmmlu_offline_art": "cmmlu_offline_group",
    }
    group = by_task["cmmlu_offline_group"]
    assert (group.value, group.n, group.samples) == (pytest.approx(2 / 3), 12, None)
    assert by_task["cmmlu_offline_law"].samples is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json at all", "not JSON"),
        ('{"results": {}}', "not an lm-eval results file"),
        ("[1, 2]", "not an lm-eval results file"),
    ],
)
def test_bad_files_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "results_bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ResultsFileError) as info:
        parse_lm_eval(path)
    (line,) = info.value.lines()
    assert str(path) in line and message in line and "results_<date>.json" in line
