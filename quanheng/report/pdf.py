"""Print the report's HTML to PDF: headless Chromium by default, WeasyPrint as the fallback.

Both engines read the very same self-contained HTML (charts inlined as data URIs) and embed
the fonts. They differ in speed: WeasyPrint lays out ≈ 0.25 s per page in Python, so a
300-page report of 50 subjects takes over a minute; Chromium's layout engine prints it in a few
seconds. ``auto`` therefore uses Chromium when it can be launched and WeasyPrint otherwise.

Chromium's PDF backend (Skia) embeds TrueType outlines only; Noto Sans CJK is an OpenType/CFF
collection, which Skia would write as anonymous Type 3 glyph procedures (no font, no name, poor
text selection in some readers). So before printing, the CJK faces are subset to the characters
the document uses, their cubic outlines converted to quadratic TrueType ones (fontTools'
cu2qu), and handed to Chromium as ``@font-face`` data URIs under the same family name: the PDF
then embeds a named, subset CID TrueType font, as WeasyPrint's does.

Neither engine may reach the network. Chromium runs with JavaScript off, its background
services disabled, and every request it would make aborted (data: URIs are not requests);
WeasyPrint's fetcher accepts ``data:`` only.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Final, Literal

from quanheng.errors import EnvironmentProblem
from quanheng.report.fonts import CJK_FAMILY, require_fonts, uncovered_chars

__all__ = [
    "CHROMIUM_ARGS",
    "PDF_ENGINES",
    "PdfEngine",
    "drawable",
    "find_chromium",
    "render_pdf",
]

PdfEngine = Literal["auto", "chromium", "weasyprint"]
PDF_ENGINES: Final[tuple[str, ...]] = ("auto", "chromium", "weasyprint")

CHROMIUM_ARGS: Final[tuple[str, ...]] = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
"""Flags that keep a headless Chromium from phoning home (updates, sync, field trials)."""

CHROMIUM_CANDIDATES: Final = ("chromium", "chromium-browser", "google-chrome")
INSTALL_CHROMIUM: Final = (
    "sudo apt-get install -y chromium && .venv/bin/pip install playwright "
    "(or set QUANHENG_CHROMIUM to a Chromium binary)"
)
INSTALL_WEASYPRINT: Final = (
    ".venv/bin/pip install weasyprint  (and: sudo apt-get install -y libpango-1.0-0 "
    "libpangoft2-1.0-0 libharfbuzz-subset0)"
)


def find_chromium() -> Path | None:
    """A Chromium binary: ``$QUANHENG_CHROMIUM``, else the first on ``PATH``."""
    override = os.environ.get("QUANHENG_CHROMIUM")
    if override:
        return Path(override) if Path(override).is_file() else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def render_pdf(
    html: str,
    engine: PdfEngine = "auto",
    *,
    weasyprint_html: Callable[[], str] | None = None,
) -> bytes:
    """Print the HTML to PDF with ``engine``; ``auto`` tries Chromium, then WeasyPrint.

    ``weasyprint_html``, if given, makes the page WeasyPrint prints instead of ``html`` (the
    report's variant without glyphs shared across ``<svg>`` elements, which WeasyPrint does not
    resolve); it is called only if WeasyPrint is used.

    Raises:
        EnvironmentProblem: the engine asked for (or, for ``auto``, both) cannot run; the
            message names what is missing and how to install it.
        ValueError: an unknown engine.
    """
    if engine not in PDF_ENGINES:
        raise ValueError(f"engine: expected one of {', '.join(PDF_ENGINES)}, got {engine!r}")
    require_fonts()
    html = drawable(html)

    def for_weasyprint() -> str:
        return drawable(weasyprint_html()) if weasyprint_html is not None else html

    if engine == "weasyprint":
        return _weasyprint(for_weasyprint())
    if engine == "chromium":
        return _chromium(html)
    try:
        return _chromium(html)
    except EnvironmentProblem as chromium_problem:
        try:
            return _weasyprint(for_weasyprint())
        except EnvironmentProblem as weasy_problem:
            raise EnvironmentProblem(
                f"PDF output needs headless Chromium or WeasyPrint, and neither runs here: "
                f"{chromium_problem}; {weasy_problem}"
            ) from None


def drawable(html: str) -> str:
    """``html`` with each character no report font draws written as its code point.

    A quoted source may hold an emoji (``🏅``); printed, it would be an empty box (.notdef) in
    the PDF. It becomes ``[U+1F3C5]`` instead, and variation selectors and other invisible
    format characters without a glyph are dropped.
    """
    missing = uncovered_chars([html])
    for ch in sorted(missing):
        invisible = unicodedata.category(ch) in ("Mn", "Cf") or 0xFE00 <= ord(ch) <= 0xFE0F
        html = html.replace(ch, "" if invisible else f"[U+{ord(ch):04X}]")
    return html


def _chromium(html: str) -> bytes:
    binary = find_chromium()
    if binary is None:
        raise EnvironmentProblem(f"no Chromium binary found — install it with: {INSTALL_CHROMIUM}")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise EnvironmentProblem(
            f"Chromium PDF output needs Playwright — install it with: {INSTALL_CHROMIUM}"
        ) from None
    # A file, not set_content(): page loading works with JavaScript off, and a report of many
    # megabytes does not travel through the DevTools protocol as one string.
    faces = truetype_faces(set(html))
    if faces:
        head = html.find("</head>")
        at = head if head >= 0 else 0
        html = html[:at] + f"<style>{faces}</style>" + html[at:]
    with tempfile.TemporaryDirectory(prefix="quanheng-pdf-") as tmp:
        page_file = Path(tmp) / "report.html"
        page_file.write_text(html, encoding="utf-8")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(binary), args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(java_script_enabled=False, offline=True)
                    page = context.new_page()
                    allowed = page_file.as_uri()
                    page.route(
                        "**/*",
                        lambda route: (
                            route.continue_() if route.request.url == allowed else route.abort()
                        ),
                    )
                    page.goto(allowed, wait_until="load")
                    pdf: bytes = page.pdf(prefer_css_page_size=True, print_background=True)
                finally:
                    browser.close()
        except Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise EnvironmentProblem(
                f"headless Chromium ({binary}) failed to print the PDF: {first}"
            ) from None
    return pdf


def _weasyprint(html: str) -> bytes:
    try:
        import weasyprint  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:
        raise EnvironmentProblem(
            f"PDF output needs WeasyPrint ({exc}) — install it with: {INSTALL_WEASYPRINT}"
        ) from None
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    # Only the inlined data: URIs may be read; anything else is refused, never fetched.
    fetcher = URLFetcher(allowed_protocols=("data",), timeout=1)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher, base_url=".")
    pdf: bytes | None = document.write_pdf()
    if pdf is None:  # pragma: no cover - only when a target is given
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


def truetype_faces(chars: set[str]) -> str:
    """``@font-face`` rules with TrueType subsets of the CJK family's regular and bold faces.

    Empty when the CJK font is not an OpenType/CFF collection (a TrueType one embeds as is).
    """
    regular = require_fonts()[CJK_FAMILY]
    if regular.suffix.lower() not in (".ttc", ".otc", ".otf"):
        return ""
    rules = []
    bold = regular.with_name(regular.name.replace("Regular", "Bold"))
    for weight, path in ((400, regular), (700, bold)):
        if not path.is_file() or (weight == 700 and path == regular):
            continue
        data = _truetype_subset(path, CJK_FAMILY, chars)
        if data is None:
            continue
        uri = "data:font/ttf;base64," + base64.b64encode(data).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{CJK_FAMILY}"; font-weight: {weight}; '
            f'src: url({uri}) format("truetype"); }}'
        )
    return "\n".join(rules)


def _truetype_subset(path: Path, family: str, chars: set[str]) -> bytes | None:
    """The face of ``family`` in ``path``, cut to ``chars``, with TrueType (glyf) outlines.

    Built afresh (fontTools' FontBuilder) from just the glyphs the characters map to, rather
    than by subsetting the CFF font and then converting it: the subsetter's CFF work (closure
    through charstrings, subroutine pruning) would be thrown away with the CFF table, and took
    most of the time. Layout tables (GSUB/GPOS) are left out; Chromium shapes CJK and Latin
    text without them, and the metrics that place glyphs (advances, ascent, descent) are kept.
    """
    from fontTools.fontBuilder import FontBuilder  # type: ignore[import-untyped]
    from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
    from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]

    number = 0
    if path.suffix.lower() in (".ttc", ".otc"):
        collection = TTCollection(str(path), lazy=True)
        try:
            names = [f["name"].getDebugName(1) for f in collection.fonts]
        finally:
            collection.close()
        if family not in names:
            return None
        number = names.index(family)
    with TTFont(str(path), fontNumber=number, lazy=True) as src:
        if "CFF " not in src:
            return None
        cmap = {ord(c): src.getBestCmap().get(ord(c)) for c in chars}
        cmap = {u: g for u, g in cmap.items() if g is not None}
        order = [".notdef", *sorted(set(cmap.values()) - {".notdef"})]
        glyph_set = src.getGlyphSet()
        glyphs = {}
        for name in order:
            pen = TTGlyphPen(None)
            # 1 font unit of error on a 1000-unit em: invisible at any print size
            glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyphs[name] = pen.glyph()
        hmtx, hhea, os2, names_table = src["hmtx"], src["hhea"], src["OS/2"], src["name"]
        builder = FontBuilder(src["head"].unitsPerEm, isTTF=True)
        builder.setupGlyphOrder(order)
        builder.setupCharacterMap(cmap)
        builder.setupGlyf(glyphs)
        builder.setupHorizontalMetrics({name: tuple(hmtx[name]) for name in order})
        builder.setupHorizontalHeader(
            ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap
        )
        builder.setupNameTable(
            {
                "familyName": names_table.getDebugName(1),
                "styleName": names_table.getDebugName(2),
                "uniqueFontIdentifier": names_table.getDebugName(3),
                "fullName": names_table.getDebugName(4),
                "version": names_table.getDebugName(5),
                "psName": names_table.getDebugName(6),
            }
        )
        builder.setupOS2(
            sTypoAscender=os2.sTypoAscender,
            sTypoDescender=os2.sTypoDescender,
            sTypoLineGap=os2.sTypoLineGap,
            usWinAscent=os2.usWinAscent,
            usWinDescent=os2.usWinDescent,
            usWeightClass=os2.usWeightClass,
            fsType=os2.fsType,
        )
        builder.setupPost()
        out = io.BytesIO()
        builder.save(out)
        return out.getvalue()
