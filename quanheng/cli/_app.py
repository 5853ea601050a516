"""The typer application and the error boundary every command runs inside."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from typer._click import Context
from typer.core import TyperArgument, TyperGroup, TyperOption

from quanheng.errors import EnvironmentProblem, InputError, QuanhengError, exit_code
from quanheng.measure.redact import scrub_known

__all__ = ["HelpGroup", "app", "console", "err_console", "guarded", "package_version"]


class _Option(TyperOption):
    """An option whose help shows what to type, never a type tag.

    typer 0.29 puts ``<bool>``, ``<str>``, ``<int>`` beside every option, flags included, so
    ``--json <bool>`` reads as if the flag took a value. Here a flag shows nothing, an option
    with choices (a ``Literal`` or enum type) shows them as ``a|b``, and any other value option
    its metavar: the one it was given, else its name in capitals (``--profile PROFILE``).
    """

    def display_type_rich(self, ctx: Context) -> str | None:
        if self.is_flag or self.count:
            return None
        if self.metavar is not None:
            return self.metavar
        if self.type_descriptor.is_choice:
            return self.display_type(ctx).strip("<>")
        return (self.name or "value").upper()


class _Argument(TyperArgument):
    """An argument named in capitals (``STUDY``), with no type tag beside it."""

    @property
    def display_name_raw(self) -> str:
        return self.metavar if self.metavar is not None else (self.name or "arg").upper()

    def display_type_rich(self, ctx: Context) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        return (name if self.required else f"[{name}]") + ("..." if self.nargs != 1 else "")


def _reflow(text: str | None) -> str | None:
    """Help paragraphs as flowing text: rich help keeps the docstring's line breaks, which break
    sentences mid-line in a narrow terminal. A paragraph starting with ``\\b`` (the examples)
    keeps its lines."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if p.startswith("\b") else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


def plain_help(command: typer._click.Command, ctx: Context) -> None:
    """Give ``command``'s parameters the help display above, and flowing help text (once)."""
    if getattr(command, "_quanheng_plain", False):
        return
    for param in command.get_params(ctx):
        if type(param) is TyperOption:
            param.__class__ = _Option
        elif type(param) is TyperArgument:
            param.__class__ = _Argument
    command.help = _reflow(command.help)
    if command.epilog:  # the examples, lines kept; the leading newline keeps their indent
        command.epilog = "\n" + command.epilog.replace("\b\n", "").strip()
    command._quanheng_plain = True  # type: ignore[attr-defined]


class HelpGroup(TyperGroup):
    """The ``quanheng`` group: every command it hands out gets :func:`plain_help`."""

    def get_command(self, ctx: Context, cmd_name: str) -> typer._click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            plain_help(command, ctx)
        return command

    def format_help(self, ctx: Context, formatter: typer._click.HelpFormatter) -> None:
        plain_help(self, ctx)
        super().format_help(ctx, formatter)


def package_version() -> str:
    """quanheng's version as installed (the package metadata), ``0+unknown`` if not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quanheng")
    except PackageNotFoundError:
        return "0+unknown"


app = typer.Typer(
    cls=HelpGroup,
    name="quanheng",
    help="权衡 quanheng — evaluate LLM vendors and models with evidence behind every number.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"quanheng {package_version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=_print_version,
        help="Print quanheng's version (quanheng X.Y.Z) and exit.",
    ),
) -> None:
    """权衡 quanheng — evaluate LLM vendors and models with evidence behind every number.

    Run quanheng COMMAND --help for what a command takes; most print Chinese with --lang zh.
    """


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
