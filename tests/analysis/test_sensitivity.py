"""Sensitivity: tornado rows, adjacent-pair reversals and leave-one-leaf-out, checked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import quanheng
from quanheng.analysis import DecisionData, decision_data, sensitivity
from quanheng.analysis._kernel import TreeKernel
from quanheng.analysis.sensitivity import set_weight
from quanheng.mcda.rankcorr import kendall_tau

MINI = Path(__file__).parent.parent / "data" / "mini"


@pytest.fixture(scope="module")
def mini() -> DecisionData:
    study = quanheng.load_study(MINI)
    return decision_data(study, quanheng.score(study))


def overall(data: DecisionData, weights: np.ndarray) -> np.ndarray:
    return TreeKernel(data.tree, data.normalised()).overall(np.atleast_2d(weights))


def test_set_weight_rescales_siblings_proportionally(mini: DecisionData) -> None:
    tree = mini.tree
    a, b = tree.index["A"], tree.index["B"]
    w = set_weight(tree, mini.weights, a, np.array([0.0, 0.3, 1.0]))
    np.testing.assert_allclose(w[:, a], [0.0, 0.3, 1.0])
    np.testing.assert_allclose(w[:, b], [1.0, 0.7, 0.0])
    np.testing.assert_array_equal(w[:, tree.index["A1"]], 0.5)  # elsewhere untouched


def test_tornado_moves_each_weight_twenty_percent(mini: DecisionData) -> None:
    result = sensitivity(mini, delta=0.2)
    row = next(r for r in result.tornado if r.node == "A")
    assert (row.low_weight, row.high_weight) == pytest.approx((0.48, 0.72))
    # s1: A = 0.65, B = 1.0 → at A 0.48: .48·.65 + .52·1 = 0.832; at A 0.72: 0.748
    assert row.score_low[0] == pytest.approx(0.832)
    assert row.score_high[0] == pytest.approx(0.748)
    # s3: A = .725 (A1.2 missing → A1 = A1.1 = 1; A2 = .45), B = 0; s2: A = .525, B = .5.
    # At A = 0.72, s3 (.522) passes s2 (.518): two subjects change rank.
    assert row.rank_changes == 2
    assert row.max_change == pytest.approx(0.087)
    # rows come largest change first; the single-child A2.1 and B1 are not movable
    changes = [r.max_change for r in result.tornado]
    assert changes == sorted(changes, reverse=True)
    assert {r.node for r in result.tornado}.isdisjoint({"A2.1", "B1"})


def test_reversal_is_the_smallest_weight_change_that_ties_the_pair(mini: DecisionData) -> None:
    result = sensitivity(mini)
    assert [(r.ahead, r.behind) for r in result.reversals] == [("s1", "s2"), ("s2", "s3")]
    r = result.reversals[1]
    assert r.gap == pytest.approx(0.515 - 0.435)
    assert r.node is not None and r.new_weight is not None and r.weight is not None
    tree = mini.tree
    node = tree.index[r.node]
    at = overall(mini, set_weight(tree, mini.weights, node, np.array([r.new_weight])))[0]
    assert at[1] == pytest.approx(at[2], abs=1e-8)  # tied at the reported weight
    # and no other node reverses the pair with a smaller change (brute force on a fine grid)
    best = np.inf
    for k in range(len(tree.ids) - 1):
        kids = tree.children[int(tree.parent[k])]
        if len(kids) < 2:
            continue
        grid = np.linspace(0, 1, 2001)
        sc = overall(mini, set_weight(tree, mini.weights, k, grid))
        hit = grid[sc[:, 1] <= sc[:, 2]]
        if hit.size:
            best = min(best, float(np.abs(hit - mini.weights[k]).min()))
    assert abs(r.new_weight - r.weight) == pytest.approx(best, abs=1e-3)


def test_s2_over_s3_reverses_when_a_gains_weight(mini: DecisionData) -> None:
    # With A's weight w and B's 1 − w: s2 − s3 = w·(A_s2 − A_s3) + (1 − w)·(B_s2 − B_s3), with
    # A_s2 = .525, A_s3 = .725, B_s2 = .5, B_s3 = 0 — linear in w, so the tie is analytic.
    card = quanheng.score(quanheng.load_study(MINI))
    a2, a3 = card.column("A")[1], card.column("A")[2]
    b2, b3 = card.column("B")[1], card.column("B")[2]
    w_tie = (b3 - b2) / ((a2 - a3) - (b2 - b3))
    r = sensitivity(mini).reversals[1]
    candidates = {r.node: r.new_weight, **{n: t for n, _, t in r.alternatives}}
    assert candidates["A"] == pytest.approx(w_tie, abs=1e-9)


def test_leave_one_leaf_out_compares_rankings_by_kendall_tau(mini: DecisionData) -> None:
    result = sensitivity(mini)
    by_leaf = {r.leaf: r for r in result.leave_one_out}
    assert set(by_leaf) == {"A1.1", "A1.2", "A2.1", "B1.1", "B1.2"}
    tree = mini.tree
    w = mini.weights.copy()
    w[tree.index["B1.1"]] = 0.0
    w[tree.index["B1.2"]] = 1.0
    expected = kendall_tau(overall(mini, mini.weights)[0], overall(mini, w)[0])
    assert by_leaf["B1.1"].tau == pytest.approx(expected)
    taus = [r.tau for r in result.leave_one_out]
    assert all(-1 <= t <= 1 for t in taus)
    assert taus == sorted(taus)  # most disruptive first


def test_sensitivity_json_is_deterministic(mini: DecisionData) -> None:
    assert sensitivity(mini).to_json() == sensitivity(mini).to_json()
    data = sensitivity(mini).to_dict()
    assert data["tornado"][0]["node"] == "A"
    assert data["reversals"][0]["ahead"] == "s1"


def test_geometric_aggregation_is_supported() -> None:
    study = quanheng.load_study(MINI)
    data = decision_data(study, quanheng.score(study, aggregation="geometric"))
    result = sensitivity(data)
    card = quanheng.score(quanheng.load_study(MINI), aggregation="geometric")
    np.testing.assert_allclose(result.base, card.overall[:3])
    for r in result.reversals:
        if r.node is None or r.new_weight is None:
            continue
        tree = data.tree
        w = set_weight(tree, data.weights, tree.index[r.node], np.array([r.new_weight]))
        sc = TreeKernel(tree, data.normalised(), geometric=True).overall(w)[0]
        a, b = data.subjects.index(r.ahead), data.subjects.index(r.behind)
        assert sc[a] == pytest.approx(sc[b], abs=1e-8)
