"""``quanheng frameworks``: list the built-in frameworks."""

from __future__ import annotations

import typer
from rich.table import Table

from quanheng.cli._app import app, console, guarded
from quanheng.cli._words import LANG_HELP, w
from quanheng.framework import builtin_frameworks, load_framework
from quanheng.text import Lang

EXAMPLES = """\b
Examples:
  quanheng frameworks
  quanheng frameworks --lang zh
"""


@app.command(epilog=EXAMPLES)
@guarded
def frameworks(lang: Lang = typer.Option("en", "--lang", help=LANG_HELP)) -> None:
    """List built-in frameworks with their size."""
    table = Table()
    table.add_column(w("fw_id", lang), overflow="fold")
    table.add_column(w("fw_version", lang), overflow="fold")
    table.add_column(w("name", lang), overflow="fold")
    for key in ("fw_gates", "fw_dimensions", "fw_leaves"):
        table.add_column(w(key, lang), justify="right", overflow="fold")
    for fid in builtin_frameworks():
        fw = load_framework(fid)
        table.add_row(
            fw.id,
            fw.version,
            fw.name.zh if lang == "zh" else f"{fw.name.zh} / {fw.name.en}",
            str(len(fw.gates)),
            str(len(fw.tree)),
            str(len(fw.leaves)),
        )
    console.print(table)
