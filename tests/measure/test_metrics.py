"""Bootstrap intervals and efficiency aggregates."""

from __future__ import annotations

import numpy as np
import pytest

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
    assert bootstrap_ci([0.5]) == (0.5, 0.5, 0.5)
    assert bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError):
        bootstrap_ci([])
    with pytest.raises(ValueError):
        bootstrap_ci([1.0, 2.0], alpha=1.5)


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
