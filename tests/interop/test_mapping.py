"""Task → metric rules (quanheng.interop.mapping): the built-in ones and a user's --map file."""

from __future__ import annotations

from pathlib import Path

import pytest

from quanheng.errors import ResultsFileError
from quanheng.interop.mapping import MappingRule, builtin_mapping, load_mapping, source_metric


@pytest.mark.parametrize(
    ("task", "harness", "metric"),
    [
        ("ceval-valid", "lm-eval", "cn_knowledge.accuracy"),
        ("ceval-valid-computer_network", "lm-eval", "cn_knowledge.accuracy"),
        ("ceval-computer_network", "opencompass", "cn_knowledge.accuracy"),
        ("cmmlu_agronomy", "lm-eval", "cn_knowledge.accuracy"),
        ("cmmlu-agronomy", "opencompass", "cn_knowledge.accuracy"),
        ("mmlu_0_shot", "inspect", "en_knowledge.accuracy"),
        ("inspect_evals/gsm8k", "inspect", "math.accuracy"),
        ("gsm8k", "opencompass", "math.accuracy"),
        ("openai_humaneval", "opencompass", "code.pass_at_1"),
        ("humaneval", "inspect", "code.pass_at_1"),
        ("mbpp", "lm-eval", "code.pass_at_1"),
        ("ARC-c", "opencompass", "reasoning.accuracy"),
        ("hellaswag", "lm-eval", "reasoning.accuracy"),
        ("ceval_offline", "lm-eval", "cn_knowledge.accuracy"),  # the fixtures' tasks
        ("cmmlu_offline", "inspect", "cn_knowledge.accuracy"),
    ],
)
def test_builtin_rules_cover_the_common_suites(task: str, harness: str, metric: str) -> None:
    rule = builtin_mapping().rule_for(task, harness)
    assert rule is not None and rule.metric == metric


def test_an_unknown_task_has_no_rule() -> None:
    assert builtin_mapping().rule_for("my_private_exam", "lm-eval") is None


def test_source_metric_prefers_in_order_and_reports_ties() -> None:
    gsm = builtin_mapping().rule_for("gsm8k", "lm-eval")
    assert gsm is not None
    both = ["exact_match,flexible-extract", "exact_match,strict-match"]
    assert source_metric(gsm, both) == "exact_match,strict-match"
    plain = MappingRule(match="x", metric="a.b")
    assert source_metric(plain, ["acc,none", "acc_norm,none"]) == "acc,none"
    assert source_metric(plain, ["f1,a", "f1,b"]) is None  # no preferred name fits
    assert source_metric(plain, ["f1,a"]) == "f1,a"  # a task's only metric is read
    tied = MappingRule(match="x", metric="a.b", source_metric=("exact_match",))
    assert source_metric(tied, both) == both


def test_a_map_file_comes_first(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(
        "format: quanheng/import-map@1\n"
        "tasks:\n"
        "  - {match: 'ceval*', metric: math.accuracy, harness: [inspect]}\n"
        "  - {match: 'my_exam_*', metric: cn_knowledge.accuracy, source_metric: [score]}\n",
        encoding="utf-8",
    )
    mapping = load_mapping(path).then(builtin_mapping())
    mine = mapping.rule_for("my_exam_law", "lm-eval")
    assert mine is not None and (mine.metric, mine.source_metric) == (
        "cn_knowledge.accuracy",
        ("score",),
    )
    moved = mapping.rule_for("ceval-valid", "inspect")
    kept = mapping.rule_for("ceval-valid", "lm-eval")
    assert moved is not None and moved.metric == "math.accuracy"
    assert kept is not None and kept.metric == "cn_knowledge.accuracy"  # harness: [inspect] only


def test_a_bad_map_file_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(
        "format: quanheng/import-map@1\n"
        "tasks:\n"
        "  - {match: 'a*', metric: not-a-metric}\n"
        "  - {match: 'b*', metric: x.y, harness: [helm]}\n"
        "  - {match: 'c*', metrc: x.y}\n",
        encoding="utf-8",
    )
    with pytest.raises(ResultsFileError) as info:
        load_mapping(path)
    lines = info.value.lines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{path}:3:") and "metric" in lines[0]
    assert lines[1].startswith(f"{path}:4:") and "harness" in lines[1]
    assert lines[2].startswith(f"{path}:5:") and "metrc" in lines[2]


def test_a_map_file_needs_its_format_line(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("tasks: []\n", encoding="utf-8")
    with pytest.raises(ResultsFileError, match="format"):
        load_mapping(path)
