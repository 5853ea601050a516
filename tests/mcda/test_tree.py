"""The indicator tree as arrays (quanheng.mcda.tree), built by hand.

The tree below: two dimensions D1 (.75) and D2 (.25); D1 holds leaves L1, L2 (equal weights),
D2 holds L3 (.2) and L4 (.8). Positions: leaves 0..3, inner nodes D1 = 4, D2 = 5, root = 6::

    overall (6) ── D1 (4) ── L1 (0), L2 (1)
                └─ D2 (5) ── L3 (2), L4 (3)
"""

from __future__ import annotations

import numpy as np
import pytest

from quanheng.mcda.tree import CompiledTree, resolve_weights

IDS = ("L1", "L2", "L3", "L4", "D1", "D2", "overall")


def hand_tree() -> CompiledTree:
    return CompiledTree(
        ids=IDS,
        n_leaves=4,
        parent=np.array([4, 4, 5, 5, 6, 6, -1]),
        children=(
            *(np.empty(0, dtype=np.int64),) * 4,
            np.array([0, 1]),
            np.array([2, 3]),
            np.array([4, 5]),
        ),
        weights=np.array([0.5, 0.5, 0.2, 0.8, 0.75, 0.25, 1.0]),
        depth=np.array([2, 2, 2, 2, 1, 1, 0]),
    )


def test_positions_root_inner_and_index() -> None:
    tree = hand_tree()
    assert tree.root == 6
    assert list(tree.inner) == [4, 5, 6]
    assert tree.index == {"L1": 0, "L2": 1, "L3": 2, "L4": 3, "D1": 4, "D2": 5, "overall": 6}
    assert CompiledTree.ROOT_ID == "overall"


def test_global_weights_are_products_to_the_root() -> None:
    # L1 = .5·.75 = .375, L2 = .375, L3 = .2·.25 = .05, L4 = .8·.25 = .2; D1 .75, D2 .25, root 1
    out = hand_tree().global_weights()
    np.testing.assert_allclose(out, [0.375, 0.375, 0.05, 0.2, 0.75, 0.25, 1.0], atol=1e-12)
    assert out[:4].sum() == pytest.approx(1.0)


def test_global_weights_of_given_local_weights() -> None:
    # D1 1, D2 0: the D2 leaves drop out; L1, L2 keep .5 each
    local = np.array([0.5, 0.5, 0.2, 0.8, 1.0, 0.0, 1.0])
    out = hand_tree().global_weights(local)
    np.testing.assert_allclose(out, [0.5, 0.5, 0.0, 0.0, 1.0, 0.0, 1.0], atol=1e-12)


def test_with_weights_rescales_only_the_touched_parent() -> None:
    tree = hand_tree()
    # L3 → 3 with L4 .8 under D2: rescaled 3/3.8 and .8/3.8; D1's leaves and the dimensions stay
    out = tree.with_weights({"L3": 3.0}, rescale=True)
    np.testing.assert_allclose(
        out, [0.5, 0.5, 3 / 3.8, 0.8 / 3.8, 0.75, 0.25, 1.0], rtol=0, atol=1e-12
    )
    # the tree's own weights are not changed
    assert tree.weights[2] == 0.2


def test_with_weights_without_rescaling_keeps_the_values_given() -> None:
    out = hand_tree().with_weights({"D1": 2.0, "L4": 0.1}, rescale=False)
    np.testing.assert_allclose(out, [0.5, 0.5, 0.2, 0.1, 2.0, 0.25, 1.0], atol=1e-12)


def test_with_weights_zero_total_is_left_as_given() -> None:
    # nothing to rescale by: both children 0 stay 0 (no division by zero)
    out = hand_tree().with_weights({"L1": 0.0, "L2": 0.0}, rescale=True)
    np.testing.assert_array_equal(out[:2], [0.0, 0.0])


def test_resolve_weights_all_omitted_is_equal() -> None:
    np.testing.assert_allclose(resolve_weights([None, None, None, None], False), [0.25] * 4)


def test_resolve_weights_as_given_or_rescaled() -> None:
    np.testing.assert_array_equal(resolve_weights([0.3, 0.7], False), [0.3, 0.7])
    # 2 : 6 rescaled → .25 : .75 ; unrescaled they stay 2 and 6
    np.testing.assert_allclose(resolve_weights([2.0, 6.0], True), [0.25, 0.75], atol=1e-12)
    np.testing.assert_array_equal(resolve_weights([2.0, 6.0], False), [2.0, 6.0])


def test_resolve_weights_partial_and_zero_sum() -> None:
    # validation refuses partial weights; the resolver reads an omitted one as 0
    np.testing.assert_allclose(resolve_weights([1.0, None, 3.0], True), [0.25, 0.0, 0.75])
    np.testing.assert_array_equal(resolve_weights([0.0, 0.0], True), [0.0, 0.0])
