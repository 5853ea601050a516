"""Endpoints (quanheng.specs.endpoint.Endpoint): validation, request bodies, cost, the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from quanheng.errors import MeasureInputError, StudyError
from quanheng.specs.endpoint import RESERVED_BODY_KEYS, Endpoint
from quanheng.study import load_study

URL = "http://127.0.0.1:8080/v1"
PASTED = "sk-abc123/xyz=="  # what a pasted key looks like: not a variable name
MINI = Path(__file__).resolve().parents[1] / "data" / "mini"


def test_trailing_slash_is_dropped_and_chat_url_appended() -> None:
    ep = Endpoint(base_url=URL + "/", model="m")
    assert ep.base_url == URL
    assert ep.chat_url == "http://127.0.0.1:8080/v1/chat/completions"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/v1", "127.0.0.1:8080/v1", "http:///v1"])
def test_base_url_must_be_http_with_a_host(url: str) -> None:
    with pytest.raises(ValidationError, match="base_url must be an http"):
        Endpoint(base_url=url, model="m")


def test_base_url_must_not_carry_credentials() -> None:
    with pytest.raises(ValidationError, match="must not carry credentials"):
        Endpoint(base_url="http://user:pw@127.0.0.1/v1", model="m")


def test_a_pasted_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as info:
        Endpoint(base_url=URL, model="m", api_key_env=PASTED)
    (error,) = info.value.errors()
    assert error["loc"] == ("api_key_env",)
    assert "must be the NAME of an environment variable" in error["msg"]
    assert PASTED not in error["msg"]  # the validator's own message does not repeat it


def _study_with_endpoint(root: Path, endpoint: str) -> Path:
    """The mini study with subject s1 given ``endpoint`` (YAML flow text)."""
    shutil.copytree(MINI, root)
    study = root / "study.yaml"
    text = study.read_text(encoding="utf-8").replace(
        "  - {id: s1, name: {zh: 一, en: One}}",
        f"  - {{id: s1, name: {{zh: 一, en: One}}, endpoint: {endpoint}}}",
    )
    study.write_text(text, encoding="utf-8")
    return root


def test_a_pasted_key_does_not_reach_the_study_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _study_with_endpoint(
        tmp_path / "mini", f'{{base_url: "{URL}", model: m, api_key_env: "{PASTED}"}}'
    )
    monkeypatch.chdir(root)
    with pytest.raises(StudyError) as info:
        load_study(root)
    (line,) = info.value.lines()
    assert line.startswith("study.yaml:6: 's1' endpoint.api_key_env: api_key_env must be the NAME")
    assert "sk-abc123" not in line
    assert line.endswith("— correct the value (see `quanheng schema`)")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # credentials in a valid URL: refused, quoted with the password masked
        ("http://alice:s3cr3t-pw@127.0.0.1:8080/v1", "http://alice:***@127.0.0.1:8080/v1"),
        # a URL refused for its scheme still never shows the password
        ("htp://alice:s3cr3t-pw@127.0.0.1/v1", "htp://alice:***@127.0.0.1/v1"),
    ],
)
def test_a_password_in_base_url_is_masked_in_the_study_error_line(
    url: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _study_with_endpoint(tmp_path / "mini", f'{{base_url: "{url}", model: m}}')
    monkeypatch.chdir(root)
    with pytest.raises(StudyError) as info:
        load_study(root)
    (line,) = info.value.lines()
    assert line.startswith("study.yaml:6: 's1' endpoint.base_url: base_url must")
    assert "s3cr3t-pw" not in line
    assert shown in line


def test_extra_body_may_not_override_named_fields() -> None:
    with pytest.raises(ValidationError, match="extra_body must not set max_tokens, model;"):
        Endpoint(base_url=URL, model="m", extra_body={"model": "x", "max_tokens": 1, "top_k": 2})
    assert {"model", "messages", "stream", "temperature"} <= RESERVED_BODY_KEYS


def test_sampling_leaves_unset_fields_out() -> None:
    assert Endpoint(base_url=URL, model="m").sampling() == {"temperature": 0.0, "max_tokens": 512}
    ep = Endpoint(
        base_url=URL, model="m", top_p=0.9, seed=7, stop=["</s>"], extra_body={"top_k": 20}
    )
    assert ep.sampling() == {
        "temperature": 0.0,
        "max_tokens": 512,
        "top_p": 0.9,
        "seed": 7,
        "stop": ["</s>"],
        "top_k": 20,
    }


def test_body_streams_with_usage_or_not() -> None:
    messages = [{"role": "user", "content": "hi"}]
    body = Endpoint(base_url=URL, model="m", max_tokens=8).body(messages)
    assert body == {
        "model": "m",
        "messages": messages,
        "temperature": 0.0,
        "max_tokens": 8,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    plain = Endpoint(base_url=URL, model="m", stream=False).body(messages)
    assert plain["stream"] is False and "stream_options" not in plain


def test_cost_per_million_tokens_or_none() -> None:
    ep = Endpoint(base_url=URL, model="m", price_input_per_mtok=2.0, price_output_per_mtok=8.0)
    # (1000 · 2 + 500 · 8) / 1e6 = 0.006
    assert ep.cost(1000, 500) == pytest.approx(0.006, abs=1e-15)
    assert ep.cost(None, 500) is None  # never a partial sum
    assert Endpoint(base_url=URL, model="m", price_input_per_mtok=2.0).cost(1000, 500) is None


def test_api_key_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Endpoint(base_url=URL, model="m").api_key() is None
    ep = Endpoint(base_url=URL, model="m", api_key_env="QH_TEST_KEY")
    monkeypatch.delenv("QH_TEST_KEY", raising=False)
    with pytest.raises(MeasureInputError, match="api_key_env names QH_TEST_KEY, which is not set"):
        ep.api_key()
    monkeypatch.setenv("QH_TEST_KEY", "sk-live")
    assert ep.api_key() == "sk-live"
    monkeypatch.setenv("QH_TEST_KEY", "sk-live\n")
    with pytest.raises(MeasureInputError) as info:
        ep.api_key()
    assert "contains a line break" in str(info.value) and "sk-live" not in str(info.value)
