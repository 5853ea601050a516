"""Aggregation up the tree, missing-data policies, coverage and ranks (quanheng.mcda.aggregate).

The framework here is small enough to score by hand::

    overall
    ├── X  0.7
    │   ├── X1  2 → 2/3   (X rescales its children)
    │   │   ├── a  1 → 0.25   (X1 rescales its children)
    │   │   └── b  3 → 0.75
    │   └── X2  1 → 1/3
    │       └── c  (only child: 1)
    └── Y  0.3
        └── Y1  (only child: 1)
            ├── d  (equal: 0.5)
            └── e  (equal: 0.5)

Global leaf weights: a = .7·2/3·.25 = 7/60, b = .7·2/3·.75 = .35, c = .7/3 = 7/30, d = e = .15.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from quanheng.errors import FrameworkError
from quanheng.framework import load_framework, parse_framework
from quanheng.mcda.aggregate import GEOMETRIC_FLOOR, aggregate, rank_desc
from quanheng.mcda.tree import CompiledTree

NAN = np.nan
MINI = Path(__file__).resolve().parents[1] / "data" / "mini" / "framework.yaml"


def leaf(leaf_id: str, weight: float | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": leaf_id,
        "name": {"zh": leaf_id, "en": leaf_id},
        "kind": "fact",
        "normalisation": {"type": "fixed", "min": 0, "max": 1},
    }
    if weight is not None:
        node["weight"] = weight
    return node


def inner(node_id: str, children: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "name": {"zh": node_id, "en": node_id}, "children": children, **extra}


HAND: dict[str, Any] = {
    "format": "quanheng/framework@1",
    "id": "hand",
    "version": "1",
    "name": {"zh": "手算", "en": "Hand"},
    "tree": [
        inner(
            "X",
            [
                inner("X1", [leaf("a", 1), leaf("b", 3)], weight=2, normalise_weights=True),
                inner("X2", [leaf("c")], weight=1),
            ],
            weight=0.7,
            normalise_weights=True,
        ),
        inner("Y", [inner("Y1", [leaf("d"), leaf("e")])], weight=0.3),
    ],
}


@pytest.fixture(scope="module")
def tree() -> CompiledTree:
    return parse_framework(HAND, "<hand>").compiled


# leaves a, b, c, d, e (already normalised)
SCORES = np.array(
    [
        [0.2, 0.6, 0.8, 0.4, 1.0],  # s0: complete
        [NAN, 0.4, 1.0, NAN, NAN],  # s1: a, d, e missing (Y has no data at all)
        [0.6, 0.8, NAN, 0.0, 0.6],  # s2: c missing (X2 has no data), d is a real 0
    ]
)


def col(tree: CompiledTree, out: np.ndarray, node_id: str) -> np.ndarray:
    return out[..., tree.index[node_id]]


def close(actual: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_allclose(actual, np.array(expected, dtype=float), rtol=0, atol=1e-12)


def test_parse_framework_accepts_a_plain_dict() -> None:
    # The docstring says "Validate parsed YAML"; JSON or a dict built in code is parsed data too.
    # A plain dict is rejected as "a framework file must be a YAML mapping".
    fw = parse_framework(HAND, "<hand>")
    assert fw.compiled.ids[:5] == ("a", "b", "c", "d", "e")


def test_parse_framework_rejects_a_non_mapping() -> None:
    with pytest.raises(FrameworkError, match="must be a YAML mapping"):
        parse_framework(["not", "a", "mapping"], "<hand>")


def test_compiled_tree_layout_and_weights(tree: CompiledTree) -> None:
    assert tree.ids == ("a", "b", "c", "d", "e", "X1", "X2", "X", "Y1", "Y", "overall")
    assert tree.n_leaves == 5
    close(tree.weights, [0.25, 0.75, 1.0, 0.5, 0.5, 2 / 3, 1 / 3, 0.7, 1.0, 0.3, 1.0])
    close(tree.global_weights()[:5], [7 / 60, 0.35, 7 / 30, 0.15, 0.15])
    assert tree.depth.tolist() == [3, 3, 3, 3, 3, 2, 2, 1, 2, 1, 0]


def test_mini_framework_global_weights() -> None:
    mini = load_framework(MINI).compiled
    # A .6 → A1, A2 equal (.5) → A1.1, A1.2 equal (.5); B .4 → B1 → B1.1, B1.2 equal (.5)
    close(mini.global_weights()[: mini.n_leaves], [0.15, 0.15, 0.3, 0.2, 0.2])


# ----------------------------------------------------------------------------- arithmetic


def test_arithmetic_complete_subject(tree: CompiledTree) -> None:
    scores, coverage = aggregate(SCORES[:1], tree)
    # X1 = .25·.2 + .75·.6 = .5 ; X2 = .8 ; X = 2/3·.5 + 1/3·.8 = .6
    # Y1 = (.4 + 1)/2 = .7 = Y ; overall = .7·.6 + .3·.7 = .63
    close(scores[0, 5:], [0.5, 0.8, 0.6, 0.7, 0.7, 0.63])
    close(scores[0, :5], [0.2, 0.6, 0.8, 0.4, 1.0])
    close(coverage[0], [1.0] * 11)


def test_arithmetic_drop(tree: CompiledTree) -> None:
    scores, _ = aggregate(SCORES, tree, missing="drop")
    # s1: X1 = .4 (a dropped) ; X = 2/3·.4 + 1/3·1 = .6 ; Y has no data → NaN ;
    #     overall = .7·.6 / .7 = .6
    # s2: X1 = .25·.6 + .75·.8 = .75 ; X2 NaN → X = .75 ; Y1 = (0 + .6)/2 = .3 ;
    #     overall = .7·.75 + .3·.3 = .615
    close(col(tree, scores, "X1"), [0.5, 0.4, 0.75])
    close(col(tree, scores, "X2"), [0.8, 1.0, NAN])
    close(col(tree, scores, "X"), [0.6, 0.6, 0.75])
    close(col(tree, scores, "Y"), [0.7, NAN, 0.3])
    close(col(tree, scores, "overall"), [0.63, 0.6, 0.615])
    # missing leaves stay NaN in the output: they are never a silent zero
    assert np.isnan(scores[1, [0, 3, 4]]).all()


def test_arithmetic_worst(tree: CompiledTree) -> None:
    scores, _ = aggregate(SCORES, tree, missing="worst")
    # s1: a = d = e = 0 ; X1 = .75·.4 = .3 ; X = 2/3·.3 + 1/3·1 = 8/15 ; Y = 0 ;
    #     overall = .7·8/15 = 28/75
    # s2: c = 0 ; X = 2/3·.75 + 0 = .5 ; overall = .7·.5 + .3·.3 = .44
    close(col(tree, scores, "X"), [0.6, 8 / 15, 0.5])
    close(col(tree, scores, "Y"), [0.7, 0.0, 0.3])
    close(col(tree, scores, "overall"), [0.63, 28 / 75, 0.44])
    close(scores[1, :5], [0.0, 0.4, 1.0, 0.0, 0.0])


def test_arithmetic_median(tree: CompiledTree) -> None:
    scores, _ = aggregate(SCORES, tree, missing="median")
    # cohort medians: a = med(.2, .6) = .4 ; c = med(.8, 1) = .9 ; d = med(.4, 0) = .2 ;
    # e = med(1, .6) = .8
    # s1: X1 = .25·.4 + .75·.4 = .4 ; X = .6 ; Y1 = (.2 + .8)/2 = .5 ; overall = .42 + .15 = .57
    # s2: X = 2/3·.75 + 1/3·.9 = .8 ; overall = .7·.8 + .3·.3 = .65
    close(scores[1, :5], [0.4, 0.4, 1.0, 0.2, 0.8])
    close(scores[2, :5], [0.6, 0.8, 0.9, 0.0, 0.6])
    close(col(tree, scores, "overall"), [0.63, 0.57, 0.65])


def test_coverage_per_node_and_overall(tree: CompiledTree) -> None:
    _, coverage = aggregate(SCORES, tree)
    # s1: X1 = .75 (b only) ; X2 = 1 ; X = 2/3·.75 + 1/3 = 5/6 ; Y = 0 ;
    #     overall = .7·5/6 = 7/12 = b + c global = .35 + 7/30
    # s2: X1 = 1 ; X2 = 0 ; X = 2/3 ; Y = 1 ; overall = .7·2/3 + .3 = 23/30
    close(col(tree, coverage, "X1"), [1.0, 0.75, 1.0])
    close(col(tree, coverage, "X2"), [1.0, 1.0, 0.0])
    close(col(tree, coverage, "X"), [1.0, 5 / 6, 2 / 3])
    close(col(tree, coverage, "Y"), [1.0, 0.0, 1.0])
    close(col(tree, coverage, "overall"), [1.0, 7 / 12, 23 / 30])
    close(coverage[1, :5], [0.0, 1.0, 1.0, 0.0, 0.0])


@pytest.mark.parametrize("policy", ["worst", "median"])
def test_coverage_does_not_depend_on_policy(tree: CompiledTree, policy: str) -> None:
    _, dropped = aggregate(SCORES, tree, missing="drop")
    _, filled = aggregate(SCORES, tree, missing=policy)
    np.testing.assert_array_equal(filled, dropped)


def test_subject_without_data(tree: CompiledTree) -> None:
    empty = np.vstack([SCORES, np.full(5, NAN)])
    dropped, coverage = aggregate(empty, tree, missing="drop")
    assert np.isnan(dropped[3]).all()
    close(coverage[3], [0.0] * 11)
    worst, _ = aggregate(empty, tree, missing="worst")
    close(worst[3], [0.0] * 11)


# ----------------------------------------------------------------------------- geometric


def test_geometric_complete_subject(tree: CompiledTree) -> None:
    scores, coverage = aggregate(SCORES[:1], tree, method="geometric")
    # X1 = .2^.25 · .6^.75 = 0.45590141139095547
    # X  = X1^(2/3) · .8^(1/3) = 0.549891854799441
    # Y  = (.4 · 1)^.5 = 0.6324555320336759
    # overall = X^.7 · Y^.3 = 0.5734599591821694
    close(col(tree, scores, "X1"), [0.45590141139095547])
    close(col(tree, scores, "X"), [0.549891854799441])
    close(col(tree, scores, "Y"), [0.6324555320336759])
    close(col(tree, scores, "overall"), [0.5734599591821694])
    close(coverage[0], [1.0] * 11)


def test_geometric_drop_and_floor(tree: CompiledTree) -> None:
    scores, _ = aggregate(SCORES, tree, method="geometric")
    # s1: X1 = .4 ; X = .4^(2/3) · 1^(1/3) ; Y NaN → overall = X
    # s2: X = X1 = .6^.25 · .8^.75 = 0.7444838872816797 ;
    #     Y = (1e-6 · .6)^.5 (d = 0 floored at 1e-6) = 0.0007745966692414833 ;
    #     overall = X^.7 · Y^.3 = 0.09484651970838437
    assert GEOMETRIC_FLOOR == 1e-6
    close(col(tree, scores, "overall")[:2], [0.5734599591821694, 0.4 ** (2 / 3)])
    close(col(tree, scores, "X")[2:], [0.7444838872816797])
    close(col(tree, scores, "Y")[2:], [0.0007745966692414833])
    close(col(tree, scores, "overall")[2:], [0.09484651970838437])


def test_geometric_equals_arithmetic_for_equal_children(tree: CompiledTree) -> None:
    same = np.full((1, 5), 0.3)
    geo, _ = aggregate(same, tree, method="geometric")
    close(geo[0], [0.3] * 11)


def test_unknown_method_and_policy_raise(tree: CompiledTree) -> None:
    with pytest.raises(ValueError, match="unknown aggregation 'median'"):
        aggregate(SCORES, tree, method="median")
    with pytest.raises(ValueError, match="unknown missing-data policy 'zero'"):
        aggregate(SCORES, tree, missing="zero")


# ----------------------------------------------------------------------------- ranks


def test_rank_desc_competition_ranks() -> None:
    assert rank_desc(np.array([0.9, 0.5, 0.5, 0.1])).tolist() == [1, 2, 2, 4]
    assert rank_desc(np.array([0.1, 0.5, 0.9, 0.5])).tolist() == [4, 2, 1, 2]


def test_rank_desc_nan_is_zero() -> None:
    assert rank_desc(np.array([NAN, 0.3, 0.3, 0.9])).tolist() == [0, 2, 2, 1]
    assert rank_desc(np.array([NAN, NAN])).tolist() == [0, 0]


def test_rank_desc_ties_within_tolerance() -> None:
    assert rank_desc(np.array([0.1 + 0.2, 0.3, 0.2])).tolist() == [1, 1, 3]


def test_rank_desc_last_axis() -> None:
    ranks = rank_desc(np.array([[0.1, 0.2, 0.3], [0.3, 0.3, NAN]]))
    assert ranks.tolist() == [[3, 2, 1], [1, 1, 0]]
    assert ranks.dtype == np.int64


# ----------------------------------------------------------------------------- draws


def test_per_draw_weights_equal_draw_by_draw(tree: CompiledTree) -> None:
    rng = np.random.default_rng(3)
    draws = 4
    weights = tree.weights * rng.uniform(0.2, 2.0, size=(draws, len(tree.ids)))
    leaves = rng.uniform(0.0, 1.0, size=(draws, 6, 5))
    leaves[rng.uniform(size=leaves.shape) < 0.2] = NAN
    for method in ("arithmetic", "geometric"):
        for policy in ("drop", "worst", "median"):
            scores, coverage = aggregate(leaves, tree, weights, method=method, missing=policy)
            assert scores.shape == coverage.shape == (draws, 6, 11)
            for d in range(draws):
                one, cov = aggregate(leaves[d], tree, weights[d], method=method, missing=policy)
                np.testing.assert_allclose(scores[d], one, rtol=1e-12, atol=1e-15)
                np.testing.assert_allclose(coverage[d], cov, rtol=1e-12, atol=1e-15)


def test_per_draw_weights_on_shared_leaf_scores(tree: CompiledTree) -> None:
    # one normalised matrix, several weight sets (profiles): broadcast the matrix to (D, S, L)
    weights = np.stack([tree.weights, tree.weights * 2.0, tree.weights[::-1].copy()])
    stacked = np.broadcast_to(SCORES, (3, *SCORES.shape))
    scores, _ = aggregate(stacked, tree, weights)
    for d in range(3):
        one, _ = aggregate(SCORES, tree, weights[d])
        np.testing.assert_allclose(scores[d], one, rtol=1e-12, atol=1e-15)
    # doubling every weight changes nothing
    np.testing.assert_allclose(scores[1], scores[0], rtol=1e-12, atol=1e-15)
