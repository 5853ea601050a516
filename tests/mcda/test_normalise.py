"""Normalisations against hand-computed examples (quanheng.mcda.normalise)."""

from __future__ import annotations

import numpy as np

from quanheng.mcda.normalise import fixed_range, log_minmax, minmax, rubric, target

NAN = np.nan


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
