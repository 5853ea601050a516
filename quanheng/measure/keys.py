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

import orjson
from pydantic import BaseModel, ConfigDict, Field

from quanheng.specs.endpoint import Endpoint

__all__ = ["KEY_FORMAT", "Request", "endpoint_identity", "messages_json", "request_key"]

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
    template = _template(endpoint)
    if template is None or type(repeat) is not int:
        return _slow_key(endpoint, messages, repeat)
    head, middle, tail = template
    blob = head + messages_json(messages) + middle + str(repeat) + tail
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _slow_key(endpoint: Endpoint, messages: list[dict[str, Any]], repeat: int) -> str:
    """The definition: SHA-256 of the sorted-key JSON of the whole payload."""
    blob = _dumps(_payload(endpoint, messages, repeat))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _payload(endpoint: Endpoint, messages: Any, repeat: Any) -> dict[str, Any]:
    return {
        "format": KEY_FORMAT,
        "endpoint": endpoint_identity(endpoint.base_url),
        "model": endpoint.model,
        "messages": messages,
        "sampling": endpoint.sampling(),
        "repeat": repeat,
    }


def _dumps(value: Any) -> str:
    """Sorted-key compact JSON, UTF-8 kept: the text keys hash and the run store keeps."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_PLAIN = frozenset({str, int, bool, type(None)})


def messages_json(messages: list[dict[str, Any]]) -> str:
    """:func:`_dumps` of chat messages, by orjson when that gives the same text.

    For messages whose values are all strings, integers, booleans or ``None`` (every text
    chat), orjson's sorted-key output is the standard library's character for character —
    checked for every Unicode code point, and by a property test — at a fifth of the cost.
    Anything else (content parts, floats, which the two write differently) and whatever
    orjson refuses (lone surrogates, integers over 64 bits) takes the standard library.
    The key of a request depends on this text, so the two paths must never differ.
    """
    plain = type(messages) is list and all(
        type(message) is dict
        and all(type(name) is str and type(value) in _PLAIN for name, value in message.items())
        for message in messages
    )
    if plain:
        try:
            return orjson.dumps(messages, option=orjson.OPT_SORT_KEYS).decode("utf-8")
        except TypeError:  # orjson.JSONEncodeError
            pass
    return _dumps(messages)


def json_template(value: Any, *holes: str) -> tuple[str, ...] | None:
    """:func:`_dumps` of ``value`` cut at each placeholder string ``holes`` (in text order).

    Sorted-key JSON of a dict is its keys' JSON in order, so when only the values at the
    holes change between calls, the fixed text around them can be dumped once and joined with
    the changing parts' own JSON: the same bytes as dumping the whole value. ``None`` when a
    placeholder does not occur exactly once, or the holes are out of order.
    """
    text = _dumps(value)
    marks = [_dumps(hole) for hole in holes]
    if any(text.count(mark) != 1 for mark in marks):
        return None
    parts: list[str] = []
    for mark in marks:
        before, found, text = text.partition(mark)
        if not found:
            return None
        parts.append(before)
    return (*parts, text)


_MESSAGES = "\x00quanheng-key-messages\x00"
_REPEAT = "\x00quanheng-key-repeat\x00"
_TEMPLATES: dict[int, tuple[Endpoint, tuple[str, str, str] | None]] = {}


def _template(endpoint: Endpoint) -> tuple[str, str, str] | None:
    """The key payload's JSON around its messages and repeat index, once per endpoint.

    The payload's text is the fixed text before ``messages``, the messages' own JSON, the
    fixed text up to ``repeat``, the number and the rest (:func:`json_template`): the same
    bytes as dumping the whole payload (tests compare the two), at a third of the cost.
    Cached by identity with the endpoint held, so an id is never reused while cached; an
    :class:`Endpoint` is frozen, so what it holds cannot change.
    ``None`` (use the full dump) if the placeholders do not split the text as expected.
    """
    cached = _TEMPLATES.get(id(endpoint))
    if cached is not None and cached[0] is endpoint:
        return cached[1]
    parts = json_template(_payload(endpoint, _MESSAGES, _REPEAT), _MESSAGES, _REPEAT)
    template = (parts[0], parts[1], parts[2]) if parts is not None else None
    if len(_TEMPLATES) >= 64:
        _TEMPLATES.clear()
    _TEMPLATES[id(endpoint)] = (endpoint, template)
    return template


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
