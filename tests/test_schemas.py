"""JSON Schemas of the file formats (quanheng.schemas.json_schema)."""

from __future__ import annotations

import pytest

from quanheng.errors import InputError
from quanheng.schemas import json_schema


def test_all_formats_by_id() -> None:
    schemas = json_schema()
    assert list(schemas) == ["quanheng/framework@1", "quanheng/study@1", "quanheng/evidence@1"]
    for fmt, schema in schemas.items():
        assert schema["$id"] == f"urn:{fmt}"
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_short_name_equals_full_id() -> None:
    assert json_schema("study") == json_schema("quanheng/study@1")


def test_record_location_fields_are_hidden() -> None:
    # file and line are where a record sits, filled in by the loader, never written by hand
    record = json_schema("evidence")["$defs"]["EvidenceRecord"]["properties"]
    assert "file" not in record and "line" not in record
    assert {"subject", "indicator", "value", "quote", "analyst"} <= set(record)


def test_unknown_format() -> None:
    with pytest.raises(InputError) as info:
        json_schema("scorecard")
    assert info.value.lines() == [
        "<schema>: unknown format 'scorecard' — use one of: all, quanheng/framework@1, "
        "quanheng/study@1, quanheng/evidence@1"
    ]
