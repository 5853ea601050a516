"""Scoring a study: gates → normalise → weight → aggregate → rank, in one pass, without I/O.

:func:`score` is the public entry: it takes the study and the measurements (read once from the
run store by the caller, :func:`quanheng.measure.collect`) and returns the
:class:`~quanheng.scoring.scorecard.Scorecard`, which every later stage — analysis,
recommendation, report, the workbench — takes as its input instead of scoring again.
:func:`score_matrix` does the work on an assembled matrix and is what benchmarks call; the
arithmetic itself is in :mod:`quanheng.mcda`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from quanheng.evidence import Cell
from quanheng.framework import Framework
from quanheng.mcda.aggregate import aggregate, rank_desc
from quanheng.measure.measurement import Measurement
from quanheng.scoring.gates import SubjectGates, evaluate_gates
from quanheng.scoring.matrix import IndicatorMatrix, assemble
from quanheng.scoring.scorecard import Scorecard
from quanheng.scoring.sparse import SparseLeaf, resolve_sparse
from quanheng.scoring.weighting import profile_weights
from quanheng.specs.normalisation import normalise_matrix
from quanheng.study import Study
from quanheng.text import Name

__all__ = ["ScoringContext", "score", "score_matrix", "study_digests"]


@dataclass(frozen=True, slots=True)
class ScoringContext:
    """What a scorecard records besides the numbers: whose study, which policies, which inputs.

    Attributes:
        study_id: the study's id.
        profile: the profile's id.
        subject_names: each subject's bilingual name, in matrix order.
        aggregation: ``arithmetic`` or ``geometric``.
        missing: ``drop``, ``worst`` or ``median``.
        gate_policy: ``exclude`` or ``flag``.
        digests: content hashes of the inputs (see :func:`study_digests`).
        groups: each subject's kind; each kind is normalised and ranked as its own cohort.
            ``None``: one cohort.
    """

    study_id: str
    profile: str
    subject_names: tuple[Name, ...]
    aggregation: str
    missing: str
    gate_policy: str
    digests: dict[str, str]
    groups: tuple[str, ...] | None = None


def score(
    study: Study,
    profile: str | None = None,
    *,
    measurements: Iterable[Measurement] = (),
    aggregation: str | None = None,
    missing: str | None = None,
) -> Scorecard:
    """Score a study under a profile (``None`` = the framework's own weights).

    Args:
        study: a loaded study.
        profile: a profile id of the study.
        measurements: measured metrics to merge into the matrix, as
            :func:`quanheng.measure.collect` reads them from the run store; none by default
            (scoring never reads a store itself).
        aggregation: override the framework's ``arithmetic``/``geometric``.
        missing: override the framework's missing-data policy (``drop``/``worst``/``median``).
    """
    fw = study.framework
    prof = study.profile(profile)
    measurements = list(measurements)
    matrix = assemble(study, measurements)
    gates = evaluate_gates(
        matrix.subjects,
        fw.gate_ids,
        inherited_gate_cells(study),
        on_fail=study.spec.gate_policy,
        on_unknown=study.spec.unknown_gate,
    )
    cohort = np.array([g.status != "excluded" for g in gates], dtype=bool)
    weights = profile_weights(study, prof, matrix, cohort=cohort)
    by_id = {s.id: s for s in study.subjects}
    context = ScoringContext(
        study_id=study.id,
        profile=prof.id,
        subject_names=tuple(by_id[s].name for s in matrix.subjects),
        aggregation=aggregation or fw.aggregation,
        missing=missing or fw.missing,
        gate_policy=study.spec.gate_policy,
        digests=study_digests(study, measurements),
        groups=tuple(by_id[s].kind for s in matrix.subjects),
    )
    card = score_matrix(matrix, fw, gates, weights, context)
    card._study = study  # for the notebook view's landscape; not part of the card's JSON
    return card


def inherited_gate_cells(study: Study) -> dict[tuple[str, str], Cell]:
    """Gate evidence, where a model without its own inherits its vendor's.

    Entry baselines are about the vendor (market presence, full stack, commercial base), so a
    model passes or fails them with its vendor unless evidence about the model itself says else.
    """
    cells = dict(study.cells)
    for subject in study.subjects:
        if subject.kind != "model" or subject.vendor is None:
            continue
        for gate in study.framework.gate_ids:
            vendor_cell = cells.get((subject.vendor, gate))
            if (subject.id, gate) not in cells and vendor_cell is not None:
                cells[(subject.id, gate)] = vendor_cell
    return cells


def score_matrix(
    matrix: IndicatorMatrix,
    fw: Framework,
    gates: tuple[SubjectGates, ...],
    weights: np.ndarray,
    context: ScoringContext,
) -> Scorecard:
    """Score an assembled matrix.

    The cohort is every subject not excluded by a gate; ``context.groups`` (the subjects' kinds)
    split it into separately normalised and ranked cohorts.
    """
    tree = fw.compiled
    cohort = np.array([g.status != "excluded" for g in gates], dtype=bool)
    groups = context.groups
    kinds = np.array(groups if groups is not None else ("",) * len(gates))
    specs, directions = fw.normalisations, fw.directions
    normalised = np.full(matrix.values.shape, np.nan)
    scores = np.full((len(matrix.subjects), len(tree.ids)), np.nan)
    coverage = np.zeros_like(scores)
    ranks = np.zeros(len(matrix.subjects), dtype=np.int64)
    sparse: list[SparseLeaf] = []
    # Vendors are compared with vendors and models with models: each kind is its own cohort
    # for the cohort-relative normalisations and its own ranking.
    for kind in sorted(set(kinds.tolist())):
        members = cohort & (kinds == kind)
        if not members.any():
            continue
        used, few = resolve_sparse(matrix.values[members], specs, matrix.leaves, str(kind))
        sparse += few
        normalised[members] = normalise_matrix(matrix.values[members], used, directions)
        sc, cov = aggregate(
            normalised[members], tree, weights, method=context.aggregation, missing=context.missing
        )
        # A subject with no data at all is unrankable under every policy ("worst" would
        # otherwise rank it last on invented zeros).
        sc[cov[:, -1] == 0] = np.nan
        scores[members], coverage[members] = sc, cov
        ranks[members] = rank_desc(sc[:, -1])
    node_names = tuple(
        fw.nodes[i].name if i in fw.nodes else Name(zh="总分", en="Overall") for i in tree.ids
    )
    cohort_relative = tuple(
        leaf.id
        for leaf in fw.leaves
        if leaf.normalisation is not None and leaf.normalisation.cohort_relative
    )
    return Scorecard(
        study=context.study_id,
        framework=fw.id,
        framework_version=fw.version,
        profile=context.profile,
        aggregation=context.aggregation,
        missing=context.missing,
        gate_policy=context.gate_policy,
        subjects=matrix.subjects,
        subject_names=context.subject_names,
        node_ids=tree.ids,
        node_names=node_names,
        depth=tree.depth,
        n_leaves=tree.n_leaves,
        raw=matrix.values,
        matrix=matrix,
        cohorts=tuple(str(k) for k in kinds.tolist()),
        normalised=normalised,
        scores=scores,
        coverage=coverage,
        ranks=ranks,
        weights=weights,
        global_weights=tree.global_weights(weights),
        gates=gates,
        cohort_relative=cohort_relative,
        digests=context.digests,
        sparse=tuple(sparse),
        warnings=degenerate_warnings(normalised, scores, ranks, context),
    )


def degenerate_warnings(
    normalised: np.ndarray, scores: np.ndarray, ranks: np.ndarray, context: ScoringContext
) -> tuple[str, ...]:
    """Warnings for settings under which the ranking means little, said once on the card.

    The geometric mean of a node is 0 as soon as one child is 0 (quanheng floors scores at
    1e-6 before the logs, so the node is ≈ 0, not exactly 0): every min–max leaf gives its
    lowest subject a 0, and ``missing=worst`` makes every missing leaf a 0.
    """
    if context.aggregation != "geometric":
        return ()
    ranked = ranks > 0
    n = int(ranked.sum())
    if n == 0:
        return ()
    zeros = (
        np.nan_to_num(normalised, nan=1.0)
        if context.missing != "worst"
        else np.nan_to_num(normalised, nan=0.0)
    )
    hit = ranked & (zeros <= 0.0).any(axis=1)
    near_zero = ranked & (np.nan_to_num(scores[:, -1], nan=0.0) < 1e-3)
    out = []
    if hit.any():
        cause = (
            "missing=worst counts each missing leaf as 0"
            if context.missing == "worst"
            else "a leaf at the bottom of a min–max scale scores 0"
        )
        out.append(
            f"geometric aggregation: {int(hit.sum())} of {n} ranked subjects have a leaf scoring 0 "
            f"({cause}), and a 0 pulls every node above it to ≈ 0 — use arithmetic aggregation, "
            "or missing=drop"
        )
    if int(near_zero.sum()) >= 2:
        out.append(
            f"{int(near_zero.sum())} of {n} ranked subjects score below 0.001 overall: their "
            "order among themselves is floating-point noise, not a ranking"
        )
    return tuple(out)


def study_digests(study: Study, measurements: Iterable[Measurement] = ()) -> dict[str, str]:
    """Content hashes of the framework, the evidence and (if any) the measured values.

    The ``runs`` hash covers every measured value with its interval, item count and run ids
    (and, for an imported value, its origin), so two reports with the same hashes were computed
    from the same answers.
    """
    fw = json.dumps(study.framework.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    ev = json.dumps(sorted(r.digest for r in study.evidence), sort_keys=True, ensure_ascii=False)
    out = {
        "framework": hashlib.sha256(fw.encode("utf-8")).hexdigest()[:16],
        "evidence": hashlib.sha256(ev.encode("utf-8")).hexdigest()[:16],
    }
    # exclude_none: an own run's row hashes as it did before imported values existed
    rows = sorted(m.model_dump_json(exclude_none=True) for m in measurements)
    if rows:
        out["runs"] = hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()[:16]
    return out
