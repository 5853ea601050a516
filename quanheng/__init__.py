"""权衡 quanheng: evaluate LLM vendors and models, rank them, recommend per use case.

The public API is small: load a study, score it, read the scorecard.

>>> import quanheng
>>> study = quanheng.load_study("studies/cn-llm-vendors-2024")   # doctest: +SKIP
>>> card = quanheng.score(study)                                   # doctest: +SKIP
>>> card.to_frame()                                                # doctest: +SKIP
"""

from quanheng.errors import (
    EnvironmentProblem,
    EvidenceError,
    FrameworkError,
    InputError,
    Problem,
    QuanhengError,
    StudyError,
)
from quanheng.evidence import EvidenceRecord
from quanheng.framework import Framework, builtin_frameworks, load_framework
from quanheng.measure.measurement import Measurement
from quanheng.scoring.engine import score
from quanheng.scoring.matrix import IndicatorMatrix, assemble
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Profile, Study, Subject, load_study

__all__ = [
    "EnvironmentProblem",
    "EvidenceError",
    "EvidenceRecord",
    "Framework",
    "FrameworkError",
    "IndicatorMatrix",
    "InputError",
    "Measurement",
    "Problem",
    "Profile",
    "QuanhengError",
    "Scorecard",
    "Study",
    "StudyError",
    "Subject",
    "assemble",
    "builtin_frameworks",
    "load_framework",
    "load_study",
    "score",
]

__version__ = "0.1.0"
