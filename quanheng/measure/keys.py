"""Request keys: one hash per distinct question, so answers are reused and never paid twice.

A key is the SHA-256 of sorted-key JSON of exactly what changes the answer:

* ``endpoint``: the base URL's host and path, lower-cased host, **without scheme or port**.
  The same model name on two vendors (or two deployments) can answer differently, so the host
  counts; the port does not, because local servers start on an ephemeral port each time and a
  restart must not throw away every measured answer. Consequence: two local servers serving
  different weights under the same model name collide — give them different model names.
* ``model``, ``messages``, the sampling parameters (``Endpoint.sampling()``: temperature,
  max_tokens, top_p, seed, stop and ``extra_body``; unset ones omitted) and the ``repeat`` index
  (repeat ``k`` of the same prompt is a separate sample).

Left out on purpose: the API key and its variable name, ``stream`` (same answer either way),
timeouts, concurrency, retries and prices. Changing how we ask never invalidates what we got.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from quanheng.measure.endpoint import Endpoint

__all__ = ["KEY_FORMAT", "Request", "endpoint_identity", "request_key"]

#: Bumped whenever the key payload changes shape, so old and new keys can never collide.
KEY_FORMAT = "quanheng/request-key@1"


def endpoint_identity(base_url: str) -> str:
    """Host and path of ``base_url`` (``api.example.com/v1``): the deployment, not the port."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    return f"{host}{parts.path.rstrip('/')}"


def request_key(endpoint: Endpoint, messages: list[dict[str, Any]], repeat: int = 0) -> str:
    """Hex SHA-256 identifying one sample of one prompt on one model.

    Args:
        endpoint: the model and sampling settings; only answer-changing fields are used.
        messages: chat messages exactly as sent.
        repeat: index of the repeated sample (0 for the first).
    """
    payload = {
        "format": KEY_FORMAT,
        "endpoint": endpoint_identity(endpoint.base_url),
        "model": endpoint.model,
        "messages": messages,
        "sampling": endpoint.sampling(),
        "repeat": repeat,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Request(BaseModel):
    """One item to send: its key, where it belongs, and the messages.

    Build with :meth:`build` so the key always matches the endpoint and messages.

    Attributes:
        key: :func:`request_key` of endpoint, messages and repeat.
        subject: the study subject measured (e.g. ``deepseek-v3``).
        task: the suite task this item belongs to.
        item_id: the dataset item's id within the task.
        repeat: sample index for repeated sampling.
        messages: the chat messages sent.
        metadata: anything the scorer needs later (gold answer id, tags); stored, never sent.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=64, max_length=64)
    subject: str
    task: str
    item_id: str
    repeat: int = Field(default=0, ge=0)
    messages: list[dict[str, Any]]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def build(
        cls,
        endpoint: Endpoint,
        *,
        subject: str,
        task: str,
        item_id: str,
        messages: list[dict[str, Any]],
        repeat: int = 0,
        metadata: dict[str, Any] | None = None,
    ) -> Request:
        """A request whose key is computed from ``endpoint``, ``messages`` and ``repeat``."""
        return cls(
            key=request_key(endpoint, messages, repeat),
            subject=subject,
            task=task,
            item_id=item_id,
            repeat=repeat,
            messages=messages,
            metadata=metadata or {},
        )
