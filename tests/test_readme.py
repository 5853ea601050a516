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

COMMANDS = [
    line[2:].strip()
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S)
    for line in block.splitlines()
    if line.startswith("$ ")
]
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_has_examples() -> None:
    assert len(COMMANDS) >= 8
    assert PYTHON_BLOCKS


@pytest.mark.parametrize("command", COMMANDS)
def test_console_example_runs(command: str) -> None:
    argv = command.split()
    assert argv[0] == "quanheng"
    proc = subprocess.run(
        [sys.executable, "-m", "quanheng", *argv[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 0, proc.stderr
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
