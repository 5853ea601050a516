"""Choosing the model, and asking it through the runner: keyed, stored, never asked twice."""

from __future__ import annotations

from pathlib import Path

import pytest

import quanheng
from quanheng.errors import StudyError
from quanheng.extract.model import DEFAULT_LOCAL_MODEL, ask, build_requests, choose_model
from tests.measure.fakeserver import FakeServer, ServerConfig

STUDY = """\
format: quanheng/study@1
id: ask
title: {{zh: 问, en: Ask}}
framework: cn-llm-vendor-2024
evidence: []
subjects:
  - {{id: acme, name: {{zh: 甲, en: Acme}}}}
  - id: remote
    kind: model
    vendor: acme
    name: {{zh: 远端, en: Remote}}
    endpoint: {{base_url: "{url}", model: remote-m, max_concurrency: 2, timeout_s: 10}}
"""


def test_the_default_is_the_studys_local_model() -> None:
    target = choose_model(quanheng.load_study("studies/cn-llm-vendors-2024"))
    assert (target.subject, target.local_model) == ("qwen2.5-coder-0.5b", DEFAULT_LOCAL_MODEL)
    assert target.endpoint.temperature == 0.0


def test_with_a_subject(tmp_path: Path) -> None:
    (tmp_path / "study.yaml").write_text(STUDY.format(url="http://127.0.0.1:9/v1"), "utf-8")
    study = quanheng.load_study(tmp_path)
    assert choose_model(study).subject == f"local:{DEFAULT_LOCAL_MODEL}"  # none in the study
    assert choose_model(study, "remote").name == "remote-m"
    with pytest.raises(StudyError, match="has no endpoint or local_model"):
        choose_model(study, "acme")
    with pytest.raises(StudyError, match="did you mean 'remote'"):
        choose_model(study, "remot")


def test_ask_sends_each_prompt_once(tmp_path: Path) -> None:
    with FakeServer(ServerConfig(reply=lambda prompt: '{"proposals": []}')) as server:
        (tmp_path / "study.yaml").write_text(STUDY.format(url=server.url), "utf-8")
        study = quanheng.load_study(tmp_path)
        target = choose_model(study, "remote")
        prompts = [
            (f"p{i}", [{"role": "user", "content": f"passage {i}"}], {"i": i}) for i in range(3)
        ]
        requests = build_requests(target, [*prompts, prompts[0]])  # one repeated
        first = ask(study, target, requests)
        assert (first.sent, first.reused, first.failed) == (3, 0, 0)
        assert set(first.texts.values()) == {'{"proposals": []}'}
        again = ask(study, target, requests)
        assert (again.sent, again.reused) == (0, 3) and again.texts == first.texts
        assert len([e for e in list(server.log) if e["outcome"] == "ok"]) == 3


def test_ask_without_sending_reads_what_is_stored(tmp_path: Path) -> None:
    with FakeServer(ServerConfig(reply=lambda prompt: '{"proposals": []}')) as server:
        (tmp_path / "study.yaml").write_text(STUDY.format(url=server.url), "utf-8")
        study = quanheng.load_study(tmp_path)
        target = choose_model(study, "remote")
        requests = build_requests(
            target, [(f"p{i}", [{"role": "user", "content": f"p {i}"}], {}) for i in range(2)]
        )
        ask(study, target, requests[:1])
        seen = ask(study, target, requests, send=False)
        assert (seen.sent, seen.reused, seen.unsent, len(seen.texts)) == (0, 1, 1, 1)
        assert len([e for e in list(server.log) if e["outcome"] == "ok"]) == 1
