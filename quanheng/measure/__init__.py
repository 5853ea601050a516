"""Measurement: run benchmark suites against chat endpoints and score the answers.

The public names are imported on first use, for speed alone: the runner's HTTP stack (aiohttp,
httptools) is only worth importing when something is measured, and commands such as ``score`` or
``show`` name :class:`~quanheng.measure.measurement.Measurement` without it. No import cycle is
involved: the study's specification types live in :mod:`quanheng.specs`, below the study.
"""

from __future__ import annotations

from quanheng import _lazy

__all__ = [
    "LocalServer",
    "MeasureResult",
    "Measurement",
    "RunStore",
    "Suite",
    "builtin_suite",
    "collect",
    "load_suite",
    "measure",
]

_WHERE = {
    "LocalServer": "quanheng.measure.local_server",
    "MeasureResult": "quanheng.measure.pipeline",
    "Measurement": "quanheng.measure.measurement",
    "RunStore": "quanheng.measure.store",
    "Suite": "quanheng.measure.suites",
    "builtin_suite": "quanheng.measure.suites",
    "collect": "quanheng.measure.pipeline",
    "load_suite": "quanheng.measure.suites",
    "measure": "quanheng.measure.pipeline",
}

__getattr__ = _lazy.lazy_getattr(__name__, _WHERE)
