"""The exception tree (quanheng.errors): problem lines, exit codes, raise_if."""

from __future__ import annotations

import pytest

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


def test_problem_line_with_and_without_a_line_number() -> None:
    assert str(Problem("s.yaml", 4, "bad", "fix it")) == "s.yaml:4: bad — fix it"
    assert str(Problem("s.yaml", None, "bad", "fix it")) == "s.yaml: bad — fix it"


def test_input_error_holds_every_problem_in_order() -> None:
    err = StudyError([Problem("a", 1, "one", "x"), Problem("b", None, "two", "y")])
    assert err.lines() == ["a:1: one — x", "b: two — y"]
    assert str(err) == "a:1: one — x\nb: two — y"
    single = EvidenceError.single("e.csv", 2, "bad cell", "correct it")
    assert type(single) is EvidenceError
    assert single.problems == (Problem("e.csv", 2, "bad cell", "correct it"),)
    assert InputError(Problem("f", 3, "m", "f")).lines() == ["f:3: m — f"]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (WeightError(()), EXIT_INPUT),
        (LocalModelError("no weights"), EXIT_INPUT),
        (EnvironmentProblem("no chromium"), EXIT_INPUT),
        (MeasureError("cannot go on"), EXIT_RUN),
        (TransportError("reset"), EXIT_RUN),
    ],
)
def test_exit_codes(error: QuanhengError, code: int) -> None:
    assert (EXIT_INPUT, EXIT_RUN) == (2, 1)
    assert exit_code(error) == code


def test_raise_if_raises_only_with_problems() -> None:
    raise_if(iter(()), StudyError)  # nothing found: nothing raised
    with pytest.raises(StudyError) as info:
        raise_if(iter([Problem("s", 1, "m", "f"), Problem("s", 2, "n", "g")]), StudyError)
    assert info.value.lines() == ["s:1: m — f", "s:2: n — g"]
