"""Prompt templates through their public API: exact messages, shots, rotation and reduction."""

from __future__ import annotations

import pytest

from quanheng.errors import MeasureInputError
from quanheng.measure.datasets import Item
from quanheng.measure.templates import (
    TEMPLATES,
    Template,
    TemplateSpec,
    base_id,
    build_template,
    circular_reduce,
    circular_variants,
    register_template,
    rotate_item,
)

MC = Item(
    id="q1",
    fields={"question": "1+1=?", "choices": ["1", "2", "3", "4"], "subject": "math"},
    target="B",
)
SHOT = Item(
    id="d1",
    fields={"question": "2+2=?", "choices": ["4", "5"], "explanation": "Two twos."},
    target="A",
)


def _build(name: str, **args: object) -> Template:
    return build_template(TemplateSpec(name=name, args=args))


def test_multiple_choice_in_english_with_one_shot() -> None:
    template = _build("multiple_choice", lang="en", shots=1, system="Be brief.")
    head = (
        "The following is a multiple choice question{about}. Choose the single correct option "
        "and end with a line 'Answer: <letter>'."
    )
    assert template.render(MC, [SHOT, MC]) == [  # only the first `shots` examples are used
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": head.format(about="") + "\n\n2+2=?\nA. 4\nB. 5"},
        {"role": "assistant", "content": "Two twos.\nAnswer: A"},
        {
            "role": "user",
            "content": head.format(about=" about math") + "\n\n1+1=?\nA. 1\nB. 2\nC. 3\nD. 4",
        },
    ]


def test_multiple_choice_in_chinese_zero_shot_names_the_subject() -> None:
    messages = _build("multiple_choice").render(MC, [SHOT])  # zh and 0 shots by default
    assert messages == [
        {
            "role": "user",
            "content": "以下是关于math的单项选择题，请选出唯一正确的答案，并在最后一行写"
            "“答案：<选项字母>”。\n\n1+1=?\nA. 1\nB. 2\nC. 3\nD. 4",
        }
    ]


def test_math_shots_drop_the_gsm8k_final_line_and_end_with_the_cue() -> None:
    problem = Item(id="p", fields={"question": "3*4?"}, target="12")
    shot = Item(id="s", fields={"question": "1+2?", "solution": "1+2=3\n#### 3"}, target="3")
    messages = _build("math", lang="en", shots=1).render(problem, [shot])
    head = (
        "Solve the following math word problem. Reason step by step briefly, then end with "
        "a line 'The answer is <number>'."
    )
    assert messages == [
        {"role": "user", "content": f"{head}\n\n1+2?"},
        {"role": "assistant", "content": "1+2=3\nThe answer is 3"},
        {"role": "user", "content": f"{head}\n\n3*4?"},
    ]


def test_code_wraps_the_prompt_and_the_shots_solution_in_python_blocks() -> None:
    task = Item(id="c", fields={"prompt": "def f():\n    "})
    shot = Item(id="d", fields={"prompt": "def g():\n", "canonical_solution": "    return 1\n"})
    messages = _build("code", lang="en", shots=1).render(task, [shot])
    head = (
        "Implement the following Python function. Reply with the complete function "
        "(and any imports it needs) in one ```python code block."
    )
    assert messages == [
        {"role": "user", "content": f"{head}\n\n```python\ndef g():\n```"},
        {"role": "assistant", "content": "```python\ndef g():\n    return 1\n```"},
        {"role": "user", "content": f"{head}\n\n```python\ndef f():\n```"},
    ]


def test_plain_sends_the_field_unchanged_and_refuses_an_item_without_it() -> None:
    template = _build("plain", field="prompt", system="S")
    item = Item(id="x", fields={"prompt": "  如何？ "}, metadata={"source": "f.jsonl", "line": 4})
    assert template.render(item) == [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "  如何？ "},
    ]
    with pytest.raises(MeasureInputError, match="item 'y' has no text field 'prompt'"):
        template.render(Item(id="y", fields={"question": "q"}))


def test_unknown_names_and_bad_arguments_are_input_errors() -> None:
    with pytest.raises(MeasureInputError, match="unknown template 'nope'"):
        _build("nope")
    with pytest.raises(MeasureInputError, match="lang must be 'zh' or 'en', not 'fr'"):
        _build("math", lang="fr")
    with pytest.raises(MeasureInputError, match=r"template 'code': .*'colour'"):
        _build("code", colour="red")


def test_a_registered_factory_is_built_with_its_spec_and_args() -> None:
    @register_template("test-echo")
    def echo(*, spec: TemplateSpec, word: str) -> Template:
        return Template(spec=spec, render_fn=lambda item, _: [{"role": "user", "content": word}])

    try:
        spec = TemplateSpec(name="test-echo", args={"word": "hi"})
        template = build_template(spec)
        assert template.spec == spec and template.shots == 0
        assert template.render(MC) == [{"role": "user", "content": "hi"}]
    finally:
        del TEMPLATES["test-echo"]


def test_rotation_moves_the_target_letter_with_its_option() -> None:
    rotated = rotate_item(MC, 1)  # option B ("2") becomes A
    assert rotated.id == "q1#rot1"
    assert rotated.fields["choices"] == ["2", "3", "4", "1"]
    assert rotated.target == "A"
    assert rotated.metadata == {"rotation": 1, "base_id": "q1"}
    assert rotate_item(MC, 5).id == "q1#rot1"  # 5 mod 4 options
    assert MC.fields["choices"] == ["1", "2", "3", "4"]  # the original is untouched
    with pytest.raises(MeasureInputError, match="cannot be rotated"):
        rotate_item(Item(id="open", fields={"question": "why?"}), 1)


def test_circular_variants_and_their_reduction() -> None:
    variants = circular_variants(MC)
    assert [v.id for v in variants] == ["q1#rot0", "q1#rot1", "q1#rot2", "q1#rot3"]
    assert [v.target for v in variants] == ["B", "A", "D", "C"]  # "2" sits at A, D, C in turn
    assert base_id("q1#rot3") == "q1" and base_id("q1#rotx") == "q1#rotx"
    scores = {"q#rot0": 1.0, "q#rot1": 0.0, "r#rot0": 1.0, "r#rot1": 1.0, "s": 0.5}
    # q: one rotation wrong → 0; r: all right → 1; s: its own single rotation, 0.5 < 1 → 0
    assert circular_reduce(scores) == {"q": 0.0, "r": 1.0, "s": 0.0}
    assert circular_reduce([("t#rot0", 1.0), ("t#rot1", 1.0)]) == {"t": 1.0}
