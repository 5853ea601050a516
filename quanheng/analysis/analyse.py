"""Everything the ``analyse`` command reports for one profile, in one reproducible result.

:func:`analyse` runs the simulation, the sensitivity analysis, the method comparison and the
analysts' agreement on one study and profile. The result records what produced it (settings,
content hashes of the framework and evidence), so the same study, profile, draws and seed give
byte-identical JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr

from quanheng import _lazy
from quanheng.analysis._results import Result
from quanheng.analysis.analysts import AgreementResult, analyst_agreement
from quanheng.analysis.inputs import DecisionData, decision_data
from quanheng.analysis.methods import MethodComparison, compare_methods
from quanheng.analysis.options import check_simulation_options
from quanheng.analysis.sensitivity import SensitivityResult, sensitivity
from quanheng.analysis.simulate import (
    Concentration,
    MissingModel,
    SimulationResult,
    ValueModel,
    simulate,
)
from quanheng.scoring.engine import study_digests
from quanheng.scoring.scorecard import Scorecard
from quanheng.study import Study

__all__ = ["Analysis", "analyse"]


class Analysis(Result):
    """Simulation, sensitivity, method comparison and agreement for one profile."""

    study: str
    profile: str
    profile_name: str
    subject_names: dict[str, str]
    node_names: dict[str, str]
    excluded: tuple[tuple[str, str], ...]
    simulation: SimulationResult
    sensitivity: SensitivityResult
    methods: MethodComparison
    agreement: AgreementResult
    digests: dict[str, str]
    _sources: tuple[Study, Scorecard] | None = PrivateAttr(default=None)
    """The study and scorecard analysed (not part of the JSON): the notebook view's landscape."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; the same inputs give the same bytes from :meth:`to_json`."""
        return {
            "format": "quanheng/analysis@1",
            "study": self.study,
            "profile": {"id": self.profile, "name": self.profile_name},
            "digests": dict(sorted(self.digests.items())),
            "not_ranked": [{"subject": s, "reason": r} for s, r in self.excluded],
            "simulation": self.simulation.to_dict(),
            "sensitivity": self.sensitivity.to_dict(),
            "methods": self.methods.to_dict(),
            "agreement": self.agreement.to_dict(),
        }

    def name(self, subject: str) -> str:
        """A subject's display name."""
        return self.subject_names.get(subject, subject)

    def _repr_html_(self) -> str | None:
        """The ranking by cohort with P(best) and coverage, and the landscape with intervals."""
        return _lazy.display(self, "html")

    def _repr_markdown_(self) -> str | None:
        """The ranking by cohort with P(best) and coverage, as Markdown."""
        return _lazy.display(self, "markdown")


def _report_nodes(study: Study) -> tuple[str, ...]:
    """Nodes whose intervals a report plots: the dimensions and the landscape's axes and size.

    The landscape may put any node on an axis; its error bars need that node's interval, so the
    simulation scores these alongside the overall score.
    """
    fw = study.framework
    nodes = [n.id for n in fw.tree]
    if fw.landscape is not None:
        nodes += [n for n in (fw.landscape.x, fw.landscape.y, fw.landscape.size) if n]
    return tuple(dict.fromkeys(nodes))


def analyse(
    study: Study,
    card: Scorecard,
    *,
    draws: int = 10_000,
    seed: int = 0,
    concentration: Concentration | None = None,
    value_model: ValueModel = "triangular",
    missing_model: MissingModel = "prior",
    delta: float = 0.2,
    data: DecisionData | None = None,
) -> Analysis:
    """Analyse a study under a profile: how sure, how sensitive, how method-dependent.

    Args:
        study: the loaded study.
        card: its scorecard under the profile to analyse (:func:`quanheng.score`); nothing is
            scored again.
        draws: simulation draws.
        seed: simulation seed.
        concentration: Dirichlet concentration (``inf`` fixed, ``"uniform"`` no preference);
            the profile's by default.
        value_model: ``triangular`` or ``uniform`` draws within evidence ranges.
        missing_model: ``prior`` draws missing cells from the missing-cell prior, ``ignore``
            leaves them missing in every draw (see :func:`quanheng.analysis.simulate`).
        delta: relative weight change of the tornado.
        data: the decision problem, if already built from ``card``.

    Raises:
        InputError: fewer than one draw, or a concentration that is not > 0.
    """
    check_simulation_options(draws, concentration)
    data = data or decision_data(study, card)
    prof = study.profile(card.profile)
    excluded: list[tuple[str, str]] = []
    for i, sid in enumerate(card.subjects):
        if sid in data.subjects:
            continue
        g = card.gates[i]
        if g.status == "excluded":
            reason = f"screened out: {g.reason}"
        elif card.ranks[i] == 0:
            reason = "no data on any weighted indicator"
        else:
            reason = "ranked in another cohort (vendors and models are compared apart)"
        excluded.append((sid, reason))
    result = Analysis(
        study=study.id,
        profile=prof.id,
        profile_name=prof.name.get("en"),
        subject_names={s.id: s.name.get("en") for s in study.subjects},
        node_names={n.id: n.name.get("en") for _, n in study.framework.walk()},
        excluded=tuple(excluded),
        simulation=simulate(
            data,
            draws=draws,
            seed=seed,
            concentration=concentration,
            value_model=value_model,
            missing_model=missing_model,
            nodes=_report_nodes(study),
        ),
        sensitivity=sensitivity(data, delta=delta),
        methods=compare_methods(data),
        agreement=analyst_agreement(study),
        digests=study_digests(study),
    )
    result._sources = (study, card)
    return result
