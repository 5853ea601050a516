"""Expected value of information: which missing evidence could change the pick, and how much.

The simulation already answers "how sure is the pick" by drawing every missing cell from its
prior. The same draws answer "which cells are worth collecting": the **expected value of
partial perfect information** (EVPPI) of a group of uncertain inputs θ is how much better, on
average, the choice would be if θ were known before choosing,

    EVPPI(θ) = E_θ[ max_s E(score_s | θ) ] − max_s E(score_s),

in the units of the overall score (0 to 1). It is 0 when no plausible value of θ changes the
pick, and large when θ decides it and carries weight.

``E(score_s | θ)`` is estimated by regressing each option's simulated score on the drawn θ
(Strong, Oakley & Brennan 2014, "Estimating multiparameter partial expected value of perfect
information from a probabilistic sensitivity analysis sample: a nonparametric regression
approach", *Medical Decision Making* 34(3), 311–326). We use **linear least squares with an
intercept** rather than their GAM: under the weighted sum a subject's score is linear in each of
its own cells for fixed weights, and the weights are drawn independently of the cells, so the
conditional mean is linear (exactly for fixed-normalisation leaves, closely for min–max leaves
whose drawn cells renormalise the column, approximately for the geometric mean). With an
intercept the fitted values have the same mean as the scores, so the estimate is ≥ 0 (Jensen)
up to rounding; it is clipped at 0. Its small upward bias from fitting noise is about
``k / n`` of the score variance for ``k`` regressors and ``n`` draws.

Alongside it, the **probability that the pick changes**: the share of draws in which the option
with the best fitted score is not the one that is best on average now.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["TINY", "evppi", "evppi_groups"]

TINY = 1e-12
"""EVPPI at or below this (rounding, in score units) is reported as 0: nothing to learn."""


def evppi(scores: np.ndarray, inputs: np.ndarray) -> tuple[float, float]:
    """``(EVPPI, P(pick changes))`` of ``inputs`` for a choice among the columns of ``scores``.

    Args:
        scores: ``(n, S)`` each option's score (higher is better) in ``n`` simulation draws.
        inputs: ``(n, k)`` the uncertain inputs of interest drawn in the same draws.
    """
    x = np.asarray(inputs, dtype=np.float64)
    return evppi_groups(scores, x, [np.arange(x.shape[1] if x.ndim == 2 else 0)])[0]


def evppi_groups(
    scores: np.ndarray, inputs: np.ndarray, groups: Sequence[np.ndarray]
) -> list[tuple[float, float]]:
    """:func:`evppi` of each group of columns of ``inputs`` (e.g. the missing cells of a leaf).

    The least-squares fits share one pass over the draws: the centred cross-products of all
    inputs with each other and with the scores are formed once, and each group solves its own
    small block of them (a pseudo-inverse, so an input that does not vary gets no weight).
    """
    y = np.asarray(scores, dtype=np.float64)
    x = np.asarray(inputs, dtype=np.float64)
    if y.ndim != 2 or x.ndim != 2 or x.shape[0] != y.shape[0]:
        raise ValueError(f"scores (n, S) and inputs (n, k) must share n: {y.shape}, {x.shape}")
    n = y.shape[0]
    if n == 0 or y.shape[1] == 0:
        return [(0.0, 0.0) for _ in groups]
    finite = np.isfinite(y)
    if not finite.all():  # a subject that cannot be scored in a draw ranks last in it
        y = np.where(finite, y, (y[finite].min() - 1.0) if finite.any() else 0.0)
    mean = y.mean(axis=0)
    now = int(np.argmax(mean))
    xc = x - x.mean(axis=0)
    yc = y - mean
    xx = xc.T @ xc
    xy = xc.T @ yc
    out = []
    for g in groups:
        cols = np.asarray(g, dtype=np.intp)
        if len(cols) == 0:
            out.append((0.0, 0.0))
            continue
        beta = np.linalg.pinv(xx[np.ix_(cols, cols)], hermitian=True) @ xy[cols]
        fitted = mean + xc[:, cols] @ beta
        value = float(fitted.max(axis=1).mean() - mean.max())
        changes = float(np.mean(np.argmax(fitted, axis=1) != now))
        out.append((value if value > TINY else 0.0, changes))
    return out
