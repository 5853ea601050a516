"""Reports: landscape, ranking, charts, subject pages and appendices in HTML, PDF and Markdown.

>>> from quanheng.report import build_report, write_report          # doctest: +SKIP
>>> data = build_report(study, card, analysis)                      # doctest: +SKIP
>>> write_report(data, Path("out"), langs=("zh", "en"))             # doctest: +SKIP

:func:`build_report` assembles the content once, language-neutral; :func:`write_report` renders
it per language and format. A simulation result is optional: without one the report says so and
leaves out intervals, rank probabilities and the tornado chart.
"""

from quanheng.report.api import report_scorecard, report_study
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
    "report_scorecard",
    "report_study",
    "write_report",
]
