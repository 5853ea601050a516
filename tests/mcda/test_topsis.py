"""TOPSIS, weighted geometric mean and weighted sum (quanheng.mcda.topsis).

Published example: G.-H. Tzeng & J.-J. Huang (2011), *Multiple Attribute Decision Making:
Methods and Applications*, CRC Press — four alternatives, three benefit criteria, weights
(0.3, 0.4, 0.3), vector normalisation; printed closeness 0.5037, 0.6581, 0.7482, 0.3340 (the same
figures scikit-criteria tests against in ``test_TOPSIS_tzeng2011multiple``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from pymcdm import normalizations
from pymcdm.methods import TOPSIS

from quanheng.mcda.aggregate import GEOMETRIC_FLOOR
from quanheng.mcda.topsis import topsis, weighted_geometric, weighted_sum

NAN = np.nan


def pymcdm_topsis(method: TOPSIS, x: np.ndarray, w: np.ndarray, types: np.ndarray) -> np.ndarray:
    """pymcdm's result, without its advisory UserWarnings (e.g. "alternative is dominant")."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return np.asarray(method(x, w, types), dtype=float)


def test_topsis_tzeng_huang_2011() -> None:
    matrix = np.array([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], dtype=float)
    c = topsis(matrix, np.array([0.3, 0.4, 0.3]), np.array([True, True, True]))
    assert [round(float(v), 4) for v in c] == [0.5037, 0.6581, 0.7482, 0.3340]


def test_topsis_by_hand_with_a_cost_criterion() -> None:
    """Two subjects, quality (benefit) 3 and 4, price (cost) 3 and 4, equal weights 0.5.

    Vector norms are both 5, so v = 0.5·(0.6, 0.8) per column: A = (0.3, 0.3), B = (0.4, 0.4).
    Ideal = (max quality, min price) = (0.4, 0.3); anti-ideal = (0.3, 0.4).
    A: D⁺ = 0.1, D⁻ = 0.1 → 0.5. B: D⁺ = 0.1, D⁻ = 0.1 → 0.5. A third subject C with quality 4
    and price 3 would be ideal; with it present the norms change, so check that case apart:
    C is the ideal (closeness 1) and, with quality 3 and price 4, A is the anti-ideal (0).
    """
    two = topsis(np.array([[3.0, 3.0], [4.0, 4.0]]), np.array([0.5, 0.5]), np.array([True, False]))
    np.testing.assert_allclose(two, [0.5, 0.5])
    three = topsis(
        np.array([[3.0, 4.0], [4.0, 4.0], [4.0, 3.0]]),
        np.array([0.5, 0.5]),
        np.array([True, False]),
    )
    assert three[0] == 0.0
    assert three[2] == 1.0
    assert 0.0 < three[1] < 1.0


@pytest.mark.parametrize("seed", range(10))
def test_topsis_vector_matches_pymcdm(seed: int) -> None:
    """pymcdm's vector normalisation maps a cost column to 1 − r; distances are unchanged."""
    rng = np.random.default_rng(seed)
    s, c = int(rng.integers(3, 10)), int(rng.integers(2, 7))
    x = rng.uniform(1.0, 100.0, size=(s, c))
    w = rng.dirichlet(np.ones(c))
    types = np.where(rng.random(c) < 0.5, 1, -1)
    types[0] = 1
    expected = pymcdm_topsis(TOPSIS(normalizations.vector_normalization), x, w, types)
    np.testing.assert_allclose(topsis(x, w, types > 0), expected, rtol=1e-10)


@pytest.mark.parametrize("seed", range(10))
def test_topsis_minmax_matches_pymcdm_default(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    s, c = int(rng.integers(3, 10)), int(rng.integers(2, 7))
    x = rng.uniform(0.0, 1.0, size=(s, c))
    w = rng.dirichlet(np.ones(c))
    types = np.where(rng.random(c) < 0.5, 1, -1)
    types[-1] = -1
    expected = pymcdm_topsis(TOPSIS(), x, w, types)
    np.testing.assert_allclose(
        topsis(x, w, types > 0, normalisation="minmax"), expected, rtol=1e-10
    )


def test_topsis_broadcasts_over_weight_draws() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(size=(5, 3))
    draws = rng.dirichlet(np.ones(3), size=4)
    benefit = np.array([True, False, True])
    batch = topsis(x, draws, benefit)
    assert batch.shape == (4, 5)
    for k in range(4):
        np.testing.assert_allclose(batch[k], topsis(x, draws[k], benefit))


def test_topsis_degenerate_inputs() -> None:
    same = topsis(np.ones((3, 2)), np.array([0.5, 0.5]), np.array([True, True]))
    np.testing.assert_array_equal(same, [0.5, 0.5, 0.5])
    zeros = topsis(np.array([[0.0, 1.0], [0.0, 2.0]]), np.array([0.5, 0.5]), np.array([True, True]))
    np.testing.assert_array_equal(zeros, [0.0, 1.0])
    with_gap = topsis(
        np.array([[1.0, NAN], [2.0, 3.0]]), np.array([0.5, 0.5]), np.array([True, True])
    )
    assert np.isnan(with_gap).all()
    with pytest.raises(ValueError, match="unknown TOPSIS normalisation"):
        topsis(np.ones((2, 2)), np.ones(2), np.ones(2, dtype=bool), normalisation="max")  # type: ignore[arg-type]


def test_topsis_is_unchanged_by_weight_scale() -> None:
    x = np.array([[1.0, 5.0], [3.0, 2.0], [2.0, 2.0]])
    benefit = np.array([True, False])
    np.testing.assert_allclose(
        topsis(x, np.array([0.2, 0.8]), benefit), topsis(x, np.array([2.0, 8.0]), benefit)
    )


def test_weighted_geometric_by_hand() -> None:
    """sqrt(0.25 · 1) = 0.5; (0.5^1 · 0.125^2)^(1/3) = (0.5 · 2^-6)^(1/3) = 2^(-7/3)."""
    np.testing.assert_allclose(
        weighted_geometric(np.array([[0.25, 1.0]]), np.array([0.5, 0.5])), [0.5]
    )
    np.testing.assert_allclose(
        weighted_geometric(np.array([[0.5, 0.125]]), np.array([1.0, 2.0])), [2 ** (-7 / 3)]
    )


def test_weighted_geometric_floors_zero() -> None:
    """A zero counts as the floor 1e-6: sqrt(1e-6 · 1) = 1e-3, not 0."""
    assert GEOMETRIC_FLOOR == 1e-6
    got = weighted_geometric(np.array([[0.0, 1.0]]), np.array([0.5, 0.5]))
    assert math.isclose(float(got[0]), 1e-3, rel_tol=1e-12)
    custom = weighted_geometric(np.array([[0.0, 1.0]]), np.array([0.5, 0.5]), floor=1e-4)
    assert math.isclose(float(custom[0]), 1e-2, rel_tol=1e-12)


def test_weighted_sum_and_geometric_can_rank_differently() -> None:
    """A balanced subject beats a lopsided one under the geometric mean but not the sum."""
    x = np.array([[0.5, 0.5], [1.0, 0.05]])
    w = np.array([0.5, 0.5])
    np.testing.assert_allclose(weighted_sum(x, w), [0.5, 0.525])
    geo = weighted_geometric(x, w)
    assert geo[0] > geo[1]


def test_weighted_sum_normalises_weights_and_propagates_nan() -> None:
    x = np.array([[0.2, 0.6], [NAN, 1.0]])
    got = weighted_sum(x, np.array([1.0, 3.0]))
    assert got[0] == pytest.approx(0.5)
    assert np.isnan(got[1])
