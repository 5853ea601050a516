"""``python -m quanheng`` runs the CLI."""

from quanheng.cli import main

# Guarded: the report writes each language in a spawned process, which imports the main module
# again (as ``__mp_main__``); unguarded, that import would run the command a second time.
if __name__ == "__main__":
    main()
