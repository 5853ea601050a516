"""A study: a framework, the subjects it evaluates, their evidence and the use-case profiles.

A study is a directory with ``study.yaml`` (``format: quanheng/study@1``) and evidence files.
:func:`load_study` validates all of it at once — the study file, the framework it names, every
evidence record against the subjects and the framework — and raises one :class:`StudyError`
listing every problem with its file and line.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)

from quanheng._files import (
    LocatedDict,
    did_you_mean,
    display_path,
    line_of,
    nearest,
    problems_from_validation,
    read_yaml,
)
from quanheng.errors import InputError, Problem, StudyError, WeightError
from quanheng.evidence import Cell, EvidenceRecord, consolidate, load_evidence
from quanheng.framework import (
    WEIGHT_TOLERANCE,
    Framework,
    Identifier,
    Node,
    builtin_frameworks,
    load_framework,
)
from quanheng.mcda.tree import CompiledTree
from quanheng.mcda.weights import CR_LIMIT, ahp, ahp_matrix, most_inconsistent
from quanheng.specs.endpoint import Endpoint
from quanheng.specs.local_models import MODELS as LOCAL_MODELS
from quanheng.specs.measure_settings import MeasureSettings
from quanheng.specs.normalisation import RUBRIC_LEVELS, LogFixed, LogMinMax, Rubric
from quanheng.text import Name, Text, local

__all__ = [
    "STUDY_FORMAT",
    "Profile",
    "Study",
    "StudyFile",
    "Subject",
    "evidence_problems",
    "find_studies",
    "load_study",
]

STUDY_FORMAT = "quanheng/study@1"
DEFAULT_PROFILE = "default"
DEFAULT_CONCENTRATION = 100.0


class _Frozen(BaseModel):
    # .nan or .inf in a weight, a judgement or a share poisons every score: refuse them here;
    # the one number that may be infinite (a profile's concentration) says so on its field.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Subject(_Frozen):
    """What is evaluated: a vendor, or a model that names its vendor."""

    id: Identifier
    kind: Literal["vendor", "model"] = "vendor"
    name: Name
    description: Text | None = None
    vendor: str | None = None
    endpoint: Endpoint | None = None
    local_model: str | None = None

    @property
    def measured(self) -> bool:
        """Whether quanheng can send this subject requests (an endpoint or a local model)."""
        return self.endpoint is not None or self.local_model is not None


def _judgement_value(value: Any) -> Any:
    """AHP values may be written as fractions ("1/3"), the way people state them."""
    if isinstance(value, str) and "/" in value:
        num, _, den = value.partition("/")
        try:
            return float(num) / float(den)
        except (ValueError, ZeroDivisionError):
            return value
    return value


JudgementValue = Annotated[
    float,
    BeforeValidator(_judgement_value),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": r"^\s*[0-9.]+\s*/\s*[0-9.]+\s*$"},
            ]
        }
    ),
]
"""A Saaty-scale value, 1/9..9, written as a number or a fraction such as ``1/3``."""


class Objective(_Frozen):
    """Weights computed from the data (entropy or CRITIC), mixed into the subjective ones.

    ``share`` is the objective method's part of each mixed weight: 0.3 means "70 % what the buyer
    said, 30 % what the data can tell apart". ``nodes`` limits the mix to the children of some
    parents (``overall`` for the dimensions); empty means every parent.
    """

    method: Literal["entropy", "critic"]
    share: float = Field(ge=0.0, le=1.0)
    nodes: tuple[str, ...] = ()


class Profile(_Frozen):
    """A use case as a weight set over the framework's nodes.

    Subjective weights come first: ``weights`` replace the framework's local weights of the nodes
    they name (with ``normalise`` each touched parent's weights are rescaled to sum to 1,
    otherwise they must already), and ``ahp`` derives the children's weights of a parent from
    pairwise judgements ``[a, b, v]`` ("a is v times as important as b"; ``overall`` for the
    dimensions). ``objective`` then mixes in entropy or CRITIC weights with a stated share.
    ``concentration`` says how firmly the buyer holds these weights in simulations: the
    Dirichlet concentration around them, or ``uniform`` for no preference at all.
    """

    id: Identifier
    name: Name
    description: Text | None = None
    pilots: tuple[str | Text, ...] = ()
    weights: dict[str, float] = Field(default_factory=dict)
    normalise: bool = True
    ahp: dict[str, tuple[tuple[str, str, JudgementValue], ...]] = Field(default_factory=dict)
    objective: Objective | None = None
    concentration: Annotated[float, Field(allow_inf_nan=True)] | Literal["uniform"] = (
        DEFAULT_CONCENTRATION
    )


class StudyFile(_Frozen):
    """The ``study.yaml`` file as written."""

    format: Literal["quanheng/study@1"]
    id: Identifier
    title: Name
    description: Text | None = None
    framework: str
    gate_policy: Literal["exclude", "flag"] = "exclude"
    unknown_gate: Literal["flag", "exclude", "pass"] = "flag"
    evidence: tuple[str, ...] = ("evidence",)
    subjects: tuple[Subject, ...]
    profiles: tuple[Profile, ...] = ()
    measure: MeasureSettings = MeasureSettings()


class Study(BaseModel):
    """A loaded, validated study."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: Path
    spec: StudyFile
    framework: Framework
    evidence: tuple[EvidenceRecord, ...]

    @property
    def id(self) -> str:
        """The study id."""
        return self.spec.id

    @property
    def subjects(self) -> tuple[Subject, ...]:
        """Subjects in file order."""
        return self.spec.subjects

    @cached_property
    def cells(self) -> dict[tuple[str, str], Cell]:
        """Consolidated evidence by (subject, indicator)."""
        return consolidate(self.evidence)

    @cached_property
    def profiles(self) -> dict[str, Profile]:
        """Profiles by id; ``default`` is the framework's own weights."""
        default = Profile(
            id=DEFAULT_PROFILE,
            name=Name(zh="默认权重", en="Default weights"),
            description=Text(
                zh=f"框架 {self.framework.id} 的权重。",
                en=f"The weights of framework {self.framework.id}.",
            ),
        )
        return {DEFAULT_PROFILE: default, **{p.id: p for p in self.spec.profiles}}

    def subject(self, subject_id: str) -> Subject:
        """The subject with this id; an unknown id is an input error ("did you mean")."""
        for subject in self.subjects:
            if subject.id == subject_id:
                return subject
        ids = [s.id for s in self.subjects]
        raise StudyError.single(
            display_path(self.path / "study.yaml"),
            None,
            f"subject {subject_id!r} is not in the study{did_you_mean(subject_id, ids)}",
            f"use one of: {_some(ids, 12)}",
        )

    def profile(self, profile_id: str | None) -> Profile:
        """The named profile (``None`` → default); unknown names are an input error."""
        key = profile_id or DEFAULT_PROFILE
        if key not in self.profiles:
            raise StudyError.single(
                display_path(self.path / "study.yaml"),
                None,
                f"profile {key!r} is not defined{did_you_mean(key, list(self.profiles))}",
                f"use one of: {', '.join(self.profiles)}",
            )
        return self.profiles[key]


def load_study(path: str | Path) -> Study:
    """Load and validate a study directory (or its ``study.yaml``).

    Raises:
        InputError: a :class:`StudyError` (or the framework's or evidence's error) listing every
            problem found, one line each.
    """
    root = Path(path)
    if root.exists() and not root.is_dir() and root.name != "study.yaml":
        # Any other file read as a study would fail on what it contains ("study.yaml must be
        # a mapping"), naming neither the real mistake nor the fix.
        raise StudyError.single(
            display_path(root),
            None,
            "is a file, not a study directory" if root.is_file() else "is not a directory",
            "give the study directory that contains study.yaml (or that study.yaml itself)",
        )
    file_path = root if root.name == "study.yaml" and not root.is_dir() else root / "study.yaml"
    root = file_path.parent
    file = display_path(file_path)
    if not file_path.exists():
        raise _no_study(Path(path), file)
    data = read_yaml(file_path, StudyError)
    spec = _parse_spec(data, file)
    _check_paths(spec, data, file, root)
    framework = load_framework(spec.framework, base=root)
    problems = list(_check_subjects(spec, data, file))
    problems.extend(_check_profiles(spec, framework, data, file))
    evidence, bad = load_evidence([root / p for p in spec.evidence])
    problems.extend(bad)
    problems.extend(_check_evidence(evidence, spec, framework))
    if problems:
        raise StudyError(problems)
    return Study(path=root, spec=spec, framework=framework, evidence=evidence)


def _parse_spec(data: Any, file: str) -> StudyFile:
    if not isinstance(data, LocatedDict):
        raise StudyError.single(file, None, "study.yaml must be a mapping", "see docs/formats.md")
    if data.get("format") != STUDY_FORMAT:
        raise StudyError.single(
            file,
            data.key_lines.get("format", data.line),
            f"format is {data.get('format')!r}, expected {STUDY_FORMAT!r}",
            f"put `format: {STUDY_FORMAT}` at the top",
        )
    try:
        return StudyFile.model_validate(data)
    except ValidationError as exc:
        raise StudyError(problems_from_validation(exc, data, file)) from None


def _check_paths(spec: StudyFile, data: LocatedDict, file: str, root: Path) -> None:
    """The framework and evidence paths must exist before anything else is worth checking."""
    problems: list[Problem] = []
    builtins = builtin_frameworks()
    if spec.framework not in builtins and not (root / spec.framework).exists():
        problems.append(
            Problem(
                file,
                line_of(data, ("framework",)),
                f"framework {spec.framework!r} is neither a built-in nor a file next to "
                f"study.yaml{did_you_mean(spec.framework, list(builtins))}",
                f"use a built-in ({', '.join(builtins) or 'none'}) or a relative path",
            )
        )
    for i, ref in enumerate(spec.evidence):
        if not (root / ref).exists():
            problems.append(
                Problem(
                    file,
                    line_of(data, ("evidence", i)),
                    f"evidence path {ref!r} does not exist",
                    "create it or remove it from `evidence:`",
                )
            )
    if problems:
        raise StudyError(problems)


def _check_subjects(spec: StudyFile, data: LocatedDict, file: str) -> Iterator[Problem]:
    ids: set[str] = set()
    vendors = {s.id for s in spec.subjects if s.kind == "vendor"}
    for i, subj in enumerate(spec.subjects):
        line = line_of(data, ("subjects", i, "id"))
        if subj.id in ids:
            yield Problem(file, line, f"duplicate subject id {subj.id!r}", "rename one")
        ids.add(subj.id)
        if subj.kind == "model" and subj.vendor is not None and subj.vendor not in vendors:
            yield Problem(
                file,
                line_of(data, ("subjects", i, "vendor")),
                f"model {subj.id!r} names unknown vendor {subj.vendor!r}"
                f"{did_you_mean(subj.vendor, sorted(vendors))}",
                f"add a vendor subject {subj.vendor!r} or use one of: {', '.join(sorted(vendors))}",
            )
        if subj.kind == "vendor" and subj.vendor is not None:
            yield Problem(
                file,
                line_of(data, ("subjects", i, "vendor")),
                f"vendor {subj.id!r} has a vendor field",
                "only models name their vendor; remove it or set kind: model",
            )
        if subj.local_model is not None and subj.local_model not in LOCAL_MODELS:
            yield Problem(
                file,
                line_of(data, ("subjects", i, "local_model")),
                f"unknown local model {subj.local_model!r}"
                f"{did_you_mean(subj.local_model, list(LOCAL_MODELS))}",
                f"use one of: {', '.join(LOCAL_MODELS)}",
            )
        if subj.local_model is not None and subj.endpoint is not None:
            yield Problem(
                file,
                line_of(data, ("subjects", i, "endpoint")),
                f"subject {subj.id!r} has both an endpoint and a local_model",
                "keep one: quanheng serves a local_model itself",
            )
    if not spec.subjects:
        yield Problem(file, line_of(data, ("subjects",)), "no subjects", "add subjects")
    judge = spec.measure.judge
    if judge is not None and not any(s.id == judge and s.measured for s in spec.subjects):
        yield Problem(
            file,
            line_of(data, ("measure", "judge")),
            f"judge {judge!r} is not a subject with an endpoint or local_model",
            "name a measured subject, or remove `judge`",
        )


def _check_profiles(
    spec: StudyFile, framework: Framework, data: LocatedDict, file: str
) -> Iterator[Problem]:
    seen: set[str] = {DEFAULT_PROFILE}
    tree = framework.compiled
    for i, prof in enumerate(spec.profiles):
        here = ("profiles", i)
        if prof.id in seen:
            what = (
                "is reserved for the framework's weights"
                if prof.id == DEFAULT_PROFILE
                else ("is defined twice")
            )
            yield Problem(
                file, line_of(data, (*here, "id")), f"profile {prof.id!r} {what}", "rename it"
            )
        seen.add(prof.id)
        yield from _check_profile_ahp(prof, tree, data, file, here)
        yield from _check_profile_extras(prof, tree, data, file, here)
        bad = False
        for node_id, weight in prof.weights.items():
            wline = line_of(data, (*here, "weights", node_id))
            if node_id not in tree.index or node_id == tree.ROOT_ID:
                bad = True
                yield Problem(
                    file,
                    wline,
                    f"profile {prof.id!r} weights unknown node {node_id!r}"
                    f"{did_you_mean(node_id, tree.ids[:-1])}",
                    "use node ids of the framework (see `quanheng show`)",
                )
            elif not math.isfinite(weight) or weight < 0:
                bad = True
                yield Problem(
                    file,
                    wline,
                    f"profile {prof.id!r}: weight of {node_id!r} is {weight:g}",
                    "weights must be finite and ≥ 0",
                )
            elif tree.ids[int(tree.parent[tree.index[node_id]])] in prof.ahp:
                bad = True
                parent = tree.ids[int(tree.parent[tree.index[node_id]])]
                yield Problem(
                    file,
                    wline,
                    f"profile {prof.id!r} weights {node_id!r} and also has AHP judgements "
                    f"under {parent!r}",
                    f"give the weights under {parent!r} one way: remove {node_id!r} from "
                    "`weights` or the judgements from `ahp`",
                )
        if bad:
            continue
        weights = tree.with_weights(prof.weights, prof.normalise)
        parents = {int(tree.parent[tree.index[n]]) for n in prof.weights}
        for p in sorted(parents):
            total = float(weights[tree.children[p]].sum())
            if total <= 0 or (not prof.normalise and abs(total - 1) > WEIGHT_TOLERANCE):
                yield Problem(
                    file,
                    line_of(data, (*here, "weights")),
                    f"profile {prof.id!r}: weights under {_parent_name(tree.ids[p])} sum to "
                    f"{total:.6g}",
                    "make them sum to 1, or set normalise: true",
                )


def _check_profile_ahp(
    prof: Profile, tree: CompiledTree, data: LocatedDict, file: str, here: tuple[str | int, ...]
) -> Iterator[Problem]:
    """AHP judgements: known parents, the parent's children, every pair once, CR ≤ 0.1."""

    for parent, judgements in prof.ahp.items():
        where = (*here, "ahp", parent)
        line = line_of(data, where)
        p = tree.index.get(parent)
        if p is None or p < tree.n_leaves:
            what = (
                "a leaf"
                if p is not None
                else "not a node of the framework" + did_you_mean(parent, _parents(tree))
            )
            yield Problem(
                file,
                line,
                f"profile {prof.id!r}: AHP parent {parent!r} is {what}",
                "use a node with children, or `overall` for the dimensions",
            )
            continue
        items = [tree.ids[int(k)] for k in tree.children[p]]
        lines: dict[frozenset[str], int | None] = {
            frozenset((a, b)): line_of(data, (*where, k)) for k, (a, b, _) in enumerate(judgements)
        }
        try:
            matrix = ahp_matrix(items, list(judgements), where=file)
        except WeightError as exc:
            for prob in exc.problems:
                # Point at the judgement a problem quotes; a missing pair has only its parent.
                jline = next(
                    (
                        line_of(data, (*where, k))
                        for k, (a, b, _) in enumerate(judgements)
                        if f"({a!r}, {b!r})" in prob.message or f"{a!r}/{b!r}" in prob.message
                    ),
                    line,
                )
                yield Problem(
                    file,
                    jline,
                    f"profile {prof.id!r}, AHP under {parent!r}: {prob.message}",
                    prob.fix,
                )
            continue
        try:
            ahp(matrix, items=items, max_cr=CR_LIMIT, where=file)
        except WeightError as exc:
            i, j, _, _ = most_inconsistent(matrix)
            jline = lines.get(frozenset((items[i], items[j])), line)
            for prob in exc.problems:
                yield Problem(
                    file,
                    jline,
                    f"profile {prof.id!r}, AHP under {parent!r}: {prob.message}",
                    prob.fix,
                )


def _check_profile_extras(
    prof: Profile, tree: CompiledTree, data: LocatedDict, file: str, here: tuple[str | int, ...]
) -> Iterator[Problem]:
    """The objective mix's parents and the simulation concentration."""
    if prof.objective is not None:
        for k, node_id in enumerate(prof.objective.nodes):
            p = tree.index.get(node_id)
            if p is None or p < tree.n_leaves:
                yield Problem(
                    file,
                    line_of(data, (*here, "objective", "nodes", k)),
                    f"profile {prof.id!r}: objective node {node_id!r} is "
                    + (
                        "a leaf"
                        if p is not None
                        else "not a node of the framework" + did_you_mean(node_id, _parents(tree))
                    ),
                    "name parents whose children get objective weights (`overall` for the "
                    "dimensions), or leave `nodes` out for all of them",
                )
    c = prof.concentration
    if not isinstance(c, str) and not (c > 0 and not math.isnan(c)):
        yield Problem(
            file,
            line_of(data, (*here, "concentration")),
            f"profile {prof.id!r}: concentration is {c:g}",
            "give a number > 0 (larger = firmer weights; .inf = fixed), or `uniform`",
        )


def evidence_problems(study: Study, records: Sequence[EvidenceRecord]) -> list[Problem]:
    """What ``validate`` says about these records in this study: subject, indicator, value kind.

    The same checks :func:`load_study` runs on every record it loads, for a record that is not
    in a file yet (an edit in the workbench, a proposal being accepted).
    """
    return list(_check_evidence(tuple(records), study.spec, study.framework))


def _check_evidence(
    records: tuple[EvidenceRecord, ...], spec: StudyFile, framework: Framework
) -> Iterator[Problem]:
    subjects = {s.id for s in spec.subjects}
    gates = set(framework.gate_ids)
    leaves = {leaf.id: leaf for leaf in framework.leaves}
    for rec in records:

        def problem(message: str, fix: str, rec: EvidenceRecord = rec) -> Problem:
            return Problem(rec.file, rec.line, message, fix)

        if rec.subject not in subjects:
            yield problem(
                f"evidence for unknown subject {rec.subject!r}"
                f"{did_you_mean(rec.subject, sorted(subjects))}",
                f"use a subject id from study.yaml: {', '.join(sorted(subjects))}",
            )
        if rec.indicator in gates:
            if not isinstance(rec.value, bool):
                yield problem(
                    f"gate {rec.indicator!r} needs true or false, found {_show(rec.value)}",
                    "write value: true (passes) or value: false (fails)",
                )
            continue
        leaf = leaves.get(rec.indicator)
        if leaf is None:
            node = framework.nodes.get(rec.indicator)
            if node is not None:
                under = [n.id for _, n in _walk(node) if n.is_leaf]
                yield problem(
                    f"{rec.indicator!r} has children: evidence goes on its leaves ({_some(under)})",
                    "give the leaf the quote is about (quanheng show FRAMEWORK --leaf ID "
                    "describes each)",
                )
                continue
            yield problem(
                f"evidence for unknown indicator {rec.indicator!r}"
                f"{did_you_mean(rec.indicator, [*leaves, *framework.gate_ids])}",
                "use a leaf or gate id of the framework (see `quanheng show`)",
            )
            continue
        norm = leaf.normalisation
        if isinstance(norm, Rubric):
            if isinstance(rec.value, bool) or rec.value not in RUBRIC_LEVELS:
                yield problem(
                    f"rubric leaf {leaf.id!r} takes a level 0..5, found {_show(rec.value)}",
                    "give the integer level whose descriptor the quote meets",
                )
            continue
        if isinstance(rec.value, bool):
            yield problem(
                f"{leaf.kind} leaf {leaf.id!r} takes a number, found {_show(rec.value)}",
                f"give the quantity in {local(leaf.unit, 'en') or 'the leaf unit'}",
            )
        elif isinstance(norm, LogMinMax | LogFixed):
            low = rec.range[0] if rec.range else rec.value
            if min(low, rec.value) + norm.offset <= 0:
                yield problem(
                    f"leaf {leaf.id!r} is log-normalised and needs values above "
                    f"{0.0 - norm.offset:g}, found {min(low, rec.value):g}",
                    "check the value, or use a normalisation with an offset",
                )


def _parents(tree: CompiledTree) -> list[str]:
    """The ids a profile may name as a parent: the inner nodes and ``overall``."""
    return [*tree.ids[tree.n_leaves : -1], "overall"]


def _walk(node: Node) -> Iterator[tuple[int, Node]]:
    yield 0, node
    for child in node.children:
        yield from _walk(child)


def _some(ids: list[str], n: int = 6) -> str:
    return ", ".join(ids[:n]) + (f" … ({len(ids)} in all)" if len(ids) > n else "")


def _no_study(given: Path, file: str) -> InputError:
    """No study.yaml at ``given``: say what was meant when it can be told.

    A built-in framework id given where a study belongs gets the command that starts a study
    on it; a name near a study quanheng can find (beside the given path, here, under
    ``studies/``, the checkout's ``studies/``) — or the start of one's name — gets "did you mean"
    with its directory; a name near a built-in framework id says so.
    """
    name = str(given)
    if name in builtin_frameworks():
        return StudyError.single(
            name,
            None,
            "that is a built-in framework id, not a study directory",
            f"give a study directory (quanheng init DIR --framework {name} starts one)",
        )
    found = _beside(given) + find_studies()
    by_name: dict[str, Path] = {}
    for p in found:
        by_name.setdefault(p.name, p)
    close = nearest(given.name, list(by_name), n=3)
    if not close and len(given.name) >= 3:
        close = [n for n in by_name if n.lower().startswith(given.name.lower())][:3]
    if close:
        shown = [display_path(by_name[c]) for c in close]
        return StudyError.single(
            file,
            None,
            f"no study.yaml here (did you mean {' or '.join(shown)}?)",
            "give a study directory that contains study.yaml",
        )
    frameworks = nearest(name, list(builtin_frameworks()), n=1)
    if frameworks:
        return StudyError.single(
            file,
            None,
            f"no study.yaml here (did you mean the built-in framework {frameworks[0]!r}? "
            "that is not a study)",
            f"give a study directory (quanheng init DIR --framework {frameworks[0]} starts one)",
        )
    return StudyError.single(
        file, None, "no study.yaml here", "give a study directory that contains study.yaml"
    )


def _beside(given: Path) -> list[Path]:
    """Study directories next to ``given`` (in the directory it names a child of)."""
    parent = given.parent
    try:
        entries = sorted(parent.iterdir()) if str(parent) not in ("", ".") else []
    except OSError:
        return []
    out = []
    for entry in entries:
        try:
            if (entry / "study.yaml").is_file():
                out.append(entry)
        except OSError:
            continue
    return out


def find_studies() -> list[Path]:
    """Study directories quanheng can see: the working directory's, ``studies/``'s, the checkout's.

    Only directories one level down are looked at (a study.yaml in each), so this stays cheap.
    """
    bases = [Path.cwd(), Path.cwd() / "studies", Path(__file__).resolve().parent.parent / "studies"]
    out: list[Path] = []
    seen: set[Path] = set()
    for base in bases:
        try:
            entries = sorted(base.iterdir())
        except OSError:
            continue
        for entry in entries:
            try:
                if (entry / "study.yaml").is_file() and entry.resolve() not in seen:
                    seen.add(entry.resolve())
                    out.append(entry)
            except OSError:
                continue
    return out


def _parent_name(node_id: str) -> str:
    return "the root (the dimensions)" if node_id == "overall" else node_id


def _show(value: bool | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}"


def validate_path(path: str | Path) -> Study | Framework:
    """Validate a study directory, a study file or a framework file (what `validate` checks)."""
    p = Path(path)
    if p.is_file() and p.name != "study.yaml":
        data = read_yaml(p, InputError)
        if isinstance(data, dict) and str(data.get("format", "")).startswith("quanheng/framework"):
            return load_framework(p)
        if isinstance(data, dict) and str(data.get("format", "")).startswith("quanheng/evidence"):
            raise InputError.single(
                display_path(p),
                None,
                "an evidence file is checked as part of its study",
                "run `quanheng validate` on the study directory",
            )
    return load_study(p)
