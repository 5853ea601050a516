"""``quanheng frameworks``: list the built-in frameworks."""

from __future__ import annotations

from rich.table import Table

from quanheng.cli._app import app, console, guarded
from quanheng.framework import builtin_frameworks, load_framework


@app.command()
@guarded
def frameworks() -> None:
    """List built-in frameworks with their size."""
    table = Table("id", "version", "name", "gates", "dimensions", "leaves")
    for fid in builtin_frameworks():
        fw = load_framework(fid)
        table.add_row(
            fw.id,
            fw.version,
            f"{fw.name.zh} / {fw.name.en}",
            str(len(fw.gates)),
            str(len(fw.tree)),
            str(len(fw.leaves)),
        )
    console.print(table)
