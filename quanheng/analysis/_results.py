"""The base of every analysis result: frozen, and written as byte-identical JSON.

Reproducibility is a promise of the output, not only of the random stream: the same study,
profile, draws and seed must print the same bytes. Floats are therefore rounded to 12
significant digits before they are written (a last-bit difference from a BLAS kernel or a
summation order must not show), NaN becomes ``null``, and keys keep a fixed order.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

__all__ = ["Result", "num", "plain"]

SIGNIFICANT = 12


def num(x: float | np.floating[Any] | np.integer[Any]) -> float | None:
    """A float for JSON: 12 significant digits, NaN and infinities as ``None``."""
    value = float(x)
    if not math.isfinite(value):
        return None
    rounded = float(f"{value:.{SIGNIFICANT}g}")
    return 0.0 if rounded == 0 else rounded  # no "-0.0"


def plain(value: Any) -> Any:
    """Recursively turn arrays, tuples and numpy scalars into JSON-ready values."""
    if isinstance(value, BaseModel):
        return plain(value.model_dump())
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return num(value)
    return value


class Result(BaseModel):
    """A frozen analysis result with deterministic ``to_dict`` and ``to_json``."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; subclasses with arrays override this to label them."""
        out: dict[str, Any] = plain(self)
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """Deterministic JSON: the same inputs give byte-identical output."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)
