"""A new use-case profile written into ``study.yaml``, the rest of the file kept as written.

A buyer who tuned weights in the workbench saves them as a profile of the study so that every
later ``score``, ``analyse`` and report can name it. The profile is appended to ``profiles:``
with ruamel.yaml round-trip and spliced into the original text, so comments, key order and the
hand-wrapped flow mappings of the other profiles stay byte for byte. The result is loaded as a
study *before* it replaces the file — in a scratch copy of the study beside it — so a profile
that does not validate (an unknown node, weights that do not sum) is refused with the same
lines ``quanheng validate`` prints, and ``study.yaml`` is untouched.
"""

from __future__ import annotations

import contextlib
import numbers
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from quanheng._files import display_path
from quanheng.curation import _yamlfile
from quanheng.curation._io import atomic_write, canonical_json, plain, study_lock
from quanheng.curation.audit import append_audit
from quanheng.errors import InputError, Problem, StudyError
from quanheng.study import DEFAULT_PROFILE, Profile, Study, load_study

__all__ = ["save_profile"]


def save_profile(
    study_dir: Path, profile_id: str, profile: Mapping[str, Any], who: str, reason: str
) -> Profile:
    """Add profile ``profile_id`` to the study's ``study.yaml``; returns it as loaded.

    ``profile`` is either the weights alone (``{"P5": 0.5, "P7": 0.5}``: the profile gets the id
    as its name and ``normalise: true``) or a profile body as written in ``study.yaml``
    (``name``, ``weights``, ``ahp``, ``normalise``, ``description`` …).

    Raises:
        StudyError: the id is taken (or is ``default``), or the study with the new profile does
            not validate; ``study.yaml`` is left as it was.
    """
    root = Path(study_dir)
    path = root / "study.yaml"
    file = display_path(path)
    body = _body(profile_id, profile)
    with study_lock(root):
        original = path.read_text(encoding="utf-8")
        data = _yamlfile.load(original)
        if not isinstance(data, CommentedMap):
            raise StudyError.single(file, None, "study.yaml must be a mapping", "fix it first")
        existing = data.get("profiles")
        taken = [str(p.get("id")) for p in existing or [] if isinstance(p, Mapping)]
        if profile_id == DEFAULT_PROFILE or profile_id in taken:
            raise StudyError.single(
                file,
                None,
                f"profile {profile_id!r} "
                + (
                    "is reserved for the framework's weights"
                    if profile_id == DEFAULT_PROFILE
                    else "already exists"
                ),
                "give the new profile an id of its own (profiles are never overwritten)",
            )
        text = _new_text(_yamlfile.open_doc(original, data, "profiles"), body)
        study = _validated(root, text, file)
        atomic_write(path, text.encode("utf-8"))
        append_audit(
            root,
            {
                "who": who,
                "action": "profile",
                "file": "study.yaml",
                "index": len(taken),
                "before": None,
                "after": body,
                "reason": reason,
            },
        )
    return study.profile(profile_id)


def _body(profile_id: str, profile: Mapping[str, Any]) -> dict[str, Any]:
    given = plain(dict(profile))
    if given and all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) for v in given.values()
    ):
        return {
            "id": profile_id,
            "name": {"zh": profile_id, "en": profile_id},
            "weights": given,
            "normalise": True,
        }
    if given.get("id", profile_id) != profile_id:
        raise InputError.single(
            "<profile>",
            None,
            f"the profile body says id {given['id']!r} but it is saved as {profile_id!r}",
            "leave `id` out of the body or make them agree",
        )
    rest = {k: v for k, v in given.items() if k != "id"}
    rest.setdefault("name", {"zh": profile_id, "en": profile_id})
    return {"id": profile_id, **rest}


def _new_text(doc: _yamlfile.Doc, body: dict[str, Any]) -> str:
    """The study file's text with ``body`` appended to ``profiles:`` (created when absent)."""
    data = doc.data
    existing = data.get("profiles")
    if isinstance(existing, CommentedSeq) and len(existing) > 0:
        existing.append(_yamlfile._fresh(body, None, bool(existing.fa.flow_style())))
        return _yamlfile.render(doc, len(existing) - 1, "add")
    block = _yamlfile.dump({"profiles": [body]}, _yamlfile.DEFAULT_LAYOUT)
    head = doc.text if doc.text.endswith("\n") or not doc.text else doc.text + "\n"
    text = head + block
    expect = {**plain(data), "profiles": [body]}
    if "profiles" not in data and canonical_json(plain(_yamlfile.load(text))) == canonical_json(
        expect
    ):
        return text
    data["profiles"] = CommentedSeq([_yamlfile._fresh(body, None, False)])
    return _yamlfile.dump(data, _yamlfile.DEFAULT_LAYOUT)


def _validated(root: Path, text: str, file: str) -> Study:
    """Load the study as it would be with ``text`` as its study.yaml, from a scratch copy.

    The copy sits beside the study (so a framework named ``../frameworks/x.yaml`` resolves the
    same) and links every other entry of the study directory; problems are reported against
    the real ``study.yaml``.
    """
    with _scratch(root) as scratch:
        (scratch / "study.yaml").write_text(text, encoding="utf-8")
        try:
            return load_study(scratch)
        except InputError as exc:
            shown = display_path(scratch / "study.yaml")
            real = display_path(root)
            raise StudyError(
                [
                    Problem(
                        file if p.file == shown else p.file.replace(display_path(scratch), real, 1),
                        p.line,
                        p.message,
                        p.fix,
                    )
                    for p in exc.problems
                ]
            ) from None


@contextlib.contextmanager
def _scratch(root: Path) -> Iterator[Path]:
    try:
        scratch = Path(tempfile.mkdtemp(prefix=f".{root.name}.profile-", dir=root.parent))
    except OSError:
        scratch = Path(tempfile.mkdtemp(prefix="quanheng-profile-"))
    try:
        for entry in root.iterdir():
            if entry.name != "study.yaml":
                os.symlink(entry.resolve(), scratch / entry.name)
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
