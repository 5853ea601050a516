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
    "glyph_warnings",
    "require_fonts",
    "uncovered_chars",
    "undrawable_lines",
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


_INVISIBLE: Final = frozenset("\ufe0e\ufe0f\u200d")
"""Emoji presentation selectors and the zero-width joiner: they draw nothing and are dropped."""


def undrawable_lines(paths: Iterable[Path]) -> list[tuple[Path, int, str]]:
    """``(file, line, characters)`` for each line of ``paths`` holding characters none of the
    report fonts can draw. YAML comment lines are skipped (no report shows them)."""
    out: list[tuple[Path, int, str]] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # validation proper reports unreadable files
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#") or line.isascii():
                continue
            gone = uncovered_chars([c for c in line if c not in _INVISIBLE])
            if gone:
                out.append((path, number, "".join(sorted(gone))))
    return out


def glyph_warnings(study: Any) -> list[str]:
    """One ``warning:`` line, ``file:line``, per line of the study's files (study, evidence, a
    framework file of its own) with a character the report fonts cannot draw.

    The report shows such a character visibly replaced (``🏅`` → ``[medal]`` / ``[奖牌]``), never
    as an empty box, so this is a warning; without the fonts it says so and checks nothing.
    """
    from quanheng._files import display_path
    from quanheng.report.i18n import glyph_name

    root = Path(study.path)
    files = [root / "study.yaml", *dict.fromkeys(Path(r.file) for r in study.evidence if r.file)]
    own = root / str(study.spec.framework)
    if own.is_file():
        files.append(own)
    try:
        found = undrawable_lines(files)
    except EnvironmentProblem as exc:
        return [f"warning: cannot check which characters the report can draw: {exc}"]
    lines = []
    for path, number, chars in found:
        shown = ", ".join(
            f"{c!r} (U+{ord(c):04X}, shown as {glyph_name(c, 'en')} / {glyph_name(c, 'zh')})"
            for c in chars
        )
        lines.append(
            f"warning: {display_path(path)}:{number}: {shown}: no glyph in the report fonts "
            f"({', '.join(FONT_FAMILIES)}) — the report replaces it visibly; write it as text "
            "if the replacement does not read well"
        )
    return lines
