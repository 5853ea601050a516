"""JSON Schemas of quanheng's file formats, generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from quanheng.errors import InputError
from quanheng.evidence import EVIDENCE_FORMAT, EvidenceRecord
from quanheng.framework import FRAMEWORK_FORMAT, Framework
from quanheng.study import STUDY_FORMAT, StudyFile

__all__ = ["SCHEMAS", "json_schema"]


class EvidenceFile(BaseModel):
    """An evidence YAML file: a header and a list of records."""

    format: str = EVIDENCE_FORMAT
    records: list[EvidenceRecord]


SCHEMAS: dict[str, type[BaseModel]] = {
    FRAMEWORK_FORMAT: Framework,
    STUDY_FORMAT: StudyFile,
    EVIDENCE_FORMAT: EvidenceFile,
}


def json_schema(name: str = "all") -> dict[str, Any]:
    """The schema of one format (``quanheng/framework@1`` or just ``framework``), or all."""
    if name == "all":
        return {fmt: _schema(model, fmt) for fmt, model in SCHEMAS.items()}
    for fmt, model in SCHEMAS.items():
        if name in (fmt, fmt.split("/")[1].split("@")[0]):
            return _schema(model, fmt)
    raise InputError.single(
        "<schema>", None, f"unknown format {name!r}", f"use one of: all, {', '.join(SCHEMAS)}"
    )


def _schema(model: type[BaseModel], fmt: str) -> dict[str, Any]:
    out = model.model_json_schema()
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out["$id"] = f"urn:{fmt}"
    props = out.get("properties", {})
    for hidden in ("file", "line"):
        for definition in out.get("$defs", {}).values():
            definition.get("properties", {}).pop(hidden, None)
        props.pop(hidden, None)
    return out
