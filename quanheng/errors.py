"""One exception tree for quanheng, and the exit code the command line gives each branch.

Every error quanheng raises on purpose is a :class:`QuanhengError`; a test walks the package and
fails on any exception class outside this tree or missing from this diagram.

Whatever a user can cause by what they wrote (a file, an option, a profile name) is an
:class:`InputError`: the CLI prints its lines — ``file:line: what is wrong — what to do`` — and
exits with code 2, never a traceback. What this machine lacks (a package, the local model's
weights) is an :class:`EnvironmentProblem` whose message ends with the command that fixes it; it
exits 2 too, since the user fixes it before running again. A measurement that cannot go on is a
:class:`MeasureError` (exit 1); what was measured stays in the run store. A second ``measure`` on
a store another process is writing is a :class:`StoreInUse` (exit 2): nothing was sent, and the
user waits for the other one (or passes ``--wait``) before running again.

Exit codes of the command line:

=====  =========================================================================================
code   meaning
=====  =========================================================================================
0      done; for ``measure``: every requested item has an answer (new or reused)
1      ``EXIT_RUN``: a run could not go on, or another quanheng error; answers so far are kept
2      ``EXIT_INPUT``: bad input, something missing on this machine, or the run store is in
       use by another ``measure`` (nothing was sent)
3      ``EXIT_PARTIAL``: ``measure`` finished but some items failed (an unreachable endpoint,
       errors that outlasted the retries); they are not stored as answers and stay
       retryable: run the same command again, and only they are sent
=====  =========================================================================================

::

    QuanhengError                       exit 1 unless a branch below says otherwise
    ├── InputError                      exit 2: bad user input; one Problem line each
    │   ├── FrameworkError              a framework file
    │   ├── StudyError                  a study file, its subjects or profiles
    │   ├── EvidenceError               an evidence file (YAML or CSV)
    │   ├── MeasureInputError           a suite, dataset or endpoint setting
    │   ├── WeightError                 weights or AHP judgements that cannot be used
    │   ├── ProposalError               an unknown or already decided proposal id
    │   └── EditConflict                the record changed since it was read (curation)
    ├── EnvironmentProblem              exit 2: something missing on this machine
    │   └── LocalModelError             a local model cannot be located, verified or served
    ├── MeasureError                    exit 1: a measurement run cannot go on
    │   └── StoreInUse                  exit 2: another process holds the run store's lock
    └── TransportError                  one attempt to reach an endpoint failed (the runner
        ├── RequestFailed               retries or records it; never reaches the CLI alone)
        └── Http1Error                  quanheng.measure.http1's own client
            ├── ConnectFailed
            ├── ResponseCut
            └── BadResponse

:class:`RequestFailed` lives in :mod:`quanheng.measure.client` and the :class:`Http1Error`
family in :mod:`quanheng.measure.http1`, beside the code that raises them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "EXIT_INPUT",
    "EXIT_PARTIAL",
    "EXIT_RUN",
    "EditConflict",
    "EnvironmentProblem",
    "EvidenceError",
    "FrameworkError",
    "InputError",
    "LocalModelError",
    "MeasureError",
    "MeasureInputError",
    "Problem",
    "ProposalError",
    "QuanhengError",
    "StoreInUse",
    "StudyError",
    "TransportError",
    "WeightError",
    "exit_code",
    "raise_if",
]

EXIT_INPUT = 2
"""Exit code for what the user fixes before running again: their input or their machine."""

EXIT_RUN = 1
"""Exit code for a run that could not go on (a measurement), or any other quanheng error."""

EXIT_PARTIAL = 3
"""Exit code of a ``measure`` that finished with failed items; running it again retries them."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one place in one file.

    Attributes:
        file: the file as the user named it (or a logical name such as ``<profile>``).
        line: 1-based line number, or ``None`` when the problem is about the whole file.
        message: what is wrong, naming the field and what was found.
        fix: what to do about it.
    """

    file: str
    line: int | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message} — {self.fix}"


class QuanhengError(Exception):
    """Base of every error quanheng raises on purpose."""


class InputError(QuanhengError):
    """Bad input, reported as one line per problem (all of them at once)."""

    def __init__(self, problems: Sequence[Problem] | Problem) -> None:
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str, line: int | None, message: str, fix: str) -> InputError:
        """Build an error of this class holding one problem."""
        return cls([Problem(file, line, message, fix)])

    def lines(self) -> list[str]:
        """The problems, one printable line each."""
        return [str(p) for p in self.problems]


class FrameworkError(InputError):
    """A framework file is malformed or inconsistent."""


class StudyError(InputError):
    """A study file, subject list or profile is malformed or inconsistent."""


class EvidenceError(InputError):
    """An evidence record is malformed or refers to something unknown."""


class MeasureInputError(InputError):
    """A suite, dataset or endpoint setting is malformed."""


class WeightError(InputError):
    """Weights or judgements a user supplied cannot be used; one line per problem."""


class ProposalError(InputError):
    """A proposal id that is not in the study's queue, or one already accepted or rejected."""


class EditConflict(InputError):
    """A save whose ``expected_version`` is not the record's version on disk any more.

    Someone (another tab, another analyst) saved the record after this editor read it. Nothing
    was written; both versions travel with the error so the editor can show them side by side
    and let the user merge and save again with the new version.

    Attributes:
        ref: where the record is (its file and index), an ``edit.RecordRef``.
        mine: the record this save tried to write.
        theirs: the record on disk now (``None`` when it was deleted).
        mine_version / theirs_version: the version the editor expected and the version on disk.
    """

    def __init__(
        self,
        ref: object,
        mine: dict[str, object] | None,
        theirs: dict[str, object] | None,
        *,
        file: str = "",
        expected: str | None = None,
        current: str | None = None,
    ) -> None:
        self.ref = ref
        self.mine = mine
        self.theirs = theirs
        self.mine_version = expected
        self.theirs_version = current
        index = getattr(ref, "index", None)
        file = file or str(getattr(ref, "file", ""))
        what = "was deleted" if theirs is None else "was changed by someone else"
        super().__init__(
            Problem(
                file,
                None,
                f"record {index} {what} since it was read (expected version "
                f"{(expected or '-')[:12]}, found {(current or '-')[:12]}); nothing was written",
                "reload the record, merge your change into it and save again",
            )
        )


class EnvironmentProblem(QuanhengError):
    """Something this machine lacks; the message ends with the command that installs it."""


class LocalModelError(EnvironmentProblem):
    """A local model cannot be located, verified or served; the message says how to fix it."""


class MeasureError(QuanhengError):
    """A measurement run cannot continue; completed results stay in the run store."""


class StoreInUse(MeasureError):
    """Another process is measuring into the same run store; this one sent nothing.

    The message names the holder's pid, host and start time (from the lock file).
    """


class TransportError(QuanhengError):
    """One attempt to reach an endpoint failed; the runner retries it or records the failure."""


def exit_code(error: QuanhengError) -> int:
    """The command line's exit code for ``error`` (see the tree above)."""
    return (
        EXIT_INPUT if isinstance(error, InputError | EnvironmentProblem | StoreInUse) else EXIT_RUN
    )


def raise_if(problems: Iterable[Problem], error: type[InputError]) -> None:
    """Raise ``error`` holding every problem, if there are any."""
    found = list(problems)
    if found:
        raise error(found)
