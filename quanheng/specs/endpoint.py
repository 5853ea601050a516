"""An OpenAI-compatible chat endpoint: where to send requests and how to sample.

A study's measured subjects embed one :class:`Endpoint` as ``endpoint:``. It holds everything the
runner needs to talk to a server *except the secret*: the API key lives in an environment variable
and the study names that variable (``api_key_env: DEEPSEEK_API_KEY``). Reading the key at call
time, not at load time, keeps it out of every model dump, log line and run record, and lets one
study file be shared without leaking anything.

The fields split in two groups, and :mod:`quanheng.measure.keys` relies on the split:

* what changes the answer — ``base_url`` (host and path), ``model``, ``temperature``,
  ``max_tokens``, ``top_p``, ``seed``, ``stop``, ``extra_body``;
* how we ask — ``api_key_env``, ``stream``, ``timeout_s``, ``max_concurrency``, ``max_retries``,
  ``http_client`` and the price table. Changing these never invalidates measured answers.
"""

from __future__ import annotations

import os
import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from quanheng._files import mask_credentials
from quanheng.errors import MeasureInputError

__all__ = ["RESERVED_BODY_KEYS", "Endpoint"]

#: Body keys the runner writes itself; ``extra_body`` may not override them, because a silent
#: override would make the request key (built from the named fields) lie about what was sent.
RESERVED_BODY_KEYS = frozenset(
    {
        "model",
        "messages",
        "stream",
        "stream_options",
        "temperature",
        "max_tokens",
        "top_p",
        "seed",
        "stop",
    }
)

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Endpoint(BaseModel):
    """One model behind one OpenAI-compatible ``/chat/completions`` URL.

    Attributes:
        base_url: API root including the version path, e.g. ``http://127.0.0.1:8080/v1``;
            the runner posts to ``{base_url}/chat/completions``.
        model: the ``model`` string the server expects.
        api_key_env: the NAME of the environment variable that holds the key, or ``None`` for
            servers without authentication. Never the key itself.
        temperature, max_tokens, top_p, seed, stop: sampling parameters sent with every request;
            ``None`` means "not sent, server default".
        stream: ask for server-sent events, needed to time the first token.
        price_input_per_mtok, price_output_per_mtok: price per million tokens in ``currency``;
            ``None`` when unknown (cost is then not reported, never reported as zero).
        timeout_s: limit for one attempt, from sending to the last byte.
        max_concurrency: most requests in flight at once against this endpoint.
        max_retries: retries after the first attempt (so at most ``max_retries + 1`` attempts).
        extra_body: further body fields that change the answer (``{"top_k": 20}``); part of the
            request key.
        http_client: ``auto`` sends ``http://`` requests through quanheng's lean HTTP/1.1
            client (:mod:`quanheng.measure.http1`, ≈ 4× less CPU per request than aiohttp) and
            ``https://`` through aiohttp; ``aiohttp`` sends everything through aiohttp.
    """

    # .inf passes ``ge=0`` (a temperature, a price, a timeout that never fires): refuse it.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    base_url: str
    model: str = Field(min_length=1)
    api_key_env: str | None = None
    temperature: float = Field(default=0.0, ge=0.0)
    max_tokens: int = Field(default=512, ge=1)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    seed: int | None = None
    stop: list[str] | None = None
    stream: bool = True
    price_input_per_mtok: float | None = Field(default=None, ge=0.0)
    price_output_per_mtok: float | None = Field(default=None, ge=0.0)
    currency: str = "USD"
    timeout_s: float = Field(default=60.0, gt=0.0)
    max_concurrency: int = Field(default=8, ge=1)
    max_retries: int = Field(default=4, ge=0)
    extra_body: dict[str, Any] = Field(default_factory=dict)
    http_client: Literal["auto", "aiohttp"] = "auto"

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "base_url must be an http(s) URL such as http://127.0.0.1:8080/v1, got "
                f"{mask_credentials(repr(value))}"
            )
        if parts.username or parts.password:
            # quanheng._files quotes the value found after this message, password masked.
            raise ValueError("base_url must not carry credentials; name them in api_key_env")
        return value.rstrip("/")

    @field_validator("api_key_env")
    @classmethod
    def _check_api_key_env(cls, value: str | None) -> str | None:
        # A value that is not a valid variable name is almost always a pasted key: refuse it
        # without echoing it, so the key does not end up in an error message either.
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError(
                "api_key_env must be the NAME of an environment variable (e.g. OPENAI_API_KEY), "
                "not the key itself; export the key and name the variable here"
            )
        return value

    @field_validator("extra_body")
    @classmethod
    def _check_extra_body(cls, value: dict[str, Any]) -> dict[str, Any]:
        clash = sorted(RESERVED_BODY_KEYS & value.keys())
        if clash:
            raise ValueError(
                f"extra_body must not set {', '.join(clash)}; use the endpoint fields instead"
            )
        return value

    @property
    def chat_url(self) -> str:
        """The URL requests are posted to."""
        return f"{self.base_url}/chat/completions"

    def api_key(self) -> str | None:
        """Read the key from the environment now.

        Returns:
            The key, or ``None`` when ``api_key_env`` is unset (no authentication).

        Raises:
            MeasureInputError: the named variable is not set or empty; the message names the
                variable, never a value.
        """
        if self.api_key_env is None:
            return None
        key = os.environ.get(self.api_key_env, "")
        if not key:
            raise MeasureInputError.single(
                "<endpoint>",
                None,
                f"api_key_env names {self.api_key_env}, which is not set for model {self.model!r}",
                f"export {self.api_key_env}=<your key> before running, or set api_key_env: null",
            )
        if not (key.isascii() and key.isprintable()):
            # A line break would split the Authorization header, and keys are printable ASCII:
            # this is a pasted newline or a smart quote. Say so without echoing any of it.
            raise MeasureInputError.single(
                "<endpoint>",
                None,
                f"the value of {self.api_key_env} contains a line break, a control character "
                "or a character outside ASCII",
                f"export {self.api_key_env} again with the key alone (no newline, tab or "
                "typographic quotes)",
            )
        return key

    def sampling(self) -> dict[str, Any]:
        """Body fields that change the answer, with unset (``None``) ones left out.

        Leaving ``None`` out means adding ``top_p: null`` to a study does not change any
        request key, which matches what the server sees.
        """
        params: dict[str, Any] = {"temperature": self.temperature, "max_tokens": self.max_tokens}
        if self.top_p is not None:
            params["top_p"] = self.top_p
        if self.seed is not None:
            params["seed"] = self.seed
        if self.stop is not None:
            params["stop"] = list(self.stop)
        params.update(self.extra_body)
        return params

    def body(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """The JSON body for one request (no secrets: the key travels in a header)."""
        body: dict[str, Any] = {"model": self.model, "messages": messages, **self.sampling()}
        body["stream"] = self.stream
        if self.stream:
            body["stream_options"] = {"include_usage": True}
        return body

    def cost(self, input_tokens: int | None, output_tokens: int | None) -> float | None:
        """Price of one request in ``currency``, or ``None`` when a price or count is unknown.

        A partial sum would understate cost, so a missing count gives ``None`` rather than
        charging only what is known.
        """
        if (
            self.price_input_per_mtok is None
            or self.price_output_per_mtok is None
            or input_tokens is None
            or output_tokens is None
        ):
            return None
        return (
            input_tokens * self.price_input_per_mtok + output_tokens * self.price_output_per_mtok
        ) / 1_000_000
