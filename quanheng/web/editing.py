"""Evidence, the audit log and the review queue — every write through :mod:`quanheng.curation`.

The form checks what ``quanheng validate`` checks (:func:`quanheng.curation.edit.check_record`)
and shows each problem next to its field; a save names the version of the record it was opened
on, so a second person's save over a changed record is a conflict that shows both versions
instead of a silent overwrite.
"""

from __future__ import annotations

import json
import math
from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from quanheng.curation import audit, edit, proposals
from quanheng.errors import EditConflict, EvidenceError, InputError
from quanheng.web.context import bench_of, checked_form, lang_of, render, text_field

__all__ = ["form_record", "router"]

router = APIRouter()

_SOURCE = ("title", "publisher", "date", "url", "document")
_TEXTS = ("unit", "note")


def _index(text: str) -> int:
    """A record's position from the client; 400 unless it is a whole number."""
    try:
        return int(text)
    except ValueError:
        raise HTTPException(400, "index: expected a whole number") from None


def _records(bench: Any) -> list[tuple[Any, dict[str, Any], str]]:
    """Every record of the study with its ref and version (read once per state of the files)."""
    records: list[tuple[Any, dict[str, Any], str]] = bench.memo(
        "records", lambda: edit.list_records(bench.study_dir)
    )
    return records


def _safe_file(name: str) -> str:
    """A study-relative evidence file name from the client; 400 for anything that could leave."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name or "\x00" in name:
        raise HTTPException(400, f"file {name!r}: give a path inside the study")
    return str(path)


def _number(text: str) -> bool | float | int | str:
    low = text.strip().lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    try:
        number = float(low)
    except ValueError:
        return text  # check_record names the problem on the value field
    if math.isfinite(number) and number == int(number) and "." not in low and "e" not in low:
        return int(number)
    return number


def form_record(form: FormData, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The record a form describes, on top of ``base`` (fields the form lacks are kept)."""
    record: dict[str, Any] = json.loads(json.dumps(base or {}))
    for key in ("subject", "indicator", "quote", "analyst"):
        record[key] = text_field(form, key)
    record["value"] = _number(text_field(form, "value"))
    low, high = text_field(form, "low"), text_field(form, "high")
    if low or high:
        record["range"] = [_number(low), _number(high)]
    else:
        record.pop("range", None)
    source = dict(record.get("source") or {})
    for key in _SOURCE:
        value = text_field(form, f"source_{key}")
        if value:
            source[key] = value
        else:
            source.pop(key, None)
    record["source"] = source
    for key in _TEXTS:
        if f"{key}_zh" in form or f"{key}_en" in form:
            pair = {lang: text_field(form, f"{key}_{lang}") for lang in ("zh", "en")}
            pair = {k: v for k, v in pair.items() if v}
            if pair:
                record[key] = pair
            else:
                record.pop(key, None)
        else:
            value = text_field(form, key)
            if value:
                record[key] = value
            else:
                record.pop(key, None)
    return record


def _field_of(problem_field: str) -> str:
    """The form field a problem of ``check_record`` belongs to."""
    parts = problem_field.replace("[", ".").replace("]", "").split(".")
    head = parts[0]
    if head == "source" and len(parts) > 1:
        return f"source_{parts[1]}"
    if head == "range":
        return "low"
    return head


def _problems(problems: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in problems:
        out.setdefault(_field_of(p.field), []).append(p.message)
    return out


# --------------------------------------------------------------------------- evidence


@router.get("/evidence", response_class=HTMLResponse)
def evidence_page(request: Request) -> Response:
    """Browse and filter the study's records (subject, indicator, file, text)."""
    bench = bench_of(request)
    study = bench.study()
    q = request.query_params
    subject, indicator = q.get("subject", ""), q.get("indicator", "")
    file, text = q.get("file", ""), q.get("q", "").lower()
    rows = []
    for ref, record, version in _records(bench):
        if subject and record.get("subject") != subject:
            continue
        if indicator and record.get("indicator") != indicator:
            continue
        if file and ref.file != file:
            continue
        if text and text not in json.dumps(record, ensure_ascii=False).lower():
            continue
        rows.append((ref, record, version))
    files = sorted({ref.file for ref, _, _ in _records(bench)})
    template = "_evidence_rows.html.j2" if request.headers.get("hx-request") else "evidence.html.j2"
    return render(
        request,
        template,
        {
            "rows": rows,
            "files": files,
            "subjects": study.subjects,
            "indicators": [n.id for n in study.framework.leaves] + list(study.framework.gate_ids),
            "f": {"subject": subject, "indicator": indicator, "file": file, "q": q.get("q", "")},
        },
    )


def _record_at(bench: Any, file: str, index: int) -> tuple[Any, dict[str, Any], str]:
    for ref, record, version in _records(bench):
        if ref.file == file and ref.index == index:
            return ref, record, version
    raise HTTPException(404, f"no record {index} in {file!r}")


def _form_page(
    request: Request,
    record: dict[str, Any],
    *,
    file: str,
    index: int | None,
    version: str | None,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
    conflict: dict[str, Any] | None = None,
    form: FormData | None = None,
) -> Response:
    bench = bench_of(request)
    study = bench.study()
    history = []
    if record.get("subject") and record.get("indicator"):
        history = audit.read_audit(
            bench.study_dir, subject=record["subject"], indicator=record["indicator"]
        )
    files = sorted({ref.file for ref, _, _ in _records(bench)})
    return render(
        request,
        "record.html.j2",
        {
            "r": record,
            "file": file,
            "files": files or ["evidence/accepted.yaml"],
            "index": index,
            "version": version,
            "problems": problems or {},
            "subjects": study.subjects,
            "indicators": [n.id for n in study.framework.leaves] + list(study.framework.gate_ids),
            "history": history,
            "conflict": conflict,
            "action": "/evidence/save",
            "request_saved": request.query_params.get("saved") == "1",
            "who": text_field(form, "who") if form is not None else "",
            "reason": text_field(form, "reason") if form is not None else "",
        },
        status=status,
    )


@router.get("/evidence/edit", response_class=HTMLResponse)
def edit_form(request: Request) -> Response:
    """The form for one record (``file`` and ``index``), or an empty one (``new``)."""
    bench = bench_of(request)
    q = request.query_params
    if "new" in q:
        file = _safe_file(q.get("file") or "evidence/accepted.yaml")
        base = {
            "subject": q.get("subject", ""),
            "indicator": q.get("indicator", ""),
            "source": {},
        }
        return _form_page(request, base, file=file, index=None, version=None)
    file = _safe_file(q.get("file", ""))
    index = _index(q.get("index", ""))
    _, record, version = _record_at(bench, file, index)
    return _form_page(request, record, file=file, index=index, version=version)


@router.post("/evidence/save")
async def save(request: Request) -> Response:
    """Check the record like ``quanheng validate``; save it (atomically, audited) or say why not."""
    form = await checked_form(request)
    bench = bench_of(request)
    lang = lang_of(request)
    file = _safe_file(text_field(form, "file"))
    index_text = text_field(form, "index")
    version = text_field(form, "version") or None
    ref = None
    base: dict[str, Any] = {}
    if index_text:
        index = _index(index_text)
        ref = edit.RecordRef(file=file, index=index)
        try:
            _, base, _ = _record_at(bench, file, index)
        except HTTPException:
            base = {}
    record = form_record(form, base)
    problems = _problems(edit.check_record(bench.study(), record))
    if problems:
        return _form_page(
            request,
            record,
            file=file,
            index=ref.index if ref else None,
            version=version,
            problems=problems,
            status=422,
            form=form,
        )
    try:
        new_ref, _ = edit.save_record(
            bench.study_dir,
            ref,
            record,
            expected_version=version,
            who=text_field(form, "who") or "workbench",
            reason=text_field(form, "reason"),
            file=file,
        )
    except EditConflict as exc:
        theirs = getattr(exc, "theirs", None) or {}
        return _form_page(
            request,
            record,
            file=file,
            index=ref.index if ref else None,
            version=edit.record_version(theirs) if theirs else None,
            status=409,
            conflict={"mine": record, "theirs": theirs},
            form=form,
        )
    except EvidenceError as exc:
        return _form_page(
            request,
            record,
            file=file,
            index=ref.index if ref else None,
            version=version,
            problems={"": [str(exc)]},
            status=422,
            form=form,
        )
    return RedirectResponse(
        f"/evidence/edit?file={new_ref.file}&index={new_ref.index}&saved=1&lang={lang}",
        status_code=303,
    )


@router.post("/evidence/delete")
async def delete(request: Request) -> Response:
    """Delete one record (its version must still be the one shown)."""
    form = await checked_form(request)
    bench = bench_of(request)
    lang = lang_of(request)
    file = _safe_file(text_field(form, "file"))
    index = _index(text_field(form, "index"))
    edit.delete_record(
        bench.study_dir,
        edit.RecordRef(file=file, index=index),
        expected_version=text_field(form, "version") or None,
        who=text_field(form, "who") or "workbench",
        reason=text_field(form, "reason"),
    )
    return RedirectResponse(f"/evidence?lang={lang}", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request) -> Response:
    """The audit log, newest first; ``subject`` and ``indicator`` narrow it to one cell."""
    bench = bench_of(request)
    q = request.query_params
    entries = audit.read_audit(
        bench.study_dir, subject=q.get("subject") or None, indicator=q.get("indicator") or None
    )
    return render(
        request,
        "audit.html.j2",
        {
            "entries": list(reversed(entries)),
            "subject": q.get("subject", ""),
            "indicator": q.get("indicator", ""),
        },
    )


# --------------------------------------------------------------------------- queue


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request) -> Response:
    """Proposed records with their source and quote; accept (with edits) or reject."""
    bench = bench_of(request)
    status = request.query_params.get("status", "proposed")
    if status not in ("proposed", "accepted", "rejected"):
        raise HTTPException(400, "status: proposed, accepted or rejected")
    items = proposals.load_proposals(bench.study_dir, status=status)
    return render(
        request,
        "queue.html.j2",
        {"items": items, "status": status, "subjects": bench.study().subjects},
    )


def _proposal(bench: Any, proposal_id: str) -> Any:
    for item in proposals.load_proposals(bench.study_dir):
        if item.id == proposal_id:
            return item
    raise HTTPException(404, f"no proposal {proposal_id!r}")


@router.post("/queue/{proposal_id}/accept")
async def accept(request: Request, proposal_id: str) -> Response:
    """Accept a proposal, with the form's edits; problems are shown next to the fields."""
    form = await checked_form(request)
    bench = bench_of(request)
    lang = lang_of(request)
    item = _proposal(bench, proposal_id)
    record = form_record(form, item.record)
    problems = _problems(edit.check_record(bench.study(), record))
    if problems:
        return render(
            request,
            "queue.html.j2",
            {
                "items": [item],
                "status": "proposed",
                "subjects": bench.study().subjects,
                "problems": {item.id: problems},
                "edited": {item.id: record},
            },
            status=422,
        )
    try:
        proposals.accept(
            bench.study_dir,
            proposal_id,
            who=text_field(form, "who") or "workbench",
            record=record if record != item.record else None,
            reason=text_field(form, "reason"),
        )
    except InputError as exc:
        raise HTTPException(400, str(exc)) from None
    return RedirectResponse(f"/queue?lang={lang}", status_code=303)


@router.post("/queue/{proposal_id}/reject")
async def reject(request: Request, proposal_id: str) -> Response:
    """Reject a proposal; a reason is required."""
    form = await checked_form(request)
    bench = bench_of(request)
    lang = lang_of(request)
    _proposal(bench, proposal_id)
    reason = text_field(form, "reason")
    if not reason:
        raise HTTPException(400, "reason: say why the proposal is rejected")
    try:
        proposals.reject(
            bench.study_dir, proposal_id, who=text_field(form, "who") or "workbench", reason=reason
        )
    except InputError as exc:
        raise HTTPException(400, str(exc)) from None
    return RedirectResponse(f"/queue?lang={lang}", status_code=303)
