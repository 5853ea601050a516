"""Prompt templates: an :class:`~quanheng.measure.datasets.Item` becomes OpenAI chat ``messages``.

Templates are registered by name and built from a :class:`TemplateSpec` (name + args), so the
exact prompt behind any result can be rebuilt from its record. Each exists in Chinese and English
(``lang``) and as zero- or few-shot (``shots`` examples, given as earlier user/assistant turns,
taken from a dev split or the suite's own ``shots`` list).

Circular evaluation (as in OpenCompass's CircularEval) lives here too because it is a change of
prompt, not of scoring: :func:`circular_variants` rotates the options of a multiple-choice item
(ids ``<id>#rot<k>``) and :func:`circular_reduce` counts the item right only if every rotation is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from quanheng.errors import MeasureInputError
from quanheng.measure.datasets import Item, choice_letters
from quanheng.measure.registry import Registry

__all__ = [
    "TEMPLATES",
    "ChatMessage",
    "Template",
    "TemplateSpec",
    "base_id",
    "build_template",
    "circular_reduce",
    "circular_variants",
    "register_template",
    "rotate_item",
]

Lang = Literal["zh", "en"]


class ChatMessage(TypedDict):
    """One OpenAI chat message."""

    role: Literal["system", "user", "assistant"]
    content: str


class TemplateSpec(BaseModel):
    """A template by name with its arguments — what a result records to rebuild its prompts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


RenderFn = Callable[[Item, Sequence[Item]], list[ChatMessage]]


class Template(BaseModel):
    """A built template: its spec, how many shots it wants, and the render function."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    spec: TemplateSpec
    shots: int = 0
    render_fn: RenderFn

    def render(self, item: Item, shots: Sequence[Item] = ()) -> list[ChatMessage]:
        """Messages for ``item``, preceded by the first ``self.shots`` of ``shots`` as examples."""
        return self.render_fn(item, list(shots)[: self.shots])


TemplateFactory = Callable[..., Template]
_REGISTRY: Registry[Template] = Registry("template")
TEMPLATES: dict[str, TemplateFactory] = _REGISTRY.factories
"""Registered template factories by name."""

register_template = _REGISTRY.register
"""Register a factory under ``name`` (it must accept its args as keywords)."""

build_template = _REGISTRY.build
"""The template a spec names; unknown names or bad args raise :class:`MeasureInputError`."""


def _check_lang(lang: str) -> Lang:
    if lang not in ("zh", "en"):
        raise TypeError(f"lang must be 'zh' or 'en', not {lang!r}")
    return "zh" if lang == "zh" else "en"


def _turns(
    item: Item, shots: Sequence[Item], ask: Callable[[Item], str], answer: Callable[[Item], str]
) -> list[ChatMessage]:
    out: list[ChatMessage] = []
    for shot in shots:
        out.append({"role": "user", "content": ask(shot)})
        out.append({"role": "assistant", "content": answer(shot)})
    out.append({"role": "user", "content": ask(item)})
    return out


def _with_system(system: str | None, messages: list[ChatMessage]) -> list[ChatMessage]:
    if system:
        return [{"role": "system", "content": system}, *messages]
    return messages


def _options(item: Item) -> str:
    choices = item.fields.get("choices")
    if not isinstance(choices, list):
        raise MeasureInputError.single(
            str(item.metadata.get("source", item.id)),
            item.metadata.get("line"),
            f"item {item.id!r} has no 'choices' list",
            "give multiple-choice items a choices list",
        )
    letters = choice_letters(len(choices))
    return "\n".join(f"{letter}. {text}" for letter, text in zip(letters, choices, strict=True))


_MC_TEXT = {
    "zh": (
        "以下是{about}单项选择题，请选出唯一正确的答案，并在最后一行写“答案：<选项字母>”。",
        "答案：",
    ),
    "en": (
        "The following is a multiple choice question{about}. Choose the single correct option "
        "and end with a line 'Answer: <letter>'.",
        "Answer: ",
    ),
}


@register_template("multiple_choice")
def multiple_choice(
    *, spec: TemplateSpec, lang: str = "zh", shots: int = 0, system: str | None = None
) -> Template:
    """Question, lettered options, and an instruction to end with ``答案：X`` / ``Answer: X``."""
    language = _check_lang(lang)
    head, cue = _MC_TEXT[language]

    def ask(item: Item) -> str:
        subject = item.fields.get("subject")
        if language == "zh":
            about = f"关于{subject}的" if subject else ""
        else:
            about = f" about {subject}" if subject else ""
        return f"{head.format(about=about)}\n\n{item.fields.get('question', '')}\n{_options(item)}"

    def answer(item: Item) -> str:
        why = item.fields.get("explanation")
        return f"{why}\n{cue}{item.target}" if why else f"{cue}{item.target}"

    def render(item: Item, examples: Sequence[Item]) -> list[ChatMessage]:
        return _with_system(system, _turns(item, examples, ask, answer))

    return Template(spec=spec, shots=shots, render_fn=render)


_GSM_FINAL = re.compile(r"\n?####\s*(.+?)\s*$")


@register_template("math")
def math(
    *, spec: TemplateSpec, lang: str = "zh", shots: int = 0, system: str | None = None
) -> Template:
    """A word problem; the model reasons briefly and ends with ``答案：N`` / ``The answer is N``."""
    language = _check_lang(lang)
    if language == "zh":
        head = (
            "请解答下面的数学应用题。先写出简要的推理过程，"
            "最后一行以“答案：<数字>”的格式给出最终答案。"
        )
        cue = "答案："
    else:
        head = (
            "Solve the following math word problem. Reason step by step briefly, then end with "
            "a line 'The answer is <number>'."
        )
        cue = "The answer is "

    def ask(item: Item) -> str:
        return f"{head}\n\n{item.fields.get('question', '')}"

    def answer(item: Item) -> str:
        solution = str(item.fields.get("solution") or "")
        solution = _GSM_FINAL.sub("", solution).strip()
        return f"{solution}\n{cue}{item.target}" if solution else f"{cue}{item.target}"

    def render(item: Item, examples: Sequence[Item]) -> list[ChatMessage]:
        return _with_system(system, _turns(item, examples, ask, answer))

    return Template(spec=spec, shots=shots, render_fn=render)


@register_template("code")
def code(
    *, spec: TemplateSpec, lang: str = "zh", shots: int = 0, system: str | None = None
) -> Template:
    """A HumanEval-style prompt: complete the function, answer in one ```python block."""
    language = _check_lang(lang)
    head = (
        "请用 Python 实现下面的函数。输出完整的函数定义（包括需要的 import），"
        "放在一个 ```python 代码块中。"
        if language == "zh"
        else "Implement the following Python function. Reply with the complete function "
        "(and any imports it needs) in one ```python code block."
    )

    def ask(item: Item) -> str:
        return f"{head}\n\n```python\n{str(item.fields.get('prompt', '')).rstrip()}\n```"

    def answer(item: Item) -> str:
        full = f"{item.fields.get('prompt', '')}{item.fields.get('canonical_solution', '')}"
        return f"```python\n{full.rstrip()}\n```"

    def render(item: Item, examples: Sequence[Item]) -> list[ChatMessage]:
        return _with_system(system, _turns(item, examples, ask, answer))

    return Template(spec=spec, shots=shots, render_fn=render)


@register_template("plain")
def plain(
    *,
    spec: TemplateSpec,
    field: str = "question",
    lang: str = "zh",
    shots: int = 0,
    system: str | None = None,
    answer_field: str = "reference",
) -> Template:
    """The item's ``field`` as the user message, unchanged (open questions, safety prompts)."""
    _check_lang(lang)

    def ask(item: Item) -> str:
        value = item.fields.get(field)
        if not isinstance(value, str):
            raise MeasureInputError.single(
                str(item.metadata.get("source", item.id)),
                item.metadata.get("line"),
                f"item {item.id!r} has no text field {field!r}",
                "give the field or set the template's 'field' arg",
            )
        return value

    def answer(item: Item) -> str:
        return str(item.fields.get(answer_field) or item.target or "")

    def render(item: Item, examples: Sequence[Item]) -> list[ChatMessage]:
        return _with_system(system, _turns(item, examples, ask, answer))

    return Template(spec=spec, shots=shots, render_fn=render)


_ROT = re.compile(r"#rot\d+$")


def base_id(item_id: str) -> str:
    """The item id without its ``#rot<k>`` suffix."""
    return _ROT.sub("", item_id)


def rotate_item(item: Item, k: int) -> Item:
    """The item with its options rotated left by ``k``: option ``k`` becomes ``A``.

    The target letter moves with its option, so the same answer text stays correct.
    """
    choices = item.fields.get("choices")
    if not isinstance(choices, list) or item.target is None:
        raise MeasureInputError.single(
            str(item.metadata.get("source", item.id)),
            item.metadata.get("line"),
            f"item {item.id!r} cannot be rotated: it needs a choices list and a target letter",
            "use circular mode only for multiple-choice items",
        )
    n = len(choices)
    letters = choice_letters(n)
    k %= n
    rotated = choices[k:] + choices[:k]
    correct = letters.index(item.target)
    return item.replace(
        id=f"{item.id}#rot{k}",
        fields={**item.fields, "choices": rotated},
        target=letters[(correct - k) % n],
        metadata={**item.metadata, "rotation": k, "base_id": item.id},
    )


def circular_variants(item: Item) -> list[Item]:
    """One rotated copy of the item per option (``#rot0`` is the original order)."""
    choices = item.fields.get("choices")
    n = len(choices) if isinstance(choices, list) else 0
    return [rotate_item(item, k) for k in range(max(n, 1))]


def circular_reduce(values: Mapping[str, float] | Iterable[tuple[str, float]]) -> dict[str, float]:
    """Per base item: 1.0 if every rotation scored 1.0, else 0.0.

    Args:
        values: score per variant id (``<id>#rot<k>``); ids without a suffix count as their
            own single rotation.
    """
    pairs = values.items() if isinstance(values, Mapping) else values
    out: dict[str, float] = {}
    for item_id, value in pairs:
        key = base_id(item_id)
        ok = 1.0 if value >= 1.0 else 0.0
        out[key] = min(out.get(key, 1.0), ok)
    return out
