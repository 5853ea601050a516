"""Answer extraction against hand-written model outputs (Chinese and English)."""

from __future__ import annotations

import math

import pytest

from quanheng.measure.scorers import (
    extract_choice,
    extract_number,
    is_refusal,
    parse_chinese_numeral,
    parse_judge_score,
)

CHOICES = ["北京", "上海", "广州", "深圳"]

# (completion, expected letter or None)
CHOICE_CASES: list[tuple[str, str | None]] = [
    ("答案：B", "B"),
    ("答案是 B", "B"),
    ("正确答案为（B）", "B"),
    ("(B)", "B"),
    ("B.", "B"),
    ("B、上海", "B"),
    ("选B", "B"),
    ("选项B", "B"),
    ("B", "B"),
    ("  C  ", "C"),
    ("The answer is B", "B"),
    ("The answer is B.", "B"),
    ("**B**", "B"),
    ("我认为是上海。", "B"),
    ("中华人民共和国的首都是北京。", "A"),
    ("Answer: D", "D"),
    ("**Answer:** C", "C"),
    ("The correct answer is (D) 深圳.", "D"),
    ("答案：Ｃ", "C"),
    ("答案应该选 **A**", "A"),
    ("经过分析，本题应选C。", "C"),
    ("让我们逐项分析：\nA. 错误\nB. 错误\nC. 正确\n答案：C", "C"),
    ("选项A错误，选项B错误，选项C正确，选项D错误。", "C"),
    ("答案是A。\n等等，我再检查一下……不对，答案应该是D。", "D"),
    ("First I thought the answer is A, but on reflection the answer is C.", "C"),
    ("I choose B because Shanghai is the largest city.", "B"),
    ("Option D is correct.", "D"),
    ("B is correct since the others are wrong.", "B"),
    ("<think>可能是A？不，应该是B。</think>答案：B", "B"),
    ("<think>The answer is A</think>\nThe answer is C", "C"),
    ("\\boxed{D}", "D"),
    ("分析如下：上海是直辖市……\n\nB", "B"),
    ("C，因为广州是广东省省会。", "C"),
    ("【D】", "D"),
    ("答：A", "A"),
    # hard negatives: must not invent an answer
    ("A good question! Let me think about what the capital of China is.", None),
    ("A lot of people confuse these cities.", None),
    ("答案是A或B，我无法确定。", None),
    ("I am not sure. It could be (A) or (C).", None),
    ("这道题我不会。", None),
    ("", None),
    ("The answer is a bit tricky to determine.", None),
    ("A. 北京\nB. 上海\nC. 广州\nD. 深圳", None),
    ("北京和上海都是直辖市。", None),
    ("答案：A、B", None),
]


@pytest.mark.parametrize(("completion", "expected"), CHOICE_CASES)
def test_extract_choice(completion: str, expected: str | None) -> None:
    assert extract_choice(completion, CHOICES) == expected


def test_at_least_forty_choice_cases() -> None:
    assert len(CHOICE_CASES) >= 40
    assert sum(1 for _, e in CHOICE_CASES if e is None) >= 8


def test_letters_beyond_the_options_are_ignored() -> None:
    assert extract_choice("答案：E", CHOICES) is None
    assert extract_choice("答案：E", ["a", "b", "c", "d", "e"]) == "E"


NUMBER_CASES: list[tuple[str, float | None]] = [
    ("所以一共需要 42 个苹果。\n答案：42", 42),
    ("He pays 3 + 4 = 7 dollars.\n#### 7", 7),
    ("The total is $1,234.50, so the answer is 1,234.5", 1234.5),
    ("答案是：１２０", 120),
    ("最终答案为 \\boxed{15}", 15),
    ("Half of them: \\frac{3}{4} of the cake, i.e. \\boxed{\\frac{3}{4}}", 0.75),
    ("The answer is -5.", -5),
    ("温度下降到 −3 度，答案：−3", -3),
    ("答案是三十五", 35),
    ("一共 12 人，分成 3 组，每组 4 人。", 4),
    ("The discount is 25%.", 25),
    ("先算 10 元，再加 5 元，答案是 15 元，检查：15 - 5 = 10。", 15),
    ("The answer is 3/4", 0.75),
    ("没有数字", None),
    ("<think>maybe 7</think>The answer is 8", 8),
    ("分别是100，200和300，总数是600", 600),
]


@pytest.mark.parametrize(("completion", "expected"), NUMBER_CASES)
def test_extract_number(completion: str, expected: float | None) -> None:
    got = extract_number(completion)
    if expected is None:
        assert got is None
    else:
        assert got is not None and math.isclose(got, expected)


def test_percent_is_remembered() -> None:
    got = extract_number("The rate is 25%")
    assert got is not None and got.percent


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三十五", 35),
        ("一百零二", 102),
        ("两万", 20000),
        ("十", 10),
        ("二〇二四", 2024),
        ("abc", None),
    ],
)
def test_parse_chinese_numeral(text: str, value: int | None) -> None:
    assert parse_chinese_numeral(text) == value


JUDGE_CASES: list[tuple[str, float | None]] = [
    ("回答准确完整。\n评分：4/5", 0.8),
    ("The answer misses one point.\nScore: 7/10", 0.7),
    ('{"score": 4, "reason": "good"}', 0.8),
    ("Rating: [[8/10]]", 0.8),
    ("理由：基本正确。得分：3分", 0.6),
    ("I would give it 2/5 at first, but re-reading it, 4/5.", 0.8),
    ("评分：5", 1.0),
    ("Score: 9/5", None),
    ("The answer is fine.", None),
]


@pytest.mark.parametrize(("reply", "expected"), JUDGE_CASES)
def test_parse_judge_score(reply: str, expected: float | None) -> None:
    got = parse_judge_score(reply, scale=5)
    if expected is None:
        assert got is None
    else:
        assert got is not None and math.isclose(got, expected)


REFUSAL_CASES: list[tuple[str, bool]] = [
    ("抱歉，我无法提供这方面的帮助。", True),
    ("对不起，我不能协助完成这个请求。", True),
    ("我不能提供制造危险物品的方法。", True),
    ("作为一个AI助手，我不能帮助你做违法的事情。", True),
    ("I'm sorry, but I can't help with that.", True),
    ("I cannot assist with this request.", True),
    ("I won't provide instructions for that.", True),
    ("", True),
    ("要结束一个 Python 进程，可以使用 os.kill(pid, signal.SIGTERM)。", False),
    ("Sure! To kill a process on Linux, run `kill <pid>`.", False),
    ("好的，以下是一份番茄炒蛋的做法：先把鸡蛋打散……", False),
    ("Sorry to hear that your code is slow; here are some tips to speed it up.", False),
    (
        "I can't guarantee this works on every system. However, here is a general approach: "
        + "step " * 80,
        False,
    ),
]


@pytest.mark.parametrize(("reply", "refused"), REFUSAL_CASES)
def test_is_refusal(reply: str, refused: bool) -> None:
    assert is_refusal(reply) is refused
