"""Fonts for charts and documents: Noto Sans CJK SC for Chinese, DejaVu Sans for the rest.

A report whose Chinese text is drawn as empty boxes is worse than no report, so the fonts are
checked before anything is drawn and their absence is an :class:`EnvironmentProblem` naming the
Debian package, never a silent fallback. Charts keep glyphs as vector paths (``svg.fonttype:
path``) so an SVG shows the right characters on a machine without the fonts, and the HTML that
inlines it stays self-contained.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from quanheng.errors import EnvironmentProblem

__all__ = [
    "CJK_FAMILY",
    "CSS_FONT_STACK",
    "FONT_FAMILIES",
    "INSTALL_FONTS",
    "chart_rc",
    "require_fonts",
    "uncovered_chars",
]

CJK_FAMILY: Final = "Noto Sans CJK SC"
LATIN_FAMILY: Final = "DejaVu Sans"
FONT_FAMILIES: Final = (CJK_FAMILY, LATIN_FAMILY)
CSS_FONT_STACK: Final = f'"{CJK_FAMILY}", "{LATIN_FAMILY}", sans-serif'
INSTALL_FONTS: Final = "sudo apt-get install -y fonts-noto-cjk fonts-dejavu-core"


@functools.cache
def require_fonts() -> dict[str, Path]:
    """The font files of :data:`FONT_FAMILIES`, found through matplotlib's font manager.

    A font installed after matplotlib built its cache is picked up by adding the system's
    matching files once before giving up.

    Raises:
        EnvironmentProblem: a family is not installed; the message holds the install command.
    """
    from matplotlib import font_manager

    found: dict[str, Path] = {}
    missing: list[str] = []
    for family in FONT_FAMILIES:
        path = _find(font_manager, family)
        if path is None:
            stem = family.replace(" ", "")
            for candidate in font_manager.findSystemFonts():
                if Path(candidate).name.startswith(stem.replace("SC", "")):
                    font_manager.fontManager.addfont(candidate)
            path = _find(font_manager, family)
        if path is None:
            missing.append(family)
        else:
            found[family] = path
    if missing:
        raise EnvironmentProblem(
            f"the report needs the font(s) {', '.join(missing)} to draw Chinese and Latin text "
            f"(without them characters would be drawn as empty boxes) — install them with: "
            f"{INSTALL_FONTS}"
        )
    return found


def _find(font_manager: Any, family: str) -> Path | None:
    try:
        path = font_manager.findfont(
            font_manager.FontProperties(family=family), fallback_to_default=False
        )
    except ValueError:
        return None
    return Path(path)


def chart_rc() -> dict[str, Any]:
    """matplotlib settings every report chart is built and saved under.

    Glyphs become paths in SVG (no font needed to view it), TrueType in PDF; the hash salt makes
    SVG ids, and so the files, deterministic.
    """
    require_fonts()
    return {
        "font.family": list(FONT_FAMILIES),
        "font.size": 9.0,
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "svg.hashsalt": "quanheng",
        "pdf.fonttype": 42,
        "figure.dpi": 100.0,
        "savefig.dpi": 110.0,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


@functools.cache
def _cmaps() -> tuple[frozenset[int], ...]:
    from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]

    out: list[frozenset[int]] = []
    for family, path in require_fonts().items():
        collection = TTCollection(str(path), lazy=True) if path.suffix.lower() == ".ttc" else None
        fonts = collection.fonts if collection else [TTFont(str(path), lazy=True)]
        try:
            chosen = next(
                (
                    font
                    for font in fonts
                    if family in {n.toUnicode() for n in font["name"].names if n.nameID in (1, 16)}
                ),
                fonts[0],
            )
            out.append(frozenset(chosen.getBestCmap()))
        finally:  # lazy fonts keep the file open until closed
            for font in fonts:
                font.close()
    return tuple(out)


def uncovered_chars(text: Iterable[str]) -> set[str]:
    """Characters of ``text`` that none of the report fonts can draw (they would show as boxes).

    Whitespace and control characters are ignored: they draw nothing.
    """
    cmaps = _cmaps()
    chars = {c for chunk in text for c in chunk if c.isprintable() and not c.isspace()}
    return {c for c in chars if not any(ord(c) in cmap for cmap in cmaps)}
