"""The Jinja2 environments of the report templates and the helpers every template calls.

HTML and Markdown are written from the same :class:`~.content.ReportData` by templates side by
side under ``templates/``, so the two formats are read and changed the same way. Both see the
same functions (:func:`context`) for the report's words and numbers; they differ in how user text
is made inert: the HTML environment autoescapes every value, the Markdown one escapes nothing
by itself and its templates run user text through the ``md`` and ``md_link`` filters
(:mod:`.escape`) — Markdown has no autoescaping, and our own words must stay unescaped.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Literal

import jinja2

from quanheng.report import i18n
from quanheng.report.escape import md_link, md_path, md_text, safe_url
from quanheng.report.fonts import uncovered_chars
from quanheng.report.i18n import (
    drawable,
    fmt_interval,
    fmt_pct,
    fmt_range,
    fmt_score,
    plain_quote,
    t,
)
from quanheng.text import Lang, Text, local

if TYPE_CHECKING:
    from quanheng.report.content import SubjectView

__all__ = ["context", "environment", "fmt_value", "interval"]


@functools.cache
def environment(kind: Literal["html", "md"]) -> jinja2.Environment:
    """The environment for ``kind``'s templates (cached: templates compile once per process).

    Block tags on a line of their own leave no trace (``trim_blocks``, ``lstrip_blocks``); a
    block tag that ends a line of text keeps that line's newline only when written ``+%}``.
    Undefined names are errors, not empty text.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("quanheng.report", "templates"),
        autoescape=kind == "html",
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=kind == "md",
    )
    if kind == "md":
        env.filters.update(md=md_text, md_link=md_link, md_path=md_path)
    return env


def fmt_value(x: bool | float, lang: Lang = "en", sig: int = 4) -> str:
    """A raw value as a person would write it: yes/no (是/否), or a readable number (535万,
    5.35 M, 79.02) of at most ``sig`` significant digits (see :func:`.i18n.fmt_number`)."""
    return i18n.fmt_value(x, lang, sig)


def interval(view: SubjectView, node: str) -> str:
    """A subject's simulated interval for ``node``, or an em dash without a simulation."""
    iv = view.intervals.get(node)
    return fmt_interval(*iv) if iv else "—"


def context(lang: Lang) -> dict[str, Any]:
    """What every report template may call, in ``lang``: ``t`` for the report's own words,
    ``tx`` for the study's text and ``quote`` for quotes (both drawable), the number formats of
    :mod:`.i18n` (``fmt_value``, ``fmt_range`` in ``lang``), :func:`interval` and ``safe_url``."""

    def tr(key: str, **fields: object) -> str:
        return t(key, lang, **fields)

    def tx(value: str | Text | None) -> str:
        """User text (a plain string or ``{zh, en}``) in ``lang``, every character drawable."""
        return drawable(local(value, lang), lang, uncovered_chars)

    def quote(text: str) -> str:
        """A quote for display: Markdown markup dropped, every character drawable."""
        return drawable(plain_quote(text), lang, uncovered_chars)

    def value(x: bool | float, sig: int = 4) -> str:
        return fmt_value(x, lang, sig)

    def value_range(
        low: float | None, high: float | None, like: float | None = None, sig: int = 4
    ) -> str:
        return fmt_range(low, high, lang, like, sig)

    return {
        "lang": lang,
        "t": tr,
        "tx": tx,
        "quote": quote,
        "fmt_score": fmt_score,
        "fmt_pct": fmt_pct,
        "fmt_value": value,
        "fmt_range": value_range,
        "setting": lambda key: i18n.setting(key, lang),
        "interval": interval,
        "safe_url": safe_url,
    }
