"""The study's review queue: records a tool proposed, waiting for a person to accept or reject.

Tools that find evidence (``extract`` reading a document, ``import`` reading a spreadsheet) do
not write evidence: they write *proposals*, ``STUDY/proposed/*.yaml`` files in the format
``quanheng/proposed@1``. Nothing reads ``proposed/`` when scoring, so only what a person
accepted ever reaches a score. Accepting checks the record exactly as ``quanheng validate``
would, appends it to ``STUDY/evidence/accepted.yaml``, marks the proposal accepted and writes
the decision to the audit log; rejecting needs a reason.

A proposal's id is stable — the first 16 hex digits of the SHA-256 of the canonical JSON of
``{"record": …, "origin": …}`` with the origin's ``created`` time left out — so running the
same extraction twice proposes nothing new (:func:`write_proposals` skips ids already queued,
whatever their status).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from quanheng._files import display_path, read_yaml
from quanheng.curation import edit
from quanheng.curation._io import (
    atomic_write,
    canonical_json,
    plain,
    sha256_hex,
    study_lock,
    utc_now,
)
from quanheng.curation.audit import append_audit
from quanheng.errors import EvidenceError, InputError, Problem, ProposalError

__all__ = [
    "ACCEPTED_FILE",
    "PROPOSED_DIR",
    "PROPOSED_FORMAT",
    "STATUSES",
    "Proposal",
    "accept",
    "load_proposals",
    "proposal_id",
    "reject",
    "write_proposals",
]

PROPOSED_FORMAT = "quanheng/proposed@1"
PROPOSED_DIR = "proposed"
ACCEPTED_FILE = "evidence/accepted.yaml"
STATUSES = ("proposed", "accepted", "rejected")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Proposal:
    """One proposed record and what became of it.

    Attributes:
        id: stable id (see the module docstring).
        record: the evidence record as it would be written in an evidence file.
        origin: where it came from: ``tool``, ``document``, ``offsets``, ``model`` …
        status: ``proposed``, ``accepted`` or ``rejected``.
        decision: ``{who, when, reason, edited}`` once decided, else ``None``.
        file: the proposals file that holds it.
    """

    id: str
    record: dict[str, Any]
    origin: dict[str, Any]
    status: str
    decision: dict[str, Any] | None
    file: Path

    def to_dict(self) -> dict[str, Any]:
        """The item as it is written in the proposals file."""
        return {
            "id": self.id,
            "record": self.record,
            "origin": self.origin,
            "status": self.status,
            "decision": self.decision,
        }


def proposal_id(record: dict[str, Any], origin: dict[str, Any]) -> str:
    """The stable id of a (record, origin) pair: 16 hex digits of SHA-256, ``created`` left out."""
    stable = {k: v for k, v in plain(origin).items() if k != "created"}
    return sha256_hex(canonical_json({"record": plain(record), "origin": stable}))[:16]


def write_proposals(
    study_dir: Path, items: Sequence[tuple[dict[str, Any], dict[str, Any]]], name: str
) -> list[Proposal]:
    """Queue (record, origin) pairs in ``STUDY/proposed/NAME.yaml``; returns the ones added.

    Pairs whose id is already queued anywhere in ``proposed/`` (in any status) are skipped, so a
    rerun adds nothing. An existing file keeps its items and gets the new ones after them.
    ``origin`` gets ``created`` (now, UTC) when it has none.

    Raises:
        InputError: ``name`` is not a plain file name.
    """
    root = Path(study_dir)
    stem = name[:-5] if name.endswith(".yaml") else name
    if not _NAME.match(stem):
        raise InputError.single(
            str(name),
            None,
            "a proposals file name must be letters, digits, '.', '_' or '-'",
            "give a plain name such as `extract-2024-report`",
        )
    folder = root / PROPOSED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.yaml"
    with study_lock(root):
        existing = _load_all(root)
        seen = {p.id for p in existing}
        kept = [p for p in existing if p.file == path]
        added: list[Proposal] = []
        for record, origin in items:
            rec, org = plain(dict(record)), plain(dict(origin))
            pid = proposal_id(rec, org)
            if pid in seen:
                continue
            seen.add(pid)
            org.setdefault("created", utc_now())
            added.append(Proposal(pid, rec, org, "proposed", None, path))
        if added:
            _save_file(path, [*kept, *added])
    return added


def load_proposals(study_dir: Path, status: str | None = None) -> list[Proposal]:
    """Every proposal of the study (file by file, in file order), or those with ``status``.

    Raises:
        InputError: ``status`` is not one of :data:`STATUSES`.
        EvidenceError: a proposals file is malformed (one line per problem).
    """
    if status is not None and status not in STATUSES:
        raise InputError.single(
            "--status",
            None,
            f"{status!r} is not a proposal status",
            f"use one of: {', '.join(STATUSES)}",
        )
    found = _load_all(Path(study_dir))
    return [p for p in found if status is None or p.status == status]


def accept(
    study_dir: Path,
    proposal_id: str,
    who: str,
    record: dict[str, Any] | None = None,
    reason: str = "",
) -> Proposal:
    """Accept a proposal: its record (or the edited ``record``) goes into the study's evidence.

    The record is checked as ``quanheng validate`` checks one, appended to
    ``evidence/accepted.yaml`` (created when absent; the study's ``evidence:`` list must read
    it), the proposal is marked accepted with the decision, and the audit log gets an
    ``accept`` entry.

    Raises:
        ProposalError: no proposal has this id, or it was already decided.
        EvidenceError: the record is not valid: one line per field, nothing written.
        StudyError: the study's ``evidence:`` list does not read ``evidence/accepted.yaml``.
    """
    root = Path(study_dir)
    context = edit.load_context(root)
    with study_lock(root):
        proposal = _find(root, proposal_id)
        body = edit._clean(record if record is not None else proposal.record)
        problems = edit.check_record(context, body)
        if problems:
            where = display_path(proposal.file)
            raise EvidenceError(
                [
                    Problem(where, None, f"proposal {proposal.id}: {p.field}: {p.message}", "")
                    for p in problems
                ]
            )
        ref = edit.add_unlocked(root, ACCEPTED_FILE, body)
        edited = canonical_json(body) != canonical_json(edit._clean(proposal.record))
        decision = {"who": who, "when": utc_now(), "reason": reason, "edited": edited}
        done = _decide(proposal, "accepted", decision)
        append_audit(
            root,
            {
                "who": who,
                "action": "accept",
                "file": ref.file,
                "index": ref.index,
                "proposal_id": proposal.id,
                "before": None,
                "after": body,
                "reason": reason,
            },
        )
    return done


def reject(study_dir: Path, proposal_id: str, who: str, reason: str) -> Proposal:
    """Reject a proposal, saying why (the reason is required); the audit log records it.

    Raises:
        ProposalError: no proposal has this id, it was already decided, or no reason was given.
    """
    root = Path(study_dir)
    if not reason or not reason.strip():
        raise ProposalError.single(
            proposal_id,
            None,
            "rejecting a proposal needs a reason",
            "say why (--reason TEXT): the next analyst reads it",
        )
    with study_lock(root):
        proposal = _find(root, proposal_id)
        decision = {"who": who, "when": utc_now(), "reason": reason, "edited": False}
        done = _decide(proposal, "rejected", decision)
        append_audit(
            root,
            {
                "who": who,
                "action": "reject",
                "file": Path(PROPOSED_DIR, proposal.file.name).as_posix(),
                "index": None,
                "proposal_id": proposal.id,
                "before": proposal.record,
                "after": None,
                "reason": reason,
            },
        )
    return done


# --------------------------------------------------------------------------- files


def _find(root: Path, pid: str) -> Proposal:
    found = _load_all(root)
    for p in found:
        if p.id == pid:
            if p.status != "proposed":
                by = (p.decision or {}).get("who", "?")
                raise ProposalError.single(
                    display_path(p.file),
                    None,
                    f"proposal {pid} is already {p.status} (by {by})",
                    "decide only proposals with status `proposed` (quanheng review --status "
                    "proposed lists them)",
                )
            return p
    close = [p.id for p in found if p.id.startswith(pid[:4])] if pid else []
    hint = f" (did you mean {close[0]}?)" if len(close) == 1 else ""
    raise ProposalError.single(
        display_path(root / PROPOSED_DIR),
        None,
        f"no proposal has id {pid!r}{hint}",
        "list the ids with `quanheng review STUDY --status proposed`",
    )


def _decide(proposal: Proposal, status: str, decision: dict[str, Any]) -> Proposal:
    items = _load_file(proposal.file)
    done = Proposal(proposal.id, proposal.record, proposal.origin, status, decision, proposal.file)
    _save_file(proposal.file, [done if p.id == proposal.id else p for p in items])
    return done


def _load_all(root: Path) -> list[Proposal]:
    folder = root / PROPOSED_DIR
    if not folder.is_dir():
        return []
    out: list[Proposal] = []
    for path in sorted(folder.glob("*.yaml")):
        out.extend(_load_file(path))
    return out


def _load_file(path: Path) -> list[Proposal]:
    file = display_path(path)
    data = read_yaml(path, EvidenceError)
    if not isinstance(data, dict) or data.get("format") != PROPOSED_FORMAT:
        raise EvidenceError.single(
            file,
            None,
            f"format is {data.get('format') if isinstance(data, dict) else None!r}, expected "
            f"{PROPOSED_FORMAT!r}",
            f"start the file with `format: {PROPOSED_FORMAT}` and a `proposals:` list",
        )
    raw = data.get("proposals") or []
    problems: list[Problem] = []
    out: list[Proposal] = []
    lines = getattr(raw, "item_lines", [None] * len(raw))
    for i, item in enumerate(raw):
        line = lines[i] if i < len(lines) else None
        if not isinstance(item, dict) or not isinstance(item.get("record"), dict):
            problems.append(Problem(file, line, "a proposal needs a `record` mapping", "fix it"))
            continue
        status = item.get("status", "proposed")
        if status not in STATUSES:
            problems.append(
                Problem(
                    file, line, f"status {status!r} is unknown", f"use one of {', '.join(STATUSES)}"
                )
            )
            continue
        record = plain(item["record"])
        origin = plain(item.get("origin") or {})
        pid = str(item.get("id") or proposal_id(record, origin))
        decision = plain(item["decision"]) if isinstance(item.get("decision"), dict) else None
        out.append(Proposal(pid, record, origin, status, decision, path))
    if problems:
        raise EvidenceError(problems)
    return out


def _save_file(path: Path, items: Sequence[Proposal]) -> None:
    doc = {"format": PROPOSED_FORMAT, "proposals": [p.to_dict() for p in items]}
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
    atomic_write(path, text.encode("utf-8"))
