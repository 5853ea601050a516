"""The ``quanheng`` command: a thin typer layer over the public API.

Every command module registers itself on :data:`app`. Bad input never produces a traceback: an
:class:`~quanheng.errors.InputError` prints one line per problem and exits with code 2, and so
does an option the command line itself refuses (an unknown choice, a missing argument).
"""

from __future__ import annotations

import re
import sys

import typer
from typer._click.exceptions import ClickException, UsageError

from quanheng.cli import commands as _commands  # noqa: F401  (registers the commands)
from quanheng.cli._app import app, err_console
from quanheng.errors import EXIT_INPUT

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the command, exit with its code."""
    args = argv if argv is not None else sys.argv[1:]
    try:
        code = app(args=args, prog_name="quanheng", standalone_mode=False)
    except UsageError as exc:
        err_console.print(usage_line(exc), markup=False)
        code = EXIT_INPUT
    except ClickException as exc:
        err_console.print(f"error: {exc.format_message()}", markup=False)
        code = exc.exit_code
    except typer.Abort:
        err_console.print("aborted", markup=False)
        code = 1
    sys.exit(code if isinstance(code, int) else 0)


def usage_line(exc: UsageError) -> str:
    """One line for an option the parser refused: ``--option: what is wrong — what to do``."""
    message = exc.format_message().replace("Value error, ", "").rstrip(". ")
    command = exc.ctx.command_path if exc.ctx is not None else "quanheng"
    place = ""
    param = getattr(exc, "param", None)
    if param is not None and param.param_type_name == "option" and param.opts:
        place = max(param.opts, key=len)
        message = re.sub(r"^Invalid value for '[^']*':\s*", "", message)
    where = f"{place}: " if place else ""
    return f"{where}{message} — see {command} --help"
