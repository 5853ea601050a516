"""``quanheng schema``: the JSON Schema of every file format, for editors."""

from __future__ import annotations

import json

import typer

from quanheng.cli._app import app, console, guarded
from quanheng.schemas import SCHEMAS, json_schema

EXAMPLES = """\b
Examples:
  quanheng schema
  quanheng schema study
"""


@app.command(epilog=EXAMPLES)
@guarded
def schema(
    name: str = typer.Argument(
        "all",
        metavar="FORMAT",
        help=f"Which format's schema to print: all, {', '.join(SCHEMAS)}.",
    ),
) -> None:
    """Print JSON Schema (all formats as one object keyed by format, or one format)."""
    console.print_json(json.dumps(json_schema(name), ensure_ascii=False))
