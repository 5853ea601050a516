"""The simulation options a user gives (draws, concentration), checked once, before any work.

``analyse`` and ``recommend`` call :func:`check_simulation_options` first, so the command line
and the Python API refuse the same nonsense with the same line, and no command re-checks them.
"""

from __future__ import annotations

import math

from quanheng.errors import InputError

__all__ = ["check_simulation_options"]


def check_simulation_options(draws: int, concentration: float | str | None = None) -> None:
    """Refuse fewer than one draw and a concentration that is no Dirichlet concentration.

    Raises:
        InputError: one line naming the option (``--draws``, ``--concentration``) and the fix.
    """
    if draws < 1:
        raise InputError.single(
            "--draws", None, f"{draws} draws", "give at least 1 (10,000 is a good default)"
        )
    if concentration is None or concentration == "uniform":
        return
    value = float(concentration)
    if not (value > 0 and not math.isnan(value)):
        raise InputError.single(
            "--concentration",
            None,
            f"{value:g} is not a Dirichlet concentration",
            "give a number > 0 (larger = firmer weights; inf = fixed), or --uniform-weights",
        )
