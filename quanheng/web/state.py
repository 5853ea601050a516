"""The workbench's view of one study: loaded once, scored once per profile, re-weighted live.

A page asks :class:`Workbench` for the study, its measurements and scorecards; nothing is
loaded or scored twice while the study's files stay as they are. A save through
:mod:`quanheng.curation` changes a file, the next request sees a new stamp (file sizes and
modification times) and loads the study again; a finished run drops the measurements read from
the run store.

Live re-weighting (:meth:`Workbench.reweight`) reuses the base scorecard's indicator matrix and
gate outcomes — which weights cannot change — and runs only the weighting and aggregation
(:func:`~quanheng.scoring.engine.score_matrix`); rank probabilities
(:meth:`Workbench.probabilities`) are the analysis's own simulation
(:func:`~quanheng.analysis.simulate`) at :data:`DRAWS` draws, cached by the weights.
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing as mp
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from quanheng.analysis import DecisionData, SimulationResult, decision_data, simulate
from quanheng.errors import InputError
from quanheng.measure.measurement import Measurement
from quanheng.scoring.engine import ScoringContext, score, score_matrix
from quanheng.scoring.scorecard import Scorecard
from quanheng.scoring.weighting import profile_weights
from quanheng.study import Profile, Study, load_study

__all__ = ["DRAWS", "Workbench", "slider_nodes"]

DRAWS = 2_000
"""Draws of the live rank-probability simulation (the report uses 10,000)."""

_CACHE = 64
T = TypeVar("T")


def slider_nodes(study: Study) -> list[tuple[str, list[str]]]:
    """The weights a person moves: ``[("overall", dimensions), (dimension, its groups), …]``."""
    fw = study.framework
    out = [("overall", [d.id for d in fw.tree])]
    for dim in fw.tree:
        kids = [c.id for c in dim.children]
        if kids:
            out.append((dim.id, kids))
    return out


class Workbench:
    """One study served by the workbench, with its caches (thread-safe)."""

    def __init__(
        self, study_dir: Path, *, draws: int = DRAWS, seed: int = 0, processes: bool = False
    ) -> None:
        self.study_dir = study_dir.resolve()
        self.processes = processes
        """Run the live simulation in a worker process (see :meth:`_simulate`)."""
        self._pool: ProcessPoolExecutor | None = None
        self.draws = draws
        self.seed = seed
        self._lock = threading.RLock()
        self._stamp: tuple[tuple[str, int, int], ...] | None = None
        self._study: Study | None = None
        self._measurements: list[Measurement] | None = None
        self._cards: dict[str, Scorecard] = {}
        self._live: OrderedDict[str, Scorecard] = OrderedDict()
        self._sims: OrderedDict[str, SimulationResult] = OrderedDict()
        self._memo: dict[str, Any] = {}
        self.loads = 0
        """How often the study was loaded (tests count it)."""
        self.sim_seconds: list[float] = []
        """Wall time of each live simulation (the benchmark reads it beside the browser's)."""
        self.sim_cpu_seconds: list[float] = []
        """CPU time of each (all its threads), which a loaded machine inflates far less."""

    # ------------------------------------------------------------------ loading
    def _files(self) -> list[Path]:
        files = [self.study_dir / "study.yaml"]
        study = self._study
        refs = study.spec.evidence if study is not None else ("evidence",)
        for ref in refs:
            path = self.study_dir / ref
            if path.is_dir():
                files += sorted(p for p in path.rglob("*") if p.is_file())
            else:
                files.append(path)
        return files

    def _current_stamp(self) -> tuple[tuple[str, int, int], ...]:
        out = []
        for path in self._files():
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((str(path), st.st_size, st.st_mtime_ns))
        return tuple(out)

    def study(self) -> Study:
        """The study as its files are now (loaded again after any file changed)."""
        with self._lock:
            stamp = self._current_stamp()
            if self._study is None or stamp != self._stamp:
                self._study = load_study(self.study_dir)
                self.loads += 1
                self._stamp = self._current_stamp()  # the evidence list may name new files
                self._clear()
            return self._study

    def _clear(self) -> None:
        self._cards.clear()
        self._live.clear()
        self._sims.clear()
        self._memo.clear()

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """``make()``, kept until the study or its measurements change (charts, report data)."""
        self.study()
        with self._lock:
            if key not in self._memo:
                self._memo[key] = make()
            value: T = self._memo[key]
            return value

    def measurements(self) -> list[Measurement]:
        """What the run store holds, read once (again after :meth:`forget_measurements`)."""
        with self._lock:
            if self._measurements is None:
                from quanheng.measure.pipeline import collect  # the HTTP stack: when needed

                self._measurements = collect(self.study())
            return self._measurements

    def forget_measurements(self) -> None:
        """A run finished: read the run store again on the next request."""
        with self._lock:
            self._measurements = None
            self._clear()

    # ------------------------------------------------------------------ scoring
    def card(self, profile: str | None = None) -> Scorecard:
        """The scorecard under a profile of the study (``None``: the framework's weights)."""
        study = self.study()
        key = profile or "default"
        with self._lock:
            if key not in self._cards:
                self._cards[key] = score(study, profile, measurements=self.measurements())
            return self._cards[key]

    def weights_of(self, profile: str | None) -> dict[str, float]:
        """The local weights of the slider nodes under a profile, as scoring resolves them."""
        study = self.study()
        card = self.card(profile)
        tree = study.framework.compiled
        return {
            node: float(card.weights[tree.index[node]])
            for _, kids in slider_nodes(study)
            for node in kids
        }

    def reweight(self, profile: str | None, weights: Mapping[str, float]) -> Scorecard:
        """The scorecard under ``profile`` with the slider ``weights`` put in its place.

        Each moved parent's children are rescaled to sum to 1 (``normalise``); pairwise
        judgements of a parent whose children were moved give way to the sliders.

        Raises:
            InputError: an unknown node id, or a weight that is negative or not finite.
        """
        study = self.study()
        known = {n for _, kids in slider_nodes(study) for n in kids}
        clean: dict[str, float] = {}
        for node, value in weights.items():
            if node not in known:
                raise InputError.single("weights", None, f"unknown node {node!r}", "use a slider")
            if not np.isfinite(value) or value < 0:
                raise InputError.single(
                    "weights", None, f"weight of {node!r} is {value!r}", "give a number >= 0"
                )
            clean[node] = float(value)
        base = self.card(profile)
        key = _key(base.profile, clean)
        with self._lock:
            hit = self._live.get(key)
            if hit is not None:
                self._live.move_to_end(key)
                return hit
        prof = study.profile(profile)
        card = _rescored(study, base, _with_weights(study, prof, clean))
        with self._lock:
            self._live[key] = card
            while len(self._live) > _CACHE:
                self._live.popitem(last=False)
        return card

    def probabilities(self, card: Scorecard) -> SimulationResult | None:
        """Rank probabilities of the card's main cohort from :attr:`draws` draws (cached by the
        weights); ``None`` when no subject can be ranked."""
        study = self.study()
        key = card.profile + ":" + hashlib.sha256(card.weights.tobytes()).hexdigest()
        with self._lock:
            hit = self._sims.get(key)
            if hit is not None:
                return hit
        try:
            data = decision_data(study, card)
        except InputError:
            return None
        started = time.perf_counter()
        sim = self._simulate(dataclasses.replace(data, card=None))
        self.sim_seconds.append(time.perf_counter() - started)
        with self._lock:
            self._sims[key] = sim
            while len(self._sims) > _CACHE:
                self._sims.popitem(last=False)
        return sim

    def _simulate(self, data: DecisionData) -> SimulationResult:
        """The simulation in the worker process (started on first use), so that it never holds
        the server's interpreter while a slider's point scores are computed; in this process
        when no worker can be started."""
        if self._pool is None and self.processes:
            try:
                self._pool = ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"))
            except (OSError, ValueError):
                self.processes = False
        if self._pool is not None:
            try:
                sim, cpu = self._pool.submit(_run_simulation, data, self.draws, self.seed).result()
            except BrokenProcessPool:
                self._pool = None
            else:
                self.sim_cpu_seconds.append(cpu)
                return sim
        sim, cpu = _run_simulation(data, self.draws, self.seed)
        self.sim_cpu_seconds.append(cpu)
        return sim

    def close(self) -> None:
        """Stop the simulation worker."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _run_simulation(data: DecisionData, draws: int, seed: int) -> tuple[SimulationResult, float]:
    """The live simulation and its CPU seconds. P(best) needs the overall score only: no
    dimension intervals (``nodes=()``)."""
    started = time.process_time()
    sim = simulate(data, draws=draws, seed=seed, nodes=())
    return sim, time.process_time() - started


def _key(profile: str, weights: Mapping[str, float]) -> str:
    return profile + ":" + ",".join(f"{k}={v:.6g}" for k, v in sorted(weights.items()))


def _with_weights(study: Study, prof: Profile, weights: Mapping[str, float]) -> Profile:
    """``prof`` with the slider weights in place of its own for the nodes they name."""
    if not weights:
        return prof
    tree = study.framework.compiled
    moved = {tree.ids[int(tree.parent[tree.index[n]])] for n in weights}
    ahp = {k: v for k, v in prof.ahp.items() if k not in moved}
    return prof.model_copy(
        update={"weights": {**prof.weights, **weights}, "normalise": True, "ahp": ahp}
    )


def _rescored(study: Study, base: Scorecard, prof: Profile) -> Scorecard:
    """Score again under other weights from the base card's matrix and gate outcomes."""
    matrix = base.matrix
    assert matrix is not None  # cards of Workbench.card come from quanheng.score
    cohort = np.array([g.status != "excluded" for g in base.gates], dtype=bool)
    weights = profile_weights(study, prof, matrix, cohort=cohort)
    context = ScoringContext(
        study_id=base.study,
        profile=base.profile,
        subject_names=base.subject_names,
        aggregation=base.aggregation,
        missing=base.missing,
        gate_policy=base.gate_policy,
        digests=dict(base.digests),
        groups=base.cohorts or None,
    )
    card = score_matrix(matrix, study.framework, base.gates, weights, context)
    card._study = study
    return card
