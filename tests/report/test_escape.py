"""User text made inert: only http(s) links, Markdown markup shown as the characters typed."""

from __future__ import annotations

import pytest

from quanheng.report.escape import md_link, md_path, md_text, safe_url


def test_safe_url_links_only_http() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("  HTTP://example.org  ") == "HTTP://example.org"
    for bad in ("javascript:alert(1)", "data:text/html,x", "http://a b", "ftp://x", "//x", None):
        assert safe_url(bad) is None
    assert safe_url("https://x.org/\x01") is None and safe_url('https://x.org/"') is None


@pytest.mark.parametrize(
    ("text", "inert"),
    [
        ("[a](b)", r"\[a\]\(b\)"),
        ("<script>&", "&lt;script&gt;&amp;"),
        ("a|b", r"a\|b"),
        ("*_`#~!+-.{}\\", r"\*\_\`\#\~\!\+\-\.\{\}\\"),
        ("two\r\nlines", "two  lines"),
        ("中文，无标记", "中文，无标记"),
        (1.5, r"1\.5"),
    ],
)
def test_md_text_escapes_every_markup_character(text: object, inert: str) -> None:
    assert md_text(text) == inert


def test_md_link_links_safe_urls_and_shows_the_rest() -> None:
    assert (
        md_link("A [doc]", "https://ex.org/a?q=(1)") == r"[A \[doc\]](<https://ex.org/a?q=%281%29>)"
    )
    # a URL that is not linked is still shown, as inert text
    assert md_link("T", "javascript:alert(1)") == r"T (javascript:alert\(1\))"
    assert md_link("T", None) == "T" and md_link("", "") == ""
    # a link target keeps its own escapes and structure
    assert md_link("x", "https://ex.org/%E4?a=1&b=2#f") == "[x](<https://ex.org/%E4?a=1&b=2#f>)"


def test_md_path_quotes_what_would_end_a_link_target() -> None:
    assert md_path("out dir/radar-(s1).svg") == "out%20dir/radar-%28s1%29.svg"
