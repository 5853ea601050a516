"""What every analysis works on: the decision problem as plain arrays.

:class:`DecisionData` is the bridge between a study and the pure-numpy analyses: the subjects
that are ranked (gate survivors with at least some data), their raw leaf values with the
uncertainty evidence gives them, how each leaf is normalised, the profile's resolved local
weights, and the framework's aggregation and missing-data policy. Benchmarks build one directly
from synthetic arrays; :func:`decision_data` builds one from a study's scorecard.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from quanheng._files import display_path
from quanheng.errors import InputError
from quanheng.mcda.aggregate import fill_missing
from quanheng.mcda.tree import CompiledTree
from quanheng.scoring.scorecard import Scorecard
from quanheng.specs.normalisation import (
    Fixed,
    LogFixed,
    Normalisation,
    Rubric,
    normalise_matrix,
)
from quanheng.study import Profile, Study

__all__ = ["DecisionData", "decision_data"]


@dataclass(frozen=True, eq=False)
class DecisionData:
    """The decision problem of one study under one profile, as arrays.

    Attributes:
        tree: the compiled framework tree.
        subjects: ids of the ranked subjects, in study order.
        values: raw leaf values ``(S, L)``, NaN where there is no data (a leaf normalised on
            a log-fixed range enters on its log10 scale, its spec a fixed range there).
        low: lower ends of the evidence ranges (equal to ``values`` without a range).
        high: upper ends.
        spread: max − min of the analysts' values per cell (0 for a single analyst).
        specs: each leaf's normalisation.
        directions: each leaf's direction.
        weights: the profile's local weights ``(N,)``.
        aggregation: ``arithmetic`` or ``geometric``.
        missing: ``drop``, ``worst`` or ``median``.
        profile: the profile (for its concentration and pilots), if built from a study.
        card: the point scorecard of the whole study, if built from one.
    """

    tree: CompiledTree
    subjects: tuple[str, ...]
    values: np.ndarray
    low: np.ndarray
    high: np.ndarray
    spread: np.ndarray
    specs: tuple[Normalisation, ...]
    directions: tuple[str, ...]
    weights: np.ndarray
    aggregation: str = "arithmetic"
    missing: str = "drop"
    profile: Profile | None = None
    card: Scorecard | None = field(default=None, repr=False)

    @property
    def rubric(self) -> np.ndarray:
        """``(L,)`` True for rubric leaves (levels 0..5)."""
        return np.array([isinstance(s, Rubric) for s in self.specs], dtype=bool)

    @property
    def leaf_ids(self) -> tuple[str, ...]:
        """Leaf ids in column order."""
        return self.tree.ids[: self.tree.n_leaves]

    def normalised(self) -> np.ndarray:
        """Normalised point scores ``(S, L)`` after the missing-data policy."""
        norm = normalise_matrix(self.values, self.specs, self.directions)
        return fill_missing(norm, self.missing)

    def with_weights(self, weights: np.ndarray) -> DecisionData:
        """A copy with other local weights."""
        return replace(self, weights=np.asarray(weights, dtype=np.float64))


def decision_data(study: Study, card: Scorecard, *, kind: str | None = None) -> DecisionData:
    """The decision problem of a scored study: one cohort of ranked subjects, as arrays.

    Nothing is scored again: the ranked subjects, their raw values with uncertainty, the
    resolved weights and the policies all come from ``card`` (scored by
    :func:`quanheng.score`, with whatever measurements the caller read).

    Subjects screened out by the gates are not compared; subjects without any data cannot be
    ranked and are left out too (the scorecard lists both). Vendors and models are separate
    cohorts (normalised and ranked apart); ``kind`` picks one, by default the larger (vendors
    on a tie).

    Raises:
        InputError: no subject can be ranked.
    """
    matrix = card.matrix
    if matrix is None:
        raise ValueError("the scorecard carries no indicator matrix: score it with quanheng.score")
    kinds = {s.id: s.kind for s in study.subjects}
    ranked = [i for i in range(len(card.subjects)) if card.ranks[i] > 0]
    if kind is None:
        counts = {k: sum(kinds[card.subjects[i]] == k for i in ranked) for k in ("vendor", "model")}
        kind = max(counts, key=lambda k: (counts[k], k == "vendor"))
    rows = [i for i in ranked if kinds[card.subjects[i]] == kind]
    if not rows:
        raise InputError.single(
            display_path(study.path / "study.yaml"),
            None,
            f"no subject can be ranked under profile {card.profile!r}: every one is screened "
            "out by the gates or has no data",
            "add evidence, or set gate_policy: flag to rank subjects that fail a gate",
        )
    fw = study.framework
    values = matrix.values[rows]
    low = np.where(np.isnan(matrix.low[rows]), values, matrix.low[rows])
    high = np.where(np.isnan(matrix.high[rows]), values, matrix.high[rows])
    specs = list(fw.normalisations)
    for sparse in card.sparse:  # the cohort's few-valued leaves, on the scale the card used
        if sparse.cohort == kind:
            specs[matrix.leaves.index(sparse.leaf)] = sparse.scale
    for j, spec in enumerate(specs):
        if isinstance(spec, LogFixed):
            # The simulation draws log-scaled leaves on the log scale normalisation measures on;
            # a log-fixed range is a fixed range there.
            values[:, j], low[:, j], high[:, j] = (
                np.log10(a[:, j] + spec.offset) for a in (values, low, high)
            )
            specs[j] = Fixed(min=spec.log_bounds[0], max=spec.log_bounds[1])
    return DecisionData(
        tree=fw.compiled,
        subjects=tuple(card.subjects[i] for i in rows),
        values=values,
        low=low,
        high=high,
        spread=matrix.spread[rows],
        specs=tuple(specs),
        directions=fw.directions,
        weights=np.asarray(card.weights, dtype=np.float64),
        aggregation=card.aggregation,
        missing=card.missing,
        profile=study.profile(card.profile),
        card=card,
    )
