"""Results in a notebook: the ranking table and the landscape inline, and quanheng.report().

The last test runs a real notebook in an ipykernel of this interpreter (nbclient): the default
study loaded, scored, analysed and recommended, each shown as HTML.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import quanheng
from quanheng.errors import InputError
from quanheng.report.notebook import to_html, to_markdown

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "data" / "mini"
DEFAULT = ROOT / "studies" / "cn-llm-vendors-2024"


@pytest.fixture(scope="module")
def study() -> quanheng.Study:
    return quanheng.load_study(MINI)


@pytest.fixture(scope="module")
def card(study: quanheng.Study) -> quanheng.Scorecard:
    return quanheng.score(study)


@pytest.fixture(scope="module")
def analysis(study: quanheng.Study, card: quanheng.Scorecard) -> quanheng.Analysis:
    return quanheng.analyse(study, card, draws=300, seed=1)


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-subject="([^"]+)">', html)


def test_a_scorecard_shows_its_ranking_by_cohort_and_the_landscape(
    card: quanheng.Scorecard,
) -> None:
    html = card._repr_html_()
    assert html is not None
    assert _rows(html) == [card.subjects[i] for i in card.order()]
    assert "Vendors (ranked among vendors)" in html and "Models (ranked among models)" in html
    assert "Coverage" in html and "excluded" in html and "fails market" in html
    assert "P(best)" not in html  # a scorecard has no simulation
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "<?xml" not in html and "DOCTYPE" not in html  # inline, not a document
    assert 'href="http' not in svg and "<image" not in svg  # nothing fetched, no files
    markdown = card._repr_markdown_()
    assert markdown is not None and "| 1 | One | s1 |" in markdown


def test_an_analysis_shows_p_best_with_coverage_and_its_intervals(
    card: quanheng.Scorecard, analysis: quanheng.Analysis
) -> None:
    html = analysis._repr_html_()
    assert html is not None
    sim = analysis.simulation
    s1 = f"{float(sim.p_best[sim.subjects.index('s1')]):.0%}"
    row = html[html.index('<tr data-subject="s1">') :].split("</tr>")[0]
    assert "P(best)" in html and s1 in row and "90% interval" in html
    assert f"{card.coverage[card.index('s1'), -1]:.0%}" in row  # coverage beside P(best)
    assert "<svg" in html


def test_a_recommendation_shows_its_headline_and_picks(
    study: quanheng.Study, card: quanheng.Scorecard
) -> None:
    rec = quanheng.recommend(study, card, draws=300, seed=1)
    html = rec._repr_html_()
    assert html is not None
    assert rec.picks[0].name in html and "P(best)" in html and "<svg" in html
    assert rec.headline.split(":")[0] in html


def test_without_the_study_the_table_still_shows(card: quanheng.Scorecard) -> None:
    copy = card.model_copy()
    copy._study = None
    html = to_html(copy)
    assert "<svg" not in html and _rows(html) and "study is not at hand" in html


def test_markdown_in_chinese(analysis: quanheng.Analysis) -> None:
    assert "最优概率" in to_markdown(analysis, "zh")


def test_quanheng_report_writes_the_report_reusing_the_analysis(
    study: quanheng.Study,
    card: quanheng.Scorecard,
    analysis: quanheng.Analysis,
    tmp_path: Path,
) -> None:
    files = quanheng.report(
        study, card, tmp_path, analysis=analysis, langs=("en",), formats=("md",)
    )
    text = (tmp_path / "mini-study.default.report.en.md").read_text(encoding="utf-8")
    assert tmp_path / "mini-study.default.report.en.md" in files
    assert "--draws 300 --seed 1" in text  # the analysis given, not a new one
    other = quanheng.score(study, "beta-heavy")
    with pytest.raises(InputError, match="the analysis is of mini-study under 'default'"):
        quanheng.report(study, other, tmp_path, analysis=analysis, formats=("md",))


def test_quanheng_report_of_a_study_directory(tmp_path: Path) -> None:
    files = quanheng.report(MINI, out=tmp_path, langs=("en",), formats=("md",), draws=0)
    assert {p.name for p in files} >= {"mini-study.default.report.en.md"}


# --------------------------------------------------------------------------- a real notebook

CELLS = [
    "import quanheng\n"
    'study = quanheng.load_study("studies/cn-llm-vendors-2024")\n'
    "card = quanheng.score(study, 'customer-service', measurements=quanheng.collect(study))\n"
    "card",
    "analysis = quanheng.analyse(study, card, draws=500)\nanalysis",
    "rec = quanheng.recommend(study, card, draws=500)\nrec",
    "str(card.to_frame()['rank'].dtype)",
]


def _kernelspec(where: Path) -> None:
    """A kernelspec named ``quanheng-test`` that runs ipykernel in this interpreter."""
    spec = where / "kernels" / "quanheng-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "quanheng test", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")


def test_a_notebook_shows_the_ranking_and_the_landscape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    _kernelspec(tmp_path / "jupyter")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLBACKEND", "agg")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    client = nbclient.NotebookClient(
        nb,
        kernel_name="quanheng-test",
        timeout=240,
        resources={"metadata": {"path": str(ROOT)}},
    )
    client.execute()

    def html_of(cell: Any) -> str:
        shown = [o for o in cell.outputs if o.output_type == "execute_result"]
        assert shown, cell.outputs
        assert "text/html" in shown[0].data, shown[0].data.keys()
        return str(shown[0].data["text/html"])

    card_html, analysis_html, rec_html = (html_of(c) for c in nb.cells[:3])
    for name in ("Tencent", "Baidu", "SenseTime", "Alibaba", "Qwen2.5-Coder-0.5B-Instruct"):
        assert name in card_html and name in analysis_html
    for html in (card_html, analysis_html, rec_html):
        assert "<svg" in html and "Coverage" in html
    assert "P(best)" in analysis_html and "P(best)" in rec_html
    assert "Vendors (ranked among vendors)" in card_html
    assert "insufficient evidence for this use case" in rec_html
    assert nb.cells[3].outputs[0].data["text/plain"] == "'Int64'"
