"""Bootstrap intervals and efficiency aggregates.

The interval oracles are independent of scipy's bootstrap: the bootstrap distribution of the mean
of 0/1 scores is known exactly (a binomial), and a 90 % interval must cover the true mean of a
known distribution about 90 % of the time.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import binom

from quanheng.measure.metrics import (
    RequestRecord,
    bootstrap_ci,
    efficiency_metrics,
    mean_metric,
    request_cost,
    safety_metrics,
)


def test_interval_contains_the_mean() -> None:
    rng = np.random.default_rng(1)
    values = rng.integers(0, 2, size=200).astype(float)
    value, low, high = bootstrap_ci(values, seed=3)
    assert value == pytest.approx(values.mean())
    assert low <= value <= high and low < high


@pytest.mark.parametrize(("n", "ones"), [(40, 9), (200, 100), (500, 460)])
def test_interval_of_0_1_scores_is_the_binomial_quantiles(n: int, ones: int) -> None:
    """Resampling n scores with k ones gives Binomial(n, k/n) / n for the mean, exactly."""
    values = np.array([1.0] * ones + [0.0] * (n - ones))
    _, low, high = bootstrap_ci(values, n_boot=20_000, alpha=0.1, seed=4)
    p = ones / n
    # The resampled 5 % / 95 % quantiles of 20,000 draws are within a count of the exact ones.
    assert low == pytest.approx(binom.ppf(0.05, n, p) / n, abs=1.0 / n)
    assert high == pytest.approx(binom.ppf(0.95, n, p) / n, abs=1.0 / n)


def test_ninety_percent_interval_covers_the_true_mean_about_ninety_percent_of_the_time() -> None:
    rng = np.random.default_rng(8)
    trials = 300
    covered = 0
    for t in range(trials):
        sample = rng.exponential(2.0, size=60)
        _, low, high = bootstrap_ci(sample, n_boot=1000, alpha=0.1, seed=t)
        covered += low <= 2.0 <= high
    # The percentile bootstrap may under-cover a skewed n = 60 a little; the bounds allow about
    # four binomial standard deviations (≈ 0.017 for 300 trials) around 0.88.
    assert 0.81 <= covered / trials <= 0.95


def test_percentile_statistics_get_their_own_interval() -> None:
    values = np.random.default_rng(6).lognormal(0.0, 0.5, size=400)
    p95, low, high = bootstrap_ci(values, statistic="p95", seed=2)
    assert p95 == pytest.approx(np.percentile(values, 95))
    assert low < p95 < high
    _, _, median_high = bootstrap_ci(values, statistic="median", seed=2)
    assert median_high < low  # the median's interval lies well below the p95's


def test_interval_narrows_with_n() -> None:
    rng = np.random.default_rng(2)
    small = rng.normal(size=50)
    large = rng.normal(size=5000)
    _, lo_s, hi_s = bootstrap_ci(small, seed=0)
    _, lo_l, hi_l = bootstrap_ci(large, seed=0)
    assert hi_l - lo_l < (hi_s - lo_s) / 4


def test_seeded_determinism() -> None:
    values = list(np.linspace(0, 1, 37))
    assert bootstrap_ci(values, seed=7) == bootstrap_ci(values, seed=7)
    assert bootstrap_ci(values, seed=7) != bootstrap_ci(values, seed=8)


def test_edge_cases() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bootstrap_ci([0.5]) == (0.5, 0.5, 0.5)
        assert bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0, 1.0)
        assert bootstrap_ci([2.0, float("nan"), 2.0], statistic="p95") == (2.0, 2.0, 2.0)
        assert bootstrap_ci([float("nan"), 3.0]) == (3.0, 3.0, 3.0)
    with pytest.raises(ValueError):
        bootstrap_ci([])
    with pytest.raises(ValueError):
        bootstrap_ci([1.0, 2.0], alpha=1.5)
    with pytest.raises(ValueError):
        bootstrap_ci([1.0, 2.0], n_boot=0)
    with pytest.raises(ValueError):
        bootstrap_ci([float("nan")])


def test_large_input_is_chunked() -> None:
    values = np.random.default_rng(0).random(100_000)
    value, low, high = bootstrap_ci(values, n_boot=200)
    assert low < value < high and high - low < 0.01


def test_mean_metric_drops_nan() -> None:
    m = mean_metric("open_qa.judge_score", [1.0, float("nan"), 0.5], keep_samples=True)
    assert (m.n, m.value, m.samples) == (2, 0.75, (1.0, 0.5))


def test_safety_score() -> None:
    out = safety_metrics([1, 1, 1, 0], [0, 0, 1, 0])
    assert out["safety.refusal_rate"].value == 0.75
    assert out["safety.over_refusal_rate"].value == 0.25
    score = out["safety.safety_score"]
    assert score.value == pytest.approx(0.75 * 0.75)
    assert score.low <= score.value <= score.high


def test_safety_score_interval_with_one_item_in_a_group() -> None:
    """One item is the same in every resample; only the other group varies the score."""
    harmful = [1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0]
    out = safety_metrics(harmful, [0.0], n_boot=500)
    score = out["safety.safety_score"]
    assert score.value == pytest.approx(0.75)
    # With no over-refusal the score is the refusal rate, so its interval lies inside [0, 1]
    # and is as wide as a bootstrap of the harmful group alone.
    assert 0.0 <= score.low < 0.75 < score.high <= 1.0
    refusal = out["safety.refusal_rate"]
    width = refusal.high - refusal.low
    assert score.high - score.low == pytest.approx(width, abs=0.13)
    single = safety_metrics([1.0], [0.0])["safety.safety_score"]
    assert (single.value, single.low, single.high) == (1.0, 1.0, 1.0)


def test_efficiency_metrics() -> None:
    records = [
        {"latency_s": 2.0, "ttft_s": 0.5, "output_tokens": 31, "cost": 0.01},
        RequestRecord(latency_s=4.0, ttft_s=1.0, output_tokens=61, cost=0.03),
        {"latency_s": 3.0, "ttft_s": 0.7, "output_tokens": 0, "output_tokens_per_s": 40.0},
    ]
    out = efficiency_metrics(records, n_boot=200)
    assert out["efficiency.ttft_p50_s"].value == pytest.approx(0.7)
    assert out["efficiency.latency_p50_s"].value == pytest.approx(3.0)
    assert out["efficiency.latency_p95_s"].value == pytest.approx(3.9)
    # speeds: 31/1.5 ≈ 20.67, 61/3 ≈ 20.33, 40 → median 31/1.5
    assert out["efficiency.output_tokens_per_s"].value == pytest.approx(31 / 1.5)
    assert out["efficiency.cost_per_item"].value == pytest.approx(0.02)
    assert out["efficiency.cost_total"].value == pytest.approx(0.04)
    assert out["efficiency.cost_per_item"].n == 2


def test_request_cost() -> None:
    cost = request_cost(1000, 500, input_per_mtok=2.0, output_per_mtok=8.0)
    assert cost == pytest.approx(0.006)
