"""Stochastic multicriteria acceptability analysis (SMAA): how sure is the ranking?

A ranking from point values and one weight set hides two doubts: the buyer's weights are a
rough statement of preference, and the evidence behind many cells is a range, a bootstrap
interval or analysts who disagree. :func:`simulate` draws both, many times, and scores every
draw:

* **weights** — per parent, a Dirichlet around the profile's local weights with a stated
  concentration (100: "roughly these"; larger is firmer; ``inf`` fixes them), or uniform over
  the simplex (``"uniform"``: no preference at all, the classic SMAA question "who could win
  under any weights?");
* **values** — within each cell's evidence range, triangular with its mode at the consolidated
  value (or uniform); a rubric cell whose analysts differ by a level or more moves ±1 level;
  measured cells use their interval the same way (the matrix keeps the interval, not the
  bootstrap replicates);
* **missing cells** — drawn in every draw from a prior on the leaf's normalised scale: the
  leaf's cohort distribution shifted toward the subject's standing on its other leaves, uniform
  where nobody has data (:mod:`quanheng.analysis._missing`, ``missing_model="prior"``, the
  default). A subject with little data then has wide intervals and no certain rank, as it
  should: the truth includes the cells we have not seen. ``missing_model="ignore"`` keeps the
  old behaviour (missing cells stay missing in every draw and the framework's missing-data
  policy applies inside each draw, as in scoring) for comparison. The *point* scores always
  follow the framework's policy; only the draws carry the missing data.

Outputs: score intervals (5 % / 95 %) of the overall score and of chosen nodes (by default the
dimensions; a report adds its landscape's axes and bubble size) from the same draws, rank
acceptability indices (the probability of each rank), P(best), pairwise "A ahead of B"
probabilities and central weights (the mean weights of the draws in which a subject is best).
With ``keep=n`` the result also keeps the first *n* draws' overall scores and the drawn
(normalised) values of the missing cells, for the value of information per leaf
(:mod:`quanheng.analysis.voi`).

Draws are processed in fixed-size chunks, each with its own generator spawned from the seed,
so memory stays bounded (one chunk's ``draws × leaves × subjects`` at a time, plus the
``draws × subjects`` overall scores and ``draws × subjects × nodes`` node scores kept for the
quantiles) and the result does not depend on
how many threads work on the chunks. Ties (equal scores within a draw) share their ranks
evenly, so every row and every column of the acceptability matrix sums to 1.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import numpy as np
from pydantic import Field

from quanheng.analysis._kernel import TreeKernel
from quanheng.analysis._missing import MissingPrior, fit_missing_prior
from quanheng.analysis._results import Result, num
from quanheng.analysis._values import ValueSampler
from quanheng.analysis.inputs import DecisionData
from quanheng.mcda.aggregate import aggregate, fill_missing
from quanheng.mcda.tree import CompiledTree
from quanheng.specs.normalisation import LogMinMax, MinMax, normalise_matrix

__all__ = [
    "BLOCK",
    "CHUNK",
    "MissingModel",
    "SimulationResult",
    "draw_weights",
    "drawn_cells",
    "point_scores",
    "simulate",
    "uncertain_cells",
]

CHUNK = 2000
"""Draws per chunk, each chunk with its own generator: with the seed, fixes the result."""
BLOCK = 250
"""Draws per block inside a chunk: small enough that a block's arrays stay in cache."""

Concentration = float | Literal["uniform"]
ValueModel = Literal["triangular", "uniform"]
MissingModel = Literal["prior", "ignore"]


class SimulationResult(Result):
    """What the simulation says about each subject and each pair.

    Arrays are indexed by ``subjects`` (rows) and, for ``central_weights``, by ``node_ids``;
    ``node_q05``/``node_q95`` by ``interval_nodes`` (columns): the 90 % interval of those nodes'
    scores (NaN where a subject has no data under a node and its missing cells are not drawn).
    ``coverage`` is each subject's share of the weight backed by data and ``missing_drawn``
    how many of its cells were drawn from the missing-cell prior (``rho``: the prior's share
    of a leaf's variance explained by the subject's standing).
    """

    subjects: tuple[str, ...]
    node_ids: tuple[str, ...]
    draws: int
    seed: int
    concentration: float | str
    value_model: str
    aggregation: str
    missing: str
    uncertain_cells: int
    missing_model: str
    rho: float
    coverage: np.ndarray
    missing_drawn: np.ndarray
    point: np.ndarray
    mean: np.ndarray
    q05: np.ndarray
    q95: np.ndarray
    rank_acceptability: np.ndarray
    pairwise: np.ndarray
    central_weights: np.ndarray
    interval_nodes: tuple[str, ...] = ()
    node_q05: np.ndarray = Field(default_factory=lambda: np.zeros((0, 0)))
    node_q95: np.ndarray = Field(default_factory=lambda: np.zeros((0, 0)))
    kept_scores: np.ndarray = Field(default_factory=lambda: np.zeros((0, 0)))
    """``(n, S)`` overall scores of the first ``keep`` draws (empty unless asked for)."""
    kept_cells: np.ndarray = Field(default_factory=lambda: np.zeros((0, 0)))
    """``(n, M)`` normalised values drawn for the missing cells in those draws."""
    kept_cell_index: np.ndarray = Field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    """``(M, 2)`` (subject, leaf) positions of the columns of ``kept_cells``."""

    def node_intervals(self, i: int) -> dict[str, tuple[float, float]]:
        """Subject ``i``'s 90 % interval of each node in ``interval_nodes`` that it has."""
        return {
            n: (float(self.node_q05[i, k]), float(self.node_q95[i, k]))
            for k, n in enumerate(self.interval_nodes)
            if not (math.isnan(self.node_q05[i, k]) or math.isnan(self.node_q95[i, k]))
        }

    @property
    def p_best(self) -> np.ndarray:
        """Probability that each subject ranks first."""
        return np.asarray(self.rank_acceptability[:, 0])

    @property
    def point_ranks(self) -> np.ndarray:
        """Competition ranks of the point scores (1 = best)."""
        s = np.where(np.isnan(self.point), -np.inf, self.point)
        return np.asarray((s[None, :] > s[:, None]).sum(axis=1) + 1)

    def order(self) -> list[int]:
        """Subject positions by point rank, then by P(best), then id."""
        ranks = self.point_ranks
        return sorted(
            range(len(self.subjects)),
            key=lambda i: (int(ranks[i]), -float(self.p_best[i]), self.subjects[i]),
        )

    def uncertain_pairs(self, threshold: float = 0.9) -> list[tuple[str, str, float]]:
        """Pairs whose order neither way has ``threshold`` support: ``(ahead, behind, P)``.

        ``ahead`` is the subject ahead in the point ranking and P the probability that it stays
        ahead; sorted by how close P is to a coin flip.
        """
        ranks = self.point_ranks
        out: list[tuple[str, str, float]] = []
        n = len(self.subjects)
        for i in range(n):
            for j in range(i + 1, n):
                a, b = (
                    (i, j)
                    if (ranks[i], self.subjects[i]) <= (ranks[j], self.subjects[j])
                    else (j, i)
                )
                p = float(self.pairwise[a, b])
                if max(p, 1.0 - p) < threshold:
                    out.append((self.subjects[a], self.subjects[b], p))
        out.sort(key=lambda t: (abs(t[2] - 0.5), t[0], t[1]))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Per subject: scores, interval, rank probabilities; then pairs and central weights."""
        ranks = self.point_ranks
        subjects = []
        for i in self.order():
            subjects.append(
                {
                    "id": self.subjects[i],
                    "point": num(self.point[i]),
                    "rank": int(ranks[i]),
                    "mean": num(self.mean[i]),
                    "interval_90": [num(self.q05[i]), num(self.q95[i])],
                    "coverage": num(self.coverage[i]),
                    "missing_cells_drawn": int(self.missing_drawn[i]),
                    "node_intervals_90": {
                        n: [num(self.node_q05[i, k]), num(self.node_q95[i, k])]
                        for k, n in enumerate(self.interval_nodes)
                    },
                    "p_best": num(self.p_best[i]),
                    "rank_probabilities": [num(x) for x in self.rank_acceptability[i]],
                    "central_weights": {
                        n: num(self.central_weights[i, k])
                        for k, n in enumerate(self.node_ids)
                        if n != CompiledTree.ROOT_ID
                    },
                }
            )
        return {
            "settings": {
                "draws": self.draws,
                "seed": self.seed,
                "concentration": (
                    self.concentration
                    if isinstance(self.concentration, str)
                    else num(self.concentration)
                    if math.isfinite(self.concentration)
                    else "inf"
                ),
                "value_model": self.value_model,
                "aggregation": self.aggregation,
                "missing": self.missing,
                "uncertain_cells": self.uncertain_cells,
                "missing_model": self.missing_model,
                "missing_cells_drawn": int(self.missing_drawn.sum()),
                "missing_prior_rho": num(self.rho),
            },
            "subjects": subjects,
            "pairwise": {
                a: {b: num(self.pairwise[i, j]) for j, b in enumerate(self.subjects) if i != j}
                for i, a in enumerate(self.subjects)
            },
            "uncertain_pairs": [
                {"ahead": a, "behind": b, "p_ahead": num(p)} for a, b, p in self.uncertain_pairs()
            ],
        }


# --------------------------------------------------------------------------- weights


def draw_weights(
    rng: np.random.Generator,
    tree: CompiledTree,
    weights: np.ndarray,
    n: int,
    concentration: Concentration,
) -> np.ndarray:
    """``(n, N)`` local weights: per parent a Dirichlet around ``weights``, or uniform.

    Dirichlet(c · w) has mean w and, for c = 100, a standard deviation of about
    ``sqrt(w (1 − w) / 101)`` — 0.05 for a weight of 0.3. A zero weight stays zero unless
    weights are uniform. A single child keeps its weight.
    """
    w = np.asarray(weights, dtype=np.float64)
    if concentration != "uniform" and math.isinf(float(concentration)):
        return np.broadcast_to(w, (n, len(w))).copy()
    alpha = np.ones_like(w) if concentration == "uniform" else float(concentration) * w
    out = np.broadcast_to(w, (n, len(w))).copy()
    multi = [tree.children[p] for p in tree.inner if len(tree.children[p]) > 1]
    if not multi:
        return out
    cols = np.concatenate(multi)
    gam = rng.standard_gamma(alpha[cols], size=(n, len(cols)))
    # Each parent's children are a contiguous run of columns: one reduceat sums them all.
    starts = np.cumsum([0] + [len(kids) for kids in multi[:-1]])
    group = np.repeat(np.arange(len(multi)), [len(kids) for kids in multi])
    total = np.add.reduceat(gam, starts, axis=1)[:, group]
    # A parent whose weights are all zero in a draw (only possible for tiny alphas whose
    # gammas underflow) keeps the profile's weights rather than becoming 0/0.
    with np.errstate(invalid="ignore", divide="ignore"):
        out[:, cols] = np.where(total > 0, gam / total, w[cols])
    return out


# --------------------------------------------------------------------------- values


def uncertain_cells(data: DecisionData) -> tuple[np.ndarray, np.ndarray]:
    """``(uncertain, rubric_step)`` masks ``(S, L)``: cells that vary, and how.

    A present cell varies if its evidence has a range (``high > low``) or, on a rubric leaf, if
    its analysts are a level or more apart (``rubric_step``: it moves ±1 level).
    """
    present = ~np.isnan(data.values)
    rubric = np.broadcast_to(data.rubric, data.values.shape)
    step = present & rubric & (data.spread >= 1)
    ranged = present & (data.high > data.low)
    return step | ranged, step


# --------------------------------------------------------------------------- ranks


def _rank_stats(scores: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, ...]:
    """Rank counts ``(S, S)``, pairwise-ahead counts ``(S, S)`` and best-weight sums ``(S, N)``.

    Ranks come from one sort per draw. "A ahead of B" counts come from bit masks: with at most
    64 subjects, the set of subjects ahead of each one is a 64-bit word (a running OR along the
    sorted order), and unpacking the words of all draws gives every pair's count with one sum —
    several times faster than comparing all pairs. Draws with ties take the exact slow path:
    k subjects tied for ranks r..r+k−1 each get 1/k of each of those ranks, half of each tied
    pair, and 1/k of "best" if r is 1.
    """
    n, s = scores.shape
    x = np.where(np.isnan(scores), -np.inf, scores)
    # Scores from drawn values come from the float32 kernel: sorting them as float32 is
    # exact and several times faster (numpy's SIMD sorts). Other scores keep float64, so
    # that values only float32 would tie do not all take the (exact, float64) tie path.
    x32 = x.astype(np.float32)
    key = x32 if np.array_equal(x32, x) else x
    order = np.argsort(-key, axis=1)  # ties are detected below and ranked exactly apart
    srt = np.take_along_axis(key, order, axis=1)
    tied = (np.diff(srt, axis=1) == 0).any(axis=1) if s > 1 else np.zeros(n, dtype=bool)
    counts = np.zeros((s, s))
    pair = np.zeros((s, s))
    share = np.zeros((n, s))
    clean = ~tied
    any_tied = bool(tied.any())
    if not tied.all():
        oc = order[clean] if any_tied else order  # ties are rare: skip the copy without them
        m = len(oc)
        ranks = np.empty_like(oc)
        np.put_along_axis(ranks, oc, np.broadcast_to(np.arange(s), oc.shape), axis=1)
        idx = np.arange(s)[None, :] * s + ranks
        counts += np.bincount(idx.ravel(), minlength=s * s).reshape(s, s)
        if any_tied:
            share[clean] = ranks == 0
        else:
            share = (ranks == 0).astype(np.float64)
        if s <= 64:
            bits = np.left_shift(np.uint64(1), oc.astype(np.uint64))
            cum = np.bitwise_or.accumulate(bits, axis=1)
            before = np.zeros_like(cum)
            before[:, 1:] = cum[:, :-1]
            masks = np.empty_like(before)
            np.put_along_axis(masks, oc, before, axis=1)  # masks[d, j]: who is ahead of j
            unpacked = np.unpackbits(
                masks.view(np.uint8).reshape(m, s, 8), axis=2, bitorder="little"
            )
            # small integer accumulators are much faster to reduce than int64 or float
            acc = np.uint16 if m < 2**16 else np.int64
            behind_ahead = np.add.reduce(unpacked, axis=0, dtype=acc)[:, :s]
            pair += behind_ahead.T.astype(np.float64)
        else:
            xc = x[clean]
            pair += (xc[:, :, None] > xc[:, None, :]).sum(axis=0, dtype=np.float64)
    if any_tied:
        xt = x[tied]
        ahead = xt[:, :, None] > xt[:, None, :]
        eq = xt[:, :, None] == xt[:, None, :]
        k = eq.sum(axis=2)  # tie group sizes, self included
        pair += ahead.sum(axis=0) + 0.5 * (eq.sum(axis=0) - np.eye(s) * tied.sum())
        r0 = ahead.sum(axis=1)  # how many are strictly ahead of each
        for step in range(int(k.max())):
            d_idx, subj = np.nonzero(step < k)
            np.add.at(counts, (subj, r0[d_idx, subj] + step), 1.0 / k[d_idx, subj])
        share[tied] = (r0 == 0) / k
    best = share.T @ weights
    return counts, pair, best


# --------------------------------------------------------------------------- quantiles


def _row_quantiles(
    rows: np.ndarray, pool: ThreadPoolExecutor, workers: int
) -> tuple[np.ndarray, np.ndarray]:
    """The 5 % and 95 % quantiles of each row of ``rows`` ``(R, D)``, partitioned in place.

    Rows are split into one contiguous band per worker; the values are numpy's default
    (linear) quantiles, the same as one ``np.quantile`` call over all rows.
    """
    n_rows = rows.shape[0]
    if n_rows == 0 or rows.shape[1] == 0:
        empty = np.full(n_rows, np.nan)
        return empty, empty.copy()
    bands = np.array_split(np.arange(n_rows), max(1, min(workers, n_rows)))

    def band(idx: np.ndarray) -> np.ndarray:
        part = rows[idx[0] : idx[-1] + 1]
        return np.asarray(np.quantile(part, [0.05, 0.95], axis=1, overwrite_input=True))

    q = np.concatenate(list(pool.map(band, bands)), axis=1)
    return q[0], q[1]


# --------------------------------------------------------------------------- simulate


def _prepare_fixed(data: DecisionData) -> np.ndarray:
    norm = normalise_matrix(data.values, data.specs, data.directions)
    return fill_missing(norm, data.missing)


def drawn_cells(data: DecisionData, concentration: Concentration) -> np.ndarray:
    """``(S, L)`` the missing cells the prior draws: those on leaves that can carry weight.

    A leaf whose global weight is 0 stays 0 under Dirichlet weights, so drawing it would change
    nothing; under uniform weights every leaf counts.
    """
    missing = np.isnan(data.values)
    if concentration == "uniform":
        return np.asarray(missing)
    weighted = data.tree.global_weights(data.weights)[: data.tree.n_leaves] > 0
    return np.asarray(missing & weighted[None, :])


def point_scores(data: DecisionData) -> np.ndarray:
    """Overall point scores ``(S,)`` of the ranked subjects (same as the scorecard's)."""
    kernel = TreeKernel(data.tree, _prepare_fixed(data), geometric=data.aggregation == "geometric")
    return np.asarray(kernel.overall(data.weights[None, :])[0])


def simulate(
    data: DecisionData,
    *,
    draws: int = 10_000,
    seed: int = 0,
    concentration: Concentration | None = None,
    value_model: ValueModel = "triangular",
    vary_values: bool = True,
    missing_model: MissingModel = "prior",
    chunk: int = CHUNK,
    workers: int | None = None,
    nodes: Sequence[str] | None = None,
    keep: int = 0,
) -> SimulationResult:
    """Run the SMAA simulation.

    Args:
        data: the decision problem.
        draws: number of draws.
        seed: seed of ``np.random.SeedSequence``; each chunk gets its own spawned generator.
        concentration: Dirichlet concentration around the profile's weights, ``inf`` for fixed
            weights, ``"uniform"`` for uniform weights; defaults to the profile's (or 100).
        value_model: ``triangular`` (mode at the consolidated value) or ``uniform`` in ranges.
        vary_values: draw values within their uncertainty (False: weights only, and missing
            cells stay missing).
        missing_model: ``prior`` draws every missing cell of a leaf that can carry weight from
            the missing-cell prior; ``ignore`` leaves missing cells missing in every draw (the
            framework's policy applies inside each draw, as the point score does).
        chunk: draws per chunk (part of what the result depends on, with the seed).
        workers: threads working on chunks (default: CPUs, at most 4); the result is the same.
        nodes: ids of the nodes whose 90 % intervals are reported besides the overall score
            (default: the dimensions, the root's children); scored in the same draws.
        keep: keep the first ``keep`` draws (at most ``draws``) — their overall scores and the
            normalised values drawn for the missing cells — in ``kept_*`` (0: none). The draws
            are independent, so the first ones are a random subsample; the rest of the result
            does not change.
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    if concentration is None:
        concentration = data.profile.concentration if data.profile is not None else 100.0
    tree = data.tree
    if nodes is None:
        picked = [int(k) for k in tree.children[tree.root]]
    else:
        unknown = [n for n in nodes if n not in tree.index]
        if unknown:
            raise ValueError(f"nodes: unknown node ids {unknown}; expected ids of the framework")
        picked = list(dict.fromkeys(tree.index[n] for n in nodes if n != CompiledTree.ROOT_ID))
    picks = np.asarray(picked, dtype=np.int64)
    geometric = data.aggregation == "geometric"
    fixed = _prepare_fixed(data)
    uncertain, step = uncertain_cells(data)
    if not vary_values:
        uncertain, step = np.zeros_like(uncertain), np.zeros_like(step)
    if missing_model not in ("prior", "ignore"):
        raise ValueError(f"missing_model: {missing_model!r}; expected 'prior' or 'ignore'")
    norm = normalise_matrix(data.values, data.specs, data.directions)
    prior: MissingPrior | None = None
    drawn = np.zeros(data.values.shape, dtype=bool)
    if missing_model == "prior" and vary_values:
        drawn = drawn_cells(data, concentration)
        relative = np.array([isinstance(s, MinMax | LogMinMax) for s in data.specs], dtype=bool)
        prior = fit_missing_prior(norm, relative) if drawn.any() else None
    # A drawn cell is present in every draw (the kernel counts its weight); its value comes
    # from the sampler, so the placeholder here is never used.
    kernel_fixed = np.where(drawn, 0.5, fixed)
    sampler = ValueSampler(
        data.values,
        data.low,
        data.high,
        uncertain,
        step,
        data.specs,
        data.directions,
        missing=data.missing,
        geometric=geometric,
        model=value_model,
        prior=prior,
        drawn=drawn,
    )
    kernel = TreeKernel(tree, kernel_fixed, sampler.columns, geometric=geometric)
    n_keep = max(0, min(int(keep), draws))
    kept_index = np.argwhere(drawn) if n_keep and sampler.n_varying else np.zeros((0, 2), np.int64)
    kept_cells = np.empty((n_keep, len(kept_index)), dtype=np.float32)
    position = np.zeros(tree.n_leaves, dtype=np.intp)  # a leaf's row among the varying ones
    position[sampler.columns] = np.arange(len(sampler.columns))
    vpos = position[kept_index[:, 1]]
    n_chunks = -(-draws // chunk)
    seeds = np.random.SeedSequence(seed).spawn(n_chunks)

    # (K, S, draws), draws last as the kernel gives them; float32 when values are drawn (the
    # kernel's precision then), so keeping every draw costs 4 bytes per node, subject and draw.
    node_scores = np.empty(
        (len(picks), len(data.subjects), draws),
        dtype=np.float32 if sampler.n_varying else np.float64,
    )

    def run(c: int) -> tuple[np.ndarray, ...]:
        rng = np.random.default_rng(seeds[c])
        n = min(chunk, draws - c * chunk)
        w = draw_weights(rng, tree, data.weights, n, concentration)
        first = c * chunk  # this chunk's slice of node_scores: chunks write disjoint slices
        if not sampler.n_varying:
            overall, node_scores[:, :, first : first + n] = kernel.evaluate(w, nodes=picks)
        else:
            overall = np.empty((n, len(data.subjects)))
            buffers: dict[str, np.ndarray] = {}
            for b in range(0, n, BLOCK):
                e = min(n, b + BLOCK)
                scores = sampler.sample(rng, e - b, buffers)
                if first + b < n_keep and len(kept_index):  # before the kernel overwrites them
                    m = min(e, n_keep - first) - b
                    got = scores[vpos, kept_index[:, 0], :m].T
                    kept_cells[first + b : first + b + m] = np.exp(got) if geometric else got
                overall[b:e], node_scores[:, :, first + b : first + e] = kernel.evaluate(
                    w[b:e], scores, nodes=picks, overwrite=True
                )
        return (overall, *_rank_stats(overall, w))

    n_workers = workers or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=n_workers) as pool:
        if n_workers > 1 and n_chunks > 1:
            parts = list(pool.map(run, range(n_chunks)))
        else:
            parts = [run(c) for c in range(n_chunks)]
        scores = np.concatenate([p[0] for p in parts], axis=0)
        counts = np.sum([p[1] for p in parts], axis=0)
        pair = np.sum([p[2] for p in parts], axis=0)
        best = np.sum([p[3] for p in parts], axis=0)
        del parts
        # Quantiles partition each subject's draws: (subjects, draws) rows, contiguous, split
        # between the threads (numpy's partition releases the GIL).
        finite = np.ascontiguousarray(np.where(np.isnan(scores), -np.inf, scores).T)
        q05, q95 = _row_quantiles(finite, pool, n_workers)
        # A node's availability never changes between draws, so a row is all NaN or none: mark
        # the missing by the first draw, zero them in place, and partition in place.
        flat = node_scores.reshape(-1, draws)  # (node, subject) rows
        missing_rows = np.isnan(flat[:, 0])
        flat[missing_rows] = 0.0
        node_q = [np.where(missing_rows, np.nan, q) for q in _row_quantiles(flat, pool, n_workers)]
    acceptability = counts / draws
    with np.errstate(invalid="ignore", divide="ignore"):
        central = best / acceptability[:, :1] / draws
    shape = (len(picks), len(data.subjects))
    node_q05 = node_q[0].reshape(shape).T.astype(np.float64)
    node_q95 = node_q[1].reshape(shape).T.astype(np.float64)
    conc: float | str = concentration if isinstance(concentration, str) else float(concentration)
    return SimulationResult(
        subjects=data.subjects,
        node_ids=tree.ids,
        draws=draws,
        seed=seed,
        concentration=conc,
        value_model=value_model if uncertain.any() or drawn.any() else "fixed",
        aggregation=data.aggregation,
        missing=data.missing,
        uncertain_cells=int(uncertain.sum()),
        missing_model=missing_model if vary_values else "ignore",
        rho=prior.rho if prior is not None else 0.0,
        coverage=aggregate(norm, tree, data.weights, missing="drop")[1][:, -1],
        missing_drawn=drawn.sum(axis=1),
        point=point_scores(data),
        mean=np.nanmean(scores, axis=0) if data.subjects else np.zeros(0),
        q05=q05,
        q95=q95,
        rank_acceptability=acceptability,
        pairwise=pair / draws,
        central_weights=central,
        interval_nodes=tuple(tree.ids[k] for k in picks),
        node_q05=node_q05,
        node_q95=node_q95,
        kept_scores=scores[:n_keep].copy(),
        kept_cells=kept_cells.astype(np.float64),
        kept_cell_index=kept_index.astype(np.int64),
    )
