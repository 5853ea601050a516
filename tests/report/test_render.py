"""Writing a report: self-contained HTML, inert user text, same numbers in both languages, PDF.

WeasyPrint and Chromium are real here; the PDF is turned into PNG pages with pdftoppm and the
HTML screenshotted in headless Chromium, both checked for pages and for glyphs the fonts lack.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import quanheng
from quanheng.errors import EnvironmentProblem, InputError
from quanheng.report import ReportAnalysis, ReportData, build_report, fonts, pdf, write_report

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EVIL_QUOTE = '<script>alert("x")</script><img src=x onerror=alert(1)> [a](javascript:alert(1))'


@pytest.fixture(scope="module")
def evil_data(
    tmp_path_factory: pytest.TempPathFactory, mini_path: Path, report_analysis: ReportAnalysis
) -> ReportData:
    root = tmp_path_factory.mktemp("evil") / "mini"
    shutil.copytree(mini_path, root)
    facts = root / "evidence" / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    evil = (
        "  - subject: s1\n    indicator: B1.2\n    value: 110\n"
        "    source: {title: '<b>bold</b> title', url: 'javascript:alert(1)', date: '2024'}\n"
        f"    quote: '{EVIL_QUOTE}'\n    analyst: '<i>mallory</i>'\n"
        "    note: '\"><svg onload=alert(1)>'\n"
    )
    facts.write_text(text + evil, encoding="utf-8")
    study = quanheng.load_study(root)
    return build_report(study, quanheng.score(study), report_analysis)


@pytest.fixture(scope="module")
def written(evil_data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    write_report(evil_data, out)
    return out


def test_html_is_self_contained_and_user_text_inert(written: Path) -> None:
    html = (written / "mini-study.default.report.en.html").read_text(encoding="utf-8")
    assert "<script" not in html  # the quote's script tag is text, not an element
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<svg onload" not in html and "<b>bold</b>" not in html and "<i>mallory" not in html
    assert 'href="javascript' not in html
    # no network: every src is a data URI, no stylesheet links, links only http(s) or anchors
    assert all(src.startswith("data:") for src in re.findall(r'src="([^"]*)"', html))
    assert "<link" not in html
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("#", "https://", "http://")), href


def test_markdown_is_inert(written: Path) -> None:
    md = (written / "mini-study.default.report.en.md").read_text(encoding="utf-8")
    assert "<script" not in md and "](javascript" not in md
    assert "&lt;script&gt;" in md
    assert (written / "mini-study.default.report.en.charts" / "landscape.png").exists()
    assert "(mini-study.default.report.en.charts/landscape.png)" in md


def _numbers(html: str) -> list[list[str]]:
    """The digits of each number cell (units and yes/no are words in each language)."""
    cells = re.findall(r'<td class="num">(.*?)</td>', html, flags=re.S)
    digits = (re.sub(r"<[^>]+>", " ", c).replace(",", "") for c in cells)
    return [re.findall(r"[-+]?\d[\d.]*%?", c) for c in digits]


def test_zh_and_en_show_the_same_numbers(written: Path) -> None:
    zh = (written / "mini-study.default.report.zh.html").read_text(encoding="utf-8")
    en = (written / "mini-study.default.report.en.html").read_text(encoding="utf-8")
    assert len(_numbers(en)) > 50
    assert _numbers(zh) == _numbers(en)
    assert "迷你研究" in zh and "Mini study" in en


def test_every_report_character_has_a_glyph(written: Path) -> None:
    for lang in ("zh", "en"):
        html = (written / f"mini-study.default.report.{lang}.html").read_text(encoding="utf-8")
        text = re.sub(r"<[^>]+>", " ", html)
        assert fonts.uncovered_chars(text) == set()


def _assert_cjk_font_embedded(pdf: Path) -> None:
    fonts_out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    # WeasyPrint names it Noto-Sans-CJK-SC, Chromium NotoSansCJKsc-Regular: same font
    assert "notosanscjksc" in re.sub(r"[^a-z]", "", fonts_out.lower()), fonts_out
    for line in fonts_out.splitlines()[2:]:
        assert " yes " in line, f"font not embedded: {line}"
        assert "Type 3" not in line, f"glyphs drawn as Type 3 procedures, not a font: {line}"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_pages_fonts_and_inert_text(written: Path, tmp_path: Path) -> None:
    pdf = written / "mini-study.default.report.zh.pdf"
    _assert_cjk_font_embedded(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 6
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "迷你研究" in text and "竞争力格局" in text  # CJK extracted: real glyphs, not boxes
    assert '<script>alert("x")</script>' in text.replace("\n", "")
    raw = pdf.read_bytes()
    assert b"/JavaScript" not in raw and b"/JS " not in raw and b"javascript:" not in raw


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed")
def test_html_screenshot_in_headless_chromium(written: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    html = written / "mini-study.default.report.zh.html"
    shot = tmp_path / "page.png"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(html.as_uri())
            page.screenshot(path=str(shot), full_page=True)
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => e.complete && e.naturalWidth > 0)"
            )
            # radars are inline SVG whose glyphs live in one shared <defs>: a broken reference
            # would draw nothing, so every label glyph must have a box on the page
            radars = page.eval_on_selector_all(
                "svg.chart",
                "els => els.map(e => e.getBoundingClientRect().width > 100 && "
                "[...e.querySelectorAll('use')].every(u => { "
                "const g = document.getElementById(u.getAttribute('xlink:href').slice(1)); "
                "return g !== null && (g.getAttribute('d') === '' || u.getBBox().width > 0); }))",
            )
            session = page.context.new_cdp_session(page)
            session.send("DOM.enable")
            session.send("CSS.enable")
            root = session.send("DOM.getDocument")["root"]["nodeId"]
            h1 = session.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
            used = session.send("CSS.getPlatformFontsForNode", {"nodeId": h1})["fonts"]
        finally:
            browser.close()
    assert all(images) and len(images) >= 4  # landscape, heatmap, rank probabilities, tornado
    assert all(radars) and len(radars) == 4  # one per scored subject (3 vendors, 1 model)
    assert all(r.startswith(("file:", "data:")) for r in requests)
    assert any("Noto Sans CJK" in f["familyName"] for f in used), used
    assert shot.stat().st_size > 50_000


def test_missing_font_is_a_clear_environment_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    fonts.require_fonts.cache_clear()
    monkeypatch.setattr(fonts, "FONT_FAMILIES", ("No Such Font CJK", "DejaVu Sans"))
    try:
        with pytest.raises(EnvironmentProblem, match="apt-get install -y fonts-noto-cjk"):
            fonts.require_fonts()
    finally:
        monkeypatch.undo()
        fonts.require_fonts.cache_clear()
    assert "Noto Sans CJK SC" in fonts.require_fonts()


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("engine", ["chromium", "weasyprint"])
def test_each_pdf_engine_embeds_the_cjk_font(
    evil_data: ReportData, tmp_path: Path, engine: str
) -> None:
    if engine == "chromium" and pdf.find_chromium() is None:
        pytest.skip("chromium not installed")
    written = write_report(
        evil_data, tmp_path, langs=["zh"], formats=["pdf"], pdf_engine=engine, workers=1
    )
    _assert_cjk_font_embedded(written[0])
    text = subprocess.run(["pdftotext", str(written[0]), "-"], capture_output=True, text=True)
    assert "迷你研究" in text.stdout and '<script>alert("x")</script>' in text.stdout.replace(
        "\n", ""
    )


def test_unknown_pdf_engine_is_an_input_error(evil_data: ReportData, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown PDF engine"):
        write_report(evil_data, tmp_path, formats=["pdf"], pdf_engine="prince")  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_weasyprint_prints_the_variant_made_for_it(tmp_path: Path) -> None:
    page = "<html><body><p>{}</p></body></html>"
    made: list[str] = []

    def variant() -> str:
        made.append("weasyprint")
        return page.format("printed by weasyprint")

    data = pdf.render_pdf(page.format("for chromium"), "weasyprint", weasyprint_html=variant)
    out = tmp_path / "w.pdf"
    out.write_bytes(data)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "printed by weasyprint" in text and "for chromium" not in text and made


def test_markdown_alone_writes_its_chart_files_and_nothing_else(
    mini_data: ReportData, tmp_path: Path
) -> None:
    written = write_report(mini_data, tmp_path, langs=["en"], formats=["md"], workers=1)
    stem = "mini-study.default.report.en"
    assert written[-1] == tmp_path / f"{stem}.md"
    on_disk = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert sorted(written) == on_disk
    charts = {p.name for p in written if p.parent.name == f"{stem}.charts"}
    assert "landscape.png" in charts and "landscape.svg" in charts and "radar-s1.svg" in charts
    md = written[-1].read_text(encoding="utf-8")
    assert all(f"({stem}.charts/{name})" in md for name in charts if name.startswith("radar-"))


def test_unknown_language_is_an_input_error(mini_data: ReportData, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown language"):
        write_report(mini_data, tmp_path, langs=["fr"])
    assert not any(tmp_path.iterdir())
