"""Normalisation specs (quanheng.specs.normalisation): their validation, and normalise_leaf /
normalise_matrix applying a spec and a direction, against hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from quanheng.specs.normalisation import (
    Fixed,
    LogMinMax,
    MinMax,
    Normalisation,
    Rubric,
    Target,
    normalise_leaf,
    normalise_matrix,
)

NAN = np.nan
LEVELS = {level: {"en": f"level {level}"} for level in range(6)}
SPEC: TypeAdapter[Normalisation] = TypeAdapter(Normalisation)


def close(actual: np.ndarray, expected: list[float] | list[list[float]]) -> None:
    """Equal to 1e-12, with NaN only where NaN is expected."""
    np.testing.assert_allclose(actual, np.array(expected, dtype=float), rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------- specs


def test_type_selects_the_spec_class() -> None:
    assert type(SPEC.validate_python({"type": "minmax"})) is MinMax
    assert SPEC.validate_python({"type": "log_minmax", "offset": 1}) == LogMinMax(offset=1.0)
    assert SPEC.validate_python({"type": "fixed", "min": 0, "max": 5}) == Fixed(min=0, max=5)
    assert SPEC.validate_python({"type": "target", "target": 3, "width": 2}) == Target(
        target=3, width=2
    )


def test_unknown_type_and_unknown_field_are_refused() -> None:
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        SPEC.validate_python({"type": "zscore"})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        SPEC.validate_python({"type": "minmax", "offset": 1})


@pytest.mark.parametrize(("lo", "hi"), [(5.0, 5.0), (5.0, 1.0)])
def test_fixed_needs_max_above_min(lo: float, hi: float) -> None:
    with pytest.raises(ValidationError, match=rf"max \({hi}\) must be greater than min \({lo}\)"):
        Fixed(min=lo, max=hi)


def test_rubric_needs_every_level_and_no_other() -> None:
    partial = {k: v for k, v in LEVELS.items() if k not in (2, 4)}
    with pytest.raises(ValidationError, match=r"levels \[2, 4\] have no descriptor"):
        Rubric.model_validate({"levels": partial})
    with pytest.raises(ValidationError, match=r"levels \[6\] are outside 0..5"):
        Rubric.model_validate({"levels": {**LEVELS, 6: {"en": "beyond"}}})


def test_target_width_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="greater than 0"):
        Target(target=1, width=0)


def test_only_minmax_kinds_are_cohort_relative() -> None:
    # min-max scores depend on who else is in the cohort; the others are absolute
    assert MinMax().cohort_relative and LogMinMax().cohort_relative
    assert not Fixed(min=0, max=1).cohort_relative
    assert not Rubric.model_validate({"levels": LEVELS}).cohort_relative
    assert not Target(target=1, width=1).cohort_relative


# ----------------------------------------------------------------------------- direction


def test_direction_lower_minmax() -> None:
    close(normalise_leaf(np.array([10.0, 20.0, 30.0]), MinMax(), "lower"), [1.0, 0.5, 0.0])


def test_direction_lower_log_minmax_with_offset() -> None:
    spec = LogMinMax(offset=1.0)
    close(normalise_leaf(np.array([0.0, 9.0, 99.0]), spec, "lower"), [1.0, 0.5, 0.0])


def test_direction_lower_fixed_after_clipping() -> None:
    # 1 - clip((x - 0) / 100): 150 → 1 - 1 = 0, -5 → 1 - 0 = 1
    out = normalise_leaf(np.array([150.0, 25.0, -5.0, NAN]), Fixed(min=0, max=100), "lower")
    close(out, [0.0, 0.75, 1.0, NAN])


def test_direction_is_ignored_by_rubric_and_target() -> None:
    # validation forbids direction: lower on these; the arithmetic ignores it as well
    close(
        normalise_leaf(np.array([1.0]), Rubric.model_validate({"levels": LEVELS}), "lower"), [0.2]
    )
    close(normalise_leaf(np.array([125.0]), Target(target=100, width=50), "lower"), [0.5])


def test_direction_higher_is_default() -> None:
    close(normalise_leaf(np.array([10.0, 20.0, 30.0]), MinMax()), [0.0, 0.5, 1.0])


@pytest.mark.parametrize("spec", [MinMax(), LogMinMax()], ids=["minmax", "log_minmax"])
def test_direction_lower_all_equal_is_one(spec: MinMax | LogMinMax) -> None:
    # docs/formats.md: "all equal → 1". A leaf on which nobody differs (or that only one
    # subject reports) must not score the worst possible value just because lower is better:
    # with direction higher these cells score 1, so they must score 1 under lower too.
    close(normalise_leaf(np.array([5.0, 5.0, 5.0]), spec, "higher"), [1.0, 1.0, 1.0])
    close(normalise_leaf(np.array([5.0, 5.0, 5.0]), spec, "lower"), [1.0, 1.0, 1.0])
    close(normalise_leaf(np.array([NAN, 5.0]), spec, "lower"), [NAN, 1.0])


# ----------------------------------------------------------------------------- matrices


MINI_SPECS = (
    MinMax(),
    Rubric.model_validate({"levels": LEVELS}),
    Fixed(min=0, max=100),
    LogMinMax(),
    Target(target=100, width=50),
)
MINI_DIRECTIONS = ("higher", "higher", "higher", "lower", "higher")


def test_normalise_matrix_subjects_by_leaves() -> None:
    # the mini study's cohort (s1, s2, s3): one column per leaf, subjects down the rows
    values = np.array(
        [
            [10.0, 5.0, 80.0, 10.0, 100.0],
            [20.0, 2.0, 60.0, 100.0, 125.0],
            [30.0, NAN, 45.0, 1000.0, NAN],
        ]
    )
    out = normalise_matrix(values, MINI_SPECS, MINI_DIRECTIONS)
    assert out.shape == (3, 5)
    close(
        out,
        [
            [0.0, 1.0, 0.8, 1.0, 1.0],
            [0.5, 0.4, 0.6, 0.5, 0.5],
            [1.0, NAN, 0.45, 0.0, NAN],
        ],
    )


def test_normalise_matrix_with_draw_axis_equals_each_draw() -> None:
    rng = np.random.default_rng(7)
    values = rng.uniform(1.0, 200.0, size=(4, 6, 5))
    values[:, :, 1] = rng.integers(0, 6, size=(4, 6))
    values[0, 2, 3] = NAN
    out = normalise_matrix(values, MINI_SPECS, MINI_DIRECTIONS)
    assert out.shape == (4, 6, 5)
    for d in range(4):
        np.testing.assert_array_equal(
            out[d], normalise_matrix(values[d], MINI_SPECS, MINI_DIRECTIONS)
        )


def test_normalise_matrix_does_not_mutate_input() -> None:
    values = np.array([[10.0, 1.0], [30.0, 2.0]])
    before = values.copy()
    normalise_matrix(values, (MinMax(), Fixed(min=0, max=4)), ("higher", "lower"))
    np.testing.assert_array_equal(values, before)
