"""RunStore: every request, answer, timing and cost of a study in one SQLite file.

Studies keep it at ``<study>/runs/runs.sqlite``. The file is the source of truth for resuming:
an item whose key has an ``ok`` row is never sent again, whatever run wrote it.

Durability. The database runs in WAL mode with ``synchronous=NORMAL``: a committed transaction
survives the writing process being killed (SIGKILL, OOM), though not a power cut in the last
moments. Each write method commits by default (one transaction per answer). The runner may pass
``commit=False`` and call :meth:`RunStore.commit` once per event-loop tick instead, at most
every 2 ms; measured on this machine a one-row transaction costs about 65 µs and a 64-row one
about 11 µs per row, and coalescing loses at most the answers of the last 2 ms. Writes made with
``commit=False`` are queued in memory and executed together (``executemany``) when the next
commit or read comes, so a queued row is always visible to this store's own reads; nothing
queued is ever on disk before the commit that would have written it anyway.

Errors are recorded, not cached: an ``error`` row keeps the reason and attempt count for the
report, but :meth:`RunStore.completed_keys` ignores it, so the next run retries the item. An
``ok`` row is never overwritten — the first answer wins — so nothing is counted twice.

Tables::

    runs      run_id, study, suite, subject, started, finished, settings (JSON)
    requests  key (PK), run_id, subject, task, item_id, repeat, request (JSON body, no secrets),
              metadata, response, finish_reason, input/output tokens, usage_source, latency_s,
              ttft_s, output_tps, cost, status (ok|error), error, attempts, created
    attempts  append-only log of failed attempts: key, run_id, attempt, outcome, http_status,
              error, retry_after_s, latency_s, created
    verdicts  the stored score of an executed code answer, keyed by (answer_sha, tests_sha,
              version): value, answer, explanation, created — so no answer runs twice
    imports   one per results file of another harness (``quanheng import``), keyed by the
              file's sha256: subject, harness, file, imported, cells (JSON: the
              :class:`~quanheng.measure.measurement.Measurement` values it became) — so no
              file is imported twice

The store never receives an API key: the runner sends keys in a header and scrubs every error
text before it reaches these methods, and the store scrubs the ``error`` columns once more with
every key the process has read (:func:`~quanheng.measure.redact.scrub_known`) — the last stop
before the disk.

Reading without writing. ``RunStore(path, read_only=True)`` is what the reading commands
(``score``, ``report``, ``analyse``, ``runs``, :func:`~quanheng.measure.pipeline.collect`)
use: it opens the file with SQLite's ``mode=ro`` URI, creates nothing and never changes the
schema, so a store on a read-only disk, in a read-only folder, or owned by someone else can be
read. WAL mode needs a ``-shm`` file beside the database; when the folder is read-only and
there is none (the writer closed cleanly), the file is opened ``immutable=1`` instead, which is
exact because a clean close leaves every answer in the main file. A non-empty ``-wal`` without
its ``-shm`` (a killed writer, then the folder made read-only) cannot be read that way — the
WAL's answers would be missed — and is refused with what to do.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from quanheng.errors import MeasureError
from quanheng.measure.keys import Request, _dumps
from quanheng.measure.measurement import Measurement
from quanheng.measure.records import Answer, FailedAttempt
from quanheng.measure.redact import scrub_known

__all__ = ["ImportRecord", "RunRecord", "RunStore", "StoreSummary", "StoredRequest"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id   TEXT PRIMARY KEY,
    study    TEXT,
    suite    TEXT,
    subject  TEXT,
    started  TEXT NOT NULL,
    finished TEXT,
    settings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    key           TEXT PRIMARY KEY,
    run_id        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    task          TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    repeat        INTEGER NOT NULL,
    request       TEXT NOT NULL,
    metadata      TEXT NOT NULL,
    response      TEXT,
    finish_reason TEXT,
    input_tokens  INTEGER,
    output_tokens INTEGER,
    usage_source  TEXT,
    latency_s     REAL,
    ttft_s        REAL,
    output_tps    REAL,
    cost          REAL,
    status        TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error         TEXT,
    attempts      INTEGER NOT NULL,
    created       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_run ON requests(run_id);
CREATE INDEX IF NOT EXISTS requests_subject_task ON requests(subject, task);
CREATE TABLE IF NOT EXISTS attempts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    key           TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    outcome       TEXT NOT NULL,
    http_status   INTEGER,
    error         TEXT,
    retry_after_s REAL,
    latency_s     REAL,
    created       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS verdicts (
    answer_sha  TEXT NOT NULL,
    tests_sha   TEXT NOT NULL,
    version     TEXT NOT NULL,
    value       REAL NOT NULL,
    answer      TEXT,
    explanation TEXT NOT NULL,
    created     TEXT NOT NULL,
    PRIMARY KEY (answer_sha, tests_sha, version)
);
CREATE TABLE IF NOT EXISTS imports (
    sha256   TEXT PRIMARY KEY,
    subject  TEXT NOT NULL,
    harness  TEXT NOT NULL,
    file     TEXT NOT NULL,
    imported TEXT NOT NULL,
    cells    TEXT NOT NULL
);
"""

_COLUMNS = (
    "key, run_id, subject, task, item_id, repeat, request, metadata, response, finish_reason, "
    "input_tokens, output_tokens, usage_source, latency_s, ttft_s, output_tps, cost, status, "
    "error, attempts, created"
)

# Both upserts leave an existing ok row alone: the first answer wins and is never replaced.
_UPSERT = f"""
INSERT INTO requests ({_COLUMNS}) VALUES ({", ".join("?" * 21)})
ON CONFLICT(key) DO UPDATE SET
    run_id=excluded.run_id, subject=excluded.subject, task=excluded.task,
    item_id=excluded.item_id, repeat=excluded.repeat, request=excluded.request,
    metadata=excluded.metadata, response=excluded.response,
    finish_reason=excluded.finish_reason, input_tokens=excluded.input_tokens,
    output_tokens=excluded.output_tokens, usage_source=excluded.usage_source,
    latency_s=excluded.latency_s, ttft_s=excluded.ttft_s, output_tps=excluded.output_tps,
    cost=excluded.cost, status=excluded.status, error=excluded.error,
    attempts=excluded.attempts, created=excluded.created
WHERE requests.status != 'ok'
"""

_CHUNK = 500  # keys per IN (...) query; well under SQLite's variable limit


_stamp: tuple[int, str] = (-1, "")  # the last millisecond formatted, and its text


def _now() -> str:
    """UTC now as ISO 8601, formatted at most once per millisecond.

    Rows written within the same millisecond share a timestamp: at thousands of answers per
    second formatting each one cost more than the SQLite insert's binding.
    """
    global _stamp
    millis = time.time_ns() // 1_000_000
    if millis != _stamp[0]:
        moment = datetime.fromtimestamp(millis / 1000, UTC)
        _stamp = (millis, moment.isoformat(timespec="microseconds"))
    return _stamp[1]


def _dumps_metadata(value: dict[str, Any]) -> str:
    return _dumps(value) if value else "{}"


_INSERT_ATTEMPT = (
    "INSERT INTO attempts (key, run_id, attempt, outcome, http_status, error, "
    "retry_after_s, latency_s, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class RunRecord(BaseModel):
    """One run: a pass of one suite over one subject (labels may be ``None`` for ad-hoc runs)."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    study: str | None
    suite: str | None
    subject: str | None
    started: str
    finished: str | None
    settings: dict[str, Any]


class ImportRecord(BaseModel):
    """One imported results file: its hash, subject, harness and the values it became."""

    model_config = ConfigDict(frozen=True)

    sha256: str
    subject: str
    harness: str
    file: str
    imported: str
    cells: tuple[Measurement, ...]


class StoredRequest(BaseModel):
    """One row of ``requests``: the latest outcome for one key."""

    model_config = ConfigDict(frozen=True)

    key: str
    run_id: str
    subject: str
    task: str
    item_id: str
    repeat: int
    request: dict[str, Any]
    metadata: dict[str, Any]
    response: str | None
    finish_reason: str | None
    input_tokens: int | None
    output_tokens: int | None
    usage_source: str | None
    latency_s: float | None
    ttft_s: float | None
    output_tps: float | None
    cost: float | None
    status: Literal["ok", "error"]
    error: str | None
    attempts: int
    created: str


class StoreSummary(BaseModel):
    """Counts and totals over a run (or the whole store).

    ``cost`` sums only answers with a known cost; ``priced`` says how many those are, so a
    report can tell "cost 0.42 over 300 of 300 answers" from "over 12 of 300".
    """

    model_config = ConfigDict(frozen=True)

    requests: int
    ok: int
    errors: int
    input_tokens: int
    output_tokens: int
    cost: float
    priced: int
    input_unknown: int = 0  # ok answers whose prompt tokens the server did not report


class RunStore:
    """SQLite-backed store of run records; one instance per process and thread.

    Args:
        path: the database file; its folder is created if missing (unless ``read_only``).
        read_only: open for reading only (see the module docstring): nothing is created or
            changed, and every write method raises :class:`MeasureError`.

    Raises:
        MeasureError: the file exists but was written by an incompatible schema version, or
            (``read_only``) it is missing, not a run store, or cannot be read.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only:
            self._db = _connect_read_only(self.path)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is
            # exactly the batch the caller asked for.
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version not in (0, SCHEMA_VERSION) or (read_only and version == 0):
            self._db.close()
            if version == 0:
                raise MeasureError(
                    f"{self.path}: not a run store (no schema); point measure.store at the "
                    "study's runs file, or run `quanheng measure` to create one"
                )
            raise MeasureError(
                f"{self.path}: run store schema version {version}, this quanheng reads "
                f"{SCHEMA_VERSION}; use a new runs file or upgrade quanheng"
            )
        if not read_only:
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        # Rows written with commit=False wait here and go to SQLite in one executemany per
        # statement at the next commit or read: per row that is cheaper than one execute each.
        self._queued_requests: list[tuple[Any, ...]] = []
        self._queued_attempts: list[tuple[Any, ...]] = []

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Commit anything pending and close the file."""
        self.commit()
        self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def commit(self) -> None:
        """Commit writes made with ``commit=False``; a no-op when none are pending."""
        self._flush()
        if self._db.in_transaction:
            self._db.execute("COMMIT")

    def _flush(self) -> None:
        """Execute queued writes inside the open (or a new) transaction, in queued order.

        The queues are emptied before executing, so a failing write is raised once and never
        replayed by a later commit.
        """
        if self._queued_requests:
            rows, self._queued_requests = self._queued_requests, []
            self._begin()
            self._db.executemany(_UPSERT, rows)
        if self._queued_attempts:
            rows, self._queued_attempts = self._queued_attempts, []
            self._begin()
            self._db.executemany(_INSERT_ATTEMPT, rows)

    @contextlib.contextmanager
    def _background_checkpoints(
        self, interval_s: float = 0.25, wake: threading.Event | None = None
    ) -> Iterator[None]:
        """Move WAL checkpoints off the calling thread while the block runs.

        SQLite normally checkpoints inside the COMMIT that crosses 1,000 WAL pages, and with
        ``synchronous=NORMAL`` a checkpoint fsyncs twice: the event loop would stall on the
        disk. Here automatic checkpoints are off and a thread with its own connection runs a
        PASSIVE checkpoint (never blocks the writer) every ``interval_s``, and at once whenever
        ``wake`` is set (the runner sets it when the last items are in flight, so checkpoints
        run while the loop waits for them and closing the store finds little left to copy).
        What a commit guarantees does not change: commits are in the WAL either way, and a
        checkpoint only copies committed pages into the main file.
        """
        row = self._db.execute("PRAGMA wal_autocheckpoint").fetchone()
        previous = int(row[0]) if row else 1000
        stop = threading.Event()
        wake = wake if wake is not None else threading.Event()

        def checkpoint_loop() -> None:
            try:
                db = sqlite3.connect(self.path, isolation_level=None, timeout=1.0)
            except sqlite3.Error:
                return
            try:
                while True:
                    wake.wait(interval_s)
                    wake.clear()
                    if stop.is_set():
                        break
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                db.close()

        self._db.execute("PRAGMA wal_autocheckpoint=0")
        thread = threading.Thread(target=checkpoint_loop, name="quanheng-checkpoint", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            wake.set()
            thread.join()
            self._db.execute(f"PRAGMA wal_autocheckpoint={previous}")

    def _begin(self) -> None:
        if self.read_only:
            raise MeasureError(f"{self.path}: opened read-only; this write is a bug")
        if not self._db.in_transaction:
            self._db.execute("BEGIN IMMEDIATE")

    # -- runs -------------------------------------------------------------------------------

    def begin_run(
        self,
        *,
        study: str | None = None,
        suite: str | None = None,
        subject: str | None = None,
        settings: dict[str, Any] | None = None,
    ) -> str:
        """Record the start of a run and return its id (sortable by start time)."""
        run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        self._begin()
        self._db.execute(
            "INSERT INTO runs (run_id, study, suite, subject, started, finished, settings) "
            "VALUES (?, ?, ?, ?, ?, NULL, ?)",
            (run_id, study, suite, subject, _now(), _dumps(settings or {})),
        )
        self.commit()
        return run_id

    def finish_run(self, run_id: str) -> None:
        """Stamp the run's end time (a run killed midway keeps ``finished`` empty)."""
        self._begin()
        self._db.execute("UPDATE runs SET finished=? WHERE run_id=?", (_now(), run_id))
        self.commit()

    def list_runs(self) -> list[RunRecord]:
        """All runs, oldest first."""
        self._flush()
        rows = self._db.execute(
            "SELECT run_id, study, suite, subject, started, finished, settings FROM runs "
            "ORDER BY started, run_id"
        ).fetchall()
        return [
            RunRecord(
                run_id=r[0],
                study=r[1],
                suite=r[2],
                subject=r[3],
                started=r[4],
                finished=r[5],
                settings=json.loads(r[6]),
            )
            for r in rows
        ]

    # -- requests ---------------------------------------------------------------------------

    def completed_keys(self, keys: Iterable[str]) -> set[str]:
        """The subset of ``keys`` that already have an ``ok`` answer (errors do not count)."""
        self._flush()
        wanted = list(keys)
        found: set[str] = set()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key FROM requests WHERE status='ok' AND key IN ({marks})", chunk
            )
            found.update(row[0] for row in rows)
        return found

    def get(self, key: str) -> StoredRequest | None:
        """The row for ``key`` whatever its status, or ``None``; check ``status`` before use."""
        self._flush()
        row = self._db.execute(f"SELECT {_COLUMNS} FROM requests WHERE key=?", (key,)).fetchone()
        return None if row is None else _row_to_request(row)

    def iter_requests(
        self,
        *,
        run_id: str | None = None,
        subject: str | None = None,
        task: str | None = None,
        status: Literal["ok", "error"] | None = None,
    ) -> Iterator[StoredRequest]:
        """Rows matching every given filter, in key order (streamed, not loaded at once)."""
        self._flush()
        where: list[str] = []
        args: list[Any] = []
        for column, value in (
            ("run_id", run_id),
            ("subject", subject),
            ("task", task),
            ("status", status),
        ):
            if value is not None:
                where.append(f"{column}=?")
                args.append(value)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        cursor = self._db.execute(f"SELECT {_COLUMNS} FROM requests{clause} ORDER BY key", args)
        for row in cursor:
            yield _row_to_request(row)

    def put_ok(
        self,
        request: Request,
        *,
        run_id: str,
        body: dict[str, Any],
        answer: Answer,
        cost: float | None,
        attempts: int,
        commit: bool = True,
    ) -> None:
        """Record an answer. An existing ``ok`` row for the key is kept (first answer wins).

        Args:
            body: the JSON body sent (it carries no secrets; the key went in a header).
            answer: what the server returned, stored column by column.
            cost: the answer's price from the endpoint's rates, ``None`` when unknown.
            attempts: how many attempts it took (1 when the first one answered).
            commit: ``False`` to leave the write pending for :meth:`commit`.
        """
        self._queue_ok(request, run_id, _dumps(body), answer, cost, attempts)
        if commit:
            self.commit()

    def _queue_ok(
        self,
        request: Request,
        run_id: str,
        body_json: str,
        answer: Answer,
        cost: float | None,
        attempts: int,
    ) -> None:
        """:meth:`put_ok` with the body already serialised by :func:`_dumps`; never commits."""
        self._queued_requests.append(
            (
                request.key,
                run_id,
                request.subject,
                request.task,
                request.item_id,
                request.repeat,
                body_json,
                _dumps_metadata(request.metadata),
                answer.text,
                answer.finish_reason,
                answer.input_tokens,
                answer.output_tokens,
                answer.usage_source,
                answer.latency_s,
                answer.ttft_s,
                answer.output_tps,
                cost,
                "ok",
                None,
                attempts,
                _now(),
            )
        )

    def put_error(
        self,
        request: Request,
        *,
        run_id: str,
        body: dict[str, Any],
        error: str,
        attempts: int,
        commit: bool = True,
    ) -> None:
        """Record that an item failed for good in this run; a later run will retry it.

        ``error`` must already be scrubbed of secrets. An existing ``ok`` row is kept.
        """
        self._queue_error(request, run_id, _dumps(body), error, attempts)
        if commit:
            self.commit()

    def _queue_error(
        self, request: Request, run_id: str, body_json: str, error: str, attempts: int
    ) -> None:
        """:meth:`put_error` with the body already serialised by :func:`_dumps`; never commits.

        ``error`` is scrubbed once more of every key this process has read: whoever built it,
        no key reaches the disk.
        """
        error = scrub_known(error)
        self._queued_requests.append(
            (
                request.key,
                run_id,
                request.subject,
                request.task,
                request.item_id,
                request.repeat,
                body_json,
                _dumps_metadata(request.metadata),
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "error",
                error,
                attempts,
                _now(),
            )
        )

    def log_attempt(
        self, key: str, *, run_id: str, attempt: FailedAttempt, commit: bool = True
    ) -> None:
        """Append one failed attempt to the ``attempts`` log.

        Its ``error`` should already be scrubbed; it is scrubbed again here of every key this
        process has read, as :meth:`put_error` does.
        """
        self._queued_attempts.append(
            (
                key,
                run_id,
                attempt.attempt,
                attempt.outcome,
                attempt.http_status,
                None if attempt.error is None else scrub_known(attempt.error),
                attempt.retry_after_s,
                attempt.latency_s,
                _now(),
            )
        )
        if commit:
            self.commit()

    # -- verdicts of executed answers -----------------------------------------------------

    def verdict(self, key: tuple[str, str, str]) -> tuple[float, str | None, str] | None:
        """The stored ``(value, answer, explanation)`` under ``key``, or ``None``.

        A store written before the table existed, opened read-only, has none: ``None`` too.
        """
        self._flush()
        try:
            row = self._db.execute(
                "SELECT value, answer, explanation FROM verdicts "
                "WHERE answer_sha=? AND tests_sha=? AND version=?",
                key,
            ).fetchone()
        except sqlite3.OperationalError:  # no such table: an old store read read-only
            return None
        return None if row is None else (float(row[0]), row[1], str(row[2]))

    def put_verdict(
        self, key: tuple[str, str, str], value: float, answer: str | None, explanation: str
    ) -> None:
        """Store a verdict once; the first one wins, as for answers, and commits at once."""
        self._begin()
        self._db.execute(
            "INSERT OR IGNORE INTO verdicts (answer_sha, tests_sha, version, value, answer, "
            "explanation, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (*key, value, answer, explanation, _now()),
        )
        self.commit()

    # -- imported results -------------------------------------------------------------------

    def imports(self) -> list[ImportRecord]:
        """Every imported file, oldest first; none in a store older than the table (read-only)."""
        self._flush()
        try:
            rows = self._db.execute(
                "SELECT sha256, subject, harness, file, imported, cells FROM imports "
                "ORDER BY imported, sha256"
            ).fetchall()
        except sqlite3.OperationalError:  # no such table: an old store read read-only
            return []
        return [
            ImportRecord(
                sha256=r[0],
                subject=r[1],
                harness=r[2],
                file=r[3],
                imported=r[4],
                cells=tuple(Measurement.model_validate(c) for c in json.loads(r[5])),
            )
            for r in rows
        ]

    def put_import(self, record: ImportRecord) -> bool:
        """Store an imported file once (keyed by its SHA-256) and commit at once.

        Returns:
            ``False`` when a file with that hash is already stored: nothing changes.
        """
        self._begin()
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO imports (sha256, subject, harness, file, imported, cells) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.sha256,
                record.subject,
                record.harness,
                record.file,
                record.imported,
                json.dumps([c.model_dump(mode="json") for c in record.cells], sort_keys=True),
            ),
        )
        self.commit()
        return cursor.rowcount == 1

    def attempt_log(self, key: str | None = None) -> list[dict[str, Any]]:
        """The attempts log, oldest first, optionally for one key."""
        self._flush()
        sql = (
            "SELECT key, run_id, attempt, outcome, http_status, error, retry_after_s, "
            "latency_s, created FROM attempts"
        )
        args: tuple[str, ...] = ()
        if key is not None:
            sql += " WHERE key=?"
            args = (key,)
        cursor = self._db.execute(sql + " ORDER BY id", args)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def summary(self, run_id: str | None = None) -> StoreSummary:
        """Counts, tokens and cost of the rows last written by ``run_id`` (or all rows).

        A resumed run only owns the rows it wrote; answers reused from earlier runs keep the
        id of the run that fetched them.
        """
        self._flush()
        clause, args = ("WHERE run_id=?", (run_id,)) if run_id is not None else ("", ())
        row = self._db.execute(
            "SELECT COUNT(*), "
            "COALESCE(SUM(status='ok'), 0), COALESCE(SUM(status='error'), 0), "
            "COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), "
            "COALESCE(SUM(cost), 0.0), COALESCE(SUM(cost IS NOT NULL), 0), "
            "COALESCE(SUM(status='ok' AND input_tokens IS NULL), 0) "
            f"FROM requests {clause}",
            args,
        ).fetchone()
        return StoreSummary(
            requests=row[0],
            ok=row[1],
            errors=row[2],
            input_tokens=row[3],
            output_tokens=row[4],
            cost=float(row[5]),
            priced=row[6],
            input_unknown=row[7],
        )


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to ``path`` that creates no file (see the module docstring).

    ``mode=ro`` first: it sees a running writer's WAL and works wherever the ``-shm`` file
    exists or can be made. Where neither holds (a read-only folder after a clean close), the
    file is read ``immutable=1``: exact then, since nothing is in a WAL and nothing can write.
    """
    if not path.is_file():
        raise MeasureError(f"{path}: no run store here; run `quanheng measure` first")
    uri = path.resolve().as_uri()
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=30.0)
        db.execute("PRAGMA user_version").fetchone()  # opening is lazy: make it happen now
        return db
    except sqlite3.OperationalError as first:
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise MeasureError(
                f"{path}: cannot be read without write access to its folder: its "
                f"{wal.name} holds answers not yet in the main file ({first}); copy the "
                "folder somewhere writable and read the copy, or run `sqlite3 "
                f"{path} 'PRAGMA wal_checkpoint(TRUNCATE)'` where the folder is writable"
            ) from None
    try:
        db = sqlite3.connect(
            f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None, timeout=30.0
        )
        db.execute("PRAGMA user_version").fetchone()
        return db
    except sqlite3.Error as exc:
        raise MeasureError(f"{path}: cannot be read: {exc}") from None


def _row_to_request(row: tuple[Any, ...]) -> StoredRequest:
    names = [c.strip() for c in _COLUMNS.split(",")]
    data = dict(zip(names, row, strict=True))
    data["request"] = json.loads(data["request"])
    data["metadata"] = json.loads(data["metadata"])
    return StoredRequest.model_validate(data)
