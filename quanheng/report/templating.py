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
import math
from typing import TYPE_CHECKING, Any, Literal

import jinja2

from quanheng.report.escape import md_link, md_path, md_text, safe_url
from quanheng.report.i18n import fmt_interval, fmt_pct, fmt_score, t
from quanheng.text import Lang

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


def fmt_value(x: bool | float) -> str:
    """A raw value as a person would write it: true/false, or up to 6 significant digits."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if math.isnan(x):
        return "—"
    return f"{x:.6g}"


def interval(view: SubjectView, node: str) -> str:
    """A subject's simulated interval for ``node``, or an em dash without a simulation."""
    iv = view.intervals.get(node)
    return fmt_interval(*iv) if iv else "—"


def context(lang: Lang) -> dict[str, Any]:
    """What every report template may call, in ``lang``: ``t`` for the report's own words,
    the number formats of :mod:`.i18n`, :func:`fmt_value`, :func:`interval` and ``safe_url``."""

    def tr(key: str, **fields: object) -> str:
        return t(key, lang, **fields)

    return {
        "lang": lang,
        "t": tr,
        "fmt_score": fmt_score,
        "fmt_pct": fmt_pct,
        "fmt_value": fmt_value,
        "interval": interval,
        "safe_url": safe_url,
    }
