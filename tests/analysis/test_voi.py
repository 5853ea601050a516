"""Value of information by regression: checked against the closed form of a two-option case."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quanheng.analysis.voi import evppi, evppi_groups


def phi(z: float) -> float:
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def Phi(z: float) -> float:  # the normal CDF
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


@pytest.mark.parametrize(("mu", "sigma"), [(0.1, 0.2), (0.05, 0.05), (0.3, 0.1)])
def test_evppi_of_one_normal_parameter_matches_the_closed_form(mu: float, sigma: float) -> None:
    # Option A scores 0, option B scores θ ~ N(μ, σ²); both carry noise independent of θ
    # (the other uncertain inputs). Knowing θ first, one takes B only when θ > 0:
    # EVPPI = E[max(0, θ)] − max(0, μ) = σ φ(μ/σ) − μ Φ(−μ/σ), and the pick changes (from B,
    # best on average, to A) with probability Φ(−μ/σ).
    rng = np.random.default_rng(1)
    n = 200_000
    theta = rng.normal(mu, sigma, n)
    scores = np.column_stack([rng.normal(0, 0.1, n), theta + rng.normal(0, 0.1, n)])
    noise = rng.uniform(size=(n, 2))  # inputs that do not matter: EVPPI about 0
    value, change = evppi(scores, theta[:, None])
    exact = sigma * phi(mu / sigma) - mu * Phi(-mu / sigma)
    assert value == pytest.approx(exact, rel=0.03, abs=2e-4)
    assert change == pytest.approx(Phi(-mu / sigma), abs=0.01)
    (both, _), (none, none_change) = evppi_groups(
        scores, np.column_stack([theta, noise]), [np.array([0, 1]), np.array([1, 2])]
    )
    assert both == pytest.approx(value, rel=0.01, abs=1e-4)  # an irrelevant input adds nothing
    assert none < 1e-4 and none_change < 0.01


def test_evppi_is_zero_when_nothing_can_change_the_pick() -> None:
    rng = np.random.default_rng(2)
    theta = rng.uniform(size=5000)
    scores = np.column_stack([1 + theta, theta * 0.5])  # A is best whatever θ is
    assert evppi(scores, theta[:, None]) == (0.0, 0.0)
    assert evppi(scores, np.zeros((5000, 0))) == (0.0, 0.0)
    assert evppi(np.zeros((0, 2)), np.zeros((0, 1))) == (0.0, 0.0)


def test_evppi_ranks_a_subject_that_cannot_be_scored_last() -> None:
    theta = np.linspace(-1, 1, 101)
    scores = np.column_stack([np.zeros(101), theta, np.full(101, np.nan)])
    value, change = evppi(scores, theta[:, None])
    assert value == pytest.approx(np.maximum(theta, 0).mean(), rel=1e-9)
    assert 0.4 < change < 0.6


def test_evppi_checks_shapes() -> None:
    with pytest.raises(ValueError, match="share n"):
        evppi(np.zeros((3, 2)), np.zeros((4, 1)))
