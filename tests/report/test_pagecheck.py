"""pagecheck finds each page fault in small hand-made PDFs, and none in a clean one."""

from __future__ import annotations

from pathlib import Path

import pytest

from quanheng.report.fonts import CSS_FONT_STACK
from quanheng.report.pagecheck import check_pdf, main, text_overlaps

weasyprint = pytest.importorskip("weasyprint")

STYLE = (
    f"<style>@page {{ size: A5; margin: 15mm }} body {{ font-family: {CSS_FONT_STACK}; }}</style>"
)
FULL = "".join(f"<p>Line {k} of a page that is well filled with text.</p>" for k in range(12))


def _pdf(tmp_path: Path, body: str, name: str = "t.pdf") -> Path:
    path = tmp_path / name
    html = f"<html><head>{STYLE}</head><body>{body}</body></html>"
    path.write_bytes(weasyprint.HTML(string=html).write_pdf())
    return path


def _kinds(path: Path) -> set[str]:
    return {f.kind for f in check_pdf(path)}


def test_clean_pages(tmp_path: Path) -> None:
    path = _pdf(tmp_path, FULL + '<p style="break-before: page">中文 Ελληνικά Кириллица</p>' + FULL)
    assert check_pdf(path) == []
    assert main([str(path)]) == 0


def test_overlap(tmp_path: Path) -> None:
    body = FULL + (
        '<table style="table-layout: fixed; width: 200px"><tr>'
        '<td style="width: 40px; white-space: nowrap">5.35e+06 developers</td>'
        "<td>Source link</td></tr></table>"
    )
    faults = check_pdf(_pdf(tmp_path, body))
    assert [f.kind for f in faults] == ["overlap"]
    assert faults[0].page == 1


def test_kerning_is_no_overlap(tmp_path: Path) -> None:
    assert check_pdf(_pdf(tmp_path, FULL + "<p>P, T. AV Yo ’, f.</p>")) == []


def test_outside(tmp_path: Path) -> None:
    body = FULL + '<p style="margin-left: -30mm">off the left edge of the page</p>'
    assert _kinds(_pdf(tmp_path, body)) == {"outside"}


def test_missing_glyph(tmp_path: Path) -> None:
    assert "glyph" in _kinds(_pdf(tmp_path, FULL + "<p>medal 🏅 here</p>"))


def test_fallback_font(tmp_path: Path) -> None:
    body = FULL + "<p style=\"font-family: 'DejaVu Serif'\">a serif fallback</p>"
    faults = check_pdf(_pdf(tmp_path, body))
    assert [f.kind for f in faults] == ["glyph"]
    assert "DejaVu-Serif" in faults[0].detail


def test_near_empty(tmp_path: Path) -> None:
    page = '<div style="break-before: page">'
    path = _pdf(tmp_path, f"{FULL}{page}<p>one line</p></div>{page}{FULL}</div>")
    faults = check_pdf(path)
    assert [(f.page, f.kind) for f in faults] == [(2, "near-empty")]
    assert main([str(path)]) == 1


def test_short_last_page_is_fine(tmp_path: Path) -> None:
    body = FULL + '<p style="break-before: page">a</p><p>b</p><p>c</p><p>d</p>'
    assert check_pdf(_pdf(tmp_path, body)) == []


def test_chart_text_overlaps() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "first label")
    ax.text(0.5, 0.5, "second label")
    ax.set_xticks([])
    ax.set_yticks([])
    try:
        assert text_overlaps(fig) == ["'first label' / 'second label'"]
    finally:
        plt.close(fig)
