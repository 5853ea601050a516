"""The result of scoring one study under one profile.

A :class:`Scorecard` is immutable and self-contained: subjects with their names, gate outcomes
with the evidence that decided them, raw and normalised leaf values, every node's score and
coverage, ranks, the weights used and content hashes of the inputs — enough to print, chart or
reproduce it without the study at hand.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, PrivateAttr

from quanheng import _lazy
from quanheng._files import did_you_mean
from quanheng.errors import InputError
from quanheng.scoring.gates import SubjectGates
from quanheng.scoring.matrix import IndicatorMatrix
from quanheng.scoring.sparse import SparseLeaf
from quanheng.text import Lang, Name

if TYPE_CHECKING:
    import pandas as pd

    from quanheng.measure.measurement import Measurement
    from quanheng.study import Study

__all__ = ["Scorecard", "Status"]

Status = Literal["ranked", "flagged", "excluded", "unranked"]


class Scorecard(BaseModel):
    """Scores of every subject and node under one profile."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    study: str
    framework: str
    framework_version: str
    profile: str
    aggregation: str
    missing: str
    gate_policy: str
    subjects: tuple[str, ...]
    subject_names: tuple[Name, ...]
    node_ids: tuple[str, ...]
    node_names: tuple[Name, ...]
    depth: np.ndarray
    n_leaves: int
    raw: np.ndarray
    normalised: np.ndarray
    scores: np.ndarray
    coverage: np.ndarray
    ranks: np.ndarray
    weights: np.ndarray
    global_weights: np.ndarray
    gates: tuple[SubjectGates, ...]
    cohort_relative: tuple[str, ...]
    digests: dict[str, str]
    matrix: IndicatorMatrix | None = None
    """The raw matrix the card was scored from: leaf intervals, origin and provenance."""
    cohorts: tuple[str, ...] = ()
    """Each subject's cohort (its kind: vendors and models are normalised and ranked apart)."""
    sparse: tuple[SparseLeaf, ...] = ()
    """Cohort-relative leaves scored on an absolute scale: their cohort had fewer than 3 values."""
    warnings: tuple[str, ...] = ()
    """Settings under which the ranking means little (e.g. geometric aggregation with zeros)."""
    _study: Study | None = PrivateAttr(default=None)
    """The study it was scored from (set by :func:`~quanheng.score`; not part of the JSON): the
    notebook view draws the landscape from it."""

    # ------------------------------------------------------------------ access
    @property
    def overall(self) -> np.ndarray:
        """Overall scores (NaN for subjects screened out)."""
        return self.scores[:, -1]

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Ids of the dimensions (the root's children), in framework order."""
        return tuple(i for i, d in zip(self.node_ids, self.depth, strict=True) if d == 1)

    @property
    def first_level(self) -> tuple[str, ...]:
        """Ids of the first-level indicators."""
        return tuple(i for i, d in zip(self.node_ids, self.depth, strict=True) if d == 2)

    def column(self, node_id: str) -> np.ndarray:
        """Scores of one node for every subject."""
        return self.scores[:, self.node_index(node_id)]

    def index(self, subject: str) -> int:
        """The position of ``subject`` in :attr:`subjects`.

        Raises:
            InputError: no such subject (with the nearest ids: "did you mean").
        """
        try:
            return self.subjects.index(subject)
        except ValueError:
            raise _unknown("subject", subject, self.subjects, self.study) from None

    def node_index(self, node_id: str) -> int:
        """The position of ``node_id`` (a node of the framework, or ``overall``) in
        :attr:`node_ids`.

        Raises:
            InputError: no such node (with the nearest ids: "did you mean").
        """
        try:
            return self.node_ids.index(node_id)
        except ValueError:
            raise _unknown("node", node_id, self.node_ids, self.study) from None

    def status(self, subject: str) -> Status:
        """``ranked``, ``flagged`` (ranked, a gate unverified or failed), ``excluded`` (screened
        out by a gate) or ``unranked`` (passed the gates, but no weighted leaf has data).

        This one status is what every output shows: the CLI, JSON, frame and reports.
        """
        return self._status(self.index(subject))

    def _status(self, i: int) -> Status:
        gate = self.gates[i].status
        if gate != "excluded" and self.ranks[i] == 0:
            return "unranked"
        return gate

    def reason(self, subject: str) -> str:
        """Why a subject has its status, in a few words (empty when plainly ranked)."""
        i = self.index(subject)
        reason = self.gates[i].reason
        if self._status(i) == "unranked":
            return "; ".join(r for r in (reason, "no indicator evidence: unranked") if r)
        return reason

    def sparse_leaf(self, subject: str, leaf: str) -> SparseLeaf | None:
        """The sparse-leaf record behind a cell of ``subject``, if its cohort had < 3 values."""
        cohort = self.cohort(subject)
        return next((s for s in self.sparse if s.cohort == cohort and s.leaf == leaf), None)

    def lone_datum(self, subject: str, leaf: str) -> bool:
        """Whether this cell has a value that its cohort gave fewer than three of (flag it)."""
        i = self.index(subject)
        j = self.node_index(leaf)
        return not math.isnan(float(self.raw[i, j])) and self.sparse_leaf(subject, leaf) is not None

    def order(self) -> list[int]:
        """Subject positions, cohort by cohort (first-seen order): ranked ones by rank (ties by
        id), then the rest by id. Ranks restart in each cohort, so cohorts are never interleaved.
        """
        cohorts = self.cohorts or ("",) * len(self.subjects)
        out: list[int] = []
        for cohort in dict.fromkeys(cohorts):
            members = [i for i in range(len(self.subjects)) if cohorts[i] == cohort]
            ranked = [i for i in members if self.ranks[i] > 0]
            rest = [i for i in members if self.ranks[i] == 0]
            ranked.sort(key=lambda i: (int(self.ranks[i]), self.subjects[i]))
            rest.sort(key=lambda i: self.subjects[i])
            out += ranked + rest
        return out

    def cohort(self, subject: str) -> str:
        """The cohort (kind) of ``subject``; empty when the card has none."""
        i = self.index(subject)
        return self.cohorts[i] if self.cohorts else ""

    def name(self, subject: str, lang: Lang = "en") -> str:
        """Display name of a subject."""
        return self.subject_names[self.index(subject)].get(lang)

    def measured_cells(self, subject: str) -> dict[str, dict[str, Any]]:
        """Leaves of ``subject`` whose value was measured: value, interval and provenance.

        The provenance lists the run ids first (then any hand-entered evidence the measurement
        overrode); the run ids name rows of the study's run store (``quanheng runs STUDY``), so
        every measured number in a scorecard traces back to the requests and answers behind it.

        An imported value (``quanheng import``) also carries ``n``, ``se``, ``interval`` (how
        low/high were computed) and ``origin`` (harness, version, task, file, SHA-256, dates);
        its provenance id is ``import:<sha256[:12]>``. Where several measurements of one leaf
        exist, the one shown comes with ``conflicts``: the others, not merged, each with its
        own value, interval and origin (the precedence: :func:`quanheng.scoring.matrix.precedence`).
        """
        m = self.matrix
        if m is None or subject not in m.subjects:
            return {}
        row = m.subjects.index(subject)
        out: dict[str, dict[str, Any]] = {}
        for col, leaf in enumerate(m.leaves):
            if m.origin.get((subject, leaf)) != "measured":
                continue
            cell: dict[str, Any] = {
                "value": _num(m.values[row, col]),
                "low": _num(m.low[row, col]),
                "high": _num(m.high[row, col]),
                "provenance": list(m.provenance.get((subject, leaf), ())),
            }
            shown = m.measured.get((subject, leaf))
            others = m.conflicts.get((subject, leaf), ())
            if shown is not None and (shown.imported is not None or others):
                cell.update(_measurement_origin(shown))
            if others:
                cell["conflicts"] = [
                    {
                        "value": _num(o.value),
                        "low": _num(o.low),
                        "high": _num(o.high),
                        "provenance": list(o.runs),
                        **_measurement_origin(o),
                    }
                    for o in others
                ]
            out[leaf] = cell
        return out

    # ------------------------------------------------------------------ export
    def to_frame(self, lang: Lang = "en") -> pd.DataFrame:
        """One row per subject, cohort by cohort in rank order (:meth:`order`): name, cohort,
        rank, overall, dimensions, coverage, status, reason.

        Ranks restart in each cohort (vendors and models are ranked apart), so the ``cohort``
        column says which ranking a rank belongs to; ranks are integers (pandas ``Int64``),
        ``<NA>`` for subjects without one.
        """
        rows = []
        cov = self.coverage[:, -1]
        for i in self.order():
            gates = self.gates[i]
            row: dict[str, Any] = {
                "subject": self.subjects[i],
                "name": self.subject_names[i].get(lang),
                "cohort": self.cohorts[i] if self.cohorts else "",
                "rank": int(self.ranks[i]) if self.ranks[i] > 0 else None,
                "overall": _num(self.overall[i]),
            }
            for dim in self.dimensions:
                row[dim] = _num(self.column(dim)[i])
            row["coverage"] = _num(cov[i]) if gates.status != "excluded" else None
            row["status"] = self._status(i)
            row["reason"] = self.reason(self.subjects[i])
            rows.append(row)
        import pandas as pd  # ≈ 0.2 s to import; only this method needs it

        frame = pd.DataFrame(rows).set_index("subject")
        frame["rank"] = frame["rank"].astype("Int64")
        return frame

    # ------------------------------------------------------------------ notebooks
    def _repr_html_(self) -> str | None:
        """The ranking by cohort and the landscape, for Jupyter (``quanheng.report.notebook``)."""
        return _lazy.display(self, "html")

    def _repr_markdown_(self) -> str | None:
        """The ranking by cohort as Markdown tables."""
        return _lazy.display(self, "markdown")

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-ready dict; NaN becomes null."""
        subjects = []
        for i, sid in enumerate(self.subjects):
            g = self.gates[i]
            subjects.append(
                {
                    "id": sid,
                    "name": self.subject_names[i].model_dump(),
                    "cohort": self.cohorts[i] if self.cohorts else None,
                    "rank": int(self.ranks[i]) if self.ranks[i] > 0 else None,
                    "status": self._status(i),
                    "reason": self.reason(sid),
                    "overall": _num(self.overall[i]),
                    "coverage": _num(self.coverage[i, -1]),
                    "scores": {n: _num(self.scores[i, k]) for k, n in enumerate(self.node_ids)},
                    "node_coverage": {
                        n: _num(self.coverage[i, k]) for k, n in enumerate(self.node_ids)
                    },
                    "raw": {self.node_ids[j]: _num(self.raw[i, j]) for j in range(self.n_leaves)},
                    "measured": self.measured_cells(sid),
                    "gates": [
                        {
                            "gate": r.gate,
                            "status": r.status,
                            "evidence": [
                                {"ref": e.ref, "quote": e.quote, "source": e.source.title}
                                for e in r.records
                            ],
                        }
                        for r in g.results
                    ],
                }
            )
        return {
            "format": "quanheng/scorecard@1",
            "study": self.study,
            "framework": {"id": self.framework, "version": self.framework_version},
            "profile": self.profile,
            "settings": {
                "aggregation": self.aggregation,
                "missing": self.missing,
                "gate_policy": self.gate_policy,
            },
            "nodes": [
                {
                    "id": n,
                    "name": self.node_names[k].model_dump(),
                    "depth": int(self.depth[k]),
                    "weight": _num(self.weights[k]),
                    "global_weight": _num(self.global_weights[k]),
                }
                for k, n in enumerate(self.node_ids)
            ],
            "cohort_relative": list(self.cohort_relative),
            "sparse_leaves": [s.to_dict() for s in self.sparse],
            "warnings": list(self.warnings),
            "digests": dict(sorted(self.digests.items())),
            "subjects": subjects,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """Deterministic JSON: the same inputs give byte-identical output."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, sort_keys=False)


def _unknown(what: str, given: str, known: tuple[str, ...], study: str) -> InputError:
    shown = ", ".join(known[:12]) + (f" … ({len(known)} in all)" if len(known) > 12 else "")
    return InputError.single(
        f"scorecard of {study}",
        None,
        f"no {what} {given!r}{did_you_mean(given, list(known))}",
        f"use one of: {shown}",
    )


def _measurement_origin(m: Measurement) -> dict[str, Any]:
    """``n`` and where a measured value came from: ``run`` or the imported file's origin."""
    if m.imported is None:
        return {"n": m.n, "origin": "run"}
    src = m.imported
    return {
        "n": m.n,
        "se": src.se,
        "interval": src.interval,
        "origin": {
            "harness": src.harness,
            "version": src.harness_version,
            "task": src.task,
            "metric": src.source_metric,
            "model": src.model,
            "file": src.file,
            "sha256": src.sha256,
            "date": src.date,
            "imported": src.imported,
            "preferred": src.preferred,
        },
    }


def _num(x: float | np.floating[Any]) -> float | None:
    value = float(x)
    return None if math.isnan(value) else value
