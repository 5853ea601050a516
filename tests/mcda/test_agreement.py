"""Krippendorff's alpha and disagreement flags (quanheng.mcda.agreement).

Published examples: K. Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
University of Pennsylvania, Annenberg School for Communication (scholarly commons, paper 43):

* A. binary data, two observers, ten units, no missing data: alpha = 0.095;
* B. nominal data, two observers, twelve units, no missing data: alpha = 0.692;
* C. four observers, twelve units, values 1–5, missing data: nominal 0.743, ordinal 0.815,
  interval 0.849, ratio 0.797.

Each is also checked to be equal, to machine precision, to the ``krippendorff`` package.
"""

from __future__ import annotations

import math

import krippendorff
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


def package_alpha(data: np.ndarray, level: Level) -> float:
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_example_c(level: Level, published: float) -> None:
    alpha = krippendorff_alpha(EXAMPLE_C, level)
    assert round(alpha, 3) == published
    assert alpha == pytest.approx(package_alpha(EXAMPLE_C, level), abs=1e-12)


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
def test_alpha_matches_krippendorff_package_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    raters, units = int(rng.integers(2, 6)), int(rng.integers(5, 30))
    truth = rng.integers(0, 6, size=units)
    data = np.clip(truth + rng.integers(-1, 2, size=(raters, units)), 0, 5).astype(float)
    data[rng.random(data.shape) < 0.2] = NAN
    for level in LEVELS:
        # Ratio data need a true zero: shift the levels to keep every value positive.
        data_level = data + 1.0 if level == "ratio" else data
        assert krippendorff_alpha(data_level, level) == pytest.approx(
            package_alpha(data_level, level), abs=1e-10
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
