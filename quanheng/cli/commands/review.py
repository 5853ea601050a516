"""``quanheng review STUDY``: go through the records tools proposed; accept, edit or reject them.

With action flags it is a script's tool (``--accept ID``, ``--reject ID --reason TEXT``,
``--edit ID --set field=value``); with none, on a terminal, it shows each open proposal in turn
and asks what to do; with none and no terminal, it lists the proposals. Only accepted records
reach a score: they go to ``evidence/accepted.yaml``, checked as ``validate`` checks them.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
import yaml

from quanheng._files import display_path
from quanheng.cli._app import app, console, err_console, guarded
from quanheng.cli._words import LANG_HELP
from quanheng.errors import InputError
from quanheng.text import Lang

if TYPE_CHECKING:
    from quanheng.curation import Proposal

# ruamel.yaml (under quanheng.curation) is imported by this command only when it runs, so
# `quanheng --help` and the other commands start without it.

# The command's fixed words, both languages side by side (ids, values and quotes print as found).
WORDS: dict[str, tuple[str, str]] = {
    "accepted": ("已采纳", "accepted"),
    "accepted_edited": ("已采纳（经修改）", "accepted (edited)"),
    "rejected": ("已驳回", "rejected"),
    "proposed": ("待审", "proposed"),
    "none": ("没有待审记录", "no proposals"),
    "none_status": ("没有状态为 {status} 的待审记录", "no proposals with status {status}"),
    "none_waiting": ("没有等待审核的记录", "no proposals waiting for review"),
    "proposal": ("待审记录 {id}（{status}）", "proposal {id} ({status})"),
    "subject": ("对象", "subject"),
    "leaf": ("指标", "leaf"),
    "value": ("数值", "value"),
    "quote": ("原文", "quote"),
    "source": ("出处", "source"),
    "analyst": ("分析员", "analyst"),
    "origin": ("来源", "origin"),
    "model": ("模型", "model"),
    "ask": (
        "[a] 采纳 [e] 修改后采纳 [r] 驳回 [s] 跳过 [q] 退出？",
        "[a]ccept [e]dit [r]eject [s]kip [q]uit? ",
    ),
    "reason": ("理由：", "reason: "),
}


def _w(key: str, lang: Lang, **fields: object) -> str:
    text = WORDS[key][0 if lang == "zh" else 1]
    return text.format(**fields) if fields else text


EXAMPLES = """\b
Examples:
  quanheng review studies/my-study
  quanheng review studies/my-study --status accepted --lang zh
  quanheng review studies/my-study --accept 3f2a9c0d11e4b7a2 --who li
  quanheng review studies/my-study --reject 3f2a9c0d11e4b7a2 --reason "quote is about 2022"
  quanheng review studies/my-study --edit 3f2a9c0d11e4b7a2 --set value=42 --set source.date=2024-05
"""


@app.command(epilog=EXAMPLES)
@guarded
def review(
    study: Path = typer.Argument(..., metavar="STUDY", help="The study directory."),
    status: str | None = typer.Option(
        None,
        "--status",
        metavar="STATUS",
        help="List only proposals with this status: proposed, accepted or rejected.",
    ),
    accept_ids: list[str] | None = typer.Option(
        None, "--accept", metavar="ID", help="Accept this proposal as proposed (repeatable)."
    ),
    reject_ids: list[str] | None = typer.Option(
        None, "--reject", metavar="ID", help="Reject this proposal (repeatable); needs --reason."
    ),
    edit_id: str | None = typer.Option(
        None,
        "--edit",
        metavar="ID",
        help="Accept this proposal edited: with --set, those fields; without, in $EDITOR.",
    ),
    sets: list[str] | None = typer.Option(
        None,
        "--set",
        metavar="FIELD=VALUE",
        help="With --edit: set a field (dotted for source: source.date=2024-05; empty removes).",
    ),
    reason: str = typer.Option("", "--reason", metavar="TEXT", help="Why (required to reject)."),
    who: str | None = typer.Option(
        None, "--who", metavar="NAME", help="Who decides (default: the login name)."
    ),
    lang: Lang = typer.Option("en", "--lang", help=LANG_HELP),
) -> None:
    """Review proposed evidence: list it, accept, edit or reject it (interactive on a terminal)."""
    from quanheng.curation import accept, load_proposals, reject

    if not (study / "study.yaml").is_file():
        raise InputError.single(
            display_path(study), None, "no study.yaml here", "give a study directory"
        )
    person = who or _login()
    if sets and edit_id is None:
        raise InputError.single(
            "--set", None, "--set edits the record of --edit ID", "add --edit ID"
        )
    acted = False
    for pid in accept_ids or []:
        done = accept(study, pid, person, reason=reason)
        _said("accepted", done, lang)
        acted = True
    for pid in reject_ids or []:
        done = reject(study, pid, person, reason)
        _said("rejected", done, lang)
        acted = True
    if edit_id is not None:
        proposal = _one(study, edit_id)
        record = apply_sets(proposal.record, sets) if sets else edit_in_editor(proposal.record)
        done = accept(study, edit_id, person, record=record, reason=reason)
        _said("accepted_edited", done, lang, record)
        acted = True
    if acted:
        return
    if status is None and sys.stdin.isatty() and sys.stdout.isatty():
        interactive(study, person, lang=lang)
        return
    items = load_proposals(study, status)
    if not items:
        none = _w("none_status", lang, status=status) if status else _w("none", lang)
        console.print(none, markup=False)
    for p in items:
        console.print(summary_line(p, lang), markup=False)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _said(what: str, proposal: Proposal, lang: Lang, record: dict[str, Any] | None = None) -> None:
    rec = record if record is not None else proposal.record
    colon = "：" if lang == "zh" else ": "
    console.print(
        f"{_w(what, lang)}{colon}{proposal.id} {rec.get('subject')} {rec.get('indicator')} = "
        f"{_value(rec.get('value'))}",
        markup=False,
    )


def _one(study: Path, pid: str) -> Proposal:
    from quanheng.curation import accept, load_proposals

    for p in load_proposals(study):
        if p.id == pid:
            return p
    # accept() words the unknown or decided id (with did-you-mean); reach it with no record.
    accept(study, pid, "-")
    raise AssertionError("unreachable")  # pragma: no cover


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def summary_line(p: Proposal, lang: Lang = "en") -> str:
    """One line per proposal: id, status, cell, value, the quote's start, the document."""
    rec = p.record
    quote = " ".join(str(rec.get("quote", "")).split())
    if len(quote) > 40:
        quote = quote[:39] + "…"
    doc = p.origin.get("document") or p.origin.get("tool") or ""
    return (
        f"{p.id}  {_w(p.status, lang):<8}  {rec.get('subject')}  {rec.get('indicator')}  "
        f"{_value(rec.get('value'))}  “{quote}”  {doc}"
    )


def describe(p: Proposal, lang: Lang = "en") -> list[str]:
    """The proposal in full, as the interactive loop shows it."""
    rec = p.record
    source = rec.get("source") if isinstance(rec.get("source"), dict) else {}
    assert isinstance(source, dict)
    origin = p.origin
    where = origin.get("document", "")
    offsets = origin.get("offsets")
    if offsets:
        where = f"{where} [{offsets[0]}:{offsets[1]}]" if len(offsets) == 2 else where
    unit = f" {rec['unit']}" if isinstance(rec.get("unit"), str) else ""
    shown = ", ".join(str(source[k]) for k in ("title", "publisher", "date", "url") if k in source)
    model = origin.get("model")
    rows = [
        ("subject", str(rec.get("subject"))),
        ("leaf", str(rec.get("indicator"))),
        ("value", f"{_value(rec.get('value'))}{unit}"),
        ("quote", " ".join(str(rec.get("quote", "")).split())),
        ("source", shown),
        ("analyst", str(rec.get("analyst"))),
        (
            "origin",
            f"{origin.get('tool', '?')} {where}".rstrip()
            + (f" ({_w('model', lang)} {model})" if model else ""),
        ),
    ]
    width = 8 if lang == "zh" else 10
    lines = [_w("proposal", lang, id=p.id, status=_w(p.status, lang))]
    lines += [
        f"  {_pad(_w(key, lang) + ('：' if lang == 'zh' else ':'), width)} {v}" for key, v in rows
    ]
    return lines


def _pad(label: str, width: int) -> str:
    """``label`` padded to ``width`` columns, a CJK character counting two."""
    cols = sum(2 if ord(c) > 0x2E7F else 1 for c in label)
    return label + " " * max(width - cols, 0)


def apply_sets(record: dict[str, Any], sets: list[str]) -> dict[str, Any]:
    """``record`` with each ``field=value`` set (YAML scalars; an empty value removes the field)."""
    out: dict[str, Any] = json.loads(json.dumps(record))
    for item in sets:
        field, sep, text = item.partition("=")
        field = field.strip()
        if not sep or not field:
            raise InputError.single(
                "--set", None, f"{item!r} is not FIELD=VALUE", "write e.g. --set value=42"
            )
        *parents, last = field.split(".")
        target = out
        for part in parents:
            nxt = target.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise InputError.single(
                    "--set", None, f"{field}: {part!r} is not a mapping", "set the field itself"
                )
            target = nxt
        if text == "":
            target.pop(last, None)
        else:
            target[last] = _scalar(text)
    return out


def _scalar(text: str) -> Any:
    """A --set value as YAML reads it (42 → number, true → boolean), dates kept as text."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if value is None or isinstance(value, dict | list) or not isinstance(value, bool | int | float):
        return text
    return value


def edit_in_editor(record: dict[str, Any]) -> dict[str, Any]:
    """Open the record as YAML in ``$VISUAL``/``$EDITOR``; the saved mapping is the edit."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=100)
    with tempfile.TemporaryDirectory(prefix="quanheng-review-") as tmp:
        path = Path(tmp) / "record.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            result = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except OSError as exc:
            raise InputError.single(
                "$EDITOR",
                None,
                f"cannot run {editor!r} ({exc.strerror})",
                "set EDITOR to an editor on this machine, or use --set field=value",
            ) from None
        if result.returncode != 0:
            raise InputError.single(
                "$EDITOR",
                None,
                f"{editor} exited with code {result.returncode}; nothing accepted",
                "save and quit the editor normally",
            )
        edited = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(edited)
    except yaml.YAMLError as exc:
        raise InputError.single(
            "<edited record>", None, f"YAML does not parse: {exc}".splitlines()[0], "edit again"
        ) from None
    if not isinstance(data, dict):
        raise InputError.single(
            "<edited record>", None, "the record must be a mapping", "edit again"
        )
    # Dates come back as text, the way quanheng's own loader keeps them.
    result_record: dict[str, Any] = json.loads(json.dumps(data, default=_iso))
    return result_record


def _iso(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def interactive(
    study: Path,
    who: str,
    ask: Callable[[str], str] = input,
    edit: Callable[[dict[str, Any]], dict[str, Any]] = edit_in_editor,
    lang: Lang = "en",
) -> None:
    """Show each open proposal and ask: [a]ccept, [e]dit, [r]eject, [s]kip, [q]uit.

    A proposal that cannot be accepted (its record is not valid) prints why and is asked
    about again, so it can be edited or rejected instead.
    """
    from quanheng.curation import accept, load_proposals, reject

    pending = load_proposals(study, "proposed")
    if not pending:
        console.print(_w("none_waiting", lang), markup=False)
        return
    for n, proposal in enumerate(pending, 1):
        while True:
            console.print(f"\n[{n}/{len(pending)}]", markup=False)
            for line in describe(proposal, lang):
                console.print(line, markup=False)
            try:
                answer = ask(_w("ask", lang)).strip().lower()[:1]
            except EOFError:
                return
            try:
                if answer == "a":
                    _said("accepted", accept(study, proposal.id, who), lang)
                elif answer == "e":
                    record = edit(proposal.record)
                    done = accept(study, proposal.id, who, record=record)
                    _said("accepted_edited", done, lang, record)
                elif answer == "r":
                    why = ask(_w("reason", lang)).strip()
                    _said("rejected", reject(study, proposal.id, who, why), lang)
                elif answer == "q":
                    return
                elif answer != "s":
                    continue
            except InputError as exc:
                for line in exc.lines():
                    err_console.print(line, markup=False)
                continue
            break
