"""One module per command; importing this package registers them all."""

from quanheng.cli.commands import (
    analyse,
    demo,
    export,
    frameworks,
    import_results,
    init,
    measure,
    recommend,
    report,
    review,
    runs,
    schema,
    score,
    serve,
    show,
    validate,
)

__all__ = [
    "analyse",
    "demo",
    "export",
    "frameworks",
    "import_results",
    "init",
    "measure",
    "recommend",
    "report",
    "review",
    "runs",
    "schema",
    "score",
    "serve",
    "show",
    "validate",
]
