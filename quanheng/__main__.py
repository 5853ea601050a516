"""``python -m quanheng`` runs the CLI."""

from quanheng.cli import main

main()
