"""Components built by name: unknown names and bad arguments are one input line each."""

from __future__ import annotations

import pytest

from quanheng.errors import MeasureInputError
from quanheng.measure.registry import Registry
from quanheng.measure.scorers import SCORERS, ScorerSpec, build_scorer
from quanheng.measure.templates import TEMPLATES


class _Spec:
    def __init__(self, name: str, **args: object) -> None:
        self.name = name
        self.args = args


def _registry() -> Registry[str]:
    reg: Registry[str] = Registry("widget", (TypeError, ValueError))

    @reg.register("echo")
    def echo(*, spec: _Spec, word: str) -> str:
        if not word:
            raise ValueError("word must not be empty")
        return f"{spec.name}:{word}"

    return reg


def test_a_registered_factory_is_built_from_its_spec() -> None:
    assert _registry().build(_Spec("echo", word="hi")) == "echo:hi"


def test_unknown_names_list_the_known_ones() -> None:
    with pytest.raises(MeasureInputError) as info:
        _registry().build(_Spec("nope"))
    assert info.value.lines() == ["<widget>: unknown widget 'nope' — use one of echo"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"word": ""}, "widget 'echo': word must not be empty"),
        ({"colour": "red"}, "widget 'echo': "),
    ],
)
def test_bad_arguments_are_one_line(args: dict[str, object], message: str) -> None:
    with pytest.raises(MeasureInputError) as info:
        _registry().build(_Spec("echo", **args))
    (line,) = info.value.lines()
    assert line.startswith(f"<widget>: {message}") and line.endswith("— fix the widget args")


def test_scorers_and_templates_register_themselves() -> None:
    assert {"choice", "exact", "numeric", "code"} <= set(SCORERS)
    assert {"code", "math", "multiple_choice", "plain"} <= set(TEMPLATES)
    with pytest.raises(MeasureInputError, match="unknown scorer 'nope'"):
        build_scorer(ScorerSpec(name="nope"))
