"""``quanheng extract STUDY DOCUMENT…``: propose evidence records from local documents."""

from __future__ import annotations

from pathlib import Path

import typer

from quanheng.cli._app import app, console, guarded
from quanheng.errors import EXIT_PARTIAL
from quanheng.study import load_study

EXAMPLES = """\b
Examples:
  quanheng extract studies/cn-llm-vendors-2024 report.md --rules-only
  quanheng extract studies/cn-llm-vendors-2024 report.html --subject baidu --leaves E2,P1.3
  quanheng extract my-study annual-report.pdf --with deepseek-v3 --out annual-2024
"""


@app.command(epilog=EXAMPLES)
@guarded
def extract(
    path: Path = typer.Argument(
        ..., metavar="STUDY", help="The study directory (the one holding study.yaml)."
    ),
    documents: list[Path] = typer.Argument(
        ..., metavar="DOCUMENT", help="Local files: HTML, PDF (text layer), Markdown or text."
    ),
    subject: str | None = typer.Option(
        None, "--subject", help="Only proposals for this subject id."
    ),
    leaves: str | None = typer.Option(
        None,
        "--leaves",
        metavar="IDS",
        help="Only these leaves, comma-separated; a parent (P1) means its leaves, and gate ids "
        "are accepted.",
    ),
    with_subject: str | None = typer.Option(
        None,
        "--with",
        metavar="SUBJECT",
        help="Ask this measured subject's endpoint instead of the study's local model.",
    ),
    rules_only: bool = typer.Option(
        False, "--rules-only", help="Only the rule-based finder: no model requests at all."
    ),
    out: str | None = typer.Option(
        None,
        "--out",
        metavar="NAME",
        help="Write to STUDY/proposed/NAME.yaml (default: extract-<first document's name>).",
    ),
) -> None:
    """Find evidence in documents and queue it for review; nothing is written as evidence.

    Proposals come from a rule-based finder and from a model (the study's local model, or
    --with SUBJECT), asked only about the passages the rules select; requests go through the
    run store, so a re-run sends nothing already answered. A proposal is kept only if its quote
    occurs verbatim in the document, its value is what the quote says, and its subject and
    leaf exist. Survivors go to STUDY/proposed/; accept or reject them with quanheng review.

    Exit codes: 0 done; 3 some model requests failed (run again: only they are sent); 2 bad
    input (a missing document, an unknown subject or leaf) or the local model is not installed.
    """
    from quanheng.extract.pipeline import extract as run_extract  # the runner's HTTP stack

    study = load_study(path)
    result = run_extract(
        study,
        documents,
        subject=subject,
        leaves=leaves,
        with_subject=with_subject,
        rules_only=rules_only,
        name=out,
    )

    def print_(line: str) -> None:
        console.print(line, markup=False, highlight=False)

    total, asked = result.passages
    print_(
        f"{len(documents)} document(s), {total} passages; "
        + (f"{asked} sent to {result.model}" if result.model else "rules only")
    )
    if result.answers is not None:
        a = result.answers
        print_(f"model requests: {a.sent} answered now, {a.reused} reused, {a.failed} failed")
    proposed = ", ".join(f"{n} by {finder}" for finder, n in result.proposed.items() if n)
    print_(f"proposals: {proposed or 'none'}; {len(result.survivors)} passed every check")
    dropped = ", ".join(f"{check} {n}" for check, n in result.dropped.items() if n)
    print_(f"dropped: {dropped or 'none'}")
    for leaf, n in result.per_leaf().items():
        print_(f"  {leaf}: {n}")
    print_(
        f"{len(result.written)} new proposal(s) queued in {path / 'proposed'}"
        f" ({len(result.survivors) - len(result.written)} already there)"
    )
    if result.written:
        print_(f"next: quanheng review {path}")
    if result.answers is not None and result.answers.failed:
        print_("some model requests failed: run the same command again to retry only them")
        raise typer.Exit(EXIT_PARTIAL)
