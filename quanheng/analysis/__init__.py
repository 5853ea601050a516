"""Decision analysis: how sure is the ranking, what decides it, and which vendor for a use case.

Built on the scoring pipeline, pure numpy underneath, no I/O:

* :func:`decision_data` — a study under a profile as arrays (:class:`DecisionData`);
* :func:`simulate` — SMAA over weights and values: intervals, rank probabilities, P(best),
  pairwise probabilities, central weights (:class:`SimulationResult`);
* :func:`sensitivity` — one-at-a-time weight changes, the smallest weight change that reverses
  each adjacent pair, leave-one-leaf-out Kendall's tau (:class:`SensitivityResult`);
* :func:`analyst_agreement` — Krippendorff's alpha per dimension and cells flagged for review;
* :func:`compare_methods` — weighted sum vs weighted geometric mean vs TOPSIS rankings;
* :func:`analyse` — all of the above for one profile (:class:`Analysis`);
* :func:`recommend` — top picks for a use case with trade-offs, risks and pilots.

Every result is a frozen model with ``to_dict()`` and deterministic ``to_json()``.
"""

from quanheng.analysis.analyse import Analysis, analyse
from quanheng.analysis.analysts import AgreementResult, analyst_agreement
from quanheng.analysis.inputs import DecisionData, decision_data
from quanheng.analysis.methods import MethodComparison, compare_methods
from quanheng.analysis.recommend import Recommendation, recommend
from quanheng.analysis.sensitivity import SensitivityResult, sensitivity
from quanheng.analysis.simulate import SimulationResult, simulate

__all__ = [
    "AgreementResult",
    "Analysis",
    "DecisionData",
    "MethodComparison",
    "Recommendation",
    "SensitivityResult",
    "SimulationResult",
    "analyse",
    "analyst_agreement",
    "compare_methods",
    "decision_data",
    "recommend",
    "sensitivity",
    "simulate",
]
