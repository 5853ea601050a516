"""Scorers built from specs: choice, circular, exact, regex, numeric, code, judge, refusal."""

from __future__ import annotations

import math

import pytest

from quanheng.errors import MeasureInputError
from quanheng.measure.datasets import Item
from quanheng.measure.scorers import SCORERS, ScorerSpec, build_program, build_scorer, extract_code
from quanheng.measure.templates import (
    TemplateSpec,
    build_template,
    circular_reduce,
    circular_variants,
)

MC = Item(
    id="q1", fields={"question": "首都？", "choices": ["北京", "上海", "广州", "深圳"]}, target="A"
)


def test_registry_names() -> None:
    assert set(SCORERS) >= {"choice", "exact", "regex", "numeric", "code", "judge", "refusal"}


def test_unknown_scorer_and_bad_args() -> None:
    with pytest.raises(MeasureInputError, match="unknown scorer"):
        build_scorer(ScorerSpec(name="nope"))
    with pytest.raises(MeasureInputError, match="fix the scorer args"):
        build_scorer(ScorerSpec(name="numeric", args={"tolerance": 1}))


def test_choice_scorer() -> None:
    scorer = build_scorer(ScorerSpec(name="choice"))
    assert scorer(MC, "答案：A").value == 1.0
    wrong = scorer(MC, "The answer is C")
    assert (wrong.value, wrong.answer) == (0.0, "C")
    assert scorer(MC, "不知道").answer is None
    assert scorer.spec == ScorerSpec(name="choice")


def test_circular_variants_and_reduce() -> None:
    variants = circular_variants(MC)
    assert [v.id for v in variants] == ["q1#rot0", "q1#rot1", "q1#rot2", "q1#rot3"]
    for v in variants:
        letter = v.target
        assert letter is not None
        assert v.fields["choices"]["ABCD".index(letter)] == "北京"
    scorer = build_scorer(ScorerSpec(name="choice"))
    always_a = {v.id: scorer(v, "答案：A").value for v in variants}
    right = {v.id: scorer(v, f"答案：{v.target}").value for v in variants}
    assert circular_reduce(always_a) == {"q1": 0.0}
    assert circular_reduce(right) == {"q1": 1.0}


def test_exact_and_regex() -> None:
    item = Item(id="e", target="Paris")
    assert build_scorer(ScorerSpec(name="exact"))(item, " paris. ").value == 1.0
    assert build_scorer(ScorerSpec(name="exact"))(item, "London").value == 0.0
    rx = build_scorer(ScorerSpec(name="regex", args={"pattern": r"city:\s*(\w+)"}))
    assert rx(item, "city: Rome ... city: Paris").value == 1.0


@pytest.mark.parametrize(
    ("target", "completion", "value"),
    [
        ("42", "答案：42", 1.0),
        ("42", "#### 41", 0.0),
        ("0.25", "25%", 1.0),
        ("1000", "1,000元", 1.0),
    ],
)
def test_numeric(target: str, completion: str, value: float) -> None:
    scorer = build_scorer(ScorerSpec(name="numeric"))
    assert scorer(Item(id="n", target=target), completion).value == value


def test_numeric_tolerance() -> None:
    loose = build_scorer(ScorerSpec(name="numeric", args={"abs_tol": 0.01}))
    assert loose(Item(id="n", target="3.14"), "π ≈ 3.1416").value == 1.0
    assert (
        build_scorer(ScorerSpec(name="numeric"))(Item(id="n", target="3.14"), "3.1416").value == 0
    )


CODE_ITEM = Item(
    id="c",
    fields={
        "prompt": 'from typing import List\n\n\ndef total(xs: List[int]) -> int:\n    """Sum."""\n',
        "test": "def check(candidate):\n    assert candidate([1, 2]) == 3\n",
        "entry_point": "total",
    },
)


def test_extract_code_prefers_the_fence_defining_the_entry_point() -> None:
    reply = (
        "Here:\n```python\nprint('demo')\n```\nand\n```python\ndef total(xs):\n    return 0\n```"
    )
    assert "def total" in extract_code(reply, "total")
    assert extract_code("def total(xs): return 1", "total") == "def total(xs): return 1"


def test_build_program_keeps_prompt_imports_and_body_completion() -> None:
    full = build_program(
        CODE_ITEM, "```python\ndef total(xs: List[int]) -> int:\n    return sum(xs)\n```"
    )
    assert full.index("from typing import List") < full.index("return sum(xs)")
    body = build_program(CODE_ITEM, "    return sum(xs)\n")
    assert '"""Sum."""\n    return sum(xs)' in body and body.rstrip().endswith("check(total)")


def test_code_scorer_pass_and_fail() -> None:
    scorer = build_scorer(ScorerSpec(name="code", args={"timeout_s": 5}))
    ok = scorer(CODE_ITEM, "```python\ndef total(xs):\n    return sum(xs)\n```")
    bad = scorer(CODE_ITEM, "```python\ndef total(xs):\n    return 0\n```")
    loop = build_scorer(ScorerSpec(name="code", args={"timeout_s": 1}))(
        CODE_ITEM, "def total(xs):\n    while True:\n        pass\n"
    )
    assert (ok.value, bad.value, loop.value) == (1.0, 0.0, 0.0)
    assert bad.answer == "error" and loop.answer == "timeout"


def test_judge_scorer() -> None:
    item = Item(id="j", fields={"question": "为什么天是蓝的？", "rubric": "5分：提到瑞利散射"})
    scorer = build_scorer(ScorerSpec(name="judge", args={"scale": 5}))
    assert scorer.needs_judge and scorer.judge is not None
    (msg,) = scorer.judge(item, "因为瑞利散射。")
    assert "瑞利散射" in msg["content"] and "评分：X/5" in msg["content"] and msg["role"] == "user"
    assert scorer(item, "理由……\n评分：4/5").value == pytest.approx(0.8)
    assert math.isnan(scorer(item, "I refuse to grade.").value)
    assert not build_scorer(ScorerSpec(name="choice")).needs_judge


def test_refusal_scorer() -> None:
    scorer = build_scorer(ScorerSpec(name="refusal"))
    harmful = Item(id="h", fields={"prompt": "x"}, target="refuse")
    assert scorer(harmful, "抱歉，我无法提供帮助。").value == 1.0
    assert scorer(harmful, "好的，步骤如下：……").value == 0.0


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", ["multiple_choice", "math", "code", "plain"])
def test_templates_render_chat_messages(name: str, lang: str) -> None:
    item = Item(
        id="t",
        fields={
            "question": "Q?",
            "choices": ["a", "b", "c", "d"],
            "prompt": "def f():\n",
            "solution": "1+1=2\n#### 2",
            "canonical_solution": "    return 1\n",
        },
        target="B",
    )
    shot = item.replace(id="s")
    template = build_template(TemplateSpec(name=name, args={"lang": lang, "shots": 1}))
    messages = template.render(item, [shot, shot])
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert (
        build_template(TemplateSpec(name=name, args={"lang": lang})).render(item) == messages[-1:]
    )


def test_template_bad_args() -> None:
    with pytest.raises(MeasureInputError):
        build_template(TemplateSpec(name="math", args={"lang": "fr"}))
    with pytest.raises(MeasureInputError, match="unknown template"):
        build_template(TemplateSpec(name="nope"))
