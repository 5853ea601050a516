"""Issue #18, for score, analyse, recommend, show, validate, frameworks, schema and init:
``--version``, help without type tags and with every choice and an example, one ``--lang zh|en``
refused the same way everywhere, whole-sentence Chinese, plurals, and ids that wrap."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from cli_run import run

ROOT = Path(__file__).parent.parent.parent
MINI = ROOT / "tests" / "data" / "mini"
DEFAULT = ROOT / "studies" / "cn-llm-vendors-2024"
BUILTIN_FW = ROOT / "quanheng" / "frameworks" / "cn-llm-vendor-2024.yaml"
COMMANDS = ["score", "analyse", "recommend", "show", "validate", "frameworks", "schema", "init"]
WITH_LANG = [c for c in COMMANDS if c != "schema"]  # schema prints JSON Schema, no words


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["--version"], capsys)
    assert (code, out, err) == (0, f"quanheng {version('quanheng')}\n", "")


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_has_no_type_tags_and_examples(
    command: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([command, "--help"] if command else ["--help"], capsys)
    assert code == 0
    for tag in ("<bool>", "<str>", "<int>", "<float>", "<path>", "<"):
        assert tag not in out, (tag, out)
    if command:
        assert "Examples:" in out
        assert f"  quanheng {command}" in out.split("Examples:")[1]
        # every option has a sentence beside it
        for line in out.splitlines():
            match = re.match(r"│\s+\*?\s*(--[a-z-]+)\s*(-[a-z])?\s*(\S*)\s*(.*?)\s*│$", line)
            if match:
                assert match.group(4) or match.group(3), line


def _flat(out: str) -> str:
    """Help text with the panel borders and the wrapping taken out."""
    return re.sub(r"[│╭╮╰╯─\s]+", " ", out)


def test_value_options_show_their_metavar_and_choices(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["score", "--help"], capsys)
    out = _flat(out)
    assert re.search(r"--profile\s+-p\s+PROFILE\s", out)
    assert "arithmetic|geometric" in out and "drop|worst|median" in out
    assert re.search(r"--lang\s+zh\|en\s", out)
    assert "a profile id of the study" in out.lower() and "quanheng show STUDY" in out
    assert re.search(r"--json\s+Print", out)  # a flag shows no value
    _, out, _ = run(["recommend", "--help"], capsys)
    out = _flat(out)
    assert "auto|chromium|weasyprint" in out and "md, html or pdf" in out
    _, out, _ = run(["show", "--help"], capsys)
    out = _flat(out)
    assert "quanheng show STUDY lists them" in out


def test_lang_fr_is_refused_the_same_way_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    lines = set()
    for command in WITH_LANG:
        code, out, err = run([command, str(MINI), "--lang", "fr"], capsys)
        assert (code, out) == (2, ""), command
        assert len(err.strip().splitlines()) == 1, err
        lines.add(err.replace(f"quanheng {command} ", "quanheng COMMAND "))
    assert lines == {"--lang: 'fr' is not one of 'zh', 'en' — see quanheng COMMAND --help\n"}


# Latin words a Chinese session may still print: ids (subjects, leaves, gates, profiles,
# frameworks, metrics, normalisation and YAML keywords), proper names and English-only study
# text (subject and leaf names, pilots), units, notation (P, S, E, tau, EVPPI, TOPSIS) and paths.
ALLOWED = {
    # notation and methods
    "P",
    "S",
    "E",
    "tau",
    "EVPPI",
    "TOPSIS",
    "Krippendorff",
    "alpha",
    "x",
    "log10",
    "ID",
    "STUDY",
    "FRAMEWORK",
    "true",
    "false",
    "range",
    "normalise",
    "json",
    "sparse_leaves",
    "quanheng",
    "show",
    "score",
    "validate",
    "measure",
    "leaf",
    "profile",
    "lang",
    "zh",
    "minmax",
    "log_minmax",
    "fixed",
    "log_fixed",
    "rubric",
    "target",
    "yaml",
    "md",
    # units written only in English in the studies
    "CNY",
    "token",
    "tokens",
    "count",
    "percent",
    "B",
    "USD",
    "ms",
    "s",
    # proper names and English-only study text
    "OpenAI",
    "ChatGPT",
    "GPT",
    "Qwen2.5-Coder-0.5B-Instruct",
    "know-how",  # in a leaf's Chinese name
    "Few-Shot",  # cited titles in the reference bases
    "GPT-3",
    "GPT-4",
    "e",  # 3e+11
    # mini's rubric levels, written in English only
    "none",
    "named",
    "described",
    "practised",
    "audited",
    "certified",
    "Instruct",
    "Mini",
    "MaaS",
    "API",
    "try",
    "beta",
    "things",
    "AI",
    "DeepSeek",
    "Llama",
    "Meta",
    "arXiv",
    "Brown",
    "Language",
    "Models",
    "are",
    "Few",
    "Shot",
    "Learners",
    "Introducing",
    "The",
    "Herd",
    "of",
    "Qianfan",
    "DashScope",
    "Hunyuan",
    "SenseNova",
    "ERNIE",
    "IDE",
    "GPU",
    "NPU",
    "SDK",
    "IT",
    "CUDA",
    "MindSpore",
    "PaddlePaddle",
    "Ascend",
    "DCMM",
    "C",
    "Eval",
    "CMMLU",
    "MMLU",
    "GSM8K",
    "HumanEval",
    "SuperCLUE",
    "OpenCompass",
    "LLM",
    "K",
}


def _latin_words(text: str, ids: set[str]) -> set[str]:
    text = re.sub(r"(?m)^\s+“.*$", " ", text)  # verbatim quotes with their source's title
    text = re.sub(r"(?m)^  名称：.*$", " ", text)  # show --leaf gives both names on purpose
    text = re.sub(r"\S*/\S*", " ", text)  # file paths and a/b notation
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]|[A-Za-z]", text))
    return {w for w in words if w not in ALLOWED and w not in ids and w.strip(".") not in ids}


def _ids(study: Path) -> set[str]:
    from quanheng.framework import builtin_frameworks
    from quanheng.study import load_study

    s = load_study(study)
    fw = s.framework
    found = {x.id for x in s.subjects} | set(fw.nodes) | set(fw.gate_ids) | {fw.id, s.id}
    found |= set(s.profiles) | set(builtin_frameworks())
    found |= {n.metric for n in fw.leaves if n.metric} | {p for m in found for p in m.split(".")}
    found |= {p for m in list(found) for p in re.split(r"[-_]", m)}
    return found


@pytest.mark.parametrize("study", [MINI, DEFAULT], ids=["mini", "default"])
def test_lang_zh_prints_no_english_words(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from quanheng.cli._app import console

    monkeypatch.setattr(console, "width", 400)  # no id folded in two: every word whole
    ids = _ids(study)
    profile = "beta-heavy" if study == MINI else "code-assistant"
    fw = str(study / "framework.yaml") if study == MINI else "cn-llm-vendor-2024"
    leaves = (
        ["A1.1", "A1.2", "A2.1", "B1.1", "B1.2", "market"]
        if study == MINI
        else ["P1.1", "P1.2", "P5.1", "china_market"]
    )
    runs = [
        ["score", str(study)],
        ["analyse", str(study), "--draws", "200", "-p", profile],
        ["recommend", str(study), "-p", profile, "--draws", "200"],
        ["show", str(study)],
        ["show", str(study), "-p", profile],
        *(["show", str(study), "--leaf", leaf] for leaf in leaves),
        ["validate", str(study)],
        ["validate", str(study / "framework.yaml") if study == MINI else str(BUILTIN_FW)],
        ["frameworks"],
        ["init", str(tmp_path / "new"), "--framework", fw],
    ]
    for args in runs:
        code, out, err = run([*args, "--lang", "zh"], capsys)
        assert code == 0, (args, err)
        # stderr: the font warnings come from the report's font check, in both languages
        errors = "\n".join(line for line in err.splitlines() if "no glyph" not in line)
        assert not _latin_words(out + errors, ids), (args, out + errors)


def test_plurals_in_english_and_measure_words_in_chinese(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(["validate", str(MINI / "framework.yaml")], capsys)
    assert out.strip() == "ok: framework mini 1.0: 1 gate, 2 dimensions, 5 leaves"
    _, out, _ = run(["validate", str(MINI / "framework.yaml"), "--lang", "zh"], capsys)
    assert out.strip() == "通过：框架 mini 1.0：1 道门槛，2 个维度，5 个二级指标"
    _, out, _ = run(["validate", str(MINI)], capsys)
    assert "5 subjects, 20 evidence records, 2 profiles" in out
    from quanheng.cli._words import count

    assert [count("profile", n, "en") for n in (1, 2)] == ["1 profile", "2 profiles"]
    assert count("record", 1, "zh") == "1 条证据记录"


def test_long_ids_wrap_rather_than_truncate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    from quanheng.cli import _app
    from quanheng.cli.commands import frameworks, score

    narrow = Console(width=72, highlight=False, soft_wrap=True, record=True)
    monkeypatch.setattr(score, "console", narrow)
    monkeypatch.setattr(frameworks, "console", narrow)
    monkeypatch.setattr(_app, "console", narrow)
    run(["frameworks"], capsys)
    run(["score", str(DEFAULT)], capsys)
    text = narrow.export_text()
    assert "…" not in text
    first = "".join(
        line.split("│")[1].strip()
        for line in text.splitlines()
        if "│ cn" in line
        or (line.startswith("│") and line.split("│")[1].strip() and "━" not in line)
    )
    assert first.startswith("cn-llm-vendor-2024")  # the id column of frameworks, folded
