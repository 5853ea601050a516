"""End to end against a real OpenAI-compatible server on 127.0.0.1 with scripted answers.

The model proposes one record of each kind a check must catch — a quote that is not in the
document, a value its quote does not support, an unknown subject, an unknown and a measured
leaf, an item that is not a record, an answer that is not JSON, a duplicate of a rule's — and
two good ones; the test asserts exactly which survive, what each check dropped, what reached
``proposed/`` with which provenance, and that a re-run sends nothing.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import quanheng
from quanheng.curation.proposals import load_proposals
from quanheng.extract.pipeline import CHECKS, extract
from quanheng.measure.pipeline import store_path
from tests.measure.fakeserver import FakeServer, ServerConfig

STUDY = """\
format: quanheng/study@1
id: extract-e2e
title: {{zh: 抽取, en: Extraction}}
framework: cn-llm-vendor-2024
evidence: [evidence]
subjects:
  - {{id: baidu, name: {{zh: 百度, en: Baidu}}}}
  - {{id: tencent, name: {{zh: 腾讯, en: Tencent}}}}
  - id: fake
    kind: model
    vendor: baidu
    name: {{zh: 假模型, en: Fake model}}
    endpoint: {{base_url: "{url}", model: fake, max_concurrency: 2, timeout_s: 10}}
"""

REPORT = """\
# 测试报告

百度文心大模型已经建设了 36 个大模型。目前生态已凝聚535 万开发者，服务 20 万家企事业单位。
百度通过文心 API 对外提供大模型服务。
"""

BRIEF = """<!doctype html><html><head><title>腾讯简报</title>
<script>var claim = "腾讯生态已凝聚 999 万开发者";</script><style>p {color: red}</style></head>
<body><p>腾讯混元大模型覆盖 NLP 大模型、CV 大模型、多模态大模型、文生图大模型及众多行业任务模型。
</p>
<p>腾讯混元已通过官方渠道向中国大陆用户开放服务，入围评估。</p></body></html>
"""

NOTES = "腾讯混元大模型已在 QQ、微信等多个核心业务场景落地。\n"

GOOD = [
    {
        "subject": "baidu",
        "indicator": "P4.2",
        "value": 2,
        "quote": "百度通过文心 API 对外提供大模型服务",
    },
]
BAD = [
    {"subject": "baidu", "indicator": "E2.2", "value": 300000, "quote": "服务 30 万家企事业单位"},
    {"subject": "baidu", "indicator": "E2.1", "value": 535, "quote": "目前生态已凝聚535 万开发者"},
    {
        "subject": "bytedance",
        "indicator": "E2.1",
        "value": 5350000,
        "quote": "目前生态已凝聚535 万开发者",
    },
    {"subject": "baidu", "indicator": "P9.9", "value": 36, "quote": "已经建设了 36 个大模型"},
    {"subject": "baidu", "indicator": "P5.1", "value": 0.9, "quote": "已经建设了 36 个大模型"},
    "not a record",
    # a subject's name for its id is mapped; this one repeats the rules' finding
    {"subject": "百度", "indicator": "E2.2", "value": 200000, "quote": "服务 20 万家企事业单位"},
]
GATE = {"subject": "tencent", "indicator": "china_market", "value": True,
        "quote": "腾讯混元已通过官方渠道向中国大陆用户开放服务"}  # fmt: skip


def reply(prompt: str) -> str | None:
    if "36个大模型" in prompt:
        return "```json\n" + json.dumps({"proposals": GOOD + BAD}, ensure_ascii=False) + "\n```"
    if "入围评估" in prompt:
        return json.dumps({"proposals": [GATE]}, ensure_ascii=False)
    return "Sorry, I cannot find anything."  # the notes: not the JSON asked for


@pytest.fixture()
def setup(tmp_path: Path) -> Iterator[tuple[Path, list[Path], FakeServer]]:
    server = FakeServer(ServerConfig(reply=reply)).start()
    study = tmp_path / "study"
    (study / "evidence").mkdir(parents=True)
    (study / "study.yaml").write_text(STUDY.format(url=server.url), encoding="utf-8")
    report, brief, notes = tmp_path / "report.md", tmp_path / "brief.html", tmp_path / "notes.txt"
    report.write_text(textwrap.dedent(REPORT), encoding="utf-8")
    brief.write_text(BRIEF, encoding="utf-8")
    notes.write_text(NOTES, encoding="utf-8")
    yield study, [report, brief, notes], server
    server.stop()


def _chat_requests(server: FakeServer) -> int:
    return len([e for e in list(server.log) if e["outcome"] == "ok"])


def test_exactly_the_checked_proposals_survive(setup: tuple[Path, list[Path], FakeServer]) -> None:
    study_dir, docs, server = setup
    study = quanheng.load_study(study_dir)
    result = extract(study, docs, with_subject="fake")

    kept = {(s.origin["finder"], s.record["subject"], s.record["indicator"], s.record["value"])
            for s in result.survivors}  # fmt: skip
    assert kept == {
        ("rules", "baidu", "P3.1", 36),
        ("rules", "baidu", "E2.1", 5_350_000),
        ("rules", "baidu", "E2.2", 200_000),
        ("rules", "tencent", "P3.3", 4),
        ("model", "baidu", "P4.2", 2),
        ("model", "tencent", "china_market", True),
    }
    assert result.proposed == {"rules": 4, "model": 10}
    assert result.dropped == {
        "malformed": 2,  # "not a record", and the notes' answer in prose
        "unknown_subject": 1,
        "unknown_leaf": 2,  # P9.9, and P5.1 which is measured, not read from documents
        "not_selected": 0,
        "quote_not_found": 1,
        "value_inconsistent": 1,
        "invalid_record": 0,
        "duplicate": 1,
    }
    assert set(result.dropped) == set(CHECKS)
    assert sum(result.proposed.values()) == len(result.survivors) + sum(result.dropped.values())
    assert result.answers is not None and (result.answers.sent, result.answers.reused) == (3, 0)
    assert _chat_requests(server) == 3
    # the script's figure is never read: HTML scripts and styles are not text
    assert all("999" not in s.record["quote"] for s in result.survivors)

    queued = load_proposals(study_dir)
    assert sorted(p.id for p in queued) == sorted(result.written) and len(queued) == 6
    model = next(p for p in queued if p.record["indicator"] == "P4.2")
    text = docs[0].read_text(encoding="utf-8")
    start, end = model.origin["offsets"]
    assert text[start:end] == model.record["quote"] == "百度通过文心 API 对外提供大模型服务"
    assert model.origin["model"] == "fake" and model.origin["document_sha256"] == (
        __import__("hashlib").sha256(docs[0].read_bytes()).hexdigest()
    )
    assert len(model.origin["request_key"]) == 64 and len(model.origin["prompt_sha256"]) == 64
    assert model.status == "proposed" and model.record["source"]["title"] == "测试报告"
    assert not quanheng.load_study(study_dir).evidence  # proposals are never evidence


def test_a_rerun_sends_nothing_and_proposes_nothing_new(
    setup: tuple[Path, list[Path], FakeServer],
) -> None:
    study_dir, docs, server = setup
    study = quanheng.load_study(study_dir)
    first = extract(study, docs, with_subject="fake")
    before = _chat_requests(server)
    again = extract(study, docs, with_subject="fake")
    assert _chat_requests(server) == before
    assert again.answers is not None
    assert (again.answers.sent, again.answers.reused, again.answers.failed) == (0, 3, 0)
    assert again.survivors == first.survivors and again.written == ()
    assert store_path(study).exists()


def test_selection_by_subject_and_leaves(setup: tuple[Path, list[Path], FakeServer]) -> None:
    study_dir, docs, _ = setup
    study = quanheng.load_study(study_dir)
    result = extract(study, docs[:1], subject="baidu", leaves="E2", rules_only=True, write=False)
    assert {s.record["indicator"] for s in result.survivors} == {"E2.1", "E2.2"}
    assert result.dropped["not_selected"] == 1 and result.answers is None
    assert not (study_dir / "proposed").exists()


def test_default_name_and_answer_parsing() -> None:
    from quanheng.extract.pipeline import default_name, parse_answer, parse_cut_answer

    assert default_name(Path("年度 报告 2024.pdf")) == "extract-2024"
    assert default_name(Path("白皮书.md")) == "extract-document"
    assert parse_answer('Here: {"proposals": [{"a": 1}]} hope it helps') == [{"a": 1}]
    assert parse_answer('{"proposals": {"a": 1}}') is None
    assert parse_answer("no json") is None
    cut = '{"proposals": [{"a": 1}, {"b": [2]},\n {"c": "a long quote that never en'
    assert parse_answer(cut) is None and parse_cut_answer(cut) == [{"a": 1}, {"b": [2]}]
    assert parse_cut_answer("no json") is None


def test_loose_ids_from_small_models(setup: tuple[Path, list[Path], FakeServer]) -> None:
    from quanheng.extract.rules import Candidate

    study_dir, docs, _ = setup
    study = quanheng.load_study(study_dir)
    loose = [
        Candidate(
            "百度文心大模型", "E2.1 开发者规模 / Developers", 5_350_000, "凝聚535 万开发者", "m", 0
        ),
        Candidate("百度和腾讯", "E2.1", 5_350_000, "凝聚535 万开发者", "m", 0),  # two subjects
        Candidate("baidu", "E2.1x 开发者", 5_350_000, "凝聚535 万开发者", "m", 0),
    ]
    from quanheng.extract import pipeline
    from quanheng.extract.documents import read_document
    from quanheng.extract.keywords import leaf_terms, subject_aliases

    ctx = pipeline._Context(study, leaf_terms(study.framework), subject_aliases(study), None, None)
    doc = read_document(docs[0])
    tally = pipeline._Tally()
    kept = [pipeline._check(ctx, doc, c, tally, set()) for c in loose]
    assert kept[0] is not None and (kept[0].record["subject"], kept[0].record["indicator"]) == (
        "baidu",
        "E2.1",
    )
    assert kept[1:] == [None, None]
    assert tally.dropped == {"unknown_subject": 1, "unknown_leaf": 1}
