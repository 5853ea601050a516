"""One exception tree: every error class of quanheng is in it and in the diagram that draws it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import quanheng
from quanheng import errors
from quanheng.errors import (
    EXIT_INPUT,
    EXIT_RUN,
    EnvironmentProblem,
    EvidenceError,
    InputError,
    LocalModelError,
    MeasureError,
    Problem,
    QuanhengError,
    StudyError,
    TransportError,
    WeightError,
    exit_code,
    raise_if,
)


def _error_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(quanheng.__path__, "quanheng."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
            ):
                found[f"{module.__name__}.{name}"] = obj
    return found


def test_every_error_class_belongs_to_the_tree() -> None:
    classes = _error_classes()
    assert "quanheng.measure.client.RequestFailed" in classes  # the walk reaches the edges
    # Private control-flow signals (raised and caught inside one function) are the exception.
    outside = [
        where
        for where, cls in classes.items()
        if not issubclass(cls, QuanhengError) and not where.rsplit(".", 1)[1].startswith("_")
    ]
    assert outside == []


def test_every_public_error_is_drawn_in_the_diagram() -> None:
    doc = errors.__doc__ or ""
    missing = [
        where
        for where, cls in _error_classes().items()
        if not cls.__name__.startswith("_") and f" {cls.__name__}" not in doc
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (StudyError([Problem("study.yaml", 3, "bad", "fix")]), EXIT_INPUT),
        (WeightError([Problem("<ahp>", None, "CR 0.2", "revise")]), EXIT_INPUT),
        (LocalModelError("weights not installed — run make demo"), EXIT_INPUT),
        (EnvironmentProblem("no chromium — apt-get install chromium"), EXIT_INPUT),
        (MeasureError("store is locked"), EXIT_RUN),
        (TransportError("connection refused"), EXIT_RUN),
    ],
)
def test_exit_codes_follow_the_branch(error: QuanhengError, code: int) -> None:
    assert exit_code(error) == code


def test_input_errors_print_one_line_per_problem() -> None:
    err = InputError(
        [Problem("a.yaml", 2, "x is wrong", "fix x"), Problem("b.csv", None, "y", "z")]
    )
    assert err.lines() == ["a.yaml:2: x is wrong — fix x", "b.csv: y — z"]


def test_problem_line_with_and_without_a_line_number() -> None:
    assert str(Problem("s.yaml", 4, "bad", "fix it")) == "s.yaml:4: bad — fix it"
    assert str(Problem("s.yaml", None, "bad", "fix it")) == "s.yaml: bad — fix it"


def test_single_builds_the_subclass_and_the_message_joins_the_lines() -> None:
    single = EvidenceError.single("e.csv", 2, "bad cell", "correct it")
    assert type(single) is EvidenceError
    assert single.problems == (Problem("e.csv", 2, "bad cell", "correct it"),)
    err = StudyError([Problem("a", 1, "one", "x"), Problem("b", None, "two", "y")])
    assert str(err) == "a:1: one — x\nb: two — y"
    assert InputError(Problem("f", 3, "m", "f")).lines() == ["f:3: m — f"]  # one Problem alone


def test_raise_if_raises_only_with_problems() -> None:
    raise_if(iter(()), StudyError)  # nothing found: nothing raised
    with pytest.raises(StudyError) as info:
        raise_if(iter([Problem("s", 1, "m", "f"), Problem("s", 2, "n", "g")]), StudyError)
    assert info.value.lines() == ["s:1: m — f", "s:2: n — g"]
    assert (EXIT_INPUT, EXIT_RUN) == (2, 1)
