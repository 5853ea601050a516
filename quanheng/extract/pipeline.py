"""Documents → rule candidates → model proposals → checks → survivors with provenance.

:func:`extract` runs the whole path for a study and some local documents:

1. read each document (:mod:`~quanheng.extract.documents`) and find rule candidates
   (:mod:`~quanheng.extract.rules`), which also choose the passages worth a model request;
2. unless ``rules_only``, ask the model one request per chosen passage
   (:mod:`~quanheng.extract.prompting`, :mod:`~quanheng.extract.model`) and read its JSON;
3. put every proposal, from either finder, through the checks, in this order, and count what
   each drops (:data:`CHECKS`):

   ``malformed``          the answer is not the JSON asked for, or an item lacks a field
   ``unknown_subject``    the subject is not one of the study's (an exact alias is mapped)
   ``unknown_leaf``       the indicator is no leaf or gate of the framework, or is measured
   ``not_selected``       outside ``--subject`` / ``--leaves``
   ``quote_not_found``    the quote does not occur verbatim in the document (after folding)
   ``value_inconsistent`` the value is not what the quote says (:mod:`.consistency`)
   ``invalid_record``     the record would not load as evidence (the evidence model refuses it)
   ``duplicate``          the same subject, indicator and value already survived

4. survivors become records (the quote is the document's own text at the located offsets)
   with their origin: document path and SHA-256, offsets, finder, model, prompt hash and
   request key; with ``write`` they go to the study's ``proposed/`` area through
   :func:`quanheng.curation.proposals.write_proposals`, never into its evidence.

Every proposal is either a survivor or dropped by exactly one check, so
``sum(proposed) == len(survivors) + sum(dropped)``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from quanheng._files import did_you_mean, display_path
from quanheng.errors import StudyError
from quanheng.evidence import EvidenceRecord
from quanheng.extract.consistency import check_value
from quanheng.extract.documents import Document, read_document
from quanheng.extract.keywords import LeafTerms, leaf_terms, subject_aliases
from quanheng.extract.model import (
    MAX_TOKENS,
    Answers,
    ModelTarget,
    ask,
    build_requests,
    choose_model,
)
from quanheng.extract.numbers import parse_figure
from quanheng.extract.prompting import build_messages, prompt_sha256
from quanheng.extract.quotes import locate_quote
from quanheng.extract.rules import Candidate, find_candidates, select_passages, subjects_in
from quanheng.study import Study
from quanheng.text import Text

__all__ = [
    "CHECKS",
    "ExtractResult",
    "Survivor",
    "default_name",
    "extract",
    "parse_answer",
    "parse_cut_answer",
    "select_leaves",
]

CHECKS = (
    "malformed",
    "unknown_subject",
    "unknown_leaf",
    "not_selected",
    "quote_not_found",
    "value_inconsistent",
    "invalid_record",
    "duplicate",
)

_GATE_WORDS = ("入围", "遴选", "基线")


@dataclass(frozen=True)
class Survivor:
    """A proposal that passed every check: the evidence record and where it came from."""

    record: dict[str, Any]
    origin: dict[str, Any]

    @property
    def finder(self) -> str:
        """``rules`` or ``model``."""
        return str(self.origin["finder"])


@dataclass(frozen=True)
class ExtractResult:
    """What :func:`extract` did.

    Attributes:
        survivors: the proposals that passed every check, rules' first.
        proposed: proposals made, by finder (``rules``, ``model``).
        dropped: proposals dropped, by check (every check of :data:`CHECKS` present).
        passages: passages read, and passages sent to the model.
        answers: what the model requests did (``None`` with ``rules_only``).
        written: ids of the proposals written now (none that were already in ``proposed/``).
        model: the model's name (``None`` with ``rules_only``).
    """

    survivors: tuple[Survivor, ...]
    proposed: dict[str, int]
    dropped: dict[str, int]
    passages: tuple[int, int]
    answers: Answers | None = None
    written: tuple[str, ...] = ()
    model: str | None = None
    dropped_by_finder: dict[str, dict[str, int]] = field(default_factory=dict)

    def per_leaf(self) -> dict[str, int]:
        """Survivors per indicator, in id order."""
        return dict(sorted(Counter(s.record["indicator"] for s in self.survivors).items()))


def select_leaves(study: Study, spec: str | None) -> list[str] | None:
    """The leaf and gate ids ``--leaves P1,S2.3,china_market`` names (a parent: its leaves).

    Raises:
        StudyError: an id that is no node or gate of the framework ("did you mean").
    """
    if spec is None:
        return None
    fw = study.framework
    nodes = fw.nodes
    out: list[str] = []
    for raw in (p.strip() for p in spec.split(",")):
        if not raw:
            continue
        if raw in fw.gate_ids:
            out.append(raw)
            continue
        if raw not in nodes:
            known = [*nodes, *fw.gate_ids]
            raise StudyError.single(
                "--leaves", None,
                f"{raw!r} is no leaf, parent or gate of {fw.id}{did_you_mean(raw, known)}",
                "give ids such as P1,S2.3 (quanheng show " + fw.id + " lists them)",
            )  # fmt: skip
        out.extend(leaf.id for leaf in _leaves_under(nodes[raw]))
    return list(dict.fromkeys(out))


def _leaves_under(node: Any) -> list[Any]:
    if node.is_leaf:
        return [node]
    return [leaf for child in node.children for leaf in _leaves_under(child)]


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def parse_answer(text: str) -> list[Any] | None:
    """The ``proposals`` list of a model's answer, or ``None`` when it is not that JSON.

    A code fence or text around the object is tolerated: the outermost ``{...}`` is read.
    """
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    start, end = body.find("{"), body.rfind("}")
    if start == -1 or end <= start:
        return None
    try:
        data = json.loads(body[start : end + 1])
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("proposals"), list):
        return None
    return list(data["proposals"])


_ARRAY = re.compile(r'\{\s*"proposals"\s*:\s*\[')


def parse_cut_answer(text: str) -> list[Any] | None:
    """The complete items of an answer cut off at its token limit, or ``None``.

    A small model that copies whole paragraphs into ``quote`` runs out of tokens mid-list;
    the items written in full before the cut are read (each still goes through every check),
    and the caller counts the cut-off rest as one malformed proposal.
    """
    found = _ARRAY.search(text)
    if found is None:
        return None
    decoder, at = json.JSONDecoder(), found.end()
    items: list[Any] = []
    while True:
        while at < len(text) and text[at] in " \t\r\n,":
            at += 1
        try:
            item, at = decoder.raw_decode(text, at)
        except ValueError:
            return items
        items.append(item)


def _coerce_value(value: Any) -> Any:
    """A model's value as the evidence wants it: numbers and booleans; a numeric text read."""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        fig = parse_figure(value)
        if fig is not None:
            return fig.value
    return None


@dataclass
class _Tally:
    proposed: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    by_finder: dict[str, Counter[str]] = field(default_factory=dict)

    def drop(self, finder: str, check: str) -> None:
        self.dropped[check] += 1
        self.by_finder.setdefault(finder, Counter())[check] += 1


@dataclass(frozen=True)
class _Context:
    study: Study
    terms: Mapping[str, LeafTerms]
    aliases: Mapping[str, Sequence[str]]
    subject: str | None
    leaves: Sequence[str] | None
    send: bool = True


def _resolve_subject(ctx: _Context, given: Any) -> str | None:
    """The subject id a proposal means: its id, one of its names, or a phrase naming only it.

    Small models write ``百度文心大模型`` for ``baidu``; a phrase that names exactly one
    subject (by its aliases) is that subject, one that names none or several is unknown.
    """
    if not isinstance(given, str):
        return None
    if given in ctx.aliases:
        return given
    for sid, names in ctx.aliases.items():
        if any(given.strip().lower() == n.lower() for n in names):
            return sid
    named = subjects_in(given, ctx.aliases)
    return next(iter(named)) if len(named) == 1 else None


_LEADING_ID = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_.\-]*)(?:\s|$)")


def _resolve_indicator(ctx: _Context, given: Any) -> str | None:
    """The indicator id a proposal means: the id, or an id followed by its name (``S5.1 行业…``)."""
    if not isinstance(given, str):
        return None
    fw = ctx.study.framework
    if given in ctx.terms or given in fw.gate_ids:
        return given
    lead = _LEADING_ID.match(given)
    if lead and (lead.group(1) in ctx.terms or lead.group(1) in fw.gate_ids):
        return lead.group(1)
    return given


def _doc_ref(study: Study, document: Document) -> str:
    try:
        return str(document.path.resolve().relative_to(study.path.resolve()))
    except ValueError:
        return display_path(document.path)


def _unit(unit: Text | str | None) -> Any:
    if unit is None or isinstance(unit, str):
        return unit
    return {"zh": unit.zh, "en": unit.en}


def _check(
    ctx: _Context, doc: Document, cand: Candidate, tally: _Tally, seen: set[tuple[Any, ...]]
) -> Survivor | None:
    """Put one candidate through every check; the survivor, or ``None`` (dropped, counted)."""
    finder = "rules" if cand.finder == "rules" else "model"
    fw = ctx.study.framework
    if not isinstance(cand.quote, str) or cand.indicator is None or cand.value is None:
        tally.drop(finder, "malformed")
        return None
    subject = _resolve_subject(ctx, cand.subject)
    if subject is None:
        tally.drop(finder, "unknown_subject")
        return None
    indicator = _resolve_indicator(ctx, cand.indicator)
    gate = indicator in fw.gate_ids
    terms = ctx.terms.get(indicator or "")
    if indicator is None or (terms is None and not gate):
        tally.drop(finder, "unknown_leaf")
        return None
    if (ctx.subject is not None and subject != ctx.subject) or (
        ctx.leaves is not None and indicator not in ctx.leaves
    ):
        tally.drop(finder, "not_selected")
        return None
    near = doc.passages[cand.passage].start if cand.passage is not None else None
    span = locate_quote(doc.normal, cand.quote, near=near)
    if span is None:
        tally.drop(finder, "quote_not_found")
        return None
    value = cand.value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)  # 36, not 36.0: counts and levels read as written
    record: dict[str, Any] = {"subject": subject, "indicator": indicator, "value": value}
    if cand.range is not None:
        record["range"] = [cand.range[0], cand.range[1]]
    if terms is not None and terms.leaf.kind == "fact" and terms.leaf.unit is not None:
        record["unit"] = _unit(terms.leaf.unit)
    record["quote"] = doc.text[span[0] : span[1]]
    problem = check_value(record, terms, gate=gate)
    if problem is not None:
        tally.drop(finder, "value_inconsistent")
        return None
    record["source"] = {"title": doc.title, "document": _doc_ref(ctx.study, doc)}
    record["analyst"] = f"extract:{cand.finder}"
    if isinstance(cand.note, str) and cand.note.strip():
        record["note"] = cand.note.strip()
    try:
        EvidenceRecord.model_validate(record)
    except ValidationError:
        tally.drop(finder, "invalid_record")
        return None
    key = (subject, indicator, json.dumps(value))
    if key in seen:
        tally.drop(finder, "duplicate")
        return None
    seen.add(key)
    origin: dict[str, Any] = {
        "tool": "extract",
        "document": _doc_ref(ctx.study, doc),
        "document_sha256": doc.sha256,
        "offsets": [span[0], span[1]],
        "finder": finder,
        "model": None if finder == "rules" else cand.finder,
        "prompt_sha256": cand.extra.get("prompt_sha256"),
        "request_key": cand.extra.get("request_key"),
        "passage": cand.passage,
    }
    return Survivor(record, origin)


def _model_candidates(
    ctx: _Context,
    docs: Sequence[Document],
    target: ModelTarget,
    tally: _Tally,
    hints: Mapping[tuple[int, int | None], int],
) -> tuple[dict[int, list[Candidate]], Answers, int]:
    """Ask the model about every selected passage; candidates per document index.

    Passages where the rules found most go first (``hints``: rule candidates per document and
    passage), so a run cut short has asked about the most promising ones.
    """
    fw = ctx.study.framework
    terms = {k: v for k, v in ctx.terms.items() if ctx.leaves is None or k in ctx.leaves}
    aliases = {k: v for k, v in ctx.aliases.items() if ctx.subject is None or k == ctx.subject}
    gates = [g for g in fw.gates if ctx.leaves is None or g.id in ctx.leaves]
    prompts: list[tuple[str, list[dict[str, Any]], dict[str, Any]]] = []
    where: list[tuple[int, int, str]] = []
    for d_index, doc in enumerate(docs):
        for passage, leaf_ids, subject_ids in select_passages(doc, terms, aliases):
            asked_gates = [g for g in gates if any(w in passage.text for w in _GATE_WORDS)]
            names = {sid: list(aliases[sid])[:4] for sid in subject_ids}
            messages = build_messages(
                passage.text, [terms[i].leaf for i in leaf_ids], names, asked_gates
            )
            item = f"{doc.sha256[:12]}:{passage.index}"
            prompts.append((item, messages, {"document": doc.name, "passage": passage.index}))
            where.append((d_index, passage.index, prompt_sha256(messages)))
    order = sorted(range(len(prompts)), key=lambda i: -hints.get(where[i][:2], 0))
    prompts, where = [prompts[i] for i in order], [where[i] for i in order]
    requests = build_requests(target, prompts)
    answers = ask(ctx.study, target, requests, send=ctx.send)
    out: dict[int, list[Candidate]] = {}
    for req, (d_index, p_index, digest) in zip(requests, where, strict=True):
        text = answers.texts.get(req.key)
        if text is None:
            continue  # failed for good this time: retried by the next run
        items = parse_answer(text)
        if items is None:
            items = parse_cut_answer(text) or []
            tally.proposed["model"] += 1  # what was cut off, or the whole answer
            tally.drop("model", "malformed")
        for item in items:
            tally.proposed["model"] += 1
            if not isinstance(item, dict):
                tally.drop("model", "malformed")
                continue
            value = _coerce_value(item.get("value"))
            extra = {"prompt_sha256": digest, "request_key": req.key}
            out.setdefault(d_index, []).append(
                Candidate(
                    item.get("subject"), item.get("indicator"), value, item.get("quote"),
                    target.name, p_index, item.get("unit"), item.get("note"), extra=extra,
                )
            )  # fmt: skip
    return out, answers, len(requests)


def extract(
    study: Study,
    documents: Sequence[Path],
    *,
    subject: str | None = None,
    leaves: str | None = None,
    with_subject: str | None = None,
    rules_only: bool = False,
    use_rules: bool = True,
    name: str | None = None,
    write: bool = True,
    max_tokens: int = MAX_TOKENS,
    send: bool = True,
) -> ExtractResult:
    """Propose evidence records for ``study`` from local ``documents``; see the module doc.

    Args:
        study: the study (its framework's leaves and gates, its subjects, its run store).
        documents: local files (HTML, PDF, Markdown, text).
        subject: only proposals for this subject.
        leaves: only these leaves, parents or gates (``P1,S2.3``).
        with_subject: ask this measured subject's endpoint instead of the local model.
        rules_only: no model requests at all.
        use_rules: keep the rule finder's own proposals (off: the model's alone; the rules
            still choose the passages, and the order they are asked in).
        name: the ``proposed/`` file to write (default ``extract-<first document's stem>``).
        write: write the survivors to ``proposed/``.
        max_tokens: the longest answer asked of the model.
        send: send the model requests not yet answered (off: read the stored answers only).

    Raises:
        InputError: a missing or unreadable document, an unknown subject, leaf or model.
    """
    if subject is not None:
        study.subject(subject)  # unknown → one line, "did you mean"
    chosen = select_leaves(study, leaves)
    target = None if rules_only else choose_model(study, with_subject, max_tokens=max_tokens)
    docs = [read_document(Path(p)) for p in documents]
    terms = leaf_terms(study.framework)
    ctx = _Context(study, terms, subject_aliases(study), subject, chosen, send)
    tally = _Tally()
    candidates: dict[int, list[Candidate]] = {}
    hints: Counter[tuple[int, int | None]] = Counter()
    for i, doc in enumerate(docs):
        found = find_candidates(doc, terms, ctx.aliases, study.framework.gate_ids)
        hints.update((i, c.passage) for c in found)
        if use_rules:
            tally.proposed["rules"] += len(found)
            candidates.setdefault(i, []).extend(found)
    answers, asked = None, 0
    if target is not None:
        from_model, answers, asked = _model_candidates(ctx, docs, target, tally, hints)
        for i, found in from_model.items():
            candidates.setdefault(i, []).extend(found)
    survivors: list[Survivor] = []
    seen: set[tuple[Any, ...]] = set()
    for i, doc in enumerate(docs):
        for cand in candidates.get(i, []):
            kept = _check(ctx, doc, cand, tally, seen)
            if kept is not None:
                survivors.append(kept)
    written: tuple[str, ...] = ()
    if write and survivors:
        written = _write(study, survivors, name or default_name(docs[0].path))
    return ExtractResult(
        survivors=tuple(survivors),
        proposed={k: tally.proposed.get(k, 0) for k in ("rules", "model")},
        dropped={c: tally.dropped.get(c, 0) for c in CHECKS},
        passages=(sum(len(d.passages) for d in docs), asked),
        answers=answers,
        written=written,
        model=None if target is None else target.name,
        dropped_by_finder={f: dict(c) for f, c in tally.by_finder.items()},
    )


def default_name(document: Path) -> str:
    """``extract-<stem>``, the stem reduced to letters, digits, ``.``, ``_`` and ``-``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", document.stem).strip("-.")
    return f"extract-{stem or 'document'}"


def _write(study: Study, survivors: Sequence[Survivor], name: str) -> tuple[str, ...]:
    """Queue the survivors in ``proposed/NAME.yaml``; ids already queued are skipped there."""
    from quanheng.curation.proposals import write_proposals

    added = write_proposals(study.path, [(s.record, s.origin) for s in survivors], name)
    return tuple(p.id for p in added)
