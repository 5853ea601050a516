"""``quanheng import``: results files of other harnesses → measured values in the run store.

Every file is read, mapped and checked before anything is written, so a bad file among several
stores none of them and changes nothing already stored. Each file is then stored once, keyed by
its SHA-256 (the run store's ``imports`` table): the same file again is "already imported" and
changes nothing. The values reach every later ``score``, ``analyse`` and ``report`` through
:func:`quanheng.measure.collect`, like the study's own measurements; where both measure one leaf
of one subject the precedence of :func:`quanheng.scoring.matrix.precedence` decides which is
shown, and the other is reported beside it, never averaged in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from quanheng._files import did_you_mean
from quanheng.errors import Problem, ResultsFileError
from quanheng.interop.cells import cell_value
from quanheng.interop.inspect import parse_inspect
from quanheng.interop.lm_eval import parse_lm_eval
from quanheng.interop.mapping import Harness, Mapping, builtin_mapping, load_mapping, source_metric
from quanheng.interop.opencompass import parse_opencompass
from quanheng.interop.parsed import ParsedFile, TaskScore
from quanheng.interop.provenance import file_sha256, import_id, origin
from quanheng.measure.lock import writer_lock
from quanheng.measure.measurement import Measurement
from quanheng.measure.store import ImportRecord, RunStore
from quanheng.scoring.matrix import assemble
from quanheng.study import Study

__all__ = ["FileImport", "ImportResult", "import_results", "read_results"]

MAP_FIX = "add a rule for it to a --map file (docs/measurement.md, “Importing results”)"


@dataclass(frozen=True)
class FileImport:
    """What one file became: its values, and what of it was not imported (and why)."""

    path: Path
    sha256: str
    harness: str
    subject: str
    cells: tuple[Measurement, ...]
    skipped: tuple[str, ...] = ()
    already: bool = False
    """The same bytes were imported before (for :attr:`subject`): nothing was stored now."""


@dataclass(frozen=True)
class ImportResult:
    """Every file of one ``import``, and the leaves of the subject measured more than once.

    ``conflicts`` maps ``(subject, leaf)`` to its measurements in precedence order: the first is
    the one shown, the rest are reported beside it.
    """

    files: tuple[FileImport, ...]
    conflicts: dict[tuple[str, str], tuple[Measurement, ...]]

    @property
    def stored(self) -> int:
        """Files stored now (not counting those already imported)."""
        return sum(1 for f in self.files if not f.already)


_Parser = Callable[[Path], ParsedFile]


def read_results(
    study: Study,
    path: Path,
    harness: Harness,
    subject: str,
    *,
    mapping: Mapping,
    prefer: bool = False,
    model: str | None = None,
    now: datetime | None = None,
) -> FileImport:
    """Read one file into measurements of ``subject`` (nothing is stored).

    Raises:
        ResultsFileError: the file cannot be read or parsed, or none of its tasks maps to a
            metric that a measured leaf of the study's framework uses.
    """
    sha = file_sha256(path)
    parsed = _parser(harness, model)(path)
    leaf_of = {
        leaf.metric: leaf.id
        for leaf in study.framework.leaves
        if leaf.kind == "measured" and leaf.metric
    }
    by_task: dict[str, list[TaskScore]] = {}
    for score in parsed.scores:
        by_task.setdefault(score.task, []).append(score)
    groups: dict[str, list[TaskScore]] = {}
    read_as: dict[str, list[str]] = {}
    skipped: list[str] = []
    for task, scores in sorted(by_task.items()):
        rule = mapping.rule_for(task, harness)
        if rule is None:
            skipped.append(f"task {task}: no mapping")
            continue
        names = [s.metric for s in scores]
        chosen = source_metric(rule, names)
        if isinstance(chosen, list):
            raise ResultsFileError.single(
                str(path),
                None,
                f"task {task} reports {' and '.join(chosen)}, and the mapping does not say which",
                f"name one in the `source_metric` of a --map rule for {task}",
            )
        if chosen is None:
            skipped.append(f"task {task}: none of its metrics ({', '.join(names)}) is mapped")
            continue
        if rule.metric not in leaf_of:
            skipped.append(
                f"task {task} → {rule.metric}: no measured leaf of {study.framework.id} uses it"
            )
            continue
        groups.setdefault(rule.metric, []).append(next(s for s in scores if s.metric == chosen))
        read_as.setdefault(rule.metric, []).append(chosen)
    if not groups:
        used = ", ".join(sorted(leaf_of)) or "none"
        why = "; ".join(skipped) if skipped else "the file has no scores"
        raise ResultsFileError.single(
            str(path),
            None,
            f"nothing to import ({why})",
            f"{MAP_FIX}, to one of the metrics the framework's measured leaves use: {used}",
        )
    moment = now or datetime.now(UTC)
    cells = []
    for metric, scores in sorted(groups.items()):
        cell = cell_value(scores)
        tasks = ",".join(cell.tasks)
        cells.append(
            Measurement(
                subject=subject,
                metric=metric,
                value=cell.value,
                low=cell.low,
                high=cell.high,
                n=cell.n,
                runs=(import_id(sha),),
                imported=origin(
                    parsed,
                    path,
                    sha,
                    tasks=tasks,
                    metric=",".join(dict.fromkeys(read_as[metric])),
                    cell=cell,
                    preferred=prefer,
                    now=moment,
                ),
            )
        )
    return FileImport(
        path=path,
        sha256=sha,
        harness=harness,
        subject=subject,
        cells=tuple(cells),
        skipped=tuple(skipped),
    )


def import_results(
    study: Study,
    files: Sequence[Path],
    harness: Harness,
    subject: str,
    *,
    mapping_file: Path | None = None,
    prefer: bool = False,
    model: str | None = None,
    collect: Callable[[Study], list[Measurement]] | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Import ``files`` for ``subject`` into the study's run store, each at most once.

    Args:
        harness: which harness wrote the files.
        mapping_file: rules tried before the built-in ones (``--map``).
        prefer: the imported values win over the study's own runs of the same leaves.
        model: the model column of an OpenCompass summary with several.
        collect: reads the study's measurements afterwards, to report conflicts
            (:func:`quanheng.measure.collect`); ``None`` reports none.

    Raises:
        ResultsFileError: an unknown subject or a bad file (nothing is stored then).
        StoreInUse: a ``measure`` is writing the run store.
    """
    known = [s.id for s in study.subjects]
    if subject not in known:
        raise ResultsFileError.single(
            "--subject",
            None,
            f"no subject {subject!r} in study {study.spec.id}{did_you_mean(subject, known)}",
            f"use one of: {', '.join(known)}",
        )
    mapping = builtin_mapping()
    if mapping_file is not None:
        mapping = load_mapping(mapping_file).then(mapping)
    read: list[FileImport] = []
    problems: list[Problem] = []
    for path in files:
        try:
            read.append(
                read_results(
                    study,
                    path,
                    harness,
                    subject,
                    mapping=mapping,
                    prefer=prefer,
                    model=model,
                    now=now,
                )
            )
        except ResultsFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ResultsFileError(problems)
    store = study.path / study.spec.measure.store
    done: list[FileImport] = []
    with writer_lock(store), RunStore(store) as runs:
        stored = {r.sha256: r for r in runs.imports()}
        for item in read:
            before = stored.get(item.sha256)
            if before is not None:
                done.append(
                    FileImport(
                        path=item.path,
                        sha256=item.sha256,
                        harness=before.harness,
                        subject=before.subject,
                        cells=before.cells,
                        already=True,
                    )
                )
                continue
            record = ImportRecord(
                sha256=item.sha256,
                subject=subject,
                harness=harness,
                file=item.path.name,
                imported=item.cells[0].imported.imported if item.cells[0].imported else "",
                cells=item.cells,
            )
            runs.put_import(record)
            stored[item.sha256] = record
            done.append(item)
    return ImportResult(files=tuple(done), conflicts=_conflicts(study, subject, collect))


def _conflicts(
    study: Study, subject: str, collect: Callable[[Study], list[Measurement]] | None
) -> dict[tuple[str, str], tuple[Measurement, ...]]:
    """The subject's leaves with more than one measurement, shown one first (as scoring does)."""
    if collect is None:
        return {}
    matrix = assemble(study, collect(study))
    return {
        key: (matrix.measured[key], *others)
        for key, others in sorted(matrix.conflicts.items())
        if key[0] == subject
    }


def _parser(harness: Harness, model: str | None) -> _Parser:
    if harness == "lm-eval":
        return parse_lm_eval
    if harness == "inspect":
        return parse_inspect
    return lambda path: parse_opencompass(path, model)
