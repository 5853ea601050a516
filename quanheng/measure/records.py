"""The small records one attempt leaves behind: an answer, or a failed attempt.

They travel from the transport (:mod:`quanheng.measure.client`) through the runner into the run
store (:mod:`quanheng.measure.store`) as one value each, instead of a dozen positional fields
that a reader has to count to match. Both are plain frozen dataclasses, free of pydantic, so the
runner's per-answer path stays cheap, and this module imports nothing heavier than
:mod:`dataclasses`, so reading a store never pulls in the HTTP stack.

The store keeps their fields in the columns of the same name (``Answer.text`` in ``response``);
the SQLite schema does not depend on these classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Answer", "FailedAttempt", "UsageSource"]

UsageSource = Literal["reported", "counted", "none"]
"""Where token counts came from: the server's ``usage``, counted stream chunks, or nowhere."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What a server returned for one successful attempt, before the runner prices it.

    Attributes:
        text: the answer's content.
        finish_reason: the server's ``finish_reason``, if it sent one.
        input_tokens: prompt tokens, ``None`` when the server did not report them.
        output_tokens: answer tokens, reported or counted (see ``usage_source``).
        usage_source: where the token counts came from.
        latency_s: from just before the request was written to the last byte read.
        ttft_s: time to the first content chunk (streaming only).
        output_tps: output tokens per second of decoding (or of the whole latency unstreamed).
    """

    text: str
    finish_reason: str | None
    input_tokens: int | None
    output_tokens: int | None
    usage_source: UsageSource
    latency_s: float
    ttft_s: float | None
    output_tps: float | None


@dataclass(frozen=True, slots=True)
class FailedAttempt:
    """One failed attempt, as the append-only ``attempts`` log keeps it.

    Attributes:
        attempt: 1 for the first try of an item, 2 for its first retry, and so on.
        outcome: the failure's kind (``http_503``, ``timeout``, ``connection``, ...).
        http_status: the status code, when the server answered at all.
        error: the failure's text, already scrubbed of secrets.
        retry_after_s: the server's ``Retry-After`` as honoured (capped), if it sent one.
        latency_s: how long the attempt took, when known.
    """

    attempt: int
    outcome: str
    http_status: int | None
    error: str | None
    retry_after_s: float | None
    latency_s: float | None
