"""Entry gates (quanheng.scoring.gates.evaluate_gates) on hand-made cells."""

from __future__ import annotations

from typing import Literal

import pytest

from quanheng.evidence import Cell, EvidenceRecord, Source, consolidate
from quanheng.scoring.gates import evaluate_gates

GATES = ("market", "stack")


def rec(subject: str, gate: str, value: bool, analyst: str = "a") -> EvidenceRecord:
    return EvidenceRecord(
        subject=subject,
        indicator=gate,
        value=value,
        source=Source(title="T"),
        quote=f"{subject} {gate} {value}",
        analyst=analyst,
    )


def cells() -> dict[tuple[str, str], Cell]:
    """ok passes both ; bad fails market ; half lacks stack ; split has 1 true, 1 false."""
    return consolidate(
        [
            rec("ok", "market", True),
            rec("ok", "stack", True),
            rec("bad", "market", False),
            rec("bad", "stack", True),
            rec("half", "market", True),
            rec("split", "market", True),
            rec("split", "stack", True, "a"),
            rec("split", "stack", False, "b"),
        ]
    )


SUBJECTS = ("ok", "bad", "half", "split")


def test_statuses_per_gate_and_the_records_behind_them() -> None:
    out = evaluate_gates(SUBJECTS, GATES, cells())
    assert [g.subject for g in out] == list(SUBJECTS)
    assert [[r.status for r in g.results] for g in out] == [
        ["pass", "pass"],
        ["fail", "pass"],
        ["pass", "unknown"],
        ["pass", "disputed"],
    ]
    bad = out[1]
    assert bad.failed[0].quote == "bad market False"
    assert bad.results[1].records[0].quote == "bad stack True"
    # no evidence: no record and no quote
    assert out[2].results[1].records == () and out[2].results[1].quote is None


def test_default_policy_excludes_failures_and_flags_the_unverified() -> None:
    out = evaluate_gates(SUBJECTS, GATES, cells())
    assert [g.status for g in out] == ["ranked", "excluded", "flagged", "flagged"]
    assert [g.reason for g in out] == ["", "fails market", "stack unknown", "stack disputed"]
    assert [r.gate for r in out[3].unverified] == ["stack"]


@pytest.mark.parametrize(
    ("on_fail", "on_unknown", "expected"),
    [
        ("flag", "flag", ["ranked", "flagged", "flagged", "flagged"]),
        ("exclude", "exclude", ["ranked", "excluded", "excluded", "excluded"]),
        ("exclude", "pass", ["ranked", "excluded", "ranked", "ranked"]),
        ("flag", "pass", ["ranked", "flagged", "ranked", "ranked"]),
    ],
)
def test_policies(
    on_fail: Literal["exclude", "flag"],
    on_unknown: Literal["flag", "exclude", "pass"],
    expected: list[str],
) -> None:
    out = evaluate_gates(SUBJECTS, GATES, cells(), on_fail=on_fail, on_unknown=on_unknown)
    assert [g.status for g in out] == expected


def test_a_failure_outweighs_an_unknown() -> None:
    only = consolidate([rec("x", "market", False)])
    (g,) = evaluate_gates(["x"], GATES, only, on_fail="exclude", on_unknown="pass")
    assert g.status == "excluded"
    assert g.reason == "fails market; stack unknown"


def test_no_gates_ranks_everyone() -> None:
    out = evaluate_gates(["a", "b"], (), {})
    assert [(g.status, g.results, g.reason) for g in out] == [("ranked", (), "")] * 2
