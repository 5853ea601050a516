"""One module per command; importing this package registers them all."""

from quanheng.cli.commands import demo, frameworks, schema, score, show, validate

__all__ = ["demo", "frameworks", "schema", "score", "show", "validate"]
