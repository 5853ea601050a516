"""Evidence from documents: proposals with verified quotes, for a person to review.

``quanheng extract STUDY DOCUMENT…`` reads local documents, finds candidate facts by rule and
asks a model about the passages that matter, keeps only proposals whose quote occurs in the
document and whose value the quote supports, and queues them in the study's ``proposed/``
area (:mod:`quanheng.curation.proposals`). Nothing here writes evidence: a record reaches a
score only once a person accepts it (``quanheng review``). See ``docs/extraction.md``.
"""

from __future__ import annotations

from quanheng import _lazy

__all__ = ["CHECKS", "ExtractResult", "Survivor", "extract"]

_WHERE = {
    "CHECKS": "quanheng.extract.pipeline",
    "ExtractResult": "quanheng.extract.pipeline",
    "Survivor": "quanheng.extract.pipeline",
    "extract": "quanheng.extract.pipeline",
}

__getattr__ = _lazy.lazy_getattr(__name__, _WHERE)
