"""Entry baselines: which subjects pass the gates, on what evidence.

A gate passes on evidence ``true`` and fails on ``false``; with no evidence it is ``unknown`` and
with an even split of analysts ``disputed``. What a failure or an unknown does to the subject
(exclude it from ranking, or rank it with a flag) is the study's policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from quanheng.evidence import Cell, EvidenceRecord

__all__ = ["GateResult", "SubjectGates", "evaluate_gates"]

GateStatus = Literal["pass", "fail", "unknown", "disputed"]


class GateResult(BaseModel):
    """One gate for one subject, with the evidence behind it."""

    model_config = ConfigDict(frozen=True)

    gate: str
    status: GateStatus
    records: tuple[EvidenceRecord, ...] = ()

    @property
    def quote(self) -> str | None:
        """The first record's quote, for one-line explanations."""
        return self.records[0].quote if self.records else None


class SubjectGates(BaseModel):
    """All gate results of one subject and what they mean for its ranking."""

    model_config = ConfigDict(frozen=True)

    subject: str
    results: tuple[GateResult, ...]
    status: Literal["ranked", "flagged", "excluded"]

    @property
    def failed(self) -> tuple[GateResult, ...]:
        """Gates that evidence says the subject fails."""
        return tuple(r for r in self.results if r.status == "fail")

    @property
    def unverified(self) -> tuple[GateResult, ...]:
        """Gates with no evidence or split evidence."""
        return tuple(r for r in self.results if r.status in ("unknown", "disputed"))

    @property
    def reason(self) -> str:
        """Why the subject is flagged or excluded (empty when ranked cleanly)."""
        parts = [f"fails {r.gate}" for r in self.failed]
        parts += [f"{r.gate} {r.status}" for r in self.unverified]
        return "; ".join(parts)


def evaluate_gates(
    subjects: Sequence[str],
    gates: Sequence[str],
    cells: Mapping[tuple[str, str], Cell],
    *,
    on_fail: Literal["exclude", "flag"] = "exclude",
    on_unknown: Literal["flag", "exclude", "pass"] = "flag",
) -> tuple[SubjectGates, ...]:
    """Evaluate every gate for every subject and decide each subject's status."""
    out: list[SubjectGates] = []
    for subject in subjects:
        results: list[GateResult] = []
        for gate in gates:
            cell = cells.get((subject, gate))
            if cell is None:
                results.append(GateResult(gate=gate, status="unknown"))
                continue
            status: GateStatus
            if cell.status == "disputed":
                status = "disputed"
            else:
                status = "pass" if cell.value >= 0.5 else "fail"
            results.append(GateResult(gate=gate, status=status, records=cell.records))
        failed = any(r.status == "fail" for r in results)
        unverified = any(r.status in ("unknown", "disputed") for r in results)
        decision: Literal["ranked", "flagged", "excluded"] = "ranked"
        if failed:
            decision = "excluded" if on_fail == "exclude" else "flagged"
        elif unverified and on_unknown != "pass":
            decision = "excluded" if on_unknown == "exclude" else "flagged"
        out.append(SubjectGates(subject=subject, results=tuple(results), status=decision))
    return tuple(out)
