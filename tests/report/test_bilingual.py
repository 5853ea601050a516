"""Both languages throughout (#14): the zh report speaks Chinese, numbers read as people write
them, quotes display without Markdown or boxes, and the method appendix is complete."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest

import quanheng
from quanheng.evidence import EvidenceRecord
from quanheng.report.content import ReportData, build_report
from quanheng.report.figures import render_charts
from quanheng.report.fonts import glyph_warnings, uncovered_chars
from quanheng.report.html import render_html
from quanheng.report.i18n import drawable, fmt_number, fmt_range, fmt_value, plain_quote
from quanheng.report.markdown import render_markdown
from quanheng.text import Text, local

STUDY = Path(__file__).resolve().parents[2] / "studies" / "cn-llm-vendors-2024"

# Proper names, product and model names, benchmarks, units and abbreviations the zh report may
# print in Latin letters (everything else in Latin letters must be inside a quote, a title in
# 《》, code, an id, a file reference or a URL).
_NAMES = """
DKLCloud OpenAI SuperCLUE CLUEbenchmark IDC API MaaS GPT Turbo ChatGPT Qwen Coder Instruct
ERNIE PaddlePaddle SenseCore SenseNova SenseChat SenseMirage ModelArts HCC TACO AngelPTM
AliceMind PLUG mPLUG OFA Uni-Perceiver MSR-VTT MSVD EasyDL BML NLP CV TCL QQ Llama Meta
Google GitHub NVIDIA DGX MoE Nielsen Norman Group Miller Card Brown Radford Singhal Sullivan
Brysbaert Cerebras Inference DeepSeek DeepSeek-V ISO IEC IEEE DCMM PFLOPS EFLOPS GPU CNY
token pass REST SDK ONNX LangChain LlamaIndex PyTorch TensorFlow Apache GGUF llama cpp
quanheng AGI App OPEN SHA arXiv log know-how LLM AI IDE Serving README GB AliceMind-mPLUG
B-Instruct analyse measure quanheng-team
Angel BLOOMZ CLA DCU DL LF DashScope DiT ERNIE-Bot FP Int KV Hugging Face Flash-Attention GCU
GLUE SemEval HAI TI Hunyuan Hunyuan-Captioner Hunyuan-DiT-S IP-adapter Large Linux Markdown
Megatron-Core Megatron-LM Pai-Megatron-Patch ModelScope SWIFT NPU XPU OPPO vivo PAI PaddleNLP
Qwen-Max TensorRT-LLM vLLM WebUI bge-large-zh
"""
ALLOWED = frozenset(_NAMES.split())


@pytest.fixture(scope="module")
def default_data() -> ReportData:
    study = quanheng.load_study(STUDY)
    card = quanheng.score(study, "customer-service")
    return build_report(study, card, study_path="studies/cn-llm-vendors-2024")


@pytest.fixture(scope="module")
def zh_pages(default_data: ReportData) -> tuple[str, str]:
    charts = render_charts(default_data, "zh", png=False)
    return render_html(default_data, "zh", charts), render_markdown(default_data, "zh", "c", charts)


def _english_words(text: str) -> set[str]:
    text = re.sub(r"https?://\S+|`[^`]*`|《[^》]*》|“[^”]*”|‘[^’]*’|'[^']*'", " ", text)
    text = re.sub(
        r"[\w.-]+\.(net|com|org|cn)\b|\S+\.(yaml|csv|svg|png)(:\d+)?|\b\w*_\w*\b|\b[0-9a-f]{16}\b",
        " ",
        text,
    )
    words = re.findall(r"[A-Za-z][A-Za-z-]*[A-Za-z]|[A-Za-z]{2,}", text)
    return {w for w in words if w not in ALLOWED and w.strip("-") not in ALLOWED}


def _html_text(page: str) -> str:
    page = re.sub(r"<style.*?</style>|<svg.*?</svg>", " ", page, flags=re.S)
    page = re.sub(r'<span class="quote">.*?</span>', " ", page, flags=re.S)
    page = re.sub(r"<code>.*?</code>|<(small|span|td) class=\"(mono|digest)\">.*?</\1>", " ", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return html_lib.unescape(page)


def test_the_zh_report_has_no_english_outside_names_quotes_ids_and_units(
    zh_pages: tuple[str, str], default_data: ReportData
) -> None:
    page, md = zh_pages
    md = re.sub(r"<br>|&nbsp;", " ", md.replace("\\", ""))
    ids = {
        default_data.framework.id,
        default_data.profile.id,
        *(s.id for s in default_data.subjects),
    }
    # sources are cited as they are titled (like quotes, in their own language)
    for e in default_data.evidence:
        for text in (e.record.source.title, e.record.source.publisher, e.record.source.document):
            if text:
                page = page.replace(text, " ")
                md = md.replace(text, " ")
    for i in ids:
        page, md = page.replace(i, " "), md.replace(i, " ")
    assert _english_words(_html_text(page)) == set()
    # Markdown: quotes are table cells and list items in “”; drop the evidence quotes first
    for e in default_data.evidence:
        md = md.replace(drawable(plain_quote(e.record.quote), "zh", uncovered_chars), " ")
    md = re.sub(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)", " ", md)
    assert _english_words(md) == set()


def test_notes_units_and_descriptions_may_be_bilingual_or_plain() -> None:
    base = {
        "subject": "a",
        "indicator": "x",
        "value": 1.0,
        "source": {"title": "t"},
        "quote": "q",
        "analyst": "me",
    }
    plain = EvidenceRecord.model_validate({**base, "unit": "CNY", "note": "as written"})
    both = EvidenceRecord.model_validate(
        {**base, "unit": {"zh": "家伙伴", "en": "partners"}, "note": {"zh": "注", "en": "note"}}
    )
    assert local(plain.unit, "zh") == "CNY" and local(plain.note, "en") == "as written"
    assert local(both.unit, "zh") == "家伙伴" and local(both.note, "en") == "note"
    assert local(Text(en="only English"), "zh") == "only English"
    # a plain note keeps its digest: bilingual text changes nothing for plain strings
    assert plain.model_dump(mode="json")["note"] == "as written"


def test_numbers_read_as_people_write_them() -> None:
    assert [fmt_number(5_350_000, "zh"), fmt_number(5_350_000, "en")] == ["535万", "5.35 M"]
    assert [fmt_number(5.5e11, "zh"), fmt_number(5.5e11, "en")] == ["5500亿", "550 B"]
    assert [fmt_number(200_000, "zh"), fmt_number(200_000, "en")] == ["20万", "200 K"]
    assert [fmt_number(79.02, "en"), fmt_number(36.0, "zh"), fmt_number(2000, "en")] == [
        "79.02",
        "36",
        "2,000",
    ]
    assert fmt_value(0.219938, "en", 2) == "0.22"
    assert fmt_range(0.194364, 0.262412, "en", 0.219938, 2) == "[0.19, 0.26]"
    assert [fmt_value(True, "zh"), fmt_value(False, "en")] == ["是", "no"]


def test_quotes_lose_markdown_but_keep_their_words() -> None:
    row = "| 🏅️ | 文心一言4.0(API) | 百度 | 79.02 |"
    assert plain_quote(row) == "🏅️ · 文心一言4.0(API) · 百度 · 79.02"
    assert plain_quote("**粗体** 与 `代码`\n|---|---|") == "粗体 与 代码"
    assert plain_quote("分别为** 商汤") == "分别为 商汤"
    shown = drawable(plain_quote(row), "zh", uncovered_chars)
    assert shown.startswith("[奖牌] · 文心一言") and uncovered_chars([shown]) == set()
    assert drawable("🥈", "en", uncovered_chars) == "[silver medal]"


def test_validate_names_each_line_with_a_character_the_fonts_cannot_draw(tmp_path: Path) -> None:
    lines = glyph_warnings(quanheng.load_study(STUDY))
    assert any("public-figures.yaml:36:" in x and "U+1F3C5" in x for x in lines)
    assert all(x.startswith("warning: ") for x in lines)


def test_gate_quotes_once_reproduce_command_as_of_and_criteria(
    zh_pages: tuple[str, str], default_data: ReportData
) -> None:
    page, md = zh_pages
    charts = render_charts(default_data, "en", png=False)
    en = render_html(default_data, "en", charts)
    assert en.count("Screened out by the gates") <= 1  # the chart's title; the aside says why
    baidu = md.split("### 百度 (`baidu`)")[1].split("### ")[0]
    assert baidu.count("通过遴选") == 1  # one shortlisting quote for the four gates
    assert "中国市场落地、全栈能力、商业基础、产品市场：通过" in baidu
    cmd = "quanheng report studies/cn-llm-vendors-2024 --profile customer-service"
    assert cmd in page and cmd in md and cmd in en
    assert default_data.as_of is not None and f"证据截至 {default_data.as_of}" in page
    # every rubric leaf's level descriptors, in each language
    rubric = next(r for r in default_data.tree if r.levels)
    assert all(local(text, "zh") in page for _, text in rubric.levels)
    assert all(local(text, "en") in html_lib.unescape(en) for _, text in rubric.levels)
    assert "指标定义与评分标准" in md and "Criteria: definitions and scoring" in en
