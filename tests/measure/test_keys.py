"""Request keys: what changes a key, what must not, and the definition they hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from pydantic import ValidationError

from quanheng.measure.keys import (
    KEY_FORMAT,
    Request,
    endpoint_identity,
    json_template,
    messages_json,
    request_key,
)
from quanheng.specs.endpoint import Endpoint

BASE = Endpoint(base_url="https://api.example.com/v1", model="m")
MESSAGES = [{"role": "user", "content": "你好 <answer:A>"}]


def test_the_key_is_the_sha256_of_the_sorted_key_payload() -> None:
    # written out by hand: the defaults send temperature 0.0 and max_tokens 512, nothing else
    blob = (
        '{"endpoint":"api.example.com/v1","format":"quanheng/request-key@1",'
        '"messages":[{"content":"你好 <answer:A>","role":"user"}],"model":"m","repeat":0,'
        '"sampling":{"max_tokens":512,"temperature":0.0}}'
    )
    assert KEY_FORMAT == "quanheng/request-key@1"
    assert request_key(BASE, MESSAGES) == hashlib.sha256(blob.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    "change",
    [
        {"model": "m2"},
        {"base_url": "https://api.other.com/v1"},  # another vendor
        {"base_url": "https://api.example.com/v2"},  # another deployment path
        {"temperature": 0.7},
        {"max_tokens": 64},
        {"top_p": 0.9},
        {"seed": 1},
        {"stop": ["\n"]},
        {"extra_body": {"top_k": 20}},
    ],
)
def test_what_changes_the_answer_changes_the_key(change: dict[str, Any]) -> None:
    other = Endpoint(**{**BASE.model_dump(), **change})
    assert request_key(other, MESSAGES) != request_key(BASE, MESSAGES)


def test_the_messages_and_the_repeat_index_change_the_key() -> None:
    key = request_key(BASE, MESSAGES)
    assert request_key(BASE, [{"role": "user", "content": "你好 <answer:B>"}]) != key
    assert request_key(BASE, [{"role": "system", "content": "你好 <answer:A>"}]) != key
    assert len({request_key(BASE, MESSAGES, repeat) for repeat in range(3)}) == 3
    assert request_key(BASE, MESSAGES, 0) == key  # repeat 0 is the default


@pytest.mark.parametrize(
    "change",
    [
        {"api_key_env": "OTHER_KEY"},
        {"stream": False},
        {"timeout_s": 5.0},
        {"max_concurrency": 64},
        {"max_retries": 0},
        {"price_input_per_mtok": 1.0, "price_output_per_mtok": 2.0, "currency": "CNY"},
        {"http_client": "aiohttp"},
        {"top_p": None},  # unset is not sent, so naming it null changes nothing
        {"base_url": "http://api.example.com:8443/v1"},  # scheme and port: a local restart
        {"base_url": "https://API.Example.COM/v1/"},  # host case, trailing slash
    ],
)
def test_how_we_ask_never_changes_the_key(change: dict[str, Any]) -> None:
    other = Endpoint(**{**BASE.model_dump(), **change})
    assert request_key(other, MESSAGES) == request_key(BASE, MESSAGES)


def test_the_api_key_itself_never_enters_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = BASE.model_copy(update={"api_key_env": "QH_TEST_KEY"})
    monkeypatch.setenv("QH_TEST_KEY", "sk-first-0123456789")
    first = request_key(endpoint, MESSAGES)
    monkeypatch.setenv("QH_TEST_KEY", "sk-second-9876543210")
    assert request_key(endpoint, MESSAGES) == first == request_key(BASE, MESSAGES)


def test_endpoint_identity_is_lower_cased_host_and_path_without_scheme_or_port() -> None:
    assert endpoint_identity("HTTPS://API.Example.com:8443/v1/") == "api.example.com/v1"
    assert endpoint_identity("http://127.0.0.1:8080") == "127.0.0.1"


def test_messages_json_is_the_standard_librarys_sorted_json_for_any_message() -> None:
    def reference(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    plain = [{"role": "user", "content": "é \u2028 \U0001f600", "name": None, "n": 3, "b": True}]
    parts = [{"role": "user", "content": [{"type": "text", "text": "x"}], "w": 1e16}]
    big = [{"role": "user", "content": "x", "n": 2**70}]  # beyond what orjson writes
    for messages in (plain, parts, big):
        assert messages_json(messages) == reference(messages)


def test_json_template_cuts_at_each_hole_exactly_once_in_order() -> None:
    value = {"b": "<H1>", "a": 1, "c": {"d": "<H2>"}}
    assert json_template(value, "<H1>", "<H2>") == ('{"a":1,"b":', ',"c":{"d":', "}}")
    assert json_template(value, "<H2>", "<H1>") is None  # out of text order
    assert json_template({"a": "<H>", "b": "<H>"}, "<H>") is None  # twice
    assert json_template(value, "<absent>") is None


def test_request_build_computes_the_key_and_checks_the_fields() -> None:
    req = Request.build(
        BASE, subject="s", task="t", item_id="7", messages=MESSAGES, repeat=2, metadata={"g": "A"}
    )
    assert req.key == request_key(BASE, MESSAGES, 2)
    assert (req.repeat, req.metadata) == (2, {"g": "A"})
    assert Request.build(BASE, subject="s", task="t", item_id="7", messages=MESSAGES).metadata == {}
    with pytest.raises(ValidationError):
        Request(key="short", subject="s", task="t", item_id="1", messages=MESSAGES)
    with pytest.raises(ValidationError):
        Request(key="0" * 64, subject="s", task="t", item_id="1", messages=MESSAGES, repeat=-1)


def test_equal_endpoints_built_apart_give_the_same_key() -> None:
    # the key's template is cached per endpoint object; a twin must not depend on that cache
    twin = Endpoint(base_url="https://api.example.com/v1", model="m")
    assert twin is not BASE
    assert request_key(twin, MESSAGES) == request_key(BASE, MESSAGES)
    changed = Endpoint(base_url="https://api.example.com/v1", model="m", temperature=1.0)
    assert request_key(changed, MESSAGES) != request_key(BASE, MESSAGES)
