"""Measurement: run benchmark suites against chat endpoints and score the answers.

The public names are imported lazily: :mod:`quanheng.study` needs :class:`Endpoint` while the
pipeline needs :class:`~quanheng.study.Study`, and the runner's HTTP stack is only worth
importing when something is measured.
"""

from __future__ import annotations

from quanheng import _lazy

__all__ = [
    "Endpoint",
    "LocalServer",
    "MeasureResult",
    "MeasureSettings",
    "RunStore",
    "Suite",
    "builtin_suite",
    "collect",
    "load_suite",
    "measure",
]

_WHERE = {
    "Endpoint": "quanheng.specs.endpoint",
    "LocalServer": "quanheng.measure.local_model",
    "MeasureResult": "quanheng.measure.pipeline",
    "MeasureSettings": "quanheng.specs.measure_settings",
    "RunStore": "quanheng.measure.store",
    "Suite": "quanheng.measure.suites",
    "builtin_suite": "quanheng.measure.suites",
    "collect": "quanheng.measure.pipeline",
    "load_suite": "quanheng.measure.suites",
    "measure": "quanheng.measure.pipeline",
}

__getattr__ = _lazy.lazy_getattr(__name__, _WHERE)
