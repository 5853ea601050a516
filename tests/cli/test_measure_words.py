"""Issue #18 parts 1-3 for ``measure``, ``runs``, ``report`` and ``demo``: help that says what each
option takes, ``--lang zh`` in whole Chinese sentences, counts with the right plural, ids that
wrap rather than being cut, token cells that say "unknown" once, and ``measure --limit`` saying
when its values rest on more stored answers than the limit."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

from quanheng.cli import main
from quanheng.cli._app import app, console
from quanheng.cli.commands.measure import print_result
from quanheng.measure.pipeline import MeasureResult, TaskRun
from quanheng.measure.progress import RunSummary
from quanheng.measure.suites import BUILTIN_SUITES
from tests.measure.endpoint_study import write_study
from tests.measure.fakeserver import FakeServer

# The English a Chinese session may show: ids (the study's subject, suite, task and metric,
# the built-in study's ids), proper names, units, option names and the command's own name.
ALLOWED = {
    "probe",  # the probe study's subject and suite id
    "efficiency",  # its task id
    "efficiency.ttft_p50_s",  # its metric id
    "n",  # the sample-size symbol in "n = 4"
    "limit",  # the option --limit
    "s",  # seconds (ETA)
}
DEFAULT_STUDY = Path(__file__).resolve().parents[2] / "studies" / "cn-llm-vendors-2024"
RUN_ID = re.compile(r"\b\d{8}T\d{6}-[0-9a-f]{8}\b")
STARTED = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\b")  # ISO times: the T is no word


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    code = exit_info.value.code
    captured = capsys.readouterr()
    lines = [line.strip() for line in (captured.out + captured.err).splitlines()]
    return (code if isinstance(code, int) else 1), [line for line in lines if line]


def english_words(lines: list[str], *paths: Path) -> set[str]:
    """The Latin-letter words of ``lines`` once paths and run ids are taken out, less ALLOWED."""
    text = "\n".join(lines)
    for path in sorted(paths, key=lambda p: -len(str(p))):
        text = text.replace(str(path), " ")
    text = re.sub(r"\S*/\S*", " ", STARTED.sub(" ", RUN_ID.sub(" ", text)))  # and any path
    words = re.findall(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9_]|[A-Za-z]", text)  # ASCII only
    return set(words) - ALLOWED


def _unreported(n: int) -> list[str]:
    """Prompts the fake server answers with 4 streamed pieces and no usage."""
    return [f"item {i} <answer:B> <no-usage>" for i in range(n)]


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def test_measure_and_runs_in_chinese(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    study = write_study(tmp_path / "study", server.url, _unreported(4))
    store = study / "runs" / "runs.sqlite"
    code, first = _cli(["measure", str(study), "--lang", "zh"], capsys)
    assert code == 0, first
    assert f"1 次任务运行：本次回答 4 个，复用 0 个，失败 0 个——运行存储 {store}" in first
    assert "测量进度" in first and "测量值（90% 自助法区间）" in first
    assert any("输入未知 / 输出 16" in line for line in first)  # the board's token cell
    assert not any("数值按" in line for line in first)  # no --limit: nothing to say

    code, again = _cli(["measure", str(study), "--limit", "2", "--lang", "zh"], capsys)
    assert code == 0, again
    assert f"1 次任务运行：本次回答 0 个，复用 2 个，失败 0 个——运行存储 {store}" in again
    assert again[-1] == (
        "数值按每个任务已存储的 4 条回答计算（n = 4），多于 --limit 2：之前运行的回答也计入"
    )

    code, listed = _cli(["runs", str(study), "--lang", "zh"], capsys)
    assert code == 0, listed
    assert listed[0] == f"{store} 中的运行记录"
    assert listed[-2:] == [
        "另有 1 次重新运行在存储中找到了全部回答，未列出",
        "合计：4 个请求，成功 4 个，错误 0 个；词元：输入未知 / 输出 16",
    ]
    assert any("（缓存 2）" in line for line in again)
    assert english_words(first + again + listed, store, tmp_path) == set()


def test_measure_and_runs_in_english_count_in_the_singular_for_one(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    study = write_study(tmp_path / "study", server.url, _unreported(4))
    store = study / "runs" / "runs.sqlite"
    code, first = _cli(["measure", str(study)], capsys)
    assert code == 0, first
    assert f"1 task run: 4 answered now, 0 reused, 0 failed — store {store}" in first
    assert any("unknown in / 16 out" in line for line in first)
    code, again = _cli(["measure", str(study), "--limit", "2"], capsys)
    assert code == 0, again
    assert again[-1] == (
        "values use n = 4 stored answers per task, more than --limit 2: earlier runs' answers "
        "count too"
    )
    code, listed = _cli(["runs", str(study)], capsys)
    assert listed[0] == f"runs in {store}"
    assert listed[-2:] == [
        "1 re-run that found every answer stored is not listed",
        "total: 4 requests, 4 ok, 0 errors; tokens: unknown in / 16 out",
    ]
    assert not any("?" in line for line in first + again + listed)


def _summary(ok: int, errors: int, cached: int) -> RunSummary:
    return RunSummary(
        run_id="r",
        items=ok + errors + cached,
        ok=ok,
        errors=errors,
        cached=cached,
        attempts=ok + errors,
        retries=0,
        input_tokens=0,
        output_tokens=0,
        cost=None,
        elapsed_s=1.0,
        rate_per_s=1.0,
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "2 task runs: 3 answered now, 1 reused, 1 failed — store runs.sqlite",
                "1 request failed and has no answer; it stays retryable: run the same command "
                "again (exit code 3)",
                "skipped judged for probe: no judge: set measure.judge",
            ],
        ),
        (
            "zh",
            [
                "2 次任务运行：本次回答 3 个，复用 1 个，失败 1 个——运行存储 runs.sqlite",
                "1 个请求失败，没有回答；它可以重试：再次运行同一命令（退出码 3）",
                "已跳过 probe 的任务 judged：没有评判模型：请设置 measure.judge",
            ],
        ),
    ],
)
def test_the_summary_counts_task_runs_and_failures_in_words(
    lang: str, expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    result = MeasureResult(
        runs=(
            TaskRun("probe", "probe", "a", _summary(2, 1, 0)),
            TaskRun("probe", "probe", "b", _summary(1, 0, 1)),
        ),
        skipped=(("probe", "judged", "no judge: set measure.judge"),),
    )
    print_result(result, [], "runs.sqlite", "zh" if lang == "zh" else "en")
    assert capsys.readouterr().out.splitlines() == expected


def test_runs_wraps_long_ids_instead_of_cutting_them(
    tmp_path: Path,
    server: FakeServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long_id = "qwen2.5-coder-0.5b-instruct-q4km-local"
    study = write_study(tmp_path / "study", server.url, _unreported(2))
    yaml = study / "study.yaml"
    yaml.write_text(yaml.read_text().replace("  - id: probe\n", f"  - id: {long_id}\n"))
    code, out = _cli(["measure", str(study)], capsys)
    assert code == 0, out
    monkeypatch.setattr(console, "width", 90)  # narrower than the table wants
    code, out = _cli(["runs", str(study)], capsys)
    assert code == 0, out
    assert not any("…" in line for line in out)
    rows = [line.split("│")[1:-1] for line in out if line.startswith("│")]
    assert len(rows) > 1  # the subject took more than one line
    assert "".join(cells[2].strip() for cells in rows) == long_id


@pytest.mark.parametrize(
    "args",
    [
        ["report", "study", "--lang", "fr"],
        ["report", "study", "--lang", "zh,fr"],
        ["measure", "study", "--lang", "fr"],
        ["runs", "study", "--lang", "fr"],
        ["demo", "--lang", "fr"],
    ],
)
def test_an_unknown_language_is_refused_with_the_same_line(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _cli(args, capsys)
    assert code == 2
    # the line `score --lang fr` and every other command with a zh|en choice print
    assert out == [f"--lang: 'fr' is not one of 'zh', 'en' — see quanheng {args[0]} --help"]


def _help(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, lines = _cli([command, "--help"], capsys)
    assert code == 0
    return " ".join(" ".join(lines).replace("│", " ").split())


@pytest.mark.parametrize("command", ["measure", "runs", "report", "demo"])
def test_every_option_has_help_and_every_command_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _help(command, capsys)
    assert f"Examples: quanheng {command}" in text
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    params = group.commands[command].params
    assert params and all(getattr(p, "help", None) for p in params), [
        p.name for p in params if not getattr(p, "help", None)
    ]


def test_measure_help_names_the_suites_and_what_concurrency_bounds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _help("measure", capsys)
    assert f"a built-in suite id ({', '.join(BUILTIN_SUITES)}) or a suite.yaml path" in text
    assert "Requests in flight at once per endpoint" in text
    assert "--lang zh|en" in text


# What the default study's Chinese scorecard may show in Latin letters: its id and profile id,
# the dimension ids, proper names (OpenAI, Qwen, ChatGPT, GPT, AI in a source title), gate ids
# and the option that prints the sparse leaves.
DEMO_ALLOWED = {
    "cn-llm-vendors-2024",
    "default",
    "P",
    "S",
    "E",
    "OpenAI",
    "openai",
    "Qwen2.5-Coder-0.5B-Instruct",
    "ChatGPT",
    "GPT-4",
    "AI",
    "china_market",
    "full_stack",
    "commercial_base",
    "product_market",
    "score",
    "json",
    "sparse_leaves",
}


def test_demo_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "study"
    shutil.copytree(DEFAULT_STUDY, study, ignore=shutil.ignore_patterns("runs"))
    monkeypatch.setenv("QUANHENG_STUDY", str(study))
    out = tmp_path / "out"
    code, lines = _cli(["demo", "--no-measure", "--lang", "zh", "--out", str(out)], capsys)
    assert code == 0, lines
    assert f"已写入 {out / 'cn-llm-vendors-2024.default.scorecard.json'}" in lines
    assert english_words(lines, out, study) - DEMO_ALLOWED == set()
