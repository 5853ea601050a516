"""The indicator matrix (quanheng.scoring.matrix.assemble) of the mini study.

Leaves in file order: A1.1, A1.2, A2.1 (measured, metric exam.accuracy), B1.1, B1.2. The gate
``market`` is no column. exam.csv holds A2.1: s1 80 (range 70..90) on line 2, s2 60 on line 3,
s3 40 and 50 (two analysts) on lines 4 and 5.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quanheng.measure.measurement import ImportedFrom, Measurement
from quanheng.scoring.matrix import IndicatorMatrix, assemble, precedence
from quanheng.study import Study, load_study

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
NAN = np.nan


@pytest.fixture
def study(monkeypatch: pytest.MonkeyPatch) -> Study:
    monkeypatch.chdir(MINI)  # evidence refs relative to the study: evidence/exam.csv:2
    return load_study(MINI)


def measured(subject: str, value: float, low: float, high: float, *runs: str) -> Measurement:
    return Measurement(
        subject=subject, metric="exam.accuracy", value=value, low=low, high=high, n=20, runs=runs
    )


def test_evidence_only(study: Study) -> None:
    m = assemble(study)
    assert m.subjects == ("s1", "s2", "s3", "out", "m1")
    assert m.leaves == ("A1.1", "A1.2", "A2.1", "B1.1", "B1.2")
    np.testing.assert_array_equal(m.values[:, 2], [80.0, 60.0, 45.0, NAN, NAN])
    np.testing.assert_array_equal(m.low[:, 2], [70.0, 60.0, 40.0, NAN, NAN])
    np.testing.assert_array_equal(m.high[:, 2], [90.0, 60.0, 50.0, NAN, NAN])
    np.testing.assert_array_equal(m.spread[:, 2], [0.0, 0.0, 10.0, 0.0, 0.0])
    assert m.origin[("s3", "A2.1")] == "evidence"
    assert m.provenance[("s3", "A2.1")] == ("evidence/exam.csv:4", "evidence/exam.csv:5")
    assert m.provenance[("s1", "A1.1")] == ("evidence/facts.yaml:8",)
    # 'out' keeps its value: gates screen at scoring, not here
    assert m.values[3, 0] == 1000.0
    assert ("s1", "market") not in m.origin


def test_present_mask(study: Study) -> None:
    present = assemble(study).present
    assert present.tolist() == [
        [True, True, True, True, True],
        [True, True, True, True, True],
        [True, False, True, True, False],
        [True, False, False, False, False],
        [False, False, False, False, False],
    ]


def test_a_measurement_wins_over_evidence_which_stays_in_the_provenance(study: Study) -> None:
    m = assemble(study, [measured("s1", 95.0, 90.0, 99.0, "run-1", "run-2")])
    assert (m.values[0, 2], m.low[0, 2], m.high[0, 2], m.spread[0, 2]) == (95.0, 90.0, 99.0, 0.0)
    assert m.origin[("s1", "A2.1")] == "measured"
    assert m.provenance[("s1", "A2.1")] == ("run-1", "run-2", "evidence/exam.csv:2")
    # the other subjects keep their evidence
    assert m.values[1, 2] == 60.0 and m.origin[("s2", "A2.1")] == "evidence"


def test_a_measurement_fills_an_empty_cell(study: Study) -> None:
    m = assemble(study, [measured("m1", 70.0, 61.0, 78.0, "run-3")])
    assert (m.values[4, 2], m.low[4, 2], m.high[4, 2]) == (70.0, 61.0, 78.0)
    assert m.origin[("m1", "A2.1")] == "measured"
    assert m.provenance[("m1", "A2.1")] == ("run-3",)


def test_measurements_of_unknown_metrics_or_subjects_are_ignored(study: Study) -> None:
    plain = assemble(study)
    other = Measurement(subject="s1", metric="math.accuracy", value=1, low=1, high=1, n=1)
    stranger = measured("nobody", 99.0, 99.0, 99.0, "run-9")
    m = assemble(study, [other, stranger])
    np.testing.assert_array_equal(m.values, plain.values)
    assert m.origin == plain.origin


def test_take_reorders_rows(study: Study) -> None:
    m = assemble(study)
    part: IndicatorMatrix = m.take(["s3", "s1"])
    assert part.subjects == ("s3", "s1")
    np.testing.assert_array_equal(part.values[:, 0], [30.0, 10.0])
    np.testing.assert_array_equal(part.low[:, 2], [40.0, 70.0])
    np.testing.assert_array_equal(part.high[:, 2], [50.0, 90.0])
    np.testing.assert_array_equal(part.spread[:, 2], [10.0, 0.0])
    assert part.leaves == m.leaves
    # the original is untouched
    assert m.subjects == ("s1", "s2", "s3", "out", "m1")


def _imported(value: float, when: str, *, preferred: bool = False) -> Measurement:
    origin = ImportedFrom(
        harness="lm-eval",
        harness_version="0.4.13",
        task="exam",
        source_metric="acc,none",
        model=None,
        file=f"results_{when}.json",
        sha256=when * 8,
        date=None,
        imported=when,
        interval="stderr",
        se=0.1,
        preferred=preferred,
    )
    return Measurement(
        subject="m1",
        metric="exam.accuracy",
        value=value,
        low=value - 1,
        high=value + 1,
        n=10,
        runs=(f"import:{when}",),
        imported=origin,
    )


def test_own_run_is_shown_and_an_import_of_the_same_cell_kept_as_a_conflict(study: Study) -> None:
    own = measured("m1", 70.0, 61.0, 78.0, "run-3")
    m = assemble(study, [_imported(50.0, "2026-12-01"), own])
    assert m.values[4, 2] == 70.0 and m.provenance[("m1", "A2.1")] == ("run-3",)
    assert m.measured[("m1", "A2.1")] == own
    assert [c.value for c in m.conflicts[("m1", "A2.1")]] == [50.0]


def test_precedence_preferred_import_then_own_run_then_newest_import() -> None:
    own = measured("m1", 70.0, 61.0, 78.0, "run-3")
    old, new = _imported(40.0, "2026-11-01"), _imported(50.0, "2026-12-01")
    assert precedence([old, own, new]) == [own, new, old]
    preferred = _imported(60.0, "2026-10-01", preferred=True)
    assert precedence([old, own, preferred, new]) == [preferred, own, new, old]


def test_one_measurement_per_cell_has_no_conflict(study: Study) -> None:
    m = assemble(study, [_imported(50.0, "2026-12-01")])
    assert m.values[4, 2] == 50.0 and m.conflicts == {}
    assert m.provenance[("m1", "A2.1")] == ("import:2026-12-01",)
