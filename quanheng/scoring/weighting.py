"""A profile's weights for the compiled tree: expert overrides, AHP, then the objective mix.

A use case is a weight set, and :func:`profile_weights` resolves one into the local weights of
:class:`~quanheng.framework.CompiledTree` (one per node, summing to 1 under each parent), in
three steps that a report can explain one by one:

1. **expert overrides** — the profile's ``weights`` replace the framework's (rescaled per parent
   with ``normalise``);
2. **AHP** — each parent with pairwise judgements gets its children's weights from the principal
   eigenvector (the study loader has already refused CR > 0.1);
3. **objective mix** — for each parent in scope, entropy or CRITIC weights over the children's
   scores across the cohort, mixed in with the profile's stated share. Parents are visited
   children first, so a parent's objective weights see its children's scores under their final
   weights.

Objective weights need data: they are computed from normalised leaf scores of the cohort (point
values, not simulation draws — a profile is a statement of preference, not a random variable).
A parent whose children nothing separates (constant or too sparse) keeps its subjective weights,
which is what "the data cannot tell them apart" should mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quanheng.errors import WeightError
from quanheng.framework import Framework
from quanheng.mcda.aggregate import aggregate, fill_missing
from quanheng.mcda.tree import CompiledTree
from quanheng.mcda.weights import ahp, ahp_matrix, critic_weights, entropy_weights, mix_weights
from quanheng.scoring.matrix import IndicatorMatrix
from quanheng.scoring.sparse import resolve_sparse
from quanheng.specs.normalisation import normalise_matrix
from quanheng.study import Profile, Study

__all__ = [
    "Rescaled",
    "normalised_scores",
    "profile_weights",
    "rescaled_weights",
    "subjective_weights",
]


@dataclass(frozen=True, slots=True)
class Rescaled:
    """A weight the author wrote that ``normalise: true`` changed before scoring.

    Attributes:
        node: the node whose local weight was written.
        parent: its parent.
        written: the weight as written in the profile.
        used: the weight scoring uses, after the parent's weights were rescaled to sum to 1.
        total: what the parent's weights summed to before rescaling.
    """

    node: str
    parent: str
    written: float
    used: float
    total: float


def rescaled_weights(tree: CompiledTree, profile: Profile) -> tuple[Rescaled, ...]:
    """The profile's written weights that rescaling changes, so nobody is surprised by them.

    With ``normalise: true`` each parent touched by the profile's ``weights`` has its children's
    weights rescaled to sum to 1: ``P4.4: 0.6`` next to untouched siblings summing to 0.75 is
    used as 0.444. Weights that already sum to 1 (within 1e-9) are not reported.
    """
    if not profile.normalise:
        return ()
    raw = tree.with_weights(profile.weights, rescale=False)
    used = tree.with_weights(profile.weights, rescale=True)
    out = []
    for node in profile.weights:
        i = tree.index[node]
        p = int(tree.parent[i])
        total = float(raw[tree.children[p]].sum())
        if abs(total - 1.0) > 1e-9 and total > 0:
            out.append(Rescaled(node, tree.ids[p], float(raw[i]), float(used[i]), total))
    return tuple(out)


def subjective_weights(tree: CompiledTree, profile: Profile) -> np.ndarray:
    """Local weights from the framework, the profile's overrides and its AHP judgements.

    Args:
        tree: the compiled framework tree.
        profile: a validated profile (AHP judgements complete and consistent).

    Returns:
        ``(N,)`` local weights in the tree's node order.
    """
    weights = tree.with_weights(profile.weights, profile.normalise)
    for parent, judgements in profile.ahp.items():
        kids = tree.children[tree.index[parent]]
        items = [tree.ids[int(k)] for k in kids]
        # max_cr=None: the loader refused inconsistent judgements with file and line already.
        result = ahp(ahp_matrix(items, list(judgements)), items=items, max_cr=None)
        weights[kids] = result.weights
    return weights


def normalised_scores(
    fw: Framework, matrix: IndicatorMatrix, cohort: np.ndarray | None = None
) -> np.ndarray:
    """Normalised leaf scores ``(S, L)`` of the cohort; NaN outside it and where data is missing.

    Args:
        fw: the framework (normalisations and directions).
        matrix: raw leaf values.
        cohort: which subjects are compared (gate survivors); all when ``None``.
    """
    keep = np.ones(len(matrix.subjects), bool) if cohort is None else np.asarray(cohort, bool)
    out = np.full(matrix.values.shape, np.nan)
    if keep.any():
        used, _ = resolve_sparse(matrix.values[keep], fw.normalisations, matrix.leaves)
        out[keep] = normalise_matrix(matrix.values[keep], used, fw.directions)
    return out


def profile_weights(
    study: Study,
    profile: Profile | str | None,
    data: IndicatorMatrix | np.ndarray | None = None,
    *,
    cohort: np.ndarray | None = None,
) -> np.ndarray:
    """Resolve a profile into local weights ``(N,)`` for the framework's compiled tree.

    Args:
        study: the loaded study (framework and missing-data policy).
        profile: a profile, its id, or ``None`` for the framework's own weights.
        data: only needed for an objective mix — the raw :class:`IndicatorMatrix` (normalised
            here over ``cohort``) or already normalised leaf scores ``(S, L)``.
        cohort: subjects compared when ``data`` is a matrix (gate survivors); all by default.

    Returns:
        Local weights; under every parent they sum to 1 (unless the framework itself leaves a
        parent's weights unnormalised and the profile does not touch it).

    Raises:
        ValueError: the profile mixes in objective weights and no ``data`` was given.
    """
    prof = profile if isinstance(profile, Profile) else study.profile(profile)
    fw = study.framework
    tree = fw.compiled
    weights = subjective_weights(tree, prof)
    objective = prof.objective
    if objective is None or objective.share == 0:
        return weights
    if data is None:
        raise ValueError(f"profile {prof.id!r} mixes in {objective.method} weights: pass data")
    if isinstance(data, IndicatorMatrix):
        leaf_scores = normalised_scores(fw, data, cohort)
        rows = ~np.all(np.isnan(leaf_scores), axis=1)
        leaf_scores = leaf_scores[rows]
    else:
        leaf_scores = np.asarray(data, dtype=float)
    leaf_scores = fill_missing(leaf_scores, fw.missing)
    scope = set(objective.nodes) or set(tree.ids[tree.n_leaves :])
    method = entropy_weights if objective.method == "entropy" else critic_weights
    for p in tree.inner:  # children before parents
        if tree.ids[p] not in scope:
            continue
        kids = tree.children[p]
        scores, _ = aggregate(leaf_scores, tree, weights, method=fw.aggregation, missing="drop")
        try:
            data_weights = method(scores[:, kids])
        except WeightError:
            continue  # nothing separates these children: keep what the buyer said
        subj = weights[kids]
        if not subj.sum() > 0:
            continue
        weights[kids] = mix_weights(subj, data_weights, 1.0 - objective.share)
    return weights
