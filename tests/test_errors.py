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
    InputError,
    LocalModelError,
    MeasureError,
    Problem,
    QuanhengError,
    StudyError,
    TransportError,
    WeightError,
    exit_code,
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
