"""What every page shares: the template environment, the language, the CSRF check.

Templates are rendered with autoescaping on, so every string from a study, a record or a form
is escaped; the few pieces of markup the server builds itself (SVG charts) are marked safe
where they are made, from escaped parts.
"""

from __future__ import annotations

import hmac
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from quanheng.report.i18n import fmt_pct, fmt_score, fmt_value
from quanheng.text import Lang, local
from quanheng.web.state import Workbench
from quanheng.web.words import say

__all__ = [
    "STATIC",
    "Settings",
    "bench_of",
    "check_csrf",
    "checked_form",
    "lang_of",
    "render",
    "text_field",
]

HERE = Path(__file__).parent
STATIC = HERE / "static"
LANG_COOKIE = "quanheng_lang"


@dataclass(frozen=True)
class Settings:
    """Per-server settings the pages need."""

    csrf: str
    python: str | None = None


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if isinstance(x, bool):
        return "true" if x else "false"
    return fmt_score(float(x), digits)


def _pct(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return fmt_pct(float(x))


_ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["num"] = _num
_ENV.filters["pct"] = _pct
_ENV.filters["pretty"] = lambda x: json.dumps(x, ensure_ascii=False, indent=1, default=str)


def bench_of(request: Request) -> Workbench:
    """The app's :class:`~quanheng.web.state.Workbench`."""
    bench: Workbench = request.app.state.bench
    return bench


def lang_of(request: Request) -> Lang:
    """``?lang=`` when given, else the language cookie, else English."""
    given = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "en"
    return "zh" if given == "zh" else "en"


def render(
    request: Request, template: str, values: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """A page: ``template`` with ``values`` and what every page shows."""
    lang = lang_of(request)
    settings: Settings = request.app.state.settings
    bench = bench_of(request)
    try:
        study = bench.study()
        title = study.spec.title.get(lang)
    except Exception:  # the error page must render even when the study does not load
        title = bench.study_dir.name
    query = {k: v for k, v in request.query_params.items() if k not in ("lang", "token")}
    other: Lang = "en" if lang == "zh" else "zh"
    switch = str(request.url.path) + "?" + urlencode({**query, "lang": other})

    def w(key: str, **fields: object) -> str:
        return say(key, lang, **fields)

    def loc(value: Any) -> str:
        return local(value, lang)

    def val(value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        return fmt_value(value, lang)

    html = _ENV.get_template(template).render(
        {
            "lang": lang,
            "w": w,
            "loc": loc,
            "val": val,
            "csrf": settings.csrf,
            "study_title": title,
            "switch_url": switch,
            "path": request.url.path,
            **values,
        }
    )
    response = HTMLResponse(html, status_code=status)
    if "lang" in request.query_params:
        response.set_cookie(LANG_COOKIE, lang, samesite="strict", httponly=True)
    return response


def check_csrf(request: Request, form: FormData | None = None) -> None:
    """403 unless the request carries this server's CSRF token (header or form field)."""
    settings: Settings = request.app.state.settings
    given = request.headers.get("x-csrf-token")
    if given is None and form is not None:
        value = form.get("csrf")
        given = value if isinstance(value, str) else None
    if given is None or not hmac.compare_digest(given.encode(), settings.csrf.encode()):
        raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page")


async def checked_form(request: Request) -> FormData:
    """The posted form, after the CSRF check."""
    form = await request.form()
    check_csrf(request, form)
    return form


def text_field(form: FormData, name: str) -> str:
    """A form field as stripped text ('' when absent or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
