"""Criterion weights: expert points, AHP, entropy, CRITIC, and mixing subjective with objective.

Pure numpy. Two families of method live here, and a profile may combine them:

* **subjective** — what the buyer says matters: expert points (:func:`expert_weights`) or AHP
  pairwise judgements (:func:`ahp_matrix` → :func:`ahp`), which also measure how consistent the
  judgements are and refuse a set that contradicts itself (CR > 0.1, Saaty's rule);
* **objective** — what the data can tell apart: Shannon entropy (:func:`entropy_weights`) and
  CRITIC (:func:`critic_weights`). A criterion on which every subject scores alike carries no
  information and gets weight 0;
* :func:`mix_weights` blends one of each with a stated share, so a report can say exactly how
  much of a weight came from people and how much from data.

Errors a user can cause (a judgement out of range, a missing pair, inconsistent judgements) raise
:class:`WeightError`, an :class:`~quanheng.errors.InputError`, with one line per problem.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from quanheng.errors import Problem, WeightError

__all__ = [
    "CR_LIMIT",
    "RANDOM_INDEX",
    "AHPResult",
    "ahp",
    "ahp_matrix",
    "critic_weights",
    "entropy_weights",
    "expert_weights",
    "mix_weights",
    "most_inconsistent",
]

RANDOM_INDEX: tuple[float, ...] = (
    0.0,
    0.0,
    0.58,
    0.90,
    1.12,
    1.24,
    1.32,
    1.41,
    1.45,
    1.49,
    1.51,
    1.48,
    1.56,
    1.57,
    1.59,
)
"""Saaty's random index RI for n = 1..15 (Saaty 1980, *The Analytic Hierarchy Process*, p. 21).

The mean consistency index of random reciprocal matrices of order n; CR = CI / RI. These are the
values Saaty's own worked examples use (e.g. RI = 0.58 for n = 3, 1.41 for n = 8), so the CRs
computed here can be compared with published ones. Later re-estimates (e.g. Tummala & Ling 1998,
used by pymcdm) differ in the second decimal.
"""

CR_LIMIT = 0.1
"""Saaty's threshold: a consistency ratio above this means the judgements should be revised."""

_SCALE_MIN = 1.0 / 9.0
_SCALE_MAX = 9.0
_RECIPROCAL_RTOL = 1e-6
_DEFAULT_WHERE = "<ahp judgements>"


@dataclass(frozen=True, slots=True)
class AHPResult:
    """Priorities derived from one AHP pairwise-comparison matrix.

    Attributes:
        weights: the principal right eigenvector, normalised to sum to 1.
        lambda_max: the principal eigenvalue; n for perfectly consistent judgements, above n
            otherwise.
        ci: consistency index (lambda_max − n) / (n − 1); 0 when n ≤ 2.
        cr: consistency ratio CI / RI(n) with Saaty's :data:`RANDOM_INDEX`; 0 when n ≤ 2, where
            any reciprocal matrix is consistent.
    """

    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float

    @property
    def consistent(self) -> bool:
        """Whether the judgements pass Saaty's rule CR ≤ 0.1."""
        return self.cr <= CR_LIMIT


def expert_weights(points: Sequence[float] | np.ndarray, *, where: str = "<weights>") -> np.ndarray:
    """Normalise expert points (any non-negative numbers) to weights summing to 1.

    Experts think in points ("40, 30, 30" or "5 of 10"); only their ratios matter, so they are
    divided by their sum rather than checked to add up to 100.

    Raises:
        WeightError: a point is negative or not finite, or all points are zero.
    """
    w = np.asarray(points, dtype=float)
    problems = _check_weight_vector(w, "points", where)
    if problems:
        raise WeightError(problems)
    return np.asarray(w / w.sum(), dtype=float)


def ahp_matrix(
    items: Sequence[str],
    judgements: Sequence[tuple[str, str, float | str]],
    *,
    where: str = _DEFAULT_WHERE,
) -> np.ndarray:
    """Build the reciprocal pairwise-comparison matrix from named judgements.

    Each judgement ``(a, b, v)`` reads "a is v times as important as b" on Saaty's 1/9..9 scale;
    the matrix gets ``A[a, b] = v`` and ``A[b, a] = 1 / v``. Every unordered pair must be judged
    exactly once, so that no priority rests on an assumption nobody stated.

    Args:
        items: the names being compared, in the order the weights will come back.
        judgements: one ``(a, b, value)`` per unordered pair, in either orientation; the
            value is a number or a fraction written as text (``"1/3"``, as YAML reads it).
        where: the file or logical place the judgements came from, for error lines.

    Returns:
        The ``(n, n)`` reciprocal matrix with ones on the diagonal.

    Raises:
        WeightError: listing every unknown or repeated item, self-comparison, value outside
            [1/9, 9], repeated pair and missing pair at once.
    """
    problems: list[Problem] = []
    index: dict[str, int] = {}
    for name in items:
        if name in index:
            problems.append(
                Problem(where, None, f"item {name!r} is listed twice", "list each item once")
            )
        index.setdefault(name, len(index))
    n = len(index)
    matrix = np.ones((n, n))
    seen: dict[frozenset[str], tuple[str, str]] = {}
    known = ", ".join(repr(k) for k in index)
    for a, b, value in judgements:
        unknown = [x for x in (a, b) if x not in index]
        for x in unknown:
            problems.append(
                Problem(
                    where,
                    None,
                    f"judgement ({a!r}, {b!r}) names unknown item {x!r}",
                    f"use one of {known}",
                )
            )
        if unknown:
            continue
        if a == b:
            problems.append(
                Problem(
                    where,
                    None,
                    f"judgement ({a!r}, {b!r}) compares an item with itself",
                    "remove it: an item is always 1 times as important as itself",
                )
            )
            continue
        v = _judgement_value(value)
        if not (math.isfinite(v) and _SCALE_MIN * (1 - 1e-9) <= v <= _SCALE_MAX * (1 + 1e-9)):
            problems.append(
                Problem(
                    where,
                    None,
                    f"judgement ({a!r}, {b!r}) has value {value!r}, outside Saaty's scale",
                    "use a value from 1/9 to 9 (e.g. 3 = moderately more important, "
                    "1/3 = moderately less)",
                )
            )
            continue
        pair = frozenset((a, b))
        if pair in seen:
            first = seen[pair]
            problems.append(
                Problem(
                    where,
                    None,
                    f"pair {a!r}/{b!r} is judged twice (first as ({first[0]!r}, {first[1]!r}))",
                    "keep one judgement per pair; the reverse is implied as 1/value",
                )
            )
            continue
        seen[pair] = (a, b)
        i, j = index[a], index[b]
        matrix[i, j] = v
        matrix[j, i] = 1.0 / v
    names = list(index)
    for i in range(n):
        for j in range(i + 1, n):
            if frozenset((names[i], names[j])) not in seen:
                problems.append(
                    Problem(
                        where,
                        None,
                        f"pair {names[i]!r}/{names[j]!r} is not judged",
                        f"add a judgement ({names[i]!r}, {names[j]!r}, value); "
                        "use 1 if they are equally important",
                    )
                )
    if problems:
        raise WeightError(problems)
    return matrix


def ahp(
    judgements: np.ndarray,
    *,
    items: Sequence[str] | None = None,
    max_cr: float | None = CR_LIMIT,
    where: str = _DEFAULT_WHERE,
) -> AHPResult:
    """Priorities, lambda_max, CI and CR of a reciprocal pairwise-comparison matrix (Saaty).

    The weights are the principal right eigenvector of the matrix: for consistent judgements
    (``A[i, k] = A[i, j] · A[j, k]``) it recovers the ratios exactly, and for inconsistent ones it
    is Saaty's standard estimate, the one his published examples print.

    Args:
        judgements: ``(n, n)`` positive reciprocal matrix, ``A[i, j]`` = how many times as
            important i is as j; 1 ≤ n ≤ 15 (the range of :data:`RANDOM_INDEX`).
        items: names of the rows, used in error messages; defaults to ``#1``, ``#2``, ...
        max_cr: refuse judgements whose CR exceeds this (Saaty's 0.1 by default); ``None``
            computes without refusing, e.g. to show a user how inconsistent a draft is.
        where: the file or logical place the judgements came from, for error lines.

    Raises:
        WeightError: the matrix is not square, positive, with unit diagonal and reciprocal, or
            n > 15, or CR > ``max_cr`` — then the message names the most inconsistent
            judgement and the value the other judgements imply for it (:func:`most_inconsistent`).
    """
    a = np.asarray(judgements, dtype=float)
    names = _names(items, a.shape[0] if a.ndim == 2 else 0)
    problems = _check_reciprocal(a, names, where)
    if problems:
        raise WeightError(problems)
    result = _ahp_unchecked(a)
    if max_cr is not None and result.cr > max_cr:
        i, j, current, implied = most_inconsistent(a)
        raise WeightError(
            Problem(
                where,
                None,
                f"the judgements are inconsistent: consistency ratio {result.cr:.3f} exceeds "
                f"{max_cr:g}; the most inconsistent is {names[i]!r} vs {names[j]!r}, judged "
                f"{_ratio_text(current)} while the other judgements imply "
                f"{_ratio_text(implied)}",
                f"revise {names[i]!r} vs {names[j]!r} towards {_ratio_text(implied)} "
                f"(nearest scale value {_ratio_text(_nearest_scale(implied))}), then recheck",
            )
        )
    return result


def most_inconsistent(matrix: np.ndarray) -> tuple[int, int, float, float]:
    """The judgement that disagrees most with the priorities of the whole matrix.

    With priorities w from :func:`ahp`, a consistent matrix has ``A[i, j] = w[i] / w[j]``.
    The judgement with the largest ``|log(A[i, j] · w[j] / w[i])|`` — Saaty's error ratio on a
    log scale, so "3 where 1/3 was implied" counts as much as "1/3 where 3 was implied" — is the
    one to revisit first. ``w[i] / w[j]`` is the value that would put it in line with the rest;
    changing it lowers CR, though a badly inconsistent set may need more than one revision.

    Args:
        matrix: positive reciprocal ``(n, n)`` matrix, n ≥ 2 (not validated here).

    Returns:
        ``(i, j, current, consistent_value)``, oriented so that ``current ≥ 1`` ("i is current
        times as important as j"), as a person would have stated it.
    """
    a = np.asarray(matrix, dtype=float)
    w = _ahp_unchecked(a).weights
    implied = w[:, None] / w[None, :]
    error = np.abs(np.log(a / implied))
    np.fill_diagonal(error, -1.0)
    # Ties (both orientations of a pair always tie) resolve to the first in row order, so
    # the reported pair is deterministic; then orient it the way a person states it.
    i, j = (int(k) for k in np.unravel_index(int(np.argmax(error)), error.shape))
    if a[i, j] < 1.0:
        i, j = j, i
    return i, j, float(a[i, j]), float(implied[i, j])


def entropy_weights(matrix: np.ndarray) -> np.ndarray:
    """Shannon-entropy weights: criteria that spread the subjects more get more weight.

    For criterion j with values x_ij ≥ 0 over its m_j available subjects:
    ``p_ij = x_ij / Σ_i x_ij``, ``e_j = −Σ_i p_ij ln p_ij / ln m_j`` (with 0 · ln 0 = 0),
    ``d_j = 1 − e_j`` and ``w_j = d_j / Σ_k d_k``.

    Input: subjects × criteria of **non-negative values in which larger means more of the
    criterion** — in quanheng, the normalised benefit scores in [0, 1]; positive raw values work
    too, and give the same weights as any rescaling of them (p is scale-free), but not as a
    shifted or min–max normalised version, since entropy reads proportions.

    Missing values (NaN) are left out of their column: p, e and m_j use the values present.
    A column with fewer than two values, all values equal, or all zero carries no information
    and gets weight 0.

    Raises:
        WeightError: a value is negative or infinite, or no criterion separates the subjects.
    """
    x = np.asarray(matrix, dtype=float)
    _check_objective_input(x, nonnegative=True)
    present = ~np.isnan(x)
    m = present.sum(axis=0)
    xz = np.where(present, x, 0.0)
    total = xz.sum(axis=0)
    informative = (m >= 2) & (total > 0) & ~_constant_columns(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = xz / np.where(total > 0, total, 1.0)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        e = -plogp.sum(axis=0) / np.log(np.where(m >= 2, m, 2))
    d = np.where(informative, np.clip(1.0 - e, 0.0, None), 0.0)
    return _normalise_information(d)


def critic_weights(matrix: np.ndarray) -> np.ndarray:
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995).

    A criterion earns weight by contrast (spread of its values) and by conflict (being unlike
    the other criteria, so it is not counted twice): each column is min–max normalised, then
    ``C_j = σ_j · Σ_k (1 − r_jk)`` and ``w_j = C_j / Σ_k C_k``, with σ_j the standard deviation
    of the normalised column and r_jk Pearson's correlation between columns.

    Input: subjects × criteria with every criterion oriented so that larger is better (flip
    cost criteria first — the sign of a correlation, hence the conflict term, depends on it).

    Missing values (NaN): σ_j is the population standard deviation (ddof = 0) of the values
    present in column j, after min–max over those values; r_jk uses the subjects present in
    both columns (pairwise-complete). A pair with fewer than two shared subjects, or with no
    variation among them, counts as r = 0 — no evidence of redundancy either way. Constant
    columns (and those with fewer than two values) get weight 0 and are left out of the other
    columns' conflict sums, so adding one does not change the other weights.

    Raises:
        WeightError: a value is infinite, or every criterion is constant.
    """
    x = np.asarray(matrix, dtype=float)
    _check_objective_input(x, nonnegative=False)
    present = ~np.isnan(x)
    informative = (present.sum(axis=0) >= 2) & ~_constant_columns(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(present, x, np.inf).min(axis=0, initial=np.inf)
        hi = np.where(present, x, -np.inf).max(axis=0, initial=-np.inf)
        span = np.where(informative, hi - lo, 1.0)
        z = np.where(present & informative, (x - lo) / span, np.nan)
    count = np.maximum(present.sum(axis=0), 1)
    zz = np.where(present & informative, z, 0.0)
    mean = zz.sum(axis=0) / count
    sigma = np.sqrt(np.where(present & informative, (zz - mean) ** 2, 0.0).sum(axis=0) / count)
    r = _pairwise_pearson(z)
    cols = np.flatnonzero(informative)
    conflict = (1.0 - r[np.ix_(cols, cols)]).sum(axis=1)
    c = np.zeros(x.shape[1])
    c[cols] = sigma[cols] * conflict
    return _normalise_information(c)


def mix_weights(
    subjective: np.ndarray,
    objective: np.ndarray,
    share: float,
    *,
    method: Literal["linear", "multiplicative"] = "linear",
) -> np.ndarray:
    """Blend subjective and objective weights, ``share`` being the subjective method's part.

    ``linear``: ``share · s + (1 − share) · o`` — easy to explain ("70 % expert, 30 % data").
    ``multiplicative``: the weighted geometric mean ``s^share · o^(1 − share)``, renormalised —
    a criterion either side thinks worthless (weight 0) stays at 0, unless the share gives that
    side no say at all (share 1 or 0).

    Both inputs are normalised to sum 1 first, and so is the result.

    Raises:
        WeightError: shapes differ, share is outside [0, 1], a weight is negative or not
            finite, a vector sums to 0, or the multiplicative blend leaves every weight at 0.
    """
    s = np.asarray(subjective, dtype=float)
    o = np.asarray(objective, dtype=float)
    problems = _check_weight_vector(s, "subjective", "<weights>") + _check_weight_vector(
        o, "objective", "<weights>"
    )
    if s.shape != o.shape:
        problems.append(
            Problem(
                "<weights>",
                None,
                f"subjective weights have shape {s.shape}, objective {o.shape}",
                "give one weight per criterion in both, in the same order",
            )
        )
    if not (math.isfinite(share) and 0.0 <= share <= 1.0):
        problems.append(
            Problem(
                "<weights>",
                None,
                f"share is {share!r}",
                "give the subjective method's share as a number from 0 to 1",
            )
        )
    if method not in ("linear", "multiplicative"):
        problems.append(
            Problem(
                "<weights>",
                None,
                f"mix method is {method!r}",
                "use 'linear' or 'multiplicative'",
            )
        )
    if problems:
        raise WeightError(problems)
    s = s / s.sum()
    o = o / o.sum()
    if method == "linear":
        mixed = share * s + (1.0 - share) * o
    else:
        with np.errstate(divide="ignore"):
            mixed = np.exp(share * _safe_log(s, share) + (1.0 - share) * _safe_log(o, 1 - share))
    total = mixed.sum()
    if not total > 0:
        raise WeightError(
            Problem(
                "<weights>",
                None,
                "the multiplicative mix is zero for every criterion: no criterion has weight "
                "under both methods",
                "use the linear mix, or give weight to at least one criterion in both",
            )
        )
    return np.asarray(mixed / total, dtype=float)


# --------------------------------------------------------------------------- helpers


def _ahp_unchecked(a: np.ndarray) -> AHPResult:
    n = a.shape[0]
    if n == 1:
        return AHPResult(np.ones(1), 1.0, 0.0, 0.0)
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    # The Perron vector of a positive matrix has one sign; eig may return it negated.
    v = np.abs(vectors[:, k].real)
    w = v / v.sum()
    # lambda_max ≥ n for every positive reciprocal matrix; a tiny negative CI is round-off.
    ci = max(0.0, (lam - n) / (n - 1))
    cr = ci / RANDOM_INDEX[n - 1] if n > 2 else 0.0
    if n <= 2:
        ci = 0.0
    return AHPResult(w, lam, ci, cr)


def _names(items: Sequence[str] | None, n: int) -> list[str]:
    if items is not None and len(items) == n:
        return list(items)
    return [f"#{k + 1}" for k in range(n)]


def _check_reciprocal(a: np.ndarray, names: Sequence[str], where: str) -> list[Problem]:
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        return [
            Problem(
                where,
                None,
                f"the judgement matrix has shape {a.shape}",
                "give a square n × n matrix, n ≥ 1",
            )
        ]
    n = a.shape[0]
    if n > len(RANDOM_INDEX):
        return [
            Problem(
                where,
                None,
                f"{n} items are compared at once; the random index is tabulated up to "
                f"{len(RANDOM_INDEX)}",
                "group the items into a hierarchy of smaller comparisons (Saaty advises ≤ 9)",
            )
        ]
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        return [
            Problem(
                where,
                None,
                "the judgement matrix has a value that is not a positive finite number",
                "use values from 1/9 to 9",
            )
        ]
    problems: list[Problem] = []
    for i in range(n):
        if not math.isclose(a[i, i], 1.0, rel_tol=_RECIPROCAL_RTOL):
            problems.append(
                Problem(
                    where,
                    None,
                    f"diagonal entry for {names[i]!r} is {a[i, i]:g}",
                    "an item is always 1 times as important as itself",
                )
            )
        for j in range(i + 1, n):
            if not math.isclose(a[i, j] * a[j, i], 1.0, rel_tol=_RECIPROCAL_RTOL):
                problems.append(
                    Problem(
                        where,
                        None,
                        f"{names[i]!r} vs {names[j]!r} is {a[i, j]:g} but the reverse is "
                        f"{a[j, i]:g}, not its reciprocal",
                        f"set the reverse to 1/{a[i, j]:g}, or build the matrix with ahp_matrix",
                    )
                )
    return problems


def _judgement_value(value: object) -> float:
    """A judgement as a float: numbers as they are, ``"3"`` or ``"1/3"`` parsed; NaN otherwise."""
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        num, sep, den = value.partition("/")
        try:
            return float(num) / float(den) if sep else float(num)
        except (ValueError, ZeroDivisionError):
            return math.nan
    return math.nan


def _ratio_text(v: float) -> str:
    """Render a judgement as a person would say it: ``3`` or ``1/2.41``."""
    if v >= 1.0:
        return f"{v:.3g}"
    return f"1/{1.0 / v:.3g}"


def _nearest_scale(v: float) -> float:
    """The Saaty-scale value (1/9..1/2, 1..9) nearest to v on a log scale."""
    scale = np.array([1.0 / k for k in range(9, 1, -1)] + [float(k) for k in range(1, 10)])
    return float(scale[int(np.argmin(np.abs(np.log(scale) - math.log(v))))])


def _check_weight_vector(w: np.ndarray, name: str, where: str) -> list[Problem]:
    if w.ndim != 1 or w.size == 0:
        return [Problem(where, None, f"{name} weights have shape {w.shape}", "give a flat list")]
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        return [
            Problem(
                where,
                None,
                f"{name} weights contain a negative or non-finite value: {w.tolist()}",
                "use non-negative numbers",
            )
        ]
    if not w.sum() > 0:
        return [Problem(where, None, f"{name} weights are all zero", "give some weight")]
    return []


def _check_objective_input(x: np.ndarray, *, nonnegative: bool) -> None:
    problems: list[Problem] = []
    if x.ndim != 2:
        problems.append(
            Problem(
                "<matrix>",
                None,
                f"the decision matrix has shape {x.shape}",
                "give subjects × criteria",
            )
        )
    elif np.any(np.isinf(x)):
        problems.append(
            Problem("<matrix>", None, "the decision matrix has an infinite value", "use NaN")
        )
    elif nonnegative and np.any(x < 0):
        cols = sorted({int(c) for c in np.argwhere(x < 0)[:, 1]})
        problems.append(
            Problem(
                "<matrix>",
                None,
                f"entropy weights need non-negative values; criteria {cols} have negative ones",
                "normalise the criteria to [0, 1] first",
            )
        )
    if problems:
        raise WeightError(problems)


def _constant_columns(x: np.ndarray) -> np.ndarray:
    """True for columns whose present values are all equal (or that have none)."""
    present = ~np.isnan(x)
    lo = np.where(present, x, np.inf).min(axis=0, initial=np.inf)
    hi = np.where(present, x, -np.inf).max(axis=0, initial=-np.inf)
    return np.asarray(~(hi > lo))


def _pairwise_pearson(z: np.ndarray) -> np.ndarray:
    """Pearson r between columns over the rows present in both; undefined pairs give 0."""
    n_cols = z.shape[1]
    r = np.eye(n_cols)
    present = ~np.isnan(z)
    for j in range(n_cols):
        for k in range(j + 1, n_cols):
            both = present[:, j] & present[:, k]
            if both.sum() < 2:
                continue
            a = z[both, j] - z[both, j].mean()
            b = z[both, k] - z[both, k].mean()
            den = math.sqrt(float((a * a).sum()) * float((b * b).sum()))
            if den > 0:
                r[j, k] = r[k, j] = float(np.clip((a * b).sum() / den, -1.0, 1.0))
    return r


def _normalise_information(d: np.ndarray) -> np.ndarray:
    total = d.sum()
    if not total > 0:
        raise WeightError(
            Problem(
                "<matrix>",
                None,
                "no criterion separates the subjects (every column is constant or too sparse)",
                "objective weights need variation; use expert or AHP weights instead",
            )
        )
    return np.asarray(d / total, dtype=float)


def _safe_log(w: np.ndarray, exponent: float) -> np.ndarray:
    """log(w) for the geometric mix; a side with exponent 0 contributes nothing, even at w = 0."""
    if exponent == 0:
        return np.zeros_like(w)
    return np.where(w > 0, np.log(np.where(w > 0, w, 1.0)), -np.inf)
