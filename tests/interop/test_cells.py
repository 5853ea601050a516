"""Values and 90% intervals of imported scores (quanheng.interop.cells)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from quanheng.interop.cells import Z90, cell_value
from quanheng.interop.parsed import TaskScore
from quanheng.measure.metrics import bootstrap_ci

SAMPLES = (1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0)


def test_per_sample_scores_give_quanhengs_own_bootstrap() -> None:
    cell = cell_value([TaskScore("t", "acc", 0.7, 10, se=0.5, samples=SAMPLES)])
    value, low, high = bootstrap_ci(SAMPLES, seed=0)
    assert (cell.value, cell.low, cell.high, cell.n, cell.interval) == (
        0.7,
        low,
        high,
        10,
        "bootstrap",
    )
    assert value == pytest.approx(0.7)
    assert cell.se == pytest.approx(np.std(SAMPLES, ddof=1) / math.sqrt(10))


def test_a_reported_stderr_gives_a_normal_interval_kept_in_0_1() -> None:
    cell = cell_value([TaskScore("t", "acc", 0.9, 8, se=0.1)])
    assert cell.interval == "stderr" and cell.se == 0.1
    assert cell.low == pytest.approx(0.9 - Z90 * 0.1) and cell.high == 1.0


def test_n_alone_gives_a_wilson_interval() -> None:
    cell = cell_value([TaskScore("t", "acc", 0.7, 10)])
    ci = binomtest(7, 10).proportion_ci(confidence_level=0.9, method="wilson")
    assert cell.interval == "wilson"
    assert (cell.low, cell.high) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_neither_n_nor_stderr_gives_no_interval() -> None:
    cell = cell_value([TaskScore("t", "acc", 0.7, None)])
    assert (cell.low, cell.high, cell.n, cell.interval) == (0.7, 0.7, 0, "none")


def test_tasks_pool_by_their_sizes_and_a_group_replaces_its_members() -> None:
    a = TaskScore("a", "acc", 0.5, 10, se=0.1)
    b = TaskScore("b", "acc", 0.8, 30, se=0.05)
    pooled = cell_value([a, b])
    assert pooled.value == pytest.approx((0.5 * 10 + 0.8 * 30) / 40) and pooled.n == 40
    assert pooled.se == pytest.approx(math.sqrt((10 * 0.1) ** 2 + (30 * 0.05) ** 2) / 40)
    group = TaskScore("g", "acc", 0.6, 40, se=0.07)
    members = [
        TaskScore("a", "acc", 0.5, 10, parent="g"),
        TaskScore("b", "acc", 0.8, 30, parent="g"),
    ]
    assert cell_value([group, *members]).value == 0.6
    both = cell_value(
        [
            TaskScore("a", "acc", 0.5, 2, samples=(1.0, 0.0)),
            TaskScore("b", "acc", 1.0, 1, samples=(1.0,)),
        ]
    )
    assert (both.value, both.n, both.interval) == (pytest.approx(2 / 3), 3, "bootstrap")


def test_a_group_without_samples_takes_its_members_samples_for_the_interval() -> None:
    group = TaskScore("ceval-valid", "acc,none", 0.62, None, se=0.2)
    members = [
        TaskScore(
            "ceval-valid-law",
            "acc,none",
            0.5,
            4,
            samples=(1.0, 0.0, 1.0, 0.0),
            parent="ceval-valid",
        ),
        TaskScore(
            "ceval-valid-art",
            "acc,none",
            0.75,
            4,
            samples=(1.0, 1.0, 1.0, 0.0),
            parent="ceval-valid",
        ),
    ]
    cell = cell_value([group, *members])
    pooled = members[0].samples + members[1].samples  # type: ignore[operator]
    _, low, high = bootstrap_ci(pooled, seed=0)
    assert (cell.value, cell.n, cell.interval) == (0.62, 8, "bootstrap")
    assert (cell.low, cell.high) == (min(low, 0.62), max(high, 0.62))
