"""Properties of normalisation, aggregation and ranking on random frameworks (hypothesis).

Frameworks are generated as dicts (2–3 dimensions, 1–3 first-level nodes each, 1–4 leaves each,
random positive weights rescaled by ``normalise_weights``) and parsed with ``parse_framework``;
values are random small matrices with missing cells. Everything runs on the pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from quanheng.framework import parse_framework
from quanheng.mcda.aggregate import aggregate, rank_desc
from quanheng.mcda.tree import CompiledTree
from quanheng.specs.normalisation import Normalisation, normalise_matrix

NAN = np.nan
METHODS = ("arithmetic", "geometric")
POLICIES = ("drop", "worst", "median")
GRID = 20  # normalised values are k / 20, raw values integers 0..20
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# ----------------------------------------------------------------------------- strategies

WEIGHT = st.floats(min_value=0.1, max_value=5.0, allow_nan=False, allow_infinity=False)
FIXED = {"type": "fixed", "min": 0, "max": GRID}
NORMALISATIONS: list[tuple[dict[str, Any], str]] = [
    (FIXED, "higher"),
    (FIXED, "lower"),
    ({"type": "fixed", "min": 4, "max": 15}, "higher"),  # clips
    ({"type": "minmax"}, "higher"),
    ({"type": "minmax"}, "lower"),
    ({"type": "log_minmax", "offset": 1}, "higher"),
    ({"type": "log_minmax", "offset": 1}, "lower"),
    ({"type": "target", "target": 10, "width": 6}, "higher"),
    ({"type": "rubric", "levels": {k: {"en": f"level {k}"} for k in range(6)}}, "higher"),
]


def name(node_id: str) -> dict[str, str]:
    return {"zh": node_id, "en": node_id}


@dataclass(frozen=True)
class Case:
    """A generated framework and matrix."""

    tree: CompiledTree
    specs: tuple[Normalisation, ...]
    directions: tuple[str, ...]
    raw: np.ndarray  # (S, L) integers 0..20 as floats (rubric leaves 0..5), NaN = missing

    @property
    def leaf_scores(self) -> np.ndarray:
        return normalise_matrix(self.raw, self.specs, self.directions)


@st.composite
def cases(draw: st.DrawFn, *, fixed_only: bool = False) -> Case:
    n_dims = draw(st.integers(2, 3))
    dim_weights = [draw(WEIGHT) for _ in range(n_dims)]
    total = sum(dim_weights)  # the root cannot rescale: dimension weights must sum to 1
    tree: list[dict[str, Any]] = []
    kinds: list[int] = []
    for d in range(n_dims):
        firsts = []
        for f in range(draw(st.integers(1, 3))):
            leaves = []
            for k in range(draw(st.integers(1, 4))):
                choice = 0 if fixed_only else draw(st.integers(0, len(NORMALISATIONS) - 1))
                norm, direction = NORMALISATIONS[choice]
                kinds.append(choice)
                leaf_id = f"D{d}.F{f}.L{k}"
                leaves.append(
                    {
                        "id": leaf_id,
                        "name": name(leaf_id),
                        "weight": draw(WEIGHT),
                        "kind": "rubric" if norm["type"] == "rubric" else "fact",
                        "direction": direction,
                        "normalisation": norm,
                    }
                )
            first_id = f"D{d}.F{f}"
            firsts.append(
                {
                    "id": first_id,
                    "name": name(first_id),
                    "weight": draw(WEIGHT),
                    "normalise_weights": True,
                    "children": leaves,
                }
            )
        tree.append(
            {
                "id": f"D{d}",
                "name": name(f"D{d}"),
                "weight": dim_weights[d] / total,
                "normalise_weights": True,
                "children": firsts,
            }
        )
    data = {"format": "quanheng/framework@1", "id": "gen", "version": "1", "name": name("gen")}
    fw = parse_framework({**data, "tree": tree}, "<gen>")
    n_subjects = draw(st.integers(3, 8))
    cell = st.one_of(st.none(), st.integers(0, GRID), st.integers(0, GRID))
    raw = np.array(
        [
            [
                NAN if v is None else float(v)
                for v in draw(st.lists(cell, min_size=len(kinds), max_size=len(kinds)))
            ]
            for _ in range(n_subjects)
        ]
    )
    for j, choice in enumerate(kinds):
        if NORMALISATIONS[choice][0]["type"] == "rubric":
            raw[:, j] = np.floor(raw[:, j] / 4)  # levels 0..5
    specs = tuple(leaf.normalisation for leaf in fw.leaves if leaf.normalisation is not None)
    return Case(fw.compiled, specs, tuple(leaf.direction for leaf in fw.leaves), raw)


def score_all(
    leaf_scores: np.ndarray, tree: CompiledTree, weights: np.ndarray | None = None
) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Scores, coverage and overall ranks for every method and policy."""
    out = {}
    for method in METHODS:
        for policy in POLICIES:
            s, c = aggregate(leaf_scores, tree, weights, method=method, missing=policy)
            out[(method, policy)] = (s, c, rank_desc(s[..., -1]))
    return out


def siblings(tree: CompiledTree, j: int) -> list[int]:
    """Other leaves under leaf j's parent."""
    return [int(k) for k in tree.children[int(tree.parent[j])] if k != j]


# ----------------------------------------------------------------------------- (a) ranges


@SETTINGS
@given(case=cases())
def test_scores_and_coverage_in_unit_interval(case: Case) -> None:
    leaf_scores = case.leaf_scores
    assert np.all(np.isnan(leaf_scores) == np.isnan(case.raw))
    for scores, coverage, ranks in score_all(leaf_scores, case.tree).values():
        ok = np.isnan(scores) | ((scores >= 0.0) & (scores <= 1.0))
        assert ok.all()
        assert ((coverage >= 0.0) & (coverage <= 1.0)).all()
        assert ((ranks >= 0) & (ranks <= len(case.raw))).all()


# ----------------------------------------------------------------------------- (b) permutation


@SETTINGS
@given(case=cases(), seed=st.integers(0, 2**32 - 1))
def test_permuting_subjects_permutes_everything(case: Case, seed: int) -> None:
    perm = np.random.default_rng(seed).permutation(len(case.raw))
    base = score_all(case.leaf_scores, case.tree)
    permuted = score_all(normalise_matrix(case.raw[perm], case.specs, case.directions), case.tree)
    for key, (scores, coverage, ranks) in base.items():
        p_scores, p_coverage, p_ranks = permuted[key]
        np.testing.assert_array_equal(p_scores, scores[perm])
        np.testing.assert_array_equal(p_coverage, coverage[perm])
        np.testing.assert_array_equal(p_ranks, ranks[perm])


# ----------------------------------------------------------------------------- (c) scale


@SETTINGS
@given(case=cases(), data=st.data())
def test_scaling_one_parents_weights_changes_nothing(case: Case, data: st.DataObject) -> None:
    tree = case.tree
    parent = data.draw(st.sampled_from(list(tree.inner)), label="parent")
    factor = data.draw(st.floats(0.05, 20.0), label="factor")
    scaled = tree.weights.copy()
    scaled[tree.children[parent]] *= factor
    leaf_scores = case.leaf_scores
    base = score_all(leaf_scores, tree)
    after = score_all(leaf_scores, tree, scaled)
    for key, (scores, coverage, ranks) in base.items():
        s2, c2, r2 = after[key]
        np.testing.assert_allclose(s2, scores, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(c2, coverage, rtol=1e-9, atol=1e-12)
        np.testing.assert_array_equal(r2, ranks)


# ----------------------------------------------------------------------------- (d) monotone


@SETTINGS
@given(case=cases(fixed_only=True), data=st.data())
def test_raising_a_value_never_lowers_own_overall(case: Case, data: st.DataObject) -> None:
    present = np.argwhere(~np.isnan(case.raw) & (case.raw < GRID))
    assume(len(present) > 0)
    i, j = (int(v) for v in present[data.draw(st.integers(0, len(present) - 1), label="cell")])
    higher = case.raw.copy()
    higher[i, j] = data.draw(st.integers(int(case.raw[i, j]) + 1, GRID), label="new value")
    for method in METHODS:
        for policy in POLICIES:
            before, _ = aggregate(case.leaf_scores, case.tree, method=method, missing=policy)
            raised = normalise_matrix(higher, case.specs, case.directions)
            after, _ = aggregate(raised, case.tree, method=method, missing=policy)
            assert after[i, -1] >= before[i, -1] - 1e-12, (method, policy)


# ----------------------------------------------------------------------------- (e) missing


@SETTINGS
@given(case=cases(fixed_only=True), data=st.data())
def test_a_missing_leaf_is_dropped_not_zero(case: Case, data: st.DataObject) -> None:
    tree = case.tree
    with_siblings = [j for j in range(tree.n_leaves) if siblings(tree, j)]
    assume(with_siblings)
    j = data.draw(st.sampled_from(with_siblings), label="leaf")
    i = data.draw(st.integers(0, len(case.raw) - 1), label="subject")
    leaf_scores = case.leaf_scores
    leaf_scores[i, j] = NAN
    sibs = siblings(tree, j)
    if np.isnan(leaf_scores[i, sibs]).all():
        leaf_scores[i, sibs[0]] = data.draw(st.integers(0, GRID), label="sibling") / GRID
    parent = int(tree.parent[j])
    filler = data.draw(st.integers(0, GRID), label="filler") / GRID

    zero_weight = tree.weights.copy()
    zero_weight[j] = 0.0
    filled = leaf_scores.copy()
    filled[i, j] = filler
    for method in METHODS:
        dropped, _ = aggregate(leaf_scores, tree, method=method, missing="drop")
        weightless, _ = aggregate(filled, tree, zero_weight, method=method, missing="drop")
        inner = slice(tree.n_leaves, None)  # leaf j itself holds the filler, not NaN
        np.testing.assert_allclose(weightless[i, inner], dropped[i, inner], rtol=1e-12, atol=1e-15)

    dropped, _ = aggregate(leaf_scores, tree, missing="drop")
    zeroed = leaf_scores.copy()
    zeroed[i, j] = 0.0
    as_zero, _ = aggregate(zeroed, tree, missing="drop")
    if dropped[i, parent] > 0:
        assert abs(as_zero[i, parent] - dropped[i, parent]) > 1e-12
        assert abs(as_zero[i, -1] - dropped[i, -1]) > 1e-12
        assert as_zero[i, -1] < dropped[i, -1]


# ----------------------------------------------------------------------------- (f) coverage


@SETTINGS
@given(case=cases())
def test_coverage_is_global_weight_of_present_leaves(case: Case) -> None:
    tree = case.tree
    global_weights = tree.global_weights()
    assert np.isclose(global_weights[: tree.n_leaves].sum(), 1.0, rtol=0, atol=1e-12)
    present = ~np.isnan(case.raw)
    expected = (present * global_weights[: tree.n_leaves]).sum(axis=-1)
    for _, coverage, _ in score_all(case.leaf_scores, tree).values():
        np.testing.assert_allclose(coverage[:, -1], expected, rtol=0, atol=1e-12)
