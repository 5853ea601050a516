"""One exception tree for quanheng.

Every error a user can cause by what they wrote (a file, an option, a profile name) is an
:class:`InputError`: the CLI prints its lines — ``file:line: what is wrong — what to do`` — and
exits with code 2, never a traceback. Errors of the environment (a missing optional package, a
model that cannot be served) are :class:`EnvironmentProblem` and carry the command that fixes them.

::

    QuanhengError
    ├── InputError              bad user input; holds one or more Problem lines
    │   ├── FrameworkError      a framework file
    │   ├── StudyError          a study file, its subjects or profiles
    │   ├── EvidenceError       an evidence file (YAML or CSV)
    │   └── MeasureInputError   a suite, dataset or endpoint setting
    ├── EnvironmentProblem      something missing on this machine; says how to install it
    └── MeasureError            a measurement run that cannot go on (nothing measured is lost)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "EnvironmentProblem",
    "EvidenceError",
    "FrameworkError",
    "InputError",
    "MeasureError",
    "MeasureInputError",
    "Problem",
    "QuanhengError",
    "StudyError",
    "raise_if",
]


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


class EnvironmentProblem(QuanhengError):
    """Something this machine lacks; the message ends with the command that installs it."""


class MeasureError(QuanhengError):
    """A measurement run cannot continue; completed results stay in the run store."""


def raise_if(problems: Iterable[Problem], error: type[InputError]) -> None:
    """Raise ``error`` holding every problem, if there are any."""
    found = list(problems)
    if found:
        raise error(found)
