"""Benchmark: the library statistics against the hand-written ones they replaced, side by side.

Four replacements (``benchmarks/handwritten_stats.py`` holds the former code):

* Kendall's tau (``scipy.stats.kendalltau``): how many calls one analysis makes, the time per
  call, and the whole :func:`quanheng.analysis.analyse` of the report benchmark's study
  (50 subjects × 56 leaves, 10,000 draws) with each implementation patched in — the analysis
  is part of the report's 15 s target; every tau is checked equal.
* Krippendorff's alpha (the ``krippendorff`` package) per call, on one dimension's ratings.
* The percentile bootstrap (``scipy.stats.bootstrap``) of a mean for n = 5 … 100,000 items
  (100,000 is the largest store the runner benchmark measures; ``collect`` makes one call per
  metric per subject); the intervals are checked identical.
* Bradley–Terry (``choix``) fits and 1,000-resample bootstraps; strengths compared.

Each pair runs interleaved in one process, best of ``--repeat`` (3), so the ratios mean
something on a shared machine. Run: ``.venv/bin/python benchmarks/bench_stats.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import handwritten_stats as old
import numpy as np

from quanheng.measure.metrics import Statistic

SYNTH = Path(__file__).resolve().parent.parent / "tests" / "report" / "synth.py"


def best(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Best wall time of each function, the functions interleaved round by round."""
    times = {name: float("inf") for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name] = min(times[name], time.perf_counter() - t0)
    return times


def row(label: str, new: float, hand: float, note: str = "") -> None:
    """One Markdown table row: times in ms and their ratio."""
    print(f"| {label} | {new * 1e3:,.3f} | {hand * 1e3:,.3f} | {new / hand:.2f}× | {note} |")


def bench_kendall(repeat: int) -> None:
    import quanheng
    from quanheng.analysis import analyse

    # The package re-exports functions named like these modules, so import the modules.
    methods = importlib.import_module("quanheng.analysis.methods")
    sensitivity = importlib.import_module("quanheng.analysis.sensitivity")
    from quanheng.mcda.rankcorr import kendall_tau

    spec = importlib.util.spec_from_file_location("synth", SYNTH)
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    calls: list[tuple[np.ndarray, np.ndarray]] = []

    def counting(a: np.ndarray, b: np.ndarray) -> float:
        calls.append((np.array(a, dtype=float), np.array(b, dtype=float)))
        return kendall_tau(a, b)

    def patched(fn: Callable[[np.ndarray, np.ndarray], float]) -> None:
        methods.kendall_tau = fn
        sensitivity.kendall_tau = fn

    with tempfile.TemporaryDirectory() as tmp:
        study = quanheng.load_study(synth.make_study(Path(tmp) / "study", 50))
        card = quanheng.score(study)
        patched(counting)
        analyse(study, card, draws=10_000, seed=0)
        n_calls = len(calls)
        same = all(
            (np.isnan(kendall_tau(a, b)) and np.isnan(old.kendall_tau(a, b)))
            or abs(kendall_tau(a, b) - old.kendall_tau(a, b)) <= 1e-12
            for a, b in calls
        )
        per_call = best(
            {
                "scipy": lambda: [kendall_tau(a, b) for a, b in calls],
                "hand": lambda: [old.kendall_tau(a, b) for a, b in calls],
            },
            repeat,
        )

        def run_with(fn: Callable[[np.ndarray, np.ndarray], float]) -> Callable[[], Any]:
            def go() -> Any:
                patched(fn)
                return analyse(study, card, draws=10_000, seed=0)

            return go

        whole = best({"scipy": run_with(kendall_tau), "hand": run_with(old.kendall_tau)}, repeat)
        patched(kendall_tau)
    print(
        f"\nKendall's tau: {n_calls} calls in one analysis of 50 subjects × 56 leaves "
        f"(10,000 draws); every tau equal to the hand-written one within 1e-12: {same}\n"
    )
    print("| case | scipy (ms) | hand-written (ms) | scipy ÷ hand | note |")
    print("|---|---:|---:|---:|---|")
    row(
        f"all {n_calls} taus of one analysis",
        per_call["scipy"],
        per_call["hand"],
        f"{per_call['scipy'] / n_calls * 1e6:.0f} µs per scipy call",
    )
    row(
        "the whole analyse()",
        whole["scipy"],
        whole["hand"],
        "report target < 15 s for the whole command",
    )


def bench_alpha(repeat: int) -> None:
    from quanheng.mcda.agreement import krippendorff_alpha

    rng = np.random.default_rng(3)
    print("\nKrippendorff's alpha (ordinal), one call:\n")
    print("| raters × units | package (ms) | hand-written (ms) | package ÷ hand | max |Δ| |")
    print("|---|---:|---:|---:|---|")
    for raters, units in ((3, 50 * 8), (5, 50 * 56)):
        truth = rng.integers(0, 6, size=units)
        data = np.clip(truth + rng.integers(-1, 2, size=(raters, units)), 0, 5).astype(float)
        data[rng.random(data.shape) < 0.2] = np.nan
        diff = abs(krippendorff_alpha(data) - old.krippendorff_alpha(data))
        t = best(
            {
                "new": lambda d=data: krippendorff_alpha(d),
                "hand": lambda d=data: old.krippendorff_alpha(d),
            },
            max(repeat, 5),
        )
        row(f"{raters} × {units}", t["new"], t["hand"], f"{diff:.1e}")


def bench_bootstrap(repeat: int) -> None:
    from quanheng.measure.metrics import STATISTICS, bootstrap_ci

    rng = np.random.default_rng(5)
    print("\nPercentile bootstrap, 2,000 resamples, one call (0/1 scores; latencies for p95):\n")
    print(
        "| items, statistic | scipy (ms) | hand-written (ms) | scipy ÷ hand | max |Δ| of the ends |"
    )
    print("|---|---:|---:|---:|---|")
    cases: list[tuple[int, Statistic]] = [
        (5, "mean"),
        (200, "mean"),
        (5_000, "mean"),
        (20_000, "mean"),
        (100_000, "mean"),
        (5_000, "p95"),
        (100_000, "p95"),
    ]
    for n, stat in cases:
        if stat == "mean":
            values = rng.integers(0, 2, size=n).astype(float)
        else:
            values = rng.lognormal(0.0, 0.5, size=n)
        fn = STATISTICS[stat]
        diff = max(
            abs(x - y)
            for x, y in zip(
                bootstrap_ci(values, seed=1, statistic=stat),
                old.bootstrap_ci(values, seed=1, statistic=fn),
                strict=True,
            )
        )
        t = best(
            {
                "new": lambda v=values, s=stat: bootstrap_ci(v, seed=1, statistic=s),
                "hand": lambda v=values, f=fn: old.bootstrap_ci(v, seed=1, statistic=f),
            },
            repeat if n >= 20_000 else max(repeat, 10),
        )
        row(f"{n:,}, {stat}", t["new"], t["hand"], f"{diff:.1e}")


def bench_bradley_terry(repeat: int) -> None:
    from quanheng.measure.preference import PairCounts, bootstrap_strengths, bradley_terry

    rng = np.random.default_rng(11)
    print("\nBradley–Terry, effective wins with ties:\n")
    print("| case | choix (ms) | hand-written MM (ms) | choix ÷ hand | max |Δ strength| |")
    print("|---|---:|---:|---:|---|")
    for k in (3, 10):
        true = rng.dirichlet(np.ones(k))
        wins = np.zeros((k, k))
        ties = np.zeros((k, k))
        for i in range(k):
            for j in range(i + 1, k):
                n = 40
                t = rng.binomial(n, 0.1)
                w = rng.binomial(n - t, true[i] / (true[i] + true[j]))
                wins[i, j], wins[j, i], ties[i, j], ties[j, i] = w, n - t - w, t, t
        counts = PairCounts(
            players=tuple(f"p{i}" for i in range(k)),
            wins=tuple(tuple(r) for r in wins.tolist()),
            ties=tuple(tuple(r) for r in ties.tolist()),
        )
        diff = float(
            np.abs(np.array(bradley_terry(counts).strength) - old.bradley_terry(wins, ties)).max()
        )
        t1 = best(
            {
                "new": lambda c=counts: bradley_terry(c),
                "hand": lambda w=wins, t=ties: old.bradley_terry(w, t),
            },
            max(repeat, 20),
        )
        row(f"fit, {k} players", t1["new"], t1["hand"], f"{diff:.1e}")
        boot = best(
            {
                "new": lambda c=counts: bootstrap_strengths(c, n_boot=1000),
                "hand": lambda c=counts: _old_boot(c),
            },
            repeat,
        )
        row(f"bootstrap_strengths, {k} players, 1,000 resamples", boot["new"], boot["hand"])


def _old_boot(counts: Any) -> None:
    """bootstrap_strengths' loop with the hand-written MM in place of choix."""
    from unittest import mock

    from quanheng.measure import preference

    def fit(w: np.ndarray, t: np.ndarray, prior: float, tol: float, max_iter: int) -> np.ndarray:
        return old.bradley_terry(w, t, prior, tol, max_iter)

    with mock.patch.object(preference, "_fit", fit):
        preference.bootstrap_strengths(counts, n_boot=1000)


def bench_import(repeat: int) -> None:
    """What a process pays once: importing scipy.stats (the analysis' and collect's first call)."""
    import subprocess
    import sys

    def fresh(code: str) -> Callable[[], Any]:
        return lambda: subprocess.run([sys.executable, "-c", code], check=True)

    t = best(
        {
            "scipy": fresh("import numpy, scipy.stats"),
            "numpy": fresh("import numpy"),
            "libs": fresh("import numpy, scipy.stats, krippendorff, choix"),
        },
        max(repeat, 5),
    )
    print("\nImport, fresh interpreter (best of 5):\n")
    print("| import | s | more than numpy alone |")
    print("|---|---:|---:|")
    for name, label in (
        ("numpy", "numpy"),
        ("scipy", "numpy, scipy.stats"),
        ("libs", "numpy, scipy.stats, krippendorff, choix"),
    ):
        print(f"| {label} | {t[name]:.2f} | {t[name] - t['numpy']:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="import,kendall,alpha,bootstrap,bt")
    args = parser.parse_args()
    import scipy

    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. "
        f"Command: python benchmarks/bench_stats.py --repeat {args.repeat}"
    )
    parts = {
        "import": bench_import,
        "kendall": bench_kendall,
        "alpha": bench_alpha,
        "bootstrap": bench_bootstrap,
        "bt": bench_bradley_terry,
    }
    for name in args.only.split(","):
        parts[name](args.repeat)


if __name__ == "__main__":
    main()
