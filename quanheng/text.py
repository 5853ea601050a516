"""Bilingual text: every name a user sees exists in Chinese and English."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["Lang", "Localised", "Name", "Text", "local"]

Lang = Literal["zh", "en"]


class Text(BaseModel):
    """Free text in one or both languages (descriptions, level descriptors)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    zh: str | None = None
    en: str | None = None

    @model_validator(mode="after")
    def _one_language(self) -> Text:
        if not (self.zh or self.en):
            raise ValueError("give the text in at least one language (zh or en)")
        return self

    def get(self, lang: Lang) -> str:
        """The text in ``lang``, falling back to the other language."""
        first, second = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return first or second or ""


class Name(Text):
    """A display name: required in both languages, since reports come in both."""

    zh: str
    en: str


Localised = str | Text
"""Text a file may give as a plain string (one language for both reports) or as ``{zh, en}``."""


def local(value: str | Text | None, lang: Lang) -> str:
    """``value`` in ``lang``: a plain string as written, a :class:`Text` in ``lang`` (or the other
    language when it gives only one); empty for ``None``."""
    if value is None:
        return ""
    return value if isinstance(value, str) else value.get(lang)
