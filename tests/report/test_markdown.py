"""The Markdown report: every piece of user text inert, tables whole, images that resolve.

The bytes of the default study's report are pinned by ``tests/test_golden.py``; these tests
check what must hold for any study, with hostile text in every field a study file can set.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import quanheng
from quanheng.report import ReportAnalysis, ReportData, build_report
from quanheng.report.figures import RenderedCharts, render_charts
from quanheng.report.markdown import render_markdown
from quanheng.text import Lang

PAYLOAD = "<i>x</i>|*e*|[l](javascript:alert(1))"
"""Appended to every English name, title, quote, source and analyst of the hostile study."""


def _poison(path: Path, pattern: str) -> None:
    text = path.read_text(encoding="utf-8")
    poisoned, n = re.subn(pattern, lambda m: f'{m[1]}"{m[2]} {PAYLOAD}"{m[3]}', text)
    assert n > 0, path
    path.write_text(poisoned, encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory, mini_path: Path, report_analysis: ReportAnalysis
) -> tuple[ReportData, RenderedCharts, str]:
    root = tmp_path_factory.mktemp("hostile") / "mini"
    shutil.copytree(mini_path, root)
    names = r"(\ben: )([^,}\n\"]+)([,}])"
    facts = root / "evidence" / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    text = text.replace("source: {title: T}", 'source: {title: T, url: "https://ex.org/a(1)"}', 3)
    text = text.replace("source: {title: T}", 'source: {title: T, url: "javascript:alert(2)"}', 1)
    facts.write_text(text, encoding="utf-8")
    _poison(root / "study.yaml", names)
    _poison(root / "framework.yaml", names)
    _poison(facts, r"(\b(?:title|analyst): )([^,}\n\"]+)([,}])")
    _poison(facts, r"(\bquote: )\"([^\"]*)\"([,}])")
    study = quanheng.load_study(root)
    data = build_report(study, quanheng.score(study), report_analysis)
    charts = render_charts(data, "en", png=False)
    return data, charts, render_markdown(data, "en", "out dir.charts", charts)


def _cells(row: str) -> list[str]:
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_user_text_reaches_the_page_only_as_text(
    hostile: tuple[ReportData, RenderedCharts, str],
) -> None:
    data, _, md = hostile
    assert "<i>" not in md and "](javascript" not in md and "*e*" not in md
    shown = md.count(r"&lt;i&gt;x&lt;/i&gt;\|\*e\*\|\[l\]\(javascript:alert\(1\)\)")
    # title, framework, profile, subjects, gates, tree nodes, quotes, sources, analysts
    assert shown >= len(data.subjects) + len(data.tree) + 2 * len(data.evidence)
    # an http(s) source is a link with its target quoted; any other URL is shown, not linked
    assert md.count("](<https://ex.org/a%281%29>)") == 3
    # (the screened-out subject's gate record: in the landscape's list and in the appendix)
    assert md.count(r"\) (javascript:alert\(2\))") == 2


def test_every_table_row_has_its_header_s_cells(
    hostile: tuple[ReportData, RenderedCharts, str],
) -> None:
    data, _, md = hostile
    tables = re.findall(r"(?m)(?:^\|.*\|\n)+", md)
    assert len(tables) == 3  # ranking, evidence, indicator tree
    for table in tables:
        head, rule, *rows = table.splitlines()
        width = len(_cells(head))
        assert len(_cells(rule)) == width and rows
        assert all(len(_cells(row)) == width for row in rows), table
    ranking, evidence, tree = tables
    assert len(ranking.splitlines()) == 2 + len(data.subjects) + 2  # + vendor and model heads
    assert len(evidence.splitlines()) == 2 + len(data.evidence)
    assert len(tree.splitlines()) == 2 + len(data.tree)


def test_images_point_at_the_chart_files_written(
    hostile: tuple[ReportData, RenderedCharts, str],
) -> None:
    data, charts, md = hostile
    targets = re.findall(r"!\[[^\]]*\]\(([^)]*)\)", md)
    assert targets and all(t.startswith("out%20dir.charts/") for t in targets)
    files = [t.removeprefix("out%20dir.charts/") for t in targets]
    assert sorted(files) == sorted(f"{name}.svg" for name in charts.svg)  # no PNG was made
    assert sum(f.startswith("radar-") for f in files) == len(data.scored)


def test_png_is_linked_where_one_was_made(mini_data: ReportData) -> None:
    charts = render_charts(mini_data, "zh", png=True)
    md = render_markdown(mini_data, "zh", "c", charts)
    for name in charts.svg:
        ext = "png" if name in charts.png else "svg"
        assert f"(c/{name}.{ext})" in md
    assert charts.png and "radar-s1" not in charts.png


def test_without_analysis_it_says_so_and_draws_no_simulation(crowded_data: ReportData) -> None:
    charts = render_charts(crowded_data, "en", png=False)
    md = render_markdown(crowded_data, "en", "c", charts)
    assert "No simulation result was given" in md
    assert "rank-probability" not in md and "tornado" not in md
    assert md.count("(c/radar-") == len(crowded_data.scored)
    assert md.endswith("`\n") and not md.endswith("\n\n")  # the last digest, one final newline


def test_both_languages_show_the_same_numbers(mini_data: ReportData) -> None:
    def numbers(lang: Lang) -> list[str]:
        md = render_markdown(mini_data, lang, "c", render_charts(mini_data, lang, png=False))
        return re.findall(r"\d+\.\d+|\d+%", md)

    en, zh = numbers("en"), numbers("zh")
    assert len(en) > 50 and en == zh
