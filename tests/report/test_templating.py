"""The template environments: HTML autoescapes, Markdown escapes only through its filters."""

from __future__ import annotations

import math

import jinja2
import pytest

from quanheng.report.content import ReportData
from quanheng.report.templating import context, environment, fmt_value, interval


def test_html_escapes_every_value_and_markdown_only_where_told() -> None:
    html = environment("html").from_string("{{ x }}")
    md = environment("md").from_string("{{ x }} / {{ x|md }} / {{ 'T'|md_link(u) }}")
    assert html.render(x="<b>") == "&lt;b&gt;"
    assert md.render(x="<b>[a]", u="javascript:x") == r"<b>[a] / &lt;b&gt;\[a\] / T (javascript:x)"


def test_undefined_names_are_errors_not_empty_text() -> None:
    for kind in ("html", "md"):
        with pytest.raises(jinja2.UndefinedError):
            environment(kind).from_string("{{ nope }}").render()


def test_markdown_keeps_the_final_newline_and_block_lines_leave_nothing() -> None:
    template = environment("md").from_string("a\n{% if x %}\nb\n{% endif %}\nc\n")
    assert template.render(x=True) == "a\nb\nc\n"
    assert template.render(x=False) == "a\nc\n"


def test_context_speaks_the_language_asked_for() -> None:
    assert context("zh")["t"]("ranking") == "排名" and context("en")["t"]("ranking") == "Ranking"
    assert context("en")["t"]("page", n=3) == "page 3"


def test_fmt_value_writes_values_as_people_do() -> None:
    assert [fmt_value(True), fmt_value(False), fmt_value(math.nan)] == ["yes", "no", "—"]
    assert [fmt_value(0.1 + 0.2), fmt_value(1234567.0), fmt_value(2.0)] == ["0.3", "1.235 M", "2"]
    assert [fmt_value(True, "zh"), fmt_value(1234567.0, "zh")] == ["是", "123.5万"]


def test_interval_is_a_dash_without_a_simulation(mini_data: ReportData) -> None:
    one = next(s for s in mini_data.subjects if s.id == "s1")
    assert interval(one, "overall") == "[0.700, 0.850]"
    assert interval(one, "no-such-node") == "—"
