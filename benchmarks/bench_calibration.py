"""Benchmark: are the simulation's intervals and P(best) honest when cells are missing?

Synthetic studies on the built-in framework's tree (``cn-llm-vendor-2024``: 56 leaves, their
own normalisations and weights), every cell known. A latent quality per subject and a loading
and intercept per leaf give each cell a standing ``p = sigmoid(b[l] + λ[l] · q[s] + noise)``,
turned into a raw value that suits the leaf's normalisation (a rubric level, a value in a fixed
range, a positive amount for (log) min–max, a distance from a target). The full-evidence score
is the truth. Cells are then deleted

* **MCAR** — completely at random, 30 %, 50 % and 70 % of them;
* **MNAR** — weaker subjects report less: a subject's deletion rate rises with its weakness
  (logistic in −q, averaging the same rates), so the cohort seen is the stronger one,

and each deleted study is simulated with the missing-cell prior (``missing_model="prior"``) and
with the old behaviour (``"ignore"``: missing cells stay missing, the framework's ``drop``
policy in every draw). Weights are fixed (the truth is defined at the profile's weights) and
the known cells exact, so every bit of interval width is the missing data's.

Reported per setting: how often the 90 % interval contains the full-evidence score (target:
within a few points of 90 % under MCAR), its mean width, the Brier score of P(best) (the
multi-class sum over subjects, 0 is perfect; always saying 1/S scores 1 − 1/S), and how often
P(best) ≥ 0.95 lands on a subject that is not the true best (target: never).

``--truth clustered`` is a harder, more realistic second truth: a quality per dimension
(correlation 0.75 with the overall one), Student-t noise, and half the deletions by whole
first-level node (a vendor that publishes nothing on a topic). The default stays the original.

Run: ``.venv/bin/python benchmarks/bench_calibration.py [--studies N] [--subjects S]
[--draws D] [--truth one-factor|clustered] [--models prior,ignore]``. Prints the machine, date,
command and a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time

import numpy as np

RATES = (0.3, 0.5, 0.7)
MODELS = ("prior", "ignore")
MNAR_SLOPE = 1.5
"""Log-odds of deletion per standard deviation of weakness under MNAR."""


def full_study(rng: np.random.Generator, subjects: int, truth: str = "one-factor"):  # type: ignore[no-untyped-def]
    """A complete synthetic :class:`DecisionData` on the built-in tree, and the qualities.

    ``one-factor``: one latent quality, normal noise. ``clustered``: each of the three
    dimensions has its own quality (correlation 0.75 with the overall one: vendors strong in
    strategy but weak in products exist), and heavy-tailed noise (Student t, 5 degrees of
    freedom, same variance).
    """
    from quanheng.analysis.inputs import DecisionData
    from quanheng.framework import load_framework
    from quanheng.specs.normalisation import Fixed, LogMinMax, MinMax, Rubric, Target

    fw = load_framework("cn-llm-vendor-2024")
    tree = fw.compiled
    specs = fw.normalisations
    dirs = fw.directions
    n_leaves = tree.n_leaves
    q = rng.normal(size=subjects)
    loading = rng.uniform(0.3, 1.2, n_leaves)
    intercept = rng.normal(0.0, 0.7, n_leaves)
    if truth == "clustered":
        dim = np.array([tree.ids[i][0] for i in range(n_leaves)])
        own = {d: rng.normal(size=subjects) for d in sorted(set(dim))}
        factor = np.stack([0.75 * q + np.sqrt(1 - 0.75**2) * own[d] for d in dim], axis=1)
        noise = 0.8 * np.sqrt(3 / 5) * rng.standard_t(5, (subjects, n_leaves))
    else:
        factor = np.repeat(q[:, None], n_leaves, axis=1)
        noise = rng.normal(0.0, 0.8, (subjects, n_leaves))
    latent = intercept + loading * factor + noise
    p = 1.0 / (1.0 + np.exp(-latent))  # the cell's standing, higher is better
    values = np.empty_like(p)
    for j, spec in enumerate(specs):
        good = p[:, j] if dirs[j] != "lower" else 1.0 - p[:, j]
        if isinstance(spec, Rubric):
            values[:, j] = np.round(5.0 * p[:, j])
        elif isinstance(spec, Fixed):
            values[:, j] = spec.min + good * (spec.max - spec.min)
        elif isinstance(spec, LogMinMax) and spec.reference is not None:
            # inside the framework's public range (min–max ignores where: same scores as below)
            lo, hi = np.log10(np.array([spec.reference.min, spec.reference.max]) + spec.offset)
            values[:, j] = 10.0 ** (lo + (hi - lo) * (0.1 + 0.8 * good)) - spec.offset
        elif isinstance(spec, LogMinMax):
            values[:, j] = 10.0 ** (1.0 + 4.0 * good)
        elif isinstance(spec, MinMax) and spec.reference is not None:
            span = spec.reference.max - spec.reference.min
            values[:, j] = spec.reference.min + span * (0.1 + 0.8 * good**1.5)
        elif isinstance(spec, MinMax):
            values[:, j] = 50.0 + 100.0 * good**1.5
        elif isinstance(spec, Target):
            side = rng.choice([-1.0, 1.0], subjects)
            values[:, j] = spec.target + side * (1.0 - p[:, j]) * spec.width
        else:  # pragma: no cover - every normalisation is handled above
            raise TypeError(spec)
    data = DecisionData(
        tree=tree,
        subjects=tuple(f"s{i}" for i in range(subjects)),
        values=values,
        low=values.copy(),
        high=values.copy(),
        spread=np.zeros_like(values),
        specs=specs,
        directions=dirs,
        weights=tree.weights,
        aggregation=fw.aggregation,
        missing="drop",
    )
    return data, q


def delete(  # type: ignore[no-untyped-def]
    rng: np.random.Generator,
    data,
    q: np.ndarray,
    rate: float,
    mnar: bool,
    blocks: bool = False,
    sparse: bool = False,
):
    """A copy of ``data`` with cells deleted (each subject keeps at least one).

    ``blocks``: half the rate (in odds, so the total is ``rate``) falls on whole first-level
    nodes — a vendor that publishes nothing on a topic — and the rest on single cells.
    ``sparse``: min–max leaves left with fewer than three values fall back to the framework's
    reference range, as the scoring pipeline does (:mod:`quanheng.scoring.sparse`).
    """
    import dataclasses

    s, n_leaves = data.values.shape
    if mnar:
        # weaker subjects report less: shift the logistic so the mean rate is ``rate``
        weak = -(q - q.mean()) / (q.std() or 1.0)
        lo, hi = -20.0, 20.0
        for _ in range(60):
            mid = (lo + hi) / 2
            if (1 / (1 + np.exp(-(mid + MNAR_SLOPE * weak)))).mean() < rate:
                lo = mid
            else:
                hi = mid
        p_del = 1 / (1 + np.exp(-(lo + MNAR_SLOPE * weak)))
    else:
        p_del = np.full(s, rate)
    if blocks:
        parent = np.asarray(data.tree.parent[:n_leaves])
        nodes, node = np.unique(parent, return_inverse=True)
        p_block = p_del / 2
        p_cell = 1 - (1 - p_del) / (1 - p_block)
        gone = (rng.random((s, len(nodes))) < p_block[:, None])[:, node]
        gone |= rng.random((s, n_leaves)) < p_cell[:, None]
    else:
        gone = rng.random((s, n_leaves)) < p_del[:, None]
    keep = rng.integers(0, n_leaves, s)
    gone[np.arange(s), keep] = False
    values = np.where(gone, np.nan, data.values)
    if not sparse:
        return dataclasses.replace(data, values=values, low=values, high=values)
    # as `quanheng analyse` does: a min–max leaf with fewer than three values is scored (and
    # drawn) on the framework's reference range, log ranges on the log scale
    from quanheng.scoring.sparse import resolve_sparse
    from quanheng.specs.normalisation import Fixed, LogFixed

    specs, _ = resolve_sparse(values, data.specs, data.tree.ids[:n_leaves])
    out = list(specs)
    for j, spec in enumerate(specs):
        if isinstance(spec, LogFixed):
            values[:, j] = np.log10(values[:, j] + spec.offset)
            out[j] = Fixed(min=spec.log_bounds[0], max=spec.log_bounds[1])
    return dataclasses.replace(data, values=values, low=values, high=values, specs=tuple(out))


def run(
    studies: int,
    subjects: int,
    draws: int,
    seed: int,
    models: tuple[str, ...] = MODELS,
    truth_model: str = "one-factor",
    sparse: bool = False,
) -> dict[tuple[str, float, str], dict]:  # type: ignore[type-arg]
    """Metrics per (mechanism, rate, model)."""
    from quanheng.analysis.simulate import point_scores, simulate

    rng = np.random.default_rng(seed)
    acc: dict[tuple[str, float, str], dict] = {}  # type: ignore[type-arg]
    for _ in range(studies):
        full, q = full_study(rng, subjects, truth_model)
        truth = point_scores(full)
        best = np.zeros(subjects)
        best[np.argmax(truth)] = 1.0
        for mech in ("MCAR", "MNAR"):
            for rate in RATES:
                data = delete(
                    rng, full, q, rate, mech == "MNAR", truth_model == "clustered", sparse
                )
                for model in MODELS:
                    if model not in models:
                        rng.integers(2**31)  # the same seeds for the models that are run
                        continue
                    r = simulate(
                        data,
                        draws=draws,
                        seed=int(rng.integers(2**31)),
                        concentration=float("inf"),
                        missing_model=model,  # type: ignore[arg-type]
                        workers=1,
                        nodes=(),
                    )
                    m = acc.setdefault(
                        (mech, rate, model),
                        {
                            "inside": 0,
                            "cells": 0,
                            "width": 0.0,
                            "brier": 0.0,
                            "sure": 0,
                            "wrong": 0,
                        },
                    )
                    m["inside"] += int(((r.q05 <= truth + 1e-9) & (truth <= r.q95 + 1e-9)).sum())
                    m["cells"] += subjects
                    m["width"] += float((r.q95 - r.q05).sum())
                    m["brier"] += float(((r.p_best - best) ** 2).sum())
                    top = int(np.argmax(r.p_best))
                    if r.p_best[top] >= 0.95:
                        m["sure"] += 1
                        m["wrong"] += int(best[top] == 0)
    return acc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=200)
    parser.add_argument("--subjects", type=int, default=8)
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--models", default=",".join(MODELS), help="comma-separated subset of prior,ignore"
    )
    parser.add_argument(
        "--truth",
        choices=("one-factor", "clustered"),
        default="one-factor",
        help="one-factor: one latent quality, cells deleted one by one; clustered: a quality "
        "per dimension, heavy-tailed noise, half the deletions by whole first-level node",
    )
    parser.add_argument(
        "--sparse-scales",
        action="store_true",
        help="score min–max leaves left with fewer than three values on the framework's "
        "reference range, as quanheng analyse does (default: plain min–max, the stress case)",
    )
    args = parser.parse_args()
    models = tuple(m for m in args.models.split(",") if m)
    start = time.perf_counter()
    acc = run(
        args.studies, args.subjects, args.draws, args.seed, models, args.truth, args.sparse_scales
    )
    elapsed = time.perf_counter() - start
    cpu = platform.processor() or platform.machine()
    print(
        f"Machine: {platform.node()} · {cpu} · {os.cpu_count()} CPUs · Python "
        f"{platform.python_version()} · numpy {np.__version__}"
    )
    print(f"Date: {dt.datetime.now().isoformat(timespec='seconds')}")
    print(f"Command: {' '.join([os.path.relpath(sys.executable), *sys.argv])}")
    print(
        f"{args.studies} synthetic studies ({args.truth}"
        f"{', reference scales for sparse min–max leaves' if args.sparse_scales else ''}) × "
        f"{args.subjects} subjects × 56 "
        f"leaves (built-in tree), {args.draws:,} draws each, fixed weights, exact known cells; "
        f"{elapsed:.0f} s"
    )
    print()
    print(
        "| deletion | rate | model | 90 % interval covers truth | mean width | Brier P(best) "
        "| P(best) ≥ 0.95 | … on a wrong subject |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for mech in ("MCAR", "MNAR"):
        for rate in RATES:
            for model in models:
                m = acc[(mech, rate, model)]
                print(
                    f"| {mech} | {rate:.0%} | {model} | {m['inside'] / m['cells']:.1%} | "
                    f"{m['width'] / m['cells']:.3f} | {m['brier'] / args.studies:.3f} | "
                    f"{m['sure']} / {args.studies} | {m['wrong']} |"
                )


if __name__ == "__main__":
    main()
