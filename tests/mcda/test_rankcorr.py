"""Kendall's tau-b and leave-one-out weights (quanheng.mcda.rankcorr)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from quanheng.mcda.rankcorr import kendall_tau, leave_one_out_weights, rank_correlations

NAN = np.nan


def test_kendall_tau_by_hand_with_ties() -> None:
    """a = (1, 2, 2, 3), b = (1, 3, 2, 2); 6 pairs.

    Pairs (a, b): 12 (+,+) C; 13 (+,+) C; 14 (+,+) C; 23 (0,−) tie in a; 24 (+,−) D;
    34 (+,0) tie in b. C = 3, D = 1, untied in a = 5, untied in b = 5: tau-b = 2 / 5 = 0.4.
    """
    assert kendall_tau(np.array([1, 2, 2, 3]), np.array([1, 3, 2, 2])) == pytest.approx(0.4)


def brute_force_tau_b(a: list[float], b: list[float]) -> float:
    """Tau-b from its definition, one pair at a time (the oracle; no numpy, no scipy)."""
    n = len(a)
    concordant = discordant = untied_a = untied_b = 0
    for i in range(n):
        for j in range(i + 1, n):
            da, db = a[i] - a[j], b[i] - b[j]
            untied_a += da != 0
            untied_b += db != 0
            if da * db > 0:
                concordant += 1
            elif da * db < 0:
                discordant += 1
    return (concordant - discordant) / math.sqrt(untied_a * untied_b)


@pytest.mark.parametrize("seed", range(20))
def test_kendall_tau_matches_the_definition_with_many_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 30))
    a = rng.integers(0, 5, size=n).astype(float)
    b = a + rng.integers(-2, 3, size=n)
    if len(set(a)) < 2 or len(set(b)) < 2:
        pytest.skip("constant side: covered by the undefined cases")
    assert kendall_tau(a, b) == pytest.approx(brute_force_tau_b(list(a), list(b)), abs=1e-12)


def test_kendall_tau_undefined_cases_are_nan_without_warnings() -> None:
    """scipy warns on one pair or less; a ranking comparison just has no order to compare."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(kendall_tau(np.array([1.0, NAN, 3.0]), np.array([NAN, 2.0, 1.0])))
        assert math.isnan(kendall_tau(np.array([]), np.array([])))
        assert math.isnan(kendall_tau(np.array([1.0, 2.0, 3.0]), np.array([4.0, 4.0, 4.0])))
        assert math.isnan(kendall_tau(np.array([5.0, 5.0]), np.array([1.0, 2.0])))


def test_kendall_tau_extremes_and_undefined() -> None:
    x = np.array([0.1, 0.5, 0.9, 0.7])
    assert kendall_tau(x, x) == 1.0
    assert kendall_tau(x, -x) == -1.0
    assert math.isnan(kendall_tau(x, np.ones(4)))
    assert math.isnan(kendall_tau(np.array([1.0]), np.array([2.0])))
    with pytest.raises(ValueError, match="differ in length"):
        kendall_tau(x, x[:3])


def test_kendall_tau_drops_subjects_missing_on_either_side() -> None:
    a = np.array([1.0, 2.0, NAN, 4.0, 5.0])
    b = np.array([2.0, 1.0, 3.0, NAN, 5.0])
    assert kendall_tau(a, b) == pytest.approx(kendall_tau(np.array([1, 2, 5]), np.array([2, 1, 5])))
    assert kendall_tau(a, b) == pytest.approx(1 / 3)


def test_rank_correlations_one_tau_per_variant() -> None:
    base = np.array([0.9, 0.5, 0.1])
    variants = np.array([[0.8, 0.6, 0.2], [0.1, 0.5, 0.9], [0.5, 0.9, 0.1]])
    np.testing.assert_allclose(rank_correlations(base, variants), [1.0, -1.0, 1 / 3])
    assert rank_correlations(base, base).shape == (1,)


def test_leave_one_out_weights() -> None:
    w = np.array([0.5, 0.3, 0.2])
    got = leave_one_out_weights(w)
    np.testing.assert_allclose(
        got, [[0.0, 0.6, 0.4], [0.5 / 0.7, 0.0, 0.2 / 0.7], [0.5 / 0.8, 0.3 / 0.8, 0.0]]
    )
    only = leave_one_out_weights(np.array([1.0, 0.0]))
    assert np.isnan(only[0]).all()
    np.testing.assert_array_equal(only[1], [1.0, 0.0])
