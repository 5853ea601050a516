"""Interop: results of other harnesses in, quanheng's results out.

``quanheng import`` reads lm-evaluation-harness, OpenCompass and inspect_ai results files, maps
their tasks to the metrics a framework's measured leaves use (:mod:`.mapping`, built-in rules in
``mappings.yaml``), computes ``n``, a standard error and a 90% interval (:mod:`.cells`) and
stores each file once, by SHA-256, in the study's run store (:mod:`.importer`), from where
:func:`quanheng.measure.collect` hands the values to scoring with their origin. ``quanheng
export`` writes scorecards and measured results as one versioned table (:mod:`.export`).

One module per harness (:mod:`.lm_eval`, :mod:`.opencompass`, :mod:`.inspect`) turns its layout
into a :class:`~quanheng.interop.parsed.ParsedFile`; everything after that is shared.

The public names are imported on first use, so that the command line, which names the
harnesses and formats in its options, does not load the importer to start.
"""

from __future__ import annotations

from quanheng import _lazy

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

_WHERE = {
    "COLUMNS": "quanheng.interop.export",
    "EXPORT_FORMAT": "quanheng.interop.export",
    "HARNESSES": "quanheng.interop.mapping",
    "FileImport": "quanheng.interop.importer",
    "ImportResult": "quanheng.interop.importer",
    "builtin_mapping": "quanheng.interop.mapping",
    "export_rows": "quanheng.interop.export",
    "import_results": "quanheng.interop.importer",
    "load_mapping": "quanheng.interop.mapping",
    "write_export": "quanheng.interop.export",
}

__getattr__ = _lazy.lazy_getattr(__name__, _WHERE)
