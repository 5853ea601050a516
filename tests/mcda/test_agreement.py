"""Krippendorff's alpha and disagreement flags (quanheng.mcda.agreement).

Published examples: K. Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
University of Pennsylvania, Annenberg School for Communication (scholarly commons, paper 43):

* A. binary data, two observers, ten units, no missing data: alpha = 0.095;
* B. nominal data, two observers, twelve units, no missing data: alpha = 0.692;
* C. four observers, twelve units, values 1–5, missing data: nominal 0.743, ordinal 0.815,
  interval 0.849, ratio 0.797.

On random data alpha is checked against :func:`pairable_values_alpha`, the definition written
out value pair by value pair (no coincidence matrix, no package), which quanheng does not use.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

from quanheng.mcda.agreement import (
    Level,
    disagreement_mask,
    flag_disagreements,
    krippendorff_alpha,
)

NAN = np.nan
LEVELS: list[Level] = ["nominal", "ordinal", "interval", "ratio"]

# Example C: rows are observers A–D, columns units 1–12.
EXAMPLE_C = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)


def pairable_values_alpha(data: np.ndarray, level: Level) -> float:
    """Alpha = 1 − D_o / D_e over the pairable values, from Krippendorff's definition.

    D_o averages δ² over the ordered pairs of values within each unit, a unit of m values
    weighted 1 / (m − 1); D_e averages δ² over all ordered pairs of pairable values.
    """
    units = [[v for v in col if not math.isnan(v)] for col in data.T]
    units = [u for u in units if len(u) >= 2]
    values = [v for u in units for v in u]
    n = len(values)
    freq = {v: values.count(v) for v in set(values)}

    def delta2(c: float, k: float) -> float:
        if level == "nominal":
            return float(c != k)
        if level == "ordinal":
            lo, hi = min(c, k), max(c, k)
            between = sum(f for g, f in freq.items() if lo <= g <= hi)
            return (between - (freq[c] + freq[k]) / 2) ** 2
        if level == "interval":
            return (c - k) ** 2
        return ((c - k) / (c + k)) ** 2 if c + k else 0.0

    observed = (
        sum(
            sum(delta2(u[i], u[j]) for i, j in itertools.permutations(range(len(u)), 2))
            / (len(u) - 1)
            for u in units
        )
        / n
    )
    expected = sum(delta2(values[i], values[j]) for i, j in itertools.permutations(range(n), 2)) / (
        n * (n - 1)
    )
    return 1.0 - observed / expected


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_example_c(level: Level, published: float) -> None:
    alpha = krippendorff_alpha(EXAMPLE_C, level)
    assert round(alpha, 3) == published
    assert alpha == pytest.approx(pairable_values_alpha(EXAMPLE_C, level), abs=1e-12)


def test_krippendorff_2011_example_a_binary() -> None:
    data = np.array([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]], dtype=float)
    assert round(krippendorff_alpha(data, "nominal"), 3) == 0.095


def test_krippendorff_2011_example_b_nominal() -> None:
    """Values a–e coded 1–5."""
    data = np.array(
        [[1, 1, 2, 2, 4, 3, 3, 3, 5, 4, 4, 1], [2, 1, 2, 2, 2, 3, 3, 3, 5, 4, 4, 4]], dtype=float
    )
    assert round(krippendorff_alpha(data, "nominal"), 3) == 0.692


@pytest.mark.parametrize("seed", range(12))
def test_alpha_matches_the_definition_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    raters, units = int(rng.integers(2, 6)), int(rng.integers(5, 30))
    truth = rng.integers(0, 6, size=units)
    data = np.clip(truth + rng.integers(-1, 2, size=(raters, units)), 0, 5).astype(float)
    data[rng.random(data.shape) < 0.2] = NAN
    for level in LEVELS:
        # Ratio data need a true zero: shift the levels to keep every value positive.
        data_level = data + 1.0 if level == "ratio" else data
        assert krippendorff_alpha(data_level, level) == pytest.approx(
            pairable_values_alpha(data_level, level), abs=1e-10
        ), level


def test_alpha_perfect_agreement_and_undefined_cases() -> None:
    assert krippendorff_alpha(np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])) == 1.0
    # One distinct value: nothing varies, so agreement beyond chance is undefined.
    assert math.isnan(krippendorff_alpha(np.array([[2.0, 2.0], [2.0, 2.0]])))
    # No unit rated twice: nothing is pairable.
    assert math.isnan(krippendorff_alpha(np.array([[1.0, NAN], [NAN, 2.0]])))
    with pytest.raises(ValueError, match="raters × units"):
        krippendorff_alpha(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="unknown level"):
        krippendorff_alpha(np.array([[1.0, 2.0], [1.0, 2.0]]), "cardinal")  # type: ignore[arg-type]


def test_values_of_units_rated_once_do_not_count() -> None:
    """A lone rating is not pairable: it enters neither disagreement nor the value domain."""
    data = np.array([[1.0, 2.0, 3.0, 2.0, 5.0], [1.0, 3.0, 3.0, 2.0, NAN]])
    for level in LEVELS:
        assert krippendorff_alpha(data, level) == pytest.approx(
            krippendorff_alpha(data[:, :4], level), abs=1e-12
        )
    # Only one distinct pairable value, another in a unit rated once: undefined, not 0 / 0.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(krippendorff_alpha(np.array([[2.0, 2.0, 4.0], [2.0, 2.0, NAN]])))


def test_ordinal_alpha_ignores_the_spacing_of_levels() -> None:
    """Ordinal alpha depends on order only: relabelling 1, 2, 3 as 1, 10, 100 changes nothing."""
    data = np.array([[1.0, 2.0, 3.0, 2.0, 1.0], [1.0, 3.0, 3.0, 2.0, 2.0]])
    relabelled = np.select([data == 1, data == 2, data == 3], [1.0, 10.0, 100.0])
    assert krippendorff_alpha(relabelled, "ordinal") == pytest.approx(
        krippendorff_alpha(data, "ordinal")
    )
    assert krippendorff_alpha(relabelled, "interval") != pytest.approx(
        krippendorff_alpha(data, "interval")
    )


def test_flag_disagreements_two_levels_apart() -> None:
    cells: dict[tuple[str, str], list[float | None]] = {
        ("acme", "docs"): [3, 4, 3],
        ("acme", "sla"): [1, 3],
        ("zeta", "docs"): [5, None, 2],
        ("zeta", "sla"): [4, float("nan")],
        ("zeta", "privacy"): [],
    }
    assert flag_disagreements(cells) == [("acme", "sla"), ("zeta", "docs")]
    assert flag_disagreements(cells, min_gap=1) == [
        ("acme", "docs"),
        ("acme", "sla"),
        ("zeta", "docs"),
    ]


def test_disagreement_mask_over_raters_by_cells() -> None:
    levels = np.array(
        [
            [[3, 1], [5, 4]],
            [[4, 3], [NAN, 4]],
            [[3, NAN], [NAN, 2]],
        ]
    )
    np.testing.assert_array_equal(disagreement_mask(levels), [[False, True], [False, True]])
