"""Check a printed report's pages: overprinted or off-page text, missing glyphs, blank pages.

Read from the PDF's text layer (pdfplumber's characters, with poppler's ``pdftotext`` as a
second reader when it is installed), so it checks what either PDF engine actually printed:

- ``overlap``: two characters whose boxes cover each other (a value printed over the next
  column, a label over another line). Neighbours of a line that merely touch, kerned pairs and
  combining marks are not faults: boxes must overlap by more than :data:`OVERLAP` of the
  narrower one, horizontally and vertically.
- ``outside``: a character beyond the page box, or nearer its edge than :data:`EDGE_PT`.
- ``glyph``: a character no report font can draw (it prints as a box), one drawn in a font
  that is not a report font (a fallback the document did not ask for), one whose font lacks
  it (.notdef), or a glyph with no Unicode (``(cid:N)``).
- ``text-layer``: characters ``pdftotext`` reads that pdfplumber cannot (a font it failed to
  decode): the page could not be checked whole.
- ``near-empty``: a page after the first that holds fewer than three lines of text and no
  figure, or (the last page excepted) whose content — text and drawings, the footer left
  out — fills less than :data:`NEAR_EMPTY` of the printable height.

Run it on a written report with ``quanheng report STUDY --format pdf --check`` or
``python -m quanheng.report.pagecheck FILE.pdf…`` (exit status 1 when a page has a fault).
Charts are drawn as paths, not text, so their labels are checked where they are drawn
(:func:`text_overlaps` on a matplotlib figure).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = ["PageFault", "check_pdf", "format_faults", "text_overlaps"]

OVERLAP: Final = 0.3
"""Fraction of the narrower box two characters must share, across and down, to overprint."""
SAME_LINE_PT: Final = 1.5
"""Neighbours on one line may share this much (points) or half the narrower glyph (kerning)."""
EDGE_PT: Final = 2.0
"""Text nearer the page's edge than this (points) is off the printable page."""
NEAR_EMPTY: Final = 0.2
"""A page whose content fills less of the printable height than this is near-empty."""
FOOTER_PT: Final = 34.0
"""The bottom band where the page footer (study · profile, page n / m) is printed."""
HEADER_PT: Final = 20.0

_SUBSET = re.compile(r"^[A-Z]{6}\+")
_CID = re.compile(r"\(cid:\d+\)")


@dataclass(frozen=True)
class PageFault:
    """One fault on one page (``page`` counts from 1)."""

    page: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"page {self.page}: {self.kind}: {self.detail}"


def check_pdf(path: str | Path) -> list[PageFault]:
    """Every fault of the PDF at ``path``, page by page."""
    import pdfplumber

    faults: list[PageFault] = []
    layer = _pdftotext_pages(Path(path))
    with pdfplumber.open(str(path)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            chars = [c for c in page.chars if c["text"].strip()]
            faults += _outside(number, page, chars)
            faults += _glyphs(number, chars)
            faults += _overlaps(number, chars)
            if layer is not None and number <= len(layer):
                faults += _text_layer(number, chars, layer[number - 1])
            if number > 1:
                faults += _near_empty(number, page, chars, last=number == len(pdf.pages))
    return faults


def format_faults(faults: Sequence[PageFault]) -> str:
    return "\n".join(str(f) for f in faults)


# --- the checks ---------------------------------------------------------------------------


def _outside(number: int, page: Any, chars: list[dict[str, Any]]) -> list[PageFault]:
    x0, top, x1, bottom = page.bbox
    out = [
        c
        for c in chars
        if c["x0"] < x0 + EDGE_PT
        or c["x1"] > x1 - EDGE_PT
        or c["top"] < top + EDGE_PT
        or c["bottom"] > bottom - EDGE_PT
    ]
    if not out:
        return []
    text = "".join(c["text"] for c in out[:40])
    return [PageFault(number, "outside", f"{len(out)} character(s) off the page: {text!r}")]


def _glyphs(number: int, chars: list[dict[str, Any]]) -> list[PageFault]:
    faults: list[PageFault] = []
    unmapped = [c["text"] for c in chars if _CID.search(c["text"])]
    if unmapped:
        faults.append(PageFault(number, "glyph", f"glyphs without Unicode: {unmapped[:5]}"))
    fallback: dict[str, set[str]] = {}
    lacking: dict[str, set[str]] = {}
    for c in chars:
        text = c["text"]
        if _CID.search(text) or not _draws(text):
            continue
        family = _family(c["fontname"])
        cmap = _report_cmaps().get(family) if family else None
        if cmap is None:
            fallback.setdefault(_SUBSET.sub("", c["fontname"]), set()).add(text)
        elif any(ord(ch) not in cmap for ch in text if _draws(ch)):
            lacking.setdefault(family or "", set()).add(text)
    for font, texts in sorted(fallback.items()):
        faults.append(
            PageFault(number, "glyph", f"drawn in {font}, not a report font: {_sample(texts)}")
        )
    for font, texts in sorted(lacking.items()):
        faults.append(PageFault(number, "glyph", f"missing from {font}: {_sample(texts)}"))
    return faults


def _overlaps(number: int, chars: list[dict[str, Any]]) -> list[PageFault]:
    boxes = [
        c
        for c in chars
        if c["x1"] - c["x0"] > 0.5 and not unicodedata.category(c["text"][0]).startswith("M")
    ]
    boxes.sort(key=lambda c: c["x0"])
    seen: set[tuple[int, int]] = set()
    details: list[str] = []
    active: list[dict[str, Any]] = []
    for c in boxes:
        active = [a for a in active if a["x1"] > c["x0"]]
        for a in active:
            if _overprint(a, c):
                key = (round(a["top"]), round(c["top"]))
                if key not in seen:
                    seen.add(key)
                    details.append(
                        f"{a['text']!r} at ({a['x0']:.0f}, {a['top']:.0f}) and {c['text']!r} "
                        f"at ({c['x0']:.0f}, {c['top']:.0f})"
                    )
        active.append(c)
    if not details:
        return []
    more = f" (+{len(details) - 5} more)" if len(details) > 5 else ""
    return [PageFault(number, "overlap", f"text printed over text: {'; '.join(details[:5])}{more}")]


def _overprint(a: dict[str, Any], b: dict[str, Any]) -> bool:
    across = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    down = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    width = min(a["x1"] - a["x0"], b["x1"] - b["x0"])
    height = min(a["bottom"] - a["top"], b["bottom"] - b["top"])
    if abs(a["top"] - b["top"]) < 0.5 and abs(a["size"] - b["size"]) < 0.1:
        # one line, one size: kerned pairs ("P,", "’,") share up to half the narrower glyph
        return bool(across > max(SAME_LINE_PT, 0.5 * width))
    return bool(across > OVERLAP * width and down > OVERLAP * height)


def _text_layer(number: int, chars: list[dict[str, Any]], text: str) -> list[PageFault]:
    theirs = [ch for ch in text if _draws(ch)]
    faults: list[PageFault] = []
    from quanheng.report.fonts import uncovered_chars

    boxes = uncovered_chars(theirs)
    if boxes:
        faults.append(PageFault(number, "glyph", f"no report font draws: {_sample(boxes)}"))
    ours = sum(len([ch for ch in c["text"] if _draws(ch)]) for c in chars)
    if len(theirs) > ours + max(2, len(theirs) // 50):
        faults.append(
            PageFault(
                number,
                "text-layer",
                f"{len(theirs) - ours} of {len(theirs)} characters unreadable by pdfplumber",
            )
        )
    return faults


def _near_empty(
    number: int, page: Any, chars: list[dict[str, Any]], *, last: bool
) -> list[PageFault]:
    _, top, _, bottom = page.bbox
    body_top, body_bottom = top + HEADER_PT, bottom - FOOTER_PT
    body = [c for c in chars if c["top"] >= body_top and c["bottom"] <= body_bottom]
    drawings = [
        o
        for kind in ("images", "curves", "lines", "rects")
        for o in getattr(page, kind)
        if o["top"] >= body_top - 1 and o["bottom"] <= body_bottom + 1
    ]
    lines = {round(c["top"] / 3) for c in body}
    extent = [(o["top"], o["bottom"]) for o in body + drawings]
    filled = (max(b for _, b in extent) - min(t for t, _ in extent)) if extent else 0.0
    printable = body_bottom - body_top
    figures = [o for o in drawings if o.get("object_type") in ("image", "curve")]
    if len(lines) < 3 and not figures:
        return [PageFault(number, "near-empty", f"{len(lines)} line(s) of text and no figure")]
    if filled < NEAR_EMPTY * printable and not last:
        return [
            PageFault(
                number,
                "near-empty",
                f"content fills {filled / printable:.0%} of the page ({len(lines)} line(s))",
            )
        ]
    return []


# --- fonts --------------------------------------------------------------------------------


def _draws(ch: str) -> bool:
    return ch.isprintable() and not ch.isspace()


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_STYLE = re.compile(r"(regular|bold|oblique|italic|book|light|medium|condensed)+$")


def _family(fontname: str) -> str | None:
    """The report font family a PDF font name (``ABCDEF+Noto-Sans-CJK-SC-Bold``) belongs to."""
    key = _STYLE.sub("", _key(_SUBSET.sub("", fontname)))
    for family in _report_cmaps():
        if key == _key(family):
            return family
    return None


@functools.cache
def _report_cmaps() -> dict[str, frozenset[int]]:
    """The code points each report font family (the document's, and the monospace) covers."""
    from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]
    from matplotlib import font_manager

    from quanheng.report.fonts import FONT_FAMILIES, require_fonts

    paths = dict(require_fonts())
    try:
        mono = font_manager.findfont(
            font_manager.FontProperties(family="DejaVu Sans Mono"), fallback_to_default=False
        )
        paths["DejaVu Sans Mono"] = Path(mono)
    except ValueError:
        pass
    out: dict[str, frozenset[int]] = {}
    for family, path in paths.items():
        is_collection = path.suffix.lower() in (".ttc", ".otc")
        collection = TTCollection(str(path), lazy=True) if is_collection else None
        fonts = collection.fonts if collection else [TTFont(str(path), lazy=True)]
        try:
            chosen = next(
                (
                    f
                    for f in fonts
                    if family in {n.toUnicode() for n in f["name"].names if n.nameID in (1, 16)}
                ),
                fonts[0],
            )
            out[family] = frozenset(chosen.getBestCmap())
        finally:
            for f in fonts:
                f.close()
    assert set(FONT_FAMILIES) <= set(out)
    return out


def _pdftotext_pages(path: Path) -> list[str] | None:
    binary = shutil.which("pdftotext")
    if binary is None:
        return None
    try:
        done = subprocess.run(
            [binary, "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            check=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    pages = done.stdout.decode("utf-8", "replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _sample(texts: Iterable[str]) -> str:
    items = sorted(set(texts))
    shown = " ".join(f"{t!r} (U+{ord(t[0]):04X})" for t in items[:8])
    return shown + (f" (+{len(items) - 8} more)" if len(items) > 8 else "")


# --- charts -------------------------------------------------------------------------------


def text_overlaps(fig: Any, *, pad: float = 0.0) -> list[str]:
    """Pairs of visible texts of a matplotlib figure whose drawn boxes overlap (in pixels).

    For charts, whose labels are paths in the PDF and so invisible to :func:`check_pdf`.
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [
        t
        for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent"))
        if t.get_visible() and t.get_text().strip() and t.get_figure() is not None
    ]
    boxes = []
    for t in texts:
        try:
            boxes.append((t.get_text(), t.get_window_extent(renderer)))
        except RuntimeError:  # pragma: no cover - a text without a renderer
            continue
    found = []
    for i, (ta, a) in enumerate(boxes):
        for tb, b in boxes[i + 1 :]:
            across = min(a.x1, b.x1) - max(a.x0, b.x0)
            down = min(a.y1, b.y1) - max(a.y0, b.y0)
            if across > pad and down > pad:
                found.append(f"{ta!r} / {tb!r}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m quanheng.report.pagecheck FILE.pdf…``: print the faults; 1 if any."""
    args = list(sys.argv[1:] if argv is None else argv)
    bad = 0
    for arg in args:
        faults = check_pdf(arg)
        for fault in faults:
            print(f"{arg}: {fault}")
        bad += len(faults)
    return 1 if bad else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
