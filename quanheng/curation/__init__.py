"""Curation: the only code that writes a study's evidence files, its review queue and audit log.

- :mod:`~quanheng.curation.proposals` — ``STUDY/proposed/*.yaml`` (``quanheng/proposed@1``):
  records tools proposed, accepted into ``evidence/accepted.yaml`` or rejected by a person.
- :mod:`~quanheng.curation.edit` — evidence records edited in place (YAML round-trip, CSV rows),
  with versions for optimistic concurrency and atomic writes.
- :mod:`~quanheng.curation.audit` — ``STUDY/audit.jsonl``, one line per change.
- :mod:`~quanheng.curation.profiles` — a new use-case profile saved into ``study.yaml``.

Notes on the shared interface (for code written against it):

- A proposal's id leaves the origin's ``created`` time out of the hash, so rerunning an
  extraction proposes nothing new; :func:`proposal_id` computes it.
- :func:`write_proposals` returns only the proposals it added (duplicates are skipped).
- :func:`save_record` with ``expected_version=None`` on an existing record overwrites without
  comparing; every save checks the record first (:func:`check_record`) and raises
  :class:`~quanheng.errors.EvidenceError` when it is not valid.
- Errors: :class:`~quanheng.errors.EditConflict` (``ref``, ``mine``, ``theirs``,
  ``mine_version``, ``theirs_version``) and :class:`~quanheng.errors.ProposalError` (unknown or
  already decided id, rejection without a reason) are input errors: exit code 2.
"""

from __future__ import annotations

from quanheng.curation.audit import append_audit, read_audit
from quanheng.curation.edit import (
    FieldProblem,
    RecordRef,
    check_record,
    delete_record,
    list_records,
    record_version,
    save_record,
)
from quanheng.curation.proposals import (
    Proposal,
    accept,
    load_proposals,
    proposal_id,
    reject,
    write_proposals,
)

__all__ = [
    "FieldProblem",
    "Proposal",
    "RecordRef",
    "accept",
    "append_audit",
    "check_record",
    "delete_record",
    "list_records",
    "load_proposals",
    "proposal_id",
    "read_audit",
    "record_version",
    "reject",
    "save_record",
    "write_proposals",
]
