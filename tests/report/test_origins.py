"""Imported and repeated measurements in the report (quanheng.report.origins), on the mini
study: m1's measured leaf A2.1 (metric exam.accuracy) from a run, an import, or both."""

from __future__ import annotations

from pathlib import Path

import pytest

import quanheng
from quanheng.measure.measurement import ImportedFrom, Measurement
from quanheng.report import build_report
from quanheng.report.figures import render_charts
from quanheng.report.markdown import render_markdown
from quanheng.report.origins import measured_origins
from quanheng.study import Study

MINI = Path(__file__).parent.parent / "data" / "mini"

OWN = Measurement(
    subject="m1", metric="exam.accuracy", value=70.0, low=61.0, high=78.0, n=20, runs=("run-3",)
)
IMPORTED = Measurement(
    subject="m1",
    metric="exam.accuracy",
    value=55.0,
    low=50.0,
    high=60.0,
    n=40,
    runs=("import:0123456789ab",),
    imported=ImportedFrom(
        harness="lm-eval",
        harness_version="0.4.13",
        task="exam_law",
        source_metric="acc,none",
        model="m1-chat",
        file="results_2026-12-04.json",
        sha256="0123456789ab" + "0" * 52,
        date="2026-12-04T10:00:00+00:00",
        imported="2026-12-04T11:00:00+00:00",
        interval="stderr",
        se=0.03,
    ),
)


@pytest.fixture(scope="module")
def study() -> Study:
    return quanheng.load_study(MINI)


def _markdown(study: Study, measurements: list[Measurement]) -> str:
    card = quanheng.score(study, measurements=measurements)
    data = build_report(study, card, matrix=card.matrix)
    return render_markdown(data, "en", "charts", render_charts(data, "en", png=False))


def test_only_imported_or_repeated_cells_are_listed(study: Study) -> None:
    for measurements, listed in (([OWN], 0), ([IMPORTED], 1), ([OWN, IMPORTED], 1)):
        card = quanheng.score(study, measurements=measurements)
        assert card.matrix is not None
        assert len(measured_origins(card, card.matrix)) == listed


def test_a_conflict_lists_the_used_measurement_first(study: Study) -> None:
    card = quanheng.score(study, measurements=[IMPORTED, OWN])
    assert card.matrix is not None
    (cell,) = measured_origins(card, card.matrix)
    assert (cell.subject, cell.leaf, cell.conflict) == ("m1", "A2.1", True)
    used, other = cell.entries
    assert (used.source, used.shown, used.ids) == ("run", True, ("run-3",))
    assert (other.source, other.shown, other.harness, other.interval) == (
        "imported",
        False,
        "lm-eval",
        "stderr",
    )


def test_the_appendices_show_the_origin_only_when_there_is_one(study: Study) -> None:
    plain = _markdown(study, [OWN])
    assert "Imported and repeated measurements" not in plain
    assert "### Imported measurements" not in plain
    md = _markdown(study, [OWN, IMPORTED])
    appendix = md.split("## Appendix A: Evidence")[1].split("## Appendix B: Method")[0]
    assert "### Imported and repeated measurements" in appendix
    table = appendix.split("### Imported and repeated measurements")[1]
    rows = [line for line in table.splitlines() if line.startswith("|") and "A2.1" in line]
    assert len(rows) == 2
    assert "quanheng's own run `run-3`" in rows[0] and rows[0].endswith("| yes |")
    assert "lm\\-eval 0\\.4\\.13" in rows[1] and "sha256 `0123456789ab" in rows[1]
    assert "no (conflict, not merged)" in rows[1] and "the file's stderr" in rows[1]
    method = md.split("## Appendix B: Method")[1]
    assert "### Imported measurements" in method and "never merged" in method
