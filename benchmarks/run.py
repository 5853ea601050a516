"""Run every ``benchmarks/bench_*.py`` in turn, with this interpreter, streaming its output.

Usage: ``.venv/bin/python benchmarks/run.py [NAME ...]`` — with names, only the bench files whose
file name contains one of them. Exits non-zero when any benchmark fails (or none is found).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    files = sorted(HERE.glob("bench_*.py"))
    if names:
        files = [f for f in files if any(n in f.name for n in names)]
    if not files:
        print(f"no benchmarks/bench_*.py matched {names or 'anything'}", file=sys.stderr)
        return 1
    failed: list[tuple[str, int]] = []
    for path in files:
        print(f"\n=== {path.name} ===\n", flush=True)
        # The child writes straight to our stdout/stderr, so its output streams as it runs.
        code = subprocess.call([sys.executable, str(path)], cwd=HERE.parent)
        if code != 0:
            failed.append((path.name, code))
            print(f"\n{path.name} failed with exit code {code}", file=sys.stderr, flush=True)
    print(f"\n{len(files) - len(failed)} of {len(files)} benchmarks passed", flush=True)
    for name, code in failed:
        print(f"FAILED {name} (exit {code})", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
