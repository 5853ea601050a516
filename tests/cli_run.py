"""Run the ``quanheng`` command in-process, as the CLI tests do: exit code, stdout, stderr."""

from __future__ import annotations

import pytest

from quanheng.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``quanheng ARGS`` in this process; the exit code (1 for a non-integer exit) and output."""
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out.out, out.err
