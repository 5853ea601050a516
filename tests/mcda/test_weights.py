"""Weights (quanheng.mcda.weights): AHP against Saaty's worked example, entropy and CRITIC by
hand, cross-checks against pymcdm, and the messages users see.

AHP source: T. L. Saaty (1990), "How to make a decision: The Analytic Hierarchy Process",
European Journal of Operational Research 48(1): 9–26 — the house-buying example. Every value
asserted below was recomputed here and agrees with the paper to three decimals. (The paper's
printed priority vector for the eight criteria is not asserted: the figures remembered for it
did not agree with a recomputation from the printed matrix, while lambda_max, CI and CR did, so
only the three consistency figures of that matrix are used.)
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
import pytest
from pymcdm.weights import critic_weights as pymcdm_critic
from pymcdm.weights import entropy_weights as pymcdm_entropy
from pymcdm.weights.subjective import AHP as PymcdmAHP

from quanheng.errors import InputError, WeightError
from quanheng.mcda.weights import (
    CR_LIMIT,
    RANDOM_INDEX,
    AHPResult,
    ahp,
    ahp_matrix,
    critic_weights,
    entropy_weights,
    expert_weights,
    mix_weights,
    most_inconsistent,
)

NAN = np.nan

# Saaty (1990), house example: the eight criteria compared pairwise (row is i, column j).
HOUSE_CRITERIA = [
    "size",
    "transportation",
    "neighbourhood",
    "age",
    "yard",
    "modern facilities",
    "general condition",
    "financing",
]
HOUSE_MATRIX = np.array(
    [
        [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
        [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
        [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
        [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
        [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
        [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
        [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
        [4, 7, 5, 8, 6, 6, 2, 1],
    ]
)


def rounded(result: AHPResult) -> tuple[list[float], float, float, float]:
    """Weights, lambda_max, CI and CR to three decimals, as Saaty prints them."""
    return (
        [round(float(w), 3) for w in result.weights],
        round(result.lambda_max, 3),
        round(result.ci, 3),
        round(result.cr, 3),
    )


# --------------------------------------------------------------------------- AHP


@pytest.mark.parametrize(
    ("name", "matrix", "expected"),
    [
        # Saaty 1990: houses A, B, C compared on one criterion at a time.
        (
            "size of house",
            [[1, 6, 8], [1 / 6, 1, 4], [1 / 8, 1 / 4, 1]],
            ([0.754, 0.181, 0.065], 3.136, 0.068, 0.117),
        ),
        (
            "yard space",
            [[1, 5, 4], [1 / 5, 1, 1 / 3], [1 / 4, 3, 1]],
            ([0.674, 0.101, 0.226], 3.086, 0.043, 0.074),
        ),
        (
            "modern facilities",
            [[1, 8, 6], [1 / 8, 1, 1 / 5], [1 / 6, 5, 1]],
            ([0.747, 0.060, 0.193], 3.197, 0.099, 0.170),
        ),
        (
            "general condition",
            [[1, 1 / 2, 1 / 2], [2, 1, 1], [2, 1, 1]],
            ([0.200, 0.400, 0.400], 3.0, 0.0, 0.0),
        ),
        (
            "age of house",
            [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
            ([0.333, 0.333, 0.333], 3.0, 0.0, 0.0),
        ),
    ],
)
def test_ahp_saaty_1990_house_alternatives(
    name: str, matrix: list[list[float]], expected: tuple[list[float], float, float, float]
) -> None:
    """Saaty (1990), Table 3: priorities, lambda_max, CI and CR (RI = 0.58) to 3 decimals."""
    result = ahp(np.array(matrix), max_cr=None)
    assert rounded(result) == expected, name
    assert math.isclose(float(result.weights.sum()), 1.0)


def test_ahp_saaty_1990_house_criteria_consistency() -> None:
    """Saaty (1990), Table 2: lambda_max = 9.669, CI = 0.238, CR = 0.169 (RI = 1.41, n = 8)."""
    result = ahp(HOUSE_MATRIX, max_cr=None)
    assert round(result.lambda_max, 3) == 9.669
    assert round(result.ci, 3) == 0.238
    assert round(result.cr, 3) == 0.169
    assert not result.consistent


def test_ahp_refuses_cr_above_limit_naming_the_judgement_and_the_consistent_value() -> None:
    """The house criteria (CR 0.169) are refused by default.

    The judgement furthest from what the priorities imply is "neighbourhood is 6 times as
    important as general condition"; the priorities of the whole matrix imply 1.13 for it
    (nearest scale value 1).
    """
    with pytest.raises(WeightError) as caught:
        ahp(HOUSE_MATRIX, items=HOUSE_CRITERIA, where="profiles/family.yaml")
    err = caught.value
    assert isinstance(err, InputError)
    assert len(err.problems) == 1
    assert err.lines() == [
        "profiles/family.yaml: the judgements are inconsistent: consistency ratio 0.169 "
        "exceeds 0.1; the most inconsistent is 'neighbourhood' vs 'general condition', judged 6 "
        "while the other judgements imply 1.13 — revise 'neighbourhood' vs 'general condition' "
        "towards 1.13 (nearest scale value 1), then recheck"
    ]


def test_most_inconsistent_on_house_criteria_and_revision_lowers_cr() -> None:
    i, j, current, consistent = most_inconsistent(HOUSE_MATRIX)
    assert (i, j, current) == (2, 6, 6.0)
    w = ahp(HOUSE_MATRIX, max_cr=None).weights
    assert consistent == pytest.approx(w[2] / w[6])
    assert round(consistent, 2) == 1.13
    revised = HOUSE_MATRIX.copy()
    revised[2, 6], revised[6, 2] = consistent, 1 / consistent
    assert ahp(revised, max_cr=None).cr < ahp(HOUSE_MATRIX, max_cr=None).cr


def test_most_inconsistent_finds_a_single_perturbed_judgement() -> None:
    """Consistent judgements from w = (.4, .3, .2, .1), then 'c vs d' set to 1/4 instead of 2."""
    w = np.array([0.4, 0.3, 0.2, 0.1])
    a = w[:, None] / w[None, :]
    a[2, 3], a[3, 2] = 1 / 4, 4.0
    i, j, current, _ = most_inconsistent(a)
    # Oriented as a person states it: "d is 4 times as important as c".
    assert (i, j, current) == (3, 2, 4.0)


def test_ahp_recovers_consistent_weights_exactly() -> None:
    w = np.array([0.5, 0.25, 0.125, 0.125])
    result = ahp(w[:, None] / w[None, :])
    np.testing.assert_allclose(result.weights, w, atol=1e-12)
    assert result.lambda_max == pytest.approx(4.0)
    assert result.ci == 0.0
    assert result.cr == 0.0
    assert result.consistent


def test_ahp_small_matrices_have_zero_cr() -> None:
    one = ahp(np.array([[1.0]]))
    assert (one.weights.tolist(), one.lambda_max, one.ci, one.cr) == ([1.0], 1.0, 0.0, 0.0)
    two = ahp(np.array([[1.0, 3.0], [1 / 3, 1.0]]))
    np.testing.assert_allclose(two.weights, [0.75, 0.25])
    assert (two.ci, two.cr) == (0.0, 0.0)


def test_random_index_is_saatys_table() -> None:
    assert len(RANDOM_INDEX) == 15
    assert RANDOM_INDEX[:8] == (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41)
    assert CR_LIMIT == 0.1


@pytest.mark.parametrize("seed", range(10))
def test_ahp_matches_pymcdm_weights_and_consistency_index(seed: int) -> None:
    """pymcdm's AHP uses the same eigenvector; its CR uses Tummala & Ling's RI, so compare CI."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 9))
    scale = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1 / 2, 1, 2, 3, 5, 7, 9]
    a = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = scale[int(rng.integers(len(scale)))]
            a[j, i] = 1 / a[i, j]
    ours = ahp(a, max_cr=None)
    theirs = PymcdmAHP(matrix=a)
    np.testing.assert_allclose(ours.weights, theirs(), rtol=1e-9)
    assert ours.ci == pytest.approx(theirs.get_cr() * PymcdmAHP.RI_M[n - 1], rel=1e-9)


def test_ahp_matrix_builds_the_reciprocal_matrix() -> None:
    m = ahp_matrix(
        ["quality", "price", "speed"],
        [("quality", "price", 3), ("speed", "quality", 1 / 2), ("price", "speed", 1)],
    )
    expected = np.array([[1, 3, 2], [1 / 3, 1, 1], [1 / 2, 1, 1]])
    np.testing.assert_allclose(m, expected)


def test_ahp_matrix_reports_every_problem_at_once() -> None:
    with pytest.raises(WeightError) as caught:
        ahp_matrix(
            ["a", "b", "c", "a"],
            [
                ("a", "x", 2),
                ("a", "a", 1),
                ("a", "b", 10),
                ("b", "c", 3),
                ("c", "b", 1 / 3),
            ],
            where="p.yaml",
        )
    assert caught.value.lines() == [
        "p.yaml: item 'a' is listed twice — list each item once",
        "p.yaml: judgement ('a', 'x') names unknown item 'x' — use one of 'a', 'b', 'c'",
        "p.yaml: judgement ('a', 'a') compares an item with itself — remove it: an item is "
        "always 1 times as important as itself",
        "p.yaml: judgement ('a', 'b') has value 10, outside Saaty's scale — use a value from "
        "1/9 to 9 (e.g. 3 = moderately more important, 1/3 = moderately less)",
        "p.yaml: pair 'c'/'b' is judged twice (first as ('b', 'c')) — keep one judgement per "
        "pair; the reverse is implied as 1/value",
        "p.yaml: pair 'a'/'b' is not judged — add a judgement ('a', 'b', value); use 1 if they "
        "are equally important",
        "p.yaml: pair 'a'/'c' is not judged — add a judgement ('a', 'c', value); use 1 if they "
        "are equally important",
    ]


def test_ahp_matrix_accepts_scale_ends() -> None:
    m = ahp_matrix(["a", "b"], [("a", "b", 1 / 9)])
    assert m[1, 0] == pytest.approx(9.0)


def test_ahp_matrix_reads_fractions_written_as_text() -> None:
    """YAML reads ``1/3`` as the string "1/3"; it means one third."""
    m = ahp_matrix(["a", "b", "c"], [("a", "b", "1/3"), ("a", "c", "5"), ("b", "c", 2)])
    np.testing.assert_allclose(m[0], [1.0, 1 / 3, 5.0])


@pytest.mark.parametrize("bad", ["three", "1/0", True, None])
def test_ahp_matrix_rejects_values_that_are_not_numbers(bad: object) -> None:
    with pytest.raises(WeightError, match="outside Saaty's scale"):
        ahp_matrix(["a", "b"], [("a", "b", bad)])  # type: ignore[list-item]


def test_ahp_rejects_a_matrix_that_is_not_reciprocal() -> None:
    with pytest.raises(WeightError) as caught:
        ahp(np.array([[1.0, 3.0], [0.5, 1.0]]), items=["a", "b"])
    assert caught.value.lines() == [
        "<ahp judgements>: 'a' vs 'b' is 3 but the reverse is 0.5, not its reciprocal — set "
        "the reverse to 1/3, or build the matrix with ahp_matrix"
    ]


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (np.ones((2, 3)), "the judgement matrix has shape (2, 3)"),
        (np.ones((16, 16)), "16 items are compared at once"),
        (np.array([[1.0, -2.0], [-0.5, 1.0]]), "not a positive finite number"),
        (np.array([[2.0, 1.0], [1.0, 1.0]]), "diagonal entry for '#1' is 2"),
    ],
)
def test_ahp_rejects_malformed_matrices(matrix: np.ndarray, message: str) -> None:
    with pytest.raises(WeightError) as caught:
        ahp(matrix)
    assert message in str(caught.value)


# --------------------------------------------------------------------------- expert


def test_expert_points_are_normalised() -> None:
    np.testing.assert_allclose(expert_weights([40, 30, 30]), [0.4, 0.3, 0.3])
    np.testing.assert_allclose(expert_weights([1, 0, 3]), [0.25, 0.0, 0.75])


@pytest.mark.parametrize("points", [[1, -1], [0, 0], [1, NAN], []])
def test_expert_points_must_be_non_negative_and_not_all_zero(points: list[float]) -> None:
    with pytest.raises(WeightError):
        expert_weights(points)


# --------------------------------------------------------------------------- entropy

ENTROPY_CASE = np.array([[1.0, 0.0, 2.0], [1.0, 1.0, 2.0], [2.0, 1.0, 2.0]])


def test_entropy_by_hand() -> None:
    """Three subjects, three criteria.

    Column 1 = (1, 1, 2): p = (1/4, 1/4, 1/2); −Σ p ln p = 2·(1/4)·ln 4 + (1/2)·ln 2 = 1.5 ln 2;
    e₁ = 1.5 ln 2 / ln 3 = 0.946395, d₁ = 0.053605.
    Column 2 = (0, 1, 1): p = (0, 1/2, 1/2), 0·ln 0 = 0; e₂ = ln 2 / ln 3 = 0.630930,
    d₂ = 0.369070.
    Column 3 = (2, 2, 2): all equal, no information, d₃ = 0.
    w = d / (d₁ + d₂) = (0.126824, 0.873176, 0).
    """
    d1 = 1 - 1.5 * math.log(2) / math.log(3)
    d2 = 1 - math.log(2) / math.log(3)
    w = entropy_weights(ENTROPY_CASE)
    np.testing.assert_allclose(w, [d1 / (d1 + d2), d2 / (d1 + d2), 0.0], atol=1e-12)
    assert [round(float(v), 6) for v in w] == [0.126824, 0.873176, 0.0]
    assert w[2] == 0.0


def test_entropy_ignores_missing_values_per_column() -> None:
    """A NaN is left out of its column: column 1 becomes (1, 1, 2) over three subjects."""
    with_gap = np.array([[1.0, 5.0], [1.0, 3.0], [NAN, 4.0], [2.0, 1.0]])
    d1 = 1 - 1.5 * math.log(2) / math.log(3)
    p = np.array([5, 3, 4, 1]) / 13
    d2 = 1 + float((p * np.log(p)).sum()) / math.log(4)
    np.testing.assert_allclose(entropy_weights(with_gap), [d1 / (d1 + d2), d2 / (d1 + d2)])


def test_entropy_is_scale_free() -> None:
    x = np.array([[1.0, 3.0], [2.0, 5.0], [4.0, 4.0]])
    np.testing.assert_allclose(entropy_weights(x), entropy_weights(x * [10.0, 0.5]))


@pytest.mark.parametrize("seed", range(10))
def test_entropy_matches_pymcdm(seed: int) -> None:
    """pymcdm gives a whole column entropy 0 if it holds a zero, so compare on positive data."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.05, 1.0, size=(int(rng.integers(3, 12)), int(rng.integers(2, 7))))
    np.testing.assert_allclose(entropy_weights(x), pymcdm_entropy(x), rtol=1e-10)


def test_entropy_refuses_data_that_separates_nothing_or_is_negative() -> None:
    with pytest.raises(WeightError, match="no criterion separates the subjects"):
        entropy_weights(np.array([[1.0, 2.0], [1.0, 2.0]]))
    with pytest.raises(WeightError, match=r"criteria \[1\] have negative ones"):
        entropy_weights(np.array([[1.0, -2.0], [3.0, 2.0]]))


# --------------------------------------------------------------------------- CRITIC

CRITIC_CASE = np.array([[10.0, 5.0, 0.0], [20.0, 3.0, 4.0], [30.0, 1.0, 4.0]])


def test_critic_by_hand() -> None:
    """Min–max: z₁ = (0, .5, 1), z₂ = (1, .5, 0), z₃ = (0, 1, 1).

    σ (population): σ₁ = σ₂ = sqrt(1/6) = 0.408248; σ₃ = sqrt(2/9) = 0.471405.
    r₁₂ = −1; r₁₃ = 0.5 / sqrt(0.5 · 2/3) = √3/2; r₂₃ = −√3/2.
    C₁ = σ₁ (2 + 1 − √3/2) = 0.871191; C₂ = σ₂ (2 + 1 + √3/2) = 1.578298;
    C₃ = σ₃ (1 − √3/2 + 1 + √3/2) = 0.942809; ΣC = 3.392299.
    w = (0.256814, 0.465259, 0.277926).
    """
    h = math.sqrt(3) / 2
    s12, s3 = math.sqrt(1 / 6), math.sqrt(2 / 9)
    c = np.array([s12 * (3 - h), s12 * (3 + h), s3 * 2])
    w = critic_weights(CRITIC_CASE)
    np.testing.assert_allclose(w, c / c.sum(), atol=1e-12)
    assert [round(float(v), 6) for v in w] == [0.256814, 0.465259, 0.277926]


def test_critic_constant_column_gets_zero_and_leaves_the_others_alone() -> None:
    with_constant = np.column_stack([CRITIC_CASE, [7.0, 7.0, 7.0]])
    w = critic_weights(with_constant)
    assert w[3] == 0.0
    np.testing.assert_allclose(w[:3], critic_weights(CRITIC_CASE), atol=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_critic_matches_pymcdm(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 100.0, size=(int(rng.integers(4, 12)), int(rng.integers(2, 7))))
    np.testing.assert_allclose(critic_weights(x), pymcdm_critic(x), rtol=1e-10)


def test_critic_with_missing_values_uses_pairwise_complete_correlations() -> None:
    """Independent check with pandas: per-column min–max and std, pairwise-complete Pearson."""
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, size=(9, 4))
    x[1, 0] = x[4, 2] = x[6, 2] = x[8, 3] = NAN
    df = pd.DataFrame(x)
    z = (df - df.min()) / (df.max() - df.min())
    r = z.corr(method="pearson").to_numpy()
    c = z.std(ddof=0).to_numpy() * (1 - r).sum(axis=0)
    np.testing.assert_allclose(critic_weights(x), c / c.sum(), rtol=1e-10)


def test_critic_refuses_all_constant_data() -> None:
    with pytest.raises(WeightError, match="no criterion separates the subjects"):
        critic_weights(np.array([[1.0, 2.0], [1.0, 2.0], [1.0, NAN]]))


# --------------------------------------------------------------------------- mixing


def test_linear_mix() -> None:
    w = mix_weights(np.array([6.0, 2.0, 2.0]), np.array([0.2, 0.2, 0.6]), 0.7)
    np.testing.assert_allclose(w, [0.7 * 0.6 + 0.3 * 0.2, 0.7 * 0.2 + 0.3 * 0.2, 0.32])


def test_multiplicative_mix_is_a_weighted_geometric_mean() -> None:
    s = np.array([0.6, 0.2, 0.2])
    o = np.array([0.2, 0.2, 0.6])
    g = s**0.5 * o**0.5
    np.testing.assert_allclose(mix_weights(s, o, 0.5, method="multiplicative"), g / g.sum())
    # A criterion the data finds worthless stays at zero…
    zero = mix_weights(s, np.array([0.5, 0.5, 0.0]), 0.5, method="multiplicative")
    assert zero[2] == 0.0
    # …unless the data has no say.
    np.testing.assert_allclose(
        mix_weights(s, np.array([0.5, 0.5, 0.0]), 1.0, method="multiplicative"), s
    )


@pytest.mark.parametrize("method", ["linear", "multiplicative"])
def test_mix_shares_at_the_ends_return_one_side(
    method: Literal["linear", "multiplicative"],
) -> None:
    s = np.array([1.0, 3.0])
    o = np.array([3.0, 1.0])
    np.testing.assert_allclose(mix_weights(s, o, 1.0, method=method), [0.25, 0.75])
    np.testing.assert_allclose(mix_weights(s, o, 0.0, method=method), [0.75, 0.25])


def test_mix_rejects_bad_input() -> None:
    with pytest.raises(WeightError) as caught:
        mix_weights(np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0]), 1.5)
    assert [p.message for p in caught.value.problems] == [
        "subjective weights have shape (2,), objective (3,)",
        "share is 1.5",
    ]
    with pytest.raises(WeightError, match="zero for every criterion"):
        mix_weights(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5, method="multiplicative")
