"""``python -m quanheng.web.measure_worker STUDY …``: ``measure`` with progress as JSON lines.

The workbench runs ``measure`` in this child process so that stopping a run is a signal
(SIGINT: the pipeline's answers are committed as they arrive, so a stopped run resumes where it
stopped) and a crash cannot take the server down. Each line on stdout is one JSON object:
``{"event": "progress", "subject", "task", "done", "total", "ok", "errors", "cached",
"rate_per_s", "eta_s"}`` while requests run, then ``{"event": "end", "answered", "reused",
"failed"}`` or ``{"event": "error", "message"}``. Messages are scrubbed of known secrets.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time

from quanheng.errors import QuanhengError
from quanheng.measure.redact import scrub_known
from quanheng.study import load_study

__all__ = ["main"]


def _emit(obj: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Run the measure pipeline; return its exit status (0 ok, 3 some failed, 2 bad input)."""
    parser = argparse.ArgumentParser(prog="quanheng.web.measure_worker")
    parser.add_argument("study")
    parser.add_argument("--subject", action="append")
    parser.add_argument("--suite", action="append")
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    from quanheng.measure.pipeline import measure
    from quanheng.measure.progress import Progress

    lock = threading.Lock()
    last: dict[tuple[str, str], float] = {}

    def progress(subject: str, task: str, p: Progress) -> None:
        now = time.monotonic()
        with lock:
            final = p.total is not None and p.done >= p.total
            if not final and now - last.get((subject, task), 0.0) < 0.1:
                return
            last[(subject, task)] = now
            _emit(
                {
                    "event": "progress",
                    "subject": subject,
                    "task": task,
                    "done": p.done,
                    "total": p.total,
                    "ok": p.ok,
                    "errors": p.errors,
                    "cached": p.cached,
                    "rate_per_s": round(p.rate_per_s, 2),
                    "eta_s": None if p.eta_s is None else round(p.eta_s, 1),
                }
            )

    try:
        study = load_study(args.study)
        result = measure(
            study, suites=args.suite, subjects=args.subject, limit=args.limit, progress=progress
        )
    except QuanhengError as exc:
        _emit({"event": "error", "message": scrub_known(str(exc))})
        return 2
    except KeyboardInterrupt:
        _emit({"event": "stopped"})
        return 130
    _emit(
        {
            "event": "end",
            "answered": result.answered,
            "reused": result.reused,
            "failed": result.failed,
        }
    )
    return 3 if result.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
