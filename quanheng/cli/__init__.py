"""The ``quanheng`` command: a thin typer layer over the public API.

Every command module registers itself on :data:`app`. Bad input never produces a traceback: an
:class:`~quanheng.errors.InputError` prints one line per problem and exits with code 2.
"""

from __future__ import annotations

import sys

from quanheng.cli import commands as _commands  # noqa: F401  (registers the commands)
from quanheng.cli._app import app

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    app(args=argv if argv is not None else sys.argv[1:], prog_name="quanheng")
