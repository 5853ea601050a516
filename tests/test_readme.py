"""Every example in the README runs: the console commands and the Python blocks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quanheng.study import Subject

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(block: str) -> list[str]:
    return [line[2:].strip() for line in block.splitlines() if line.startswith("$ ")]


CONSOLE_BLOCKS = re.findall(r"```console\n(.*?)```", README, flags=re.S)
# A block that starts a study (`quanheng init`) writes files: it runs in order in a fresh
# directory, the others in the checkout.
INIT_BLOCKS = [_commands(b) for b in CONSOLE_BLOCKS if "$ quanheng init " in b]
COMMANDS = [c for b in CONSOLE_BLOCKS if "$ quanheng init " not in b for c in _commands(b)]
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def _quanheng(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a README ``quanheng …`` line as a user would, in its own process, 200 columns wide."""
    argv = command.split()
    assert argv[0] == "quanheng"
    return subprocess.run(
        [sys.executable, "-m", "quanheng", *argv[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_readme_has_examples() -> None:
    assert len(COMMANDS) >= 8
    assert PYTHON_BLOCKS


@pytest.mark.parametrize("command", COMMANDS)
def test_console_example_runs(command: str) -> None:
    proc = _quanheng(command, ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    assert "Traceback" not in proc.stderr


def test_readme_starts_a_study() -> None:
    assert INIT_BLOCKS


@pytest.mark.parametrize("commands", INIT_BLOCKS)
def test_init_example_runs_in_order(commands: list[str], tmp_path: Path) -> None:
    for command in commands:
        proc = _quanheng(command, tmp_path)
        assert proc.returncode == 0, f"{command}: {proc.stderr}"
        assert proc.stdout.strip()
        assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("block", PYTHON_BLOCKS)
def test_python_example_runs(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(block, "README.md", "exec"), {"__name__": "__readme__"})


def test_yaml_examples_parse() -> None:
    import yaml

    blocks = re.findall(r"```yaml\n(.*?)```", README, flags=re.S)
    assert len(blocks) >= 2
    for block in blocks:
        data = yaml.safe_load(block)
        assert isinstance(data, dict)
        for subject in data.get("subjects", []):  # subject examples are valid subjects
            Subject.model_validate(subject)


def _in_chinese(command: str) -> str | None:
    """The tour command with ``--lang zh`` (replacing ``--lang en``); None where no words print."""
    argv = command.split()
    if argv[1] == "schema" or "--json" in argv:
        return None
    if "--lang" in argv:
        argv[argv.index("--lang") + 1] = "zh"
    else:
        argv += ["--lang", "zh"]
    return " ".join(argv)


ZH_COMMANDS = sorted(
    {zh for zh in map(_in_chinese, COMMANDS) if zh is not None and zh not in COMMANDS}
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_tour_runs_in_chinese_too() -> None:
    assert len(ZH_COMMANDS) >= 8


@pytest.mark.parametrize("command", ZH_COMMANDS)
def test_console_example_runs_in_chinese(command: str) -> None:
    proc = _quanheng(command, ROOT)
    assert proc.returncode == 0, proc.stderr
    assert _CJK.search(proc.stdout), proc.stdout[:500]  # the words are Chinese
    assert "Traceback" not in proc.stderr
