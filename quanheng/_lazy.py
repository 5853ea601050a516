"""Packages whose public names are imported on first use (PEP 562)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["display", "lazy_getattr", "set_display"]


def lazy_getattr(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports each name in ``where`` from the module it maps to.

    Used where a package's parts are slow to import (the HTTP stack, matplotlib) or import the
    package back: importing the package stays cheap, and each part loads when first named.
    """

    def __getattr__(name: str) -> Any:
        if name in where:
            return getattr(importlib.import_module(where[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


# The module that renders results for notebooks (``_repr_html_``), named by the package root.
# Results live below the report layer that draws them, so they name no renderer themselves:
# ``quanheng/__init__.py`` names it here, and it is imported on the first rendering only.
_display: list[str] = []


def set_display(module: str) -> None:
    """Name the module whose ``render(obj, fmt)`` draws results in a notebook."""
    _display[:] = [module]


def display(obj: object, fmt: str) -> str | None:
    """``obj`` rendered as ``fmt`` (``html`` or ``markdown``) by the display module; ``None``
    when none is named (a notebook then shows the repr)."""
    if not _display:
        return None
    render: Callable[[object, str], str | None] = importlib.import_module(_display[0]).render
    return render(obj, fmt)
