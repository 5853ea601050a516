"""Interop: results of other harnesses in, quanheng's results out.

``quanheng import`` reads lm-evaluation-harness, OpenCompass and inspect_ai results files, maps
their tasks to the metrics a framework's measured leaves use (:mod:`.mapping`, built-in rules in
``mappings.yaml``), computes ``n``, a standard error and a 90% interval (:mod:`.cells`) and
stores each file once, by SHA-256, in the study's run store (:mod:`.importer`), from where
:func:`quanheng.measure.collect` hands the values to scoring with their origin. ``quanheng
export`` writes scorecards and measured results as one versioned table (:mod:`.export`).

One module per harness (:mod:`.lm_eval`, :mod:`.opencompass`, :mod:`.inspect`) turns its layout
into a :class:`~quanheng.interop.parsed.ParsedFile`; everything after that is shared.
"""

from __future__ import annotations

from quanheng.interop.export import COLUMNS, EXPORT_FORMAT, export_rows, write_export
from quanheng.interop.importer import FileImport, ImportResult, import_results
from quanheng.interop.mapping import HARNESSES, builtin_mapping, load_mapping

__all__ = [
    "COLUMNS",
    "EXPORT_FORMAT",
    "HARNESSES",
    "FileImport",
    "ImportResult",
    "builtin_mapping",
    "export_rows",
    "import_results",
    "load_mapping",
    "write_export",
]
