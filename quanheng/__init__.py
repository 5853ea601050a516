"""权衡 quanheng: evaluate LLM vendors and models, rank them, recommend per use case.

The public API is small: load a study, read its run store once, score it, analyse it,
recommend for a use case, write the report. In a notebook each result shows as its ranking
table and landscape.

>>> import quanheng
>>> study = quanheng.load_study("studies/cn-llm-vendors-2024")   # doctest: +SKIP
>>> card = quanheng.score(study, measurements=quanheng.collect(study))  # doctest: +SKIP
>>> card.to_frame()                                                # doctest: +SKIP
>>> analysis = quanheng.analyse(study, card)                       # doctest: +SKIP
>>> rec = quanheng.recommend(study, card)                          # doctest: +SKIP
>>> quanheng.report(study, card, "out", analysis=analysis)         # doctest: +SKIP

``analyse``, ``recommend``, ``collect`` and their results are imported on first use (the run
store's reader brings the HTTP stack), so ``import quanheng`` stays quick; ``quanheng.report``
is the report package, callable (:func:`quanheng.report.api.report`).
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from quanheng import _lazy
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

if _TYPE_CHECKING:
    from quanheng.analysis import Analysis, Recommendation, analyse, recommend
    from quanheng.measure import collect

    # typed as the call; at run time it is the package too (``quanheng.report.build_report``)
    from quanheng.report.api import report
else:
    # the report package, callable: quanheng.report(study, card, out)
    from quanheng import report  # type: ignore[assignment]

__all__ = [
    "Analysis",
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
    "Recommendation",
    "Scorecard",
    "Study",
    "StudyError",
    "Subject",
    "analyse",
    "assemble",
    "builtin_frameworks",
    "collect",
    "load_framework",
    "load_study",
    "recommend",
    "report",
    "score",
]

# Imported on first use: the analysis adds ≈ 0.1 s, the run store's reader the HTTP stack.
_WHERE = {
    "Analysis": "quanheng.analysis",
    "Recommendation": "quanheng.analysis",
    "analyse": "quanheng.analysis",
    "collect": "quanheng.measure",
    "recommend": "quanheng.analysis",
}

__getattr__ = _lazy.lazy_getattr(__name__, _WHERE)


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


# Results show in notebooks as tables and the landscape, drawn by the report layer above them.
_lazy.set_display("quanheng.report.notebook")

__version__ = "0.1.0"
