"""User text made inert: links only to http(s), Markdown markup shown as text.

Names, quotes, notes and URLs come from study files anyone may write, so a report must show a
quote holding ``<script>`` or ``[a](javascript:…)`` as those characters, never act on them.
HTML gets this from Jinja2's autoescaping; Markdown has no such thing, so its templates pass
every piece of user text through :func:`md_text` (the ``md`` filter) or :func:`md_link` (the
``md_link`` filter), and both formats link a URL only when :func:`safe_url` accepts it.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote, urlsplit

__all__ = ["md_link", "md_path", "md_text", "safe_url"]


def safe_url(url: str | None) -> str | None:
    """The URL if it is a well-formed http(s) URL, else ``None`` (so it is shown, not linked)."""
    if not url:
        return None
    text = url.strip()
    if any(c in text for c in "\x00\r\n\t <>\"'`") or any(ord(c) < 32 for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


_MD_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_URL_SAFE: Final = ":/?#[]@!$&*+,;=%~-._"
"""Characters a link target keeps as they are: the URL's own structure and escapes."""


def md_text(text: object) -> str:
    """User text made inert in Markdown: HTML entities for ``& < >``, backslash for markup.

    Line breaks become spaces, so the text cannot end a table row or start a heading.
    """
    s = str(text).replace("\r", " ").replace("\n", " ")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def md_link(label: object, url: str | None) -> str:
    """``[label](<url>)`` when the URL is safe; else the label with the URL shown as text."""
    good = safe_url(url)
    if good is None:
        return md_text(label) + (f" ({md_text(url)})" if url else "")
    return f"[{md_text(label)}](<{quote(good, safe=_URL_SAFE)}>)"


def md_path(path: str) -> str:
    """A relative file path made safe as a Markdown link target (spaces, brackets quoted)."""
    return quote(path)
