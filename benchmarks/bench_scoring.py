"""Benchmark: score 500 subjects × 56 leaves under 20 profiles (target: under 1 s).

The work is what a profile comparison or a weight-sensitivity study does: normalise the raw
matrix once, then aggregate every node under each profile's weights and rank the subjects.
It is timed three ways, after checking that all three give the same numbers (to 1e-9):

* quanheng, one :func:`~quanheng.mcda.aggregate.aggregate` call per profile;
* quanheng, the 20 profiles' weights stacked into a ``(20, N)`` array and one call on the matrix
  broadcast to ``(20, S, L)``;
* a plain-Python loop (dicts and lists, no numpy) computing the same scores, coverage and ranks.

The framework is the built-in ``cn-llm-vendor-2024`` when it loads; otherwise a generated
framework of the same shape (3 dimensions, 15 first-level indicators, 56 leaves).
Run: ``.venv/bin/python benchmarks/bench_scoring.py``.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from quanheng.errors import FrameworkError
from quanheng.framework import Framework, load_framework
from quanheng.mcda.aggregate import GEOMETRIC_FLOOR, aggregate, rank_desc
from quanheng.mcda.tree import CompiledTree
from quanheng.specs.normalisation import (
    Fixed,
    LogMinMax,
    Normalisation,
    Rubric,
    Target,
    normalise_matrix,
)

BUILTIN = "cn-llm-vendor-2024"
TARGET_SECONDS = 1.0
TOLERANCE = 1e-9
RANK_TOL = 1e-12  # rank_desc's default tie tolerance

Cell = float | None


# ----------------------------------------------------------------------------- inputs


def generated_framework() -> Framework:
    """A 3-dimension, 15-first-level, 56-leaf framework with every normalisation type."""
    levels = {k: {"en": f"level {k}"} for k in range(6)}
    norms: list[tuple[str, dict[str, Any], str]] = [
        ("rubric", {"type": "rubric", "levels": levels}, "higher"),
        ("fact", {"type": "log_minmax"}, "higher"),
        ("fact", {"type": "minmax"}, "higher"),
        ("fact", {"type": "fixed", "min": 0.0, "max": 1.0}, "higher"),
        ("fact", {"type": "log_minmax", "offset": 1.0}, "lower"),
        ("fact", {"type": "target", "target": 100.0, "width": 50.0}, "higher"),
    ]
    sizes = [4] * 11 + [3] * 4  # 15 first-level nodes, 56 leaves
    tree: list[dict[str, Any]] = []
    k = 0
    for d, dim in enumerate(("P", "S", "E")):
        firsts = []
        for f in range(5):
            leaves = []
            for m in range(sizes[d * 5 + f]):
                kind, norm, direction = norms[k % len(norms)]
                leaf_id = f"{dim}{f + 1}.{m + 1}"
                leaves.append(
                    {
                        "id": leaf_id,
                        "name": {"zh": leaf_id, "en": leaf_id},
                        "kind": kind,
                        "direction": direction,
                        "weight": 1.0 + (k % 3),
                        "normalisation": norm,
                    }
                )
                k += 1
            firsts.append(
                {
                    "id": f"{dim}{f + 1}",
                    "name": {"zh": f"{dim}{f + 1}", "en": f"{dim}{f + 1}"},
                    "normalise_weights": True,
                    "children": leaves,
                }
            )
        tree.append(
            {
                "id": dim,
                "name": {"zh": dim, "en": dim},
                "weight": (0.5, 0.3, 0.2)[d],
                "children": firsts,
            }
        )
    data = {
        "format": "quanheng/framework@1",
        "id": "bench-generated",
        "version": "1",
        "name": {"zh": "基准", "en": "Benchmark"},
        "tree": tree,
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "framework.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return load_framework(path)


def framework() -> tuple[Framework, str]:
    """The built-in framework if it loads, else a generated one of the same shape."""
    try:
        return load_framework(BUILTIN), f"built-in {BUILTIN}"
    except FrameworkError as exc:
        reason = str(exc).splitlines()[0]
        return generated_framework(), f"generated 3/15/56 ({BUILTIN} unavailable: {reason})"


def synthetic_values(fw: Framework, n_subjects: int, rng: np.random.Generator) -> np.ndarray:
    """Raw values suited to each leaf's normalisation, 10% missing."""
    values = np.empty((n_subjects, len(fw.leaves)))
    for j, leaf in enumerate(fw.leaves):
        norm = leaf.normalisation
        if isinstance(norm, Rubric):
            col = rng.integers(0, 6, n_subjects).astype(float)
        elif isinstance(norm, LogMinMax):
            col = 10.0 ** rng.uniform(0.0, 8.0, n_subjects) - norm.offset + 0.5
        elif isinstance(norm, Fixed):
            span = norm.max - norm.min
            col = rng.uniform(norm.min - 0.1 * span, norm.max + 0.1 * span, n_subjects)
        elif isinstance(norm, Target):
            col = rng.normal(norm.target, norm.width, n_subjects)
        else:
            col = rng.normal(50.0, 15.0, n_subjects)
        values[:, j] = col
    values[rng.uniform(size=values.shape) < 0.10] = np.nan
    return values


def profile_weights(
    tree: CompiledTree, fw: Framework, n: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` random profiles: new weights for every dimension and some first-level nodes."""
    dims = [node.id for node in fw.tree]
    firsts = [child.id for node in fw.tree for child in node.children]
    out = []
    for _ in range(n):
        overrides = {d: float(rng.uniform(0.1, 1.0)) for d in dims}
        for f in rng.choice(firsts, size=5, replace=False):
            overrides[str(f)] = float(rng.uniform(0.1, 1.0))
        out.append(tree.with_weights(overrides, rescale=True))
    return np.stack(out)


# ----------------------------------------------------------------------------- quanheng


@dataclass(frozen=True)
class Work:
    """Inputs shared by every method."""

    tree: CompiledTree
    specs: tuple[Normalisation, ...]
    directions: tuple[str, ...]
    values: np.ndarray  # (S, L)
    weights: np.ndarray  # (P, N)
    method: str
    missing: str


Result = tuple[np.ndarray, np.ndarray, np.ndarray]  # scores (P,S,N), coverage (P,S,N), ranks (P,S)


def quanheng_loop(work: Work) -> Result:
    """Normalise once, then one aggregate call and one ranking per profile."""
    normalised = normalise_matrix(work.values, work.specs, work.directions)
    scores, coverage, ranks = [], [], []
    for w in work.weights:
        s, c = aggregate(normalised, work.tree, w, method=work.method, missing=work.missing)
        scores.append(s)
        coverage.append(c)
        ranks.append(rank_desc(s[:, -1]))
    return np.stack(scores), np.stack(coverage), np.stack(ranks)


def quanheng_stacked(work: Work) -> Result:
    """Normalise once, then one aggregate call over all profiles: weights (P, N)."""
    normalised = normalise_matrix(work.values, work.specs, work.directions)
    stacked = np.broadcast_to(normalised, (len(work.weights), *normalised.shape))
    s, c = aggregate(stacked, work.tree, work.weights, method=work.method, missing=work.missing)
    return s, c, rank_desc(s[..., -1])


# ----------------------------------------------------------------------------- plain Python


@dataclass(frozen=True)
class PlainWork:
    """The same inputs as plain lists and dicts."""

    leaves: list[str]
    inner: list[tuple[str, list[str]]]  # children before parents; the root last
    specs: list[tuple[str, dict[str, float], str]]  # (type, parameters, direction) per leaf
    rows: list[list[Cell]]  # subjects × leaves, None = missing
    weights: list[dict[str, float]]  # one dict per profile: node id → local weight
    node_ids: list[str]
    method: str
    missing: str


def to_plain(work: Work) -> PlainWork:
    tree = work.tree
    specs: list[tuple[str, dict[str, float], str]] = []
    for spec, direction in zip(work.specs, work.directions, strict=True):
        params = {k: float(v) for k, v in spec.model_dump().items() if k not in ("type", "levels")}
        specs.append((spec.type, params, direction))
    return PlainWork(
        leaves=list(tree.ids[: tree.n_leaves]),
        inner=[(tree.ids[p], [tree.ids[k] for k in tree.children[p]]) for p in tree.inner],
        specs=specs,
        rows=[[None if math.isnan(v) else float(v) for v in row] for row in work.values],
        weights=[dict(zip(tree.ids, map(float, w), strict=True)) for w in work.weights],
        node_ids=list(tree.ids),
        method=work.method,
        missing=work.missing,
    )


def plain_normalise(
    column: list[Cell], kind: str, p: dict[str, float], direction: str
) -> list[Cell]:
    """One leaf's normalisation, as in docs/formats.md."""
    if kind in ("minmax", "log_minmax"):
        xs: list[Cell] = (
            column
            if kind == "minmax"
            else [None if x is None else math.log10(x + p["offset"]) for x in column]
        )
        present = [x for x in xs if x is not None]
        lo, hi = (min(present), max(present)) if present else (0.0, 0.0)
        span = hi - lo
        out = [None if x is None else ((x - lo) / span if span > 0 else 1.0) for x in xs]
    elif kind == "fixed":
        lo, hi = p["min"], p["max"]
        out = [None if x is None else min(1.0, max(0.0, (x - lo) / (hi - lo))) for x in column]
    elif kind == "rubric":
        return [None if x is None else min(1.0, max(0.0, x / 5)) for x in column]
    elif kind == "target":
        t, width = p["target"], p["width"]
        return [None if x is None else min(1.0, max(0.0, 1 - abs(x - t) / width)) for x in column]
    else:
        raise ValueError(kind)
    return [None if x is None else 1.0 - x for x in out] if direction == "lower" else out


def plain_ranks(overall: list[Cell]) -> list[int]:
    """Competition ranks, highest first, ties within RANK_TOL; missing ranks 0."""
    ordered = sorted(x for x in overall if x is not None)
    n = len(ordered)
    return [0 if x is None else n - bisect.bisect_right(ordered, x + RANK_TOL) + 1 for x in overall]


def plain_python(
    pw: PlainWork,
) -> tuple[list[list[dict[str, Cell]]], list[list[dict[str, float]]], list[list[int]]]:
    """The whole job in plain Python: scores, coverage and ranks per profile and subject."""
    columns = [
        plain_normalise([row[j] for row in pw.rows], *pw.specs[j]) for j in range(len(pw.leaves))
    ]
    norm_rows = [dict(zip(pw.leaves, cells, strict=True)) for cells in zip(*columns, strict=True)]
    if pw.missing == "median":
        fill: dict[str, Cell] = {}
        for leaf, col in zip(pw.leaves, columns, strict=True):
            present = [x for x in col if x is not None]
            fill[leaf] = statistics.median(present) if present else None
    geometric = pw.method == "geometric"
    all_scores, all_coverage, all_ranks = [], [], []
    for weights in pw.weights:
        p_scores: list[dict[str, Cell]] = []
        p_coverage: list[dict[str, float]] = []
        for norm in norm_rows:
            scores: dict[str, Cell] = {}
            coverage: dict[str, float] = {}
            for leaf in pw.leaves:
                x = norm[leaf]
                coverage[leaf] = 0.0 if x is None else 1.0
                if x is None and pw.missing == "worst":
                    x = 0.0
                elif x is None and pw.missing == "median":
                    x = fill[leaf]
                scores[leaf] = x
            for node, kids in pw.inner:
                num = den = total = cov = 0.0
                for kid in kids:
                    w = weights[kid]
                    total += w
                    cov += w * coverage[kid]
                    s = scores[kid]
                    if s is not None:
                        den += w
                        num += w * (math.log(max(s, GEOMETRIC_FLOOR)) if geometric else s)
                if den > 0:
                    scores[node] = math.exp(num / den) if geometric else num / den
                else:
                    scores[node] = None
                coverage[node] = cov / total if total > 0 else 0.0
            p_scores.append(scores)
            p_coverage.append(coverage)
        all_scores.append(p_scores)
        all_coverage.append(p_coverage)
        all_ranks.append(plain_ranks([s["overall"] for s in p_scores]))
    return all_scores, all_coverage, all_ranks


def plain_as_arrays(pw: PlainWork, out: Any) -> Result:
    scores, coverage, ranks = out
    s = np.array(
        [[[np.nan if d[n] is None else d[n] for n in pw.node_ids] for d in p] for p in scores]
    )
    c = np.array([[[d[n] for n in pw.node_ids] for d in p] for p in coverage])
    return s, c, np.array(ranks, dtype=np.int64)


# ----------------------------------------------------------------------------- timing


def best_of(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def check_equal(name: str, got: Result, want: Result) -> None:
    for what, a, b in zip(("scores", "coverage"), got[:2], want[:2], strict=True):
        assert a.shape == b.shape, f"{name}: {what} shape {a.shape} != {b.shape}"
        assert np.array_equal(np.isnan(a), np.isnan(b)), f"{name}: {what} missing cells differ"
        diff = np.nanmax(np.abs(a - b))
        assert diff <= TOLERANCE, f"{name}: {what} differ by {diff:.3g}"
    assert np.array_equal(got[2], want[2]), f"{name}: ranks differ"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=500)
    parser.add_argument("--profiles", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20240521)
    args = parser.parse_args(argv)

    fw, source = framework()
    tree = fw.compiled
    rng = np.random.default_rng(args.seed)
    values = synthetic_values(fw, args.subjects, rng)
    work = Work(
        tree=tree,
        specs=tuple(leaf.normalisation for leaf in fw.leaves if leaf.normalisation is not None),
        directions=tuple(leaf.direction for leaf in fw.leaves),
        values=values,
        weights=profile_weights(tree, fw, args.profiles, rng),
        method=fw.aggregation,
        missing=fw.missing,
    )
    pw = to_plain(work)

    # Same numbers first, then time.
    reference = plain_as_arrays(pw, plain_python(pw))
    check_equal("quanheng per profile", quanheng_loop(work), reference)
    check_equal("quanheng stacked", quanheng_stacked(work), reference)

    rows = [
        ("quanheng: normalise once + aggregate per profile + ranks", lambda: quanheng_loop(work)),
        (
            "quanheng: normalise once + one stacked (P, S, L) aggregate + ranks",
            lambda: quanheng_stacked(work),
        ),
        ("plain Python loop (dicts/lists)", lambda: plain_python(pw)),
    ]
    timings = [(label, best_of(fn, args.repeats)) for label, fn in rows]
    plain = timings[-1][1]

    n_inner = len(tree.ids) - tree.n_leaves
    size = f"{args.subjects} subjects × {tree.n_leaves} leaves × {args.profiles} profiles"
    print(f"# bench_scoring: {size}")
    print()
    print(f"- framework: {source} ({len(fw.tree)} dimensions, {n_inner} inner nodes incl. root)")
    settings = f"aggregation={work.method}, missing={work.missing}, 10% cells missing"
    print(f"- settings: {settings}, seed {args.seed}")
    print(f"- results checked equal to {TOLERANCE:g} (scores, coverage) and exactly (ranks)")
    print(
        f"- machine: {platform.platform()}, {platform.machine()}, os.cpu_count()={os.cpu_count()}"
    )
    print(f"- python {platform.python_version()}, numpy {np.__version__}")
    print(f"- date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    print(f"- command: {Path(sys.executable).name} {' '.join(sys.argv)}")
    print(f"- best of {args.repeats} runs, time.perf_counter")
    print()
    print("| method | seconds | ratio to plain Python (plain ÷ this) | under 1 s target |")
    print("|---|---:|---:|---|")
    for label, seconds in timings:
        under = "yes" if seconds < TARGET_SECONDS else "no"
        print(f"| {label} | {seconds:.4f} | {plain / seconds:.1f}× | {under} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
