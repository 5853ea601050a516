"""What a measurement run yields for scoring: one metric of one subject, with its interval.

This is the whole interface between measuring and scoring. :func:`quanheng.measure.collect`
reads a study's run store into these once; :func:`quanheng.score` takes them as an argument, so
scoring itself never touches a store.

A value can also come from another harness (lm-evaluation-harness, OpenCompass, inspect_ai):
``quanheng import`` stores it in the same run store, and it reaches scoring as a
:class:`Measurement` whose :attr:`Measurement.imported` says where it came from. Scoring keeps
the two apart where they meet on one leaf (see :func:`quanheng.scoring.matrix.assemble`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["IMPORT_PREFIX", "ImportedFrom", "IntervalMethod", "Measurement"]

IMPORT_PREFIX = "import:"
"""An imported value's provenance id: this prefix and the first 12 hex digits of the file's
SHA-256, so it names the file as a run id names a run."""

IntervalMethod = Literal["bootstrap", "stderr", "wilson", "none"]
"""How an imported value's interval was computed: a percentile bootstrap over the file's
per-sample scores; the normal interval from the standard error the file reports; a Wilson
interval from the value and ``n`` alone (a proportion with no stderr); or none at all."""


class ImportedFrom(BaseModel):
    """Where an imported value came from: harness, task, metric and the file, by hash."""

    model_config = ConfigDict(frozen=True)

    harness: str
    """``lm-eval``, ``opencompass`` or ``inspect``."""
    harness_version: str | None
    task: str
    """The harness's task name(s), comma-separated when several were pooled into one value."""
    source_metric: str
    """The harness's own metric name (``exact_match,letter``, ``accuracy``, ``match/accuracy``)."""
    model: str | None
    """The model name the file reports (for the reader; the subject is what the user named)."""
    file: str
    """The file's name as given on the command line, without its directory."""
    sha256: str
    date: str | None
    """When the harness ran, as the file says (ISO 8601), or ``None`` when it does not say."""
    imported: str
    """When ``quanheng import`` stored it (UTC, ISO 8601)."""
    interval: IntervalMethod
    se: float | None
    """The standard error: from per-sample scores, or as the file reports it."""
    preferred: bool = False
    """Imported with ``--prefer imported``: it wins over quanheng's own run of the same leaf."""


class Measurement(BaseModel):
    """A metric measured for a subject, with its interval and the runs behind it."""

    model_config = ConfigDict(frozen=True)

    subject: str
    metric: str
    value: float
    low: float
    high: float
    n: int
    runs: tuple[str, ...] = ()
    imported: ImportedFrom | None = None
    """``None`` for quanheng's own runs; where it came from for an imported value."""
