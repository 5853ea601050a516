"""Reports: landscape, ranking, charts, subject pages and appendices in HTML, PDF and Markdown.

>>> from quanheng.report import build_report, write_report          # doctest: +SKIP
>>> data = build_report(study, card, analysis)                      # doctest: +SKIP
>>> write_report(data, Path("out"), langs=("zh", "en"))             # doctest: +SKIP

:func:`build_report` assembles the content once, language-neutral; :func:`write_report` renders
it per language and format. A simulation result is optional: without one the report says so and
leaves out intervals, rank probabilities and the tornado chart.

The package is also the function a notebook calls: ``quanheng.report(study, card, "out")`` is
:func:`~quanheng.report.api.report` (a callable module, so ``quanheng.report`` names one thing
whichever was imported first — the package and the call).
"""

from __future__ import annotations

import sys
import types
import typing
from typing import TYPE_CHECKING

from quanheng import _lazy

if TYPE_CHECKING:
    from quanheng.report.api import report, report_scorecard, report_study
    from quanheng.report.content import (
        ReportAnalysis,
        ReportData,
        TornadoBar,
        analysis_for_report,
        build_report,
    )
    from quanheng.report.render import FORMATS, write_report

__all__ = [
    "FORMATS",
    "ReportAnalysis",
    "ReportData",
    "TornadoBar",
    "analysis_for_report",
    "build_report",
    "report",
    "report_scorecard",
    "report_study",
    "write_report",
]

# Imported on first use: the charts pull in matplotlib (≈ 0.3 s), which commands that only
# need a report's small parts (the PDF engine names, say) should not pay for.
_WHERE = {
    "FORMATS": "quanheng.report.render",
    "ReportAnalysis": "quanheng.report.content",
    "ReportData": "quanheng.report.content",
    "TornadoBar": "quanheng.report.content",
    "analysis_for_report": "quanheng.report.content",
    "build_report": "quanheng.report.content",
    "report": "quanheng.report.api",
    "report_scorecard": "quanheng.report.api",
    "report_study": "quanheng.report.api",
    "write_report": "quanheng.report.render",
}

__getattr__ = _lazy.lazy_getattr(__name__, _WHERE)


class _CallableModule(types.ModuleType):
    """This package, callable: ``quanheng.report(...)`` writes a report (see the docstring)."""

    def __call__(self, *args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        from quanheng.report.api import report as write

        return write(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
