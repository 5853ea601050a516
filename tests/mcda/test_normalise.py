"""Normalisations against hand-computed examples (quanheng.mcda.normalise)."""

from __future__ import annotations

import numpy as np
import pytest

from quanheng.mcda.normalise import fixed_range, log_minmax, minmax, rubric, target
from quanheng.specs.normalisation import (
    Fixed,
    LogMinMax,
    MinMax,
    Rubric,
    Target,
    normalise_leaf,
    normalise_matrix,
)

NAN = np.nan
LEVELS = {level: {"en": f"level {level}"} for level in range(6)}


def close(actual: np.ndarray, expected: list[float] | list[list[float]]) -> None:
    """Equal to 1e-12, with NaN only where NaN is expected."""
    np.testing.assert_allclose(actual, np.array(expected, dtype=float), rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------- minmax


def test_minmax_hand_example() -> None:
    # (x - 10) / (30 - 10): 0/20, 10/20, 20/20
    close(minmax(np.array([10.0, 20.0, 30.0])), [0.0, 0.5, 1.0])


def test_minmax_uneven_spacing() -> None:
    # min 2, max 10, span 8: (2-2)/8, (4-2)/8, (10-2)/8
    close(minmax(np.array([4.0, 2.0, 10.0])), [0.25, 0.0, 1.0])


def test_minmax_nan_stays_nan_and_is_ignored_for_min_and_max() -> None:
    close(minmax(np.array([10.0, NAN, 30.0, 20.0])), [0.0, NAN, 1.0, 0.5])


def test_minmax_all_equal_is_one() -> None:
    close(minmax(np.array([7.0, 7.0, 7.0])), [1.0, 1.0, 1.0])


def test_minmax_single_present_value_is_one() -> None:
    close(minmax(np.array([NAN, 3.0, NAN])), [NAN, 1.0, NAN])


def test_minmax_all_missing_stays_missing_without_warning() -> None:
    close(minmax(np.array([NAN, NAN])), [NAN, NAN])


def test_minmax_leading_draw_axis() -> None:
    # each row (draw) is normalised on its own: row 2 has min 0, max 10
    x = np.array([[10.0, 20.0, 30.0], [0.0, 0.0, 10.0]])
    out = minmax(x)
    assert out.shape == (2, 3)
    close(out, [[0.0, 0.5, 1.0], [0.0, 0.0, 1.0]])


# ----------------------------------------------------------------------------- log_minmax


def test_log_minmax_hand_example() -> None:
    # log10: 1, 2, 3 → (l - 1) / 2
    close(log_minmax(np.array([10.0, 100.0, 1000.0])), [0.0, 0.5, 1.0])


def test_log_minmax_with_offset() -> None:
    # log10(x + 1): log10(1)=0, log10(10)=1, log10(100)=2 → 0, .5, 1
    close(log_minmax(np.array([0.0, 9.0, 99.0]), offset=1.0), [0.0, 0.5, 1.0])


def test_log_minmax_is_not_linear() -> None:
    # log10: 1, 2, 4 → (l - 1) / 3; the linear min-max of 10 would be 0 too, but 100 → 1/3
    close(log_minmax(np.array([10.0, 100.0, 10000.0])), [0.0, 1 / 3, 1.0])


def test_log_minmax_nan_and_all_equal() -> None:
    close(log_minmax(np.array([NAN, 10.0, 1000.0])), [NAN, 0.0, 1.0])
    close(log_minmax(np.array([50.0, 50.0])), [1.0, 1.0])


def test_log_minmax_leading_draw_axis() -> None:
    x = np.array([[10.0, 100.0, 1000.0], [1.0, 10.0, 10.0]])
    close(log_minmax(x), [[0.0, 0.5, 1.0], [0.0, 1.0, 1.0]])


# ----------------------------------------------------------------------------- fixed


def test_fixed_range_hand_example_with_clipping() -> None:
    # (x - 0) / 100, clipped to [0, 1]: -10 → 0, 150 → 1
    close(
        fixed_range(np.array([-10.0, 0.0, 25.0, 100.0, 150.0]), 0.0, 100.0),
        [0.0, 0.0, 0.25, 1.0, 1.0],
    )


def test_fixed_range_offset_range() -> None:
    # (x - 0.25) / 0.75: 0.25 → 0, 0.625 → 0.5, 1.0 → 1, 0.1 → clipped 0
    close(fixed_range(np.array([0.25, 0.625, 1.0, 0.1]), 0.25, 1.0), [0.0, 0.5, 1.0, 0.0])


def test_fixed_range_is_cohort_independent_and_keeps_nan() -> None:
    # the same value scores the same whoever else is present; all-equal is not forced to 1
    close(fixed_range(np.array([40.0, 40.0, NAN]), 0.0, 100.0), [0.4, 0.4, NAN])
    close(fixed_range(np.array([[40.0], [90.0]]), 0.0, 100.0), [[0.4], [0.9]])


# ----------------------------------------------------------------------------- rubric


def test_rubric_levels() -> None:
    close(
        rubric(np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, NAN])),
        [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, NAN],
    )


def test_rubric_all_equal_is_not_forced_to_one() -> None:
    close(rubric(np.array([2.0, 2.0])), [0.4, 0.4])


# ----------------------------------------------------------------------------- target


def test_target_hand_example() -> None:
    # 1 - |x - 100| / 50, floored at 0
    close(
        target(np.array([100.0, 125.0, 75.0, 150.0, 200.0, NAN]), 100.0, 50.0),
        [1.0, 0.5, 0.5, 0.0, 0.0, NAN],
    )


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
    close(normalise_leaf(np.array([1.0]), Rubric(levels=LEVELS), "lower"), [0.2])
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
    Rubric(levels=LEVELS),
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
