"""Simulation options (quanheng.analysis.options.check_simulation_options), checked once."""

from __future__ import annotations

import math

import pytest

from quanheng.analysis.options import check_simulation_options
from quanheng.errors import InputError


@pytest.mark.parametrize("concentration", [None, "uniform", 0.5, 100.0, math.inf, "250"])
def test_usable_options_pass(concentration: float | str | None) -> None:
    check_simulation_options(1, concentration)  # raises nothing


@pytest.mark.parametrize("draws", [0, -5])
def test_fewer_than_one_draw_is_refused(draws: int) -> None:
    with pytest.raises(InputError) as info:
        check_simulation_options(draws)
    assert info.value.lines() == [
        f"--draws: {draws} draws — give at least 1 (10,000 is a good default)"
    ]


@pytest.mark.parametrize(("concentration", "shown"), [(0.0, "0"), (-2.0, "-2"), (math.nan, "nan")])
def test_no_dirichlet_concentration_is_refused(concentration: float, shown: str) -> None:
    with pytest.raises(InputError) as info:
        check_simulation_options(10, concentration)
    assert info.value.lines() == [
        f"--concentration: {shown} is not a Dirichlet concentration — give a number > 0 "
        "(larger = firmer weights; inf = fixed), or --uniform-weights"
    ]
