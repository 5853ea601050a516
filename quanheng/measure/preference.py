"""Pairwise preference: Bradley–Terry strengths from win/loss/tie counts, with bootstrap CIs.

In the Bradley–Terry model player ``i`` beats ``j`` with probability ``p_i / (p_i + p_j)``.
:func:`bradley_terry` finds the maximum-likelihood ``p`` with ``choix`` (iterative Luce spectral
ranking on the matrix of effective wins). A tie counts as half a win for each side. Strengths
are normalised to sum to 1. ``prior`` adds that many virtual ties between every pair, which
keeps the fit finite when a player won or lost everything (the MLE would be 0 or ∞; without a
prior such data are refused).

:func:`bootstrap_strengths` resamples the games within each pair (multinomial over win, loss,
tie at the observed rates) from a seeded generator and refits, giving percentile intervals.

The judge side: :func:`pairwise_messages` asks a judge which of two answers is better, and
:func:`parse_preference` reads ``[[A]]``, ``[[B]]`` or ``[[C]]`` (tie) from its reply. Run each
pair in both orders to cancel the judge's position bias.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

import choix
import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict
from scipy.sparse.csgraph import connected_components

from quanheng.measure.templates import ChatMessage

__all__ = [
    "PairCounts",
    "Strengths",
    "bootstrap_strengths",
    "bradley_terry",
    "counts_from_outcomes",
    "pairwise_messages",
    "parse_preference",
]

Outcome = Literal["a", "b", "tie"]
FloatArray = NDArray[np.float64]


class PairCounts(BaseModel):
    """Win and tie counts between named players.

    Attributes:
        players: names, in matrix order.
        wins: ``wins[i][j]`` = games ``i`` won against ``j``.
        ties: ``ties[i][j]`` = tied games between ``i`` and ``j`` (symmetric).
    """

    model_config = ConfigDict(frozen=True)

    players: tuple[str, ...]
    wins: tuple[tuple[float, ...], ...]
    ties: tuple[tuple[float, ...], ...]

    def arrays(self) -> tuple[FloatArray, FloatArray]:
        """``(wins, ties)`` as numpy arrays."""
        return np.asarray(self.wins, dtype=np.float64), np.asarray(self.ties, dtype=np.float64)


class Strengths(BaseModel):
    """Fitted strengths (summing to 1), with bootstrap intervals when computed."""

    model_config = ConfigDict(frozen=True)

    players: tuple[str, ...]
    strength: tuple[float, ...]
    low: tuple[float, ...] | None = None
    high: tuple[float, ...] | None = None

    def as_dict(self) -> dict[str, float]:
        """Strength by player."""
        return dict(zip(self.players, self.strength, strict=True))


def counts_from_outcomes(outcomes: Iterable[tuple[str, str, Outcome]]) -> PairCounts:
    """Count ``(player_a, player_b, outcome)`` records into a :class:`PairCounts`."""
    records = list(outcomes)
    players = sorted({p for a, b, _ in records for p in (a, b)})
    index = {p: i for i, p in enumerate(players)}
    k = len(players)
    wins = np.zeros((k, k))
    ties = np.zeros((k, k))
    for a, b, outcome in records:
        i, j = index[a], index[b]
        if outcome == "a":
            wins[i, j] += 1
        elif outcome == "b":
            wins[j, i] += 1
        else:
            ties[i, j] += 1
            ties[j, i] += 1
    return PairCounts(
        players=tuple(players),
        wins=tuple(tuple(float(x) for x in row) for row in wins),
        ties=tuple(tuple(float(x) for x in row) for row in ties),
    )


def _effective_wins(wins: FloatArray, ties: FloatArray, prior: float) -> FloatArray:
    """``wins + ties/2 + prior/2`` off the diagonal: a tie, real or virtual, is half a win each."""
    k = wins.shape[0]
    return np.asarray((wins + ties / 2.0 + prior / 2.0) * (1.0 - np.eye(k)), dtype=np.float64)


def _fit(wins: FloatArray, ties: FloatArray, prior: float, tol: float, max_iter: int) -> FloatArray:
    """ML strengths of the effective wins by choix's I-LSR, normalised to sum to 1.

    Raises:
        ValueError: no finite maximum exists (the effective wins do not connect every player
            to every other both ways).
    """
    w = _effective_wins(wins, ties, prior)
    k = w.shape[0]
    if k == 1:
        return np.ones(1)
    n_strong, _ = connected_components(w > 0, directed=True, connection="strong")
    if n_strong > 1:
        raise ValueError(
            "no finite Bradley–Terry strengths: some player never beat, or never lost to, the "
            "rest (directly or through others); set prior > 0 to add virtual ties"
        )
    theta = choix.ilsr_pairwise_dense(w, alpha=0.0, max_iter=max_iter, tol=tol)
    p = np.exp(theta - theta.max())
    return np.asarray(p / p.sum(), dtype=np.float64)


def bradley_terry(
    counts: PairCounts, *, prior: float = 0.0, tol: float = 1e-10, max_iter: int = 10_000
) -> Strengths:
    """Maximum-likelihood Bradley–Terry strengths, normalised to sum to 1.

    ``choix.ilsr_pairwise_dense`` (iterative Luce spectral ranking, Maystre & Grossglauser
    2015) fits the matrix of effective wins ``wins + ties/2 + prior/2``. It converges to the same
    maximum-likelihood estimate as Hunter's MM, which this module used to iterate by hand, in
    far fewer steps; the strengths are ``exp(θ)`` of choix's log-strengths, normalised to sum to
    1, so they equal the former ones to within the tolerance (``tests/measure/test_preference.py``
    pins a hand-solved case; ``benchmarks/bench_stats.py`` compares both). The prior is passed
    as virtual ties, not as choix's ``alpha``: that regularisation adds ``alpha`` to every rate
    of the spectral chain, a different prior that would move the strengths.

    Args:
        counts: wins and ties.
        prior: virtual ties added between every pair (0 for the plain MLE).
        tol: choix's convergence test: the mean absolute change of the centred log-strengths
            between iterations.
        max_iter: iteration cap.

    Raises:
        ValueError: ``prior`` is 0 and some group of players won (or lost) every game against
            the rest, so the likelihood has no finite maximum.
        RuntimeError: choix did not converge within ``max_iter`` iterations.
    """
    wins, ties = counts.arrays()
    p = _fit(wins, ties, prior, tol, max_iter)
    return Strengths(players=counts.players, strength=tuple(float(x) for x in p))


def bootstrap_strengths(
    counts: PairCounts,
    *,
    n_boot: int = 1000,
    alpha: float = 0.1,
    seed: int = 0,
    prior: float = 0.0,
    tol: float = 1e-8,
) -> Strengths:
    """Strengths with percentile intervals from resampling the games within each pair.

    Each resample draws every pair's games anew (multinomial over win, loss and tie at the
    observed rates, from ``numpy.random.default_rng(seed)``) and is fitted as
    :func:`bradley_terry` fits the data.

    Raises:
        ValueError: ``alpha`` outside (0, 1); or ``prior`` is 0 and the data, or one resample,
            have no finite strengths (a pair with few games can come out one-sided in a
            resample; a prior of 1 or more avoids it).
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    wins, ties = counts.arrays()
    k = wins.shape[0]
    point = _fit(wins, ties, prior, tol=1e-10, max_iter=10_000)
    rng = np.random.default_rng(seed)
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    n = np.array([wins[i, j] + wins[j, i] + ties[i, j] for i, j in pairs])
    probs = np.array(
        [[wins[i, j], wins[j, i], ties[i, j]] for i, j in pairs], dtype=np.float64
    ).reshape(-1, 3)
    probs = np.divide(probs, n[:, None], out=np.zeros_like(probs), where=n[:, None] > 0)
    fits = np.empty((n_boot, k))
    for b in range(n_boot):
        bw = np.zeros((k, k))
        bt = np.zeros((k, k))
        for (i, j), total, pr in zip(pairs, n, probs, strict=True):
            if total <= 0:
                continue
            x, y, t = rng.multinomial(int(total), pr)
            bw[i, j], bw[j, i], bt[i, j], bt[j, i] = x, y, t, t
        try:
            fits[b] = _fit(bw, bt, prior, tol=tol, max_iter=5_000)
        except ValueError as exc:
            raise ValueError(f"bootstrap resample {b} (seed {seed}): {exc}") from exc
    low = np.percentile(fits, 100 * alpha / 2, axis=0)
    high = np.percentile(fits, 100 * (1 - alpha / 2), axis=0)
    return Strengths(
        players=counts.players,
        strength=tuple(float(x) for x in point),
        low=tuple(float(x) for x in np.minimum(low, point)),
        high=tuple(float(x) for x in np.maximum(high, point)),
    )


_PAIR_PROMPT = {
    "zh": (
        "请作为公正的评审，比较两个 AI 助手对同一问题的回答，判断哪个更好（有用性、准确性、"
        "完整性）。不要受回答顺序和长度影响。\n\n【问题】\n{question}\n\n【回答 A】\n{a}\n\n"
        "【回答 B】\n{b}\n\n先简要说明理由，最后一行只写 [[A]]（A 更好）、[[B]]（B 更好）"
        "或 [[C]]（不相上下）。"
    ),
    "en": (
        "Act as an impartial judge and compare two AI assistants' answers to the same question "
        "(helpfulness, accuracy, completeness). Ignore the order and the length of the answers."
        "\n\n[Question]\n{question}\n\n[Answer A]\n{a}\n\n[Answer B]\n{b}\n\nExplain briefly, "
        "then end with a line holding only [[A]] if A is better, [[B]] if B is, or [[C]] for a tie."
    ),
}


def pairwise_messages(
    question: str, answer_a: str, answer_b: str, *, lang: str = "zh"
) -> list[ChatMessage]:
    """The judge request comparing two answers."""
    text = _PAIR_PROMPT["zh" if lang == "zh" else "en"]
    return [{"role": "user", "content": text.format(question=question, a=answer_a, b=answer_b)}]


_VERDICT = re.compile(r"\[\[\s*([ABC])\s*\]\]")


def parse_preference(reply: str) -> Outcome | None:
    """The judge's verdict (last ``[[A]]``/``[[B]]``/``[[C]]``), or None if it gives none."""
    found: Sequence[str] = _VERDICT.findall(reply)
    if not found:
        return None
    last = found[-1]
    return "a" if last == "A" else "b" if last == "B" else "tie"
