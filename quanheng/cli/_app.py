"""The typer application and the error boundary every command runs inside."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from quanheng.errors import EnvironmentProblem, InputError, QuanhengError, exit_code
from quanheng.measure.redact import scrub_known

__all__ = ["app", "console", "err_console", "guarded"]

app = typer.Typer(
    name="quanheng",
    help="权衡 quanheng — evaluate LLM vendors and models with evidence behind every number.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output gets 120 columns rather than rich's 80, so tables stay one line per subject.
_WIDTH = None if sys.stdout.isatty() else 120
console = Console(highlight=False, soft_wrap=True, width=_WIDTH)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


def guarded(func: Callable[P, R]) -> Callable[P, R]:
    """Turn quanheng errors into clean messages and the exit codes of :mod:`quanheng.errors`.

    Input and environment problems exit 2 with their own lines; any other quanheng error (a
    measurement that could not go on) exits 1 with ``error:`` before it (2 for a run store in
    use). Every line is scrubbed of the API keys this process has read, the last stop before
    stderr.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            for line in exc.lines():
                err_console.print(scrub_known(line), markup=False)
            raise typer.Exit(exit_code(exc)) from None
        except EnvironmentProblem as exc:
            err_console.print(scrub_known(str(exc)), markup=False)
            raise typer.Exit(exit_code(exc)) from None
        except QuanhengError as exc:
            err_console.print(scrub_known(f"error: {exc}"), markup=False)
            raise typer.Exit(exit_code(exc)) from None

    return wrapper
