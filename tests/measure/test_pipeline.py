"""Pipeline planning: a task's sampling settings reach the endpoint and the request key."""

from __future__ import annotations

from quanheng.measure.keys import Request
from quanheng.measure.pipeline import task_endpoint
from quanheng.measure.suites import builtin_suite
from quanheng.specs.endpoint import Endpoint

BASE = Endpoint(base_url="http://127.0.0.1:9/v1", model="m", max_tokens=64)


def _key(endpoint: Endpoint) -> str:
    messages = [{"role": "user", "content": "1+1?"}]
    return Request.build(endpoint, subject="s", task="t", item_id="i", messages=messages).key


def test_endpoint_fields_of_the_task_override_the_subjects() -> None:
    task = builtin_suite("math").tasks[0]
    ep = task_endpoint(BASE, task)
    assert ep.max_tokens == task.sampling["max_tokens"] != BASE.max_tokens
    assert ep.extra_body == {}
    assert _key(ep) != _key(BASE)  # what changes the answer changes the key


def test_other_sampling_settings_go_into_the_body_and_the_key() -> None:
    task = builtin_suite("math").tasks[0]
    with_top_k = task.model_copy(update={"sampling": {**task.sampling, "top_k": 20}})
    plain, tuned = task_endpoint(BASE, task), task_endpoint(BASE, with_top_k)
    assert tuned.extra_body == {"top_k": 20}
    assert tuned.max_tokens == plain.max_tokens
    assert _key(tuned) != _key(plain)


def test_a_task_without_sampling_keeps_the_endpoint() -> None:
    task = builtin_suite("math").tasks[0]
    bare = task.model_copy(update={"sampling": {}})
    assert task_endpoint(BASE, bare) is BASE
