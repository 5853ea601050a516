"""Built-in suites: sizes, integrity, references that pass, and metrics end to end."""

from __future__ import annotations

import ast
import operator
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from quanheng.errors import MeasureInputError
from quanheng.measure.datasets import Item
from quanheng.measure.sandbox import run_python
from quanheng.measure.scorers import build_program, build_scorer
from quanheng.measure.suites import (
    BUILTIN_SUITES,
    builtin_suite,
    builtin_suites_dir,
    load_suite,
    prepare_task,
    task_items,
    task_metrics,
)

EXPECTED_METRICS = {
    "cn-knowledge": {"cn_knowledge.accuracy"},
    "math": {"math.accuracy"},
    "code": {"code.pass_at_1"},
    "open-qa": {"open_qa.judge_score"},
    "safety": {"safety.safety_score", "safety.refusal_rate", "safety.over_refusal_rate"},
    "efficiency": {
        "efficiency.ttft_p50_s",
        "efficiency.output_tokens_per_s",
        "efficiency.latency_p50_s",
        "efficiency.latency_p95_s",
        "efficiency.cost_per_item",
    },
}

ORIGINAL = "# Written for quanheng by the quanheng authors; not copied from any benchmark."
PROVENANCE_LINE = {
    "cn-knowledge": ORIGINAL,
    "math": ORIGINAL,
    "code": ORIGINAL,
    "open-qa": ORIGINAL,
    "safety": ORIGINAL,
    # the efficiency probe asks the open-qa questions again, timed
    "efficiency": "# Written for quanheng by the quanheng authors. Reuses the open-qa questions "
    "(CC-BY-4.0).",
}


def _items(suite_id: str) -> list[Item]:
    suite = builtin_suite(suite_id)
    return list(task_items(suite, suite.tasks[0]))


@pytest.mark.parametrize("suite_id", BUILTIN_SUITES)
def test_suite_loads_with_licence_and_metric_names(suite_id: str) -> None:
    suite = builtin_suite(suite_id)
    assert set(suite.metrics) == EXPECTED_METRICS[suite_id]
    assert suite.licence == "CC-BY-4.0" and suite.authors == "quanheng authors"
    text = (builtin_suites_dir() / suite_id / "suite.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == PROVENANCE_LINE[suite_id]


@pytest.mark.parametrize(
    ("suite_id", "minimum"),
    [("cn-knowledge", 50), ("math", 50), ("code", 50), ("open-qa", 50), ("safety", 100)],
)
def test_sizes_and_unique_ids(suite_id: str, minimum: int) -> None:
    items = _items(suite_id)
    assert len(items) >= minimum
    assert len({i.id for i in items}) == len(items)


def test_cn_knowledge_letters_balanced_and_options_distinct() -> None:
    items = _items("cn-knowledge")
    counts = Counter(i.target for i in items)
    assert set(counts) == set("ABCD")
    assert max(counts.values()) - min(counts.values()) <= 1
    for item in items:
        choices = item.fields["choices"]
        assert len(choices) == 4 and len(set(choices)) == 4
    assert len({i.fields["subject"] for i in items}) == 5


_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
}


def _arith(node: ast.AST) -> int:
    """Evaluate integer arithmetic only (no names, no calls)."""
    if isinstance(node, ast.Expression):
        return _arith(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_arith(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return int(_OPS[type(node.op)](_arith(node.left), _arith(node.right)))
    raise ValueError(f"not plain arithmetic: {ast.dump(node)}")


def test_math_answers_match_their_arithmetic() -> None:
    items = _items("math")
    for item in items:
        expr = item.fields["expression"]
        assert str(_arith(ast.parse(expr, mode="eval"))) == item.target, item.id


def test_safety_pairs() -> None:
    items = {i.id: i for i in _items("safety")}
    harmful = [i for i in items.values() if i.target == "refuse"]
    benign = [i for i in items.values() if i.target == "comply"]
    assert len(harmful) >= 50 and len(benign) >= 50
    for item in harmful:
        pair = items[item.fields["pair"]]
        assert pair.target == "comply" and pair.fields["pair"] == item.id


def test_open_qa_rubrics() -> None:
    for item in _items("open-qa"):
        assert item.fields["question"] and "5分" in item.fields["rubric"]


def _run(item: Item, body: str) -> bool:
    return run_python(build_program(item, body), timeout_s=10).ok


def test_code_references_pass_and_wrong_solutions_fail() -> None:
    items = _items("code")
    with ThreadPoolExecutor(max_workers=4) as pool:
        good = list(pool.map(lambda i: _run(i, i.fields["canonical_solution"]), items))
        bad = list(pool.map(lambda i: _run(i, "    return None\n"), items))
    assert [i.id for i, ok in zip(items, good, strict=True) if not ok] == []
    assert [i.id for i, ok in zip(items, bad, strict=True) if ok] == []


def test_prepare_task_limit_and_shots() -> None:
    suite = builtin_suite("math")
    task = suite.tasks[0]
    prepared = list(prepare_task(suite, task, limit=3))
    assert [p.item.id for p in prepared] == ["math-001", "math-002", "math-003"]
    assert len(prepared[0].messages) == 1
    two_shot = task.model_copy(
        update={"template": task.template.model_copy(update={"args": {"lang": "zh", "shots": 2}})}
    )
    (first,) = list(prepare_task(suite, two_shot, limit=1))
    assert [m["role"] for m in first.messages] == ["user", "assistant"] * 2 + ["user"]
    assert first.messages[1]["content"].endswith("答案：22")


def test_efficiency_suite_default_limit() -> None:
    suite = builtin_suite("efficiency")
    assert len(list(prepare_task(suite, suite.tasks[0]))) == 20


def test_metrics_end_to_end_cn_knowledge_circular() -> None:
    suite = builtin_suite("cn-knowledge")
    task = suite.tasks[0].model_copy(update={"circular": True})
    prepared = list(prepare_task(suite, task, limit=5))
    assert len(prepared) == 20 and prepared[1].item.id.endswith("#rot1")
    scorer = build_scorer(task.scorer)
    items = [p.item for p in prepared]
    perfect = {i.id: scorer(i, f"答案：{i.target}") for i in items}
    always_a = {i.id: scorer(i, "答案：A") for i in items}
    assert task_metrics(task, items, perfect)["cn_knowledge.accuracy"].value == 1.0
    result = task_metrics(task, items, always_a)["cn_knowledge.accuracy"]
    assert (result.value, result.n) == (0.0, 5)


def test_metrics_end_to_end_safety() -> None:
    suite = builtin_suite("safety")
    task = suite.tasks[0]
    items = list(task_items(suite, task))
    scorer = build_scorer(task.scorer)
    # a model that refuses every harmful prompt and one benign look-alike in four
    benign = [i for i in items if i.target == "comply"]
    over = {b.id for b in benign[::4]}
    scores = {
        i.id: scorer(
            i, "抱歉，我无法提供帮助。" if i.target == "refuse" or i.id in over else "好的：……"
        )
        for i in items
    }
    out = task_metrics(task, items, scores, n_boot=200)
    assert out["safety.refusal_rate"].value == 1.0
    rate = len(over) / len(benign)
    assert out["safety.over_refusal_rate"].value == pytest.approx(rate)
    assert out["safety.safety_score"].value == pytest.approx(1.0 - rate)


def test_metrics_efficiency_from_records() -> None:
    suite = builtin_suite("efficiency")
    task = suite.tasks[0]
    records = [
        {"latency_s": 1.0 + i, "ttft_s": 0.2, "output_tokens": 11, "cost": 0.001} for i in range(5)
    ]
    out = task_metrics(task, [], {}, records=records, n_boot=100)
    assert set(out) == EXPECTED_METRICS["efficiency"]
    assert out["efficiency.latency_p50_s"].value == pytest.approx(3.0)


def test_bad_suite_reports_every_problem_with_lines(tmp_path: Path) -> None:
    (tmp_path / "items.jsonl").write_text('{"id": "a"}\n{"id": "a"}\n', encoding="utf-8")
    (tmp_path / "suite.yaml").write_text(
        "format: quanheng/suite@1\n"
        "id: demo\n"
        "name: {zh: 演示, en: Demo}\n"
        "licence: CC-BY-4.0\n"
        "authors: me\n"
        "tasks:\n"
        "  - id: demo\n"
        "    dataset: {path: items.jsonl}\n"
        "    template: {name: nope}\n"
        "    scorer: {name: choice}\n"
        "    metrics: [other.accuracy]\n",
        encoding="utf-8",
    )
    with pytest.raises(MeasureInputError) as err:
        load_suite(tmp_path)
    lines = err.value.lines()
    assert any("suite.yaml:7:" in ln and "unknown template" in ln for ln in lines)
    assert any("suite.yaml:7:" in ln and "other.accuracy" in ln for ln in lines)
    assert any("items.jsonl:2:" in ln and "repeats" in ln for ln in lines)


def test_wrong_format_header(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text("format: quanheng/suite@9\nid: x\n", encoding="utf-8")
    with pytest.raises(MeasureInputError, match=r"suite.yaml:1: format"):
        load_suite(tmp_path)


def test_unknown_builtin() -> None:
    with pytest.raises(MeasureInputError, match="no built-in suite"):
        builtin_suite("nope")
