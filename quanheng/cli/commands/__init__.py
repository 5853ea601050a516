"""One module per command; importing this package registers them all."""

from quanheng.cli.commands import (
    analyse,
    demo,
    extract,
    frameworks,
    init,
    measure,
    recommend,
    report,
    runs,
    schema,
    score,
    show,
    validate,
)

__all__ = [
    "analyse",
    "demo",
    "extract",
    "frameworks",
    "init",
    "measure",
    "recommend",
    "report",
    "runs",
    "schema",
    "score",
    "show",
    "validate",
]
