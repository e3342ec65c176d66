"""Texts a document in one language would print in the other: a ``Text`` with only ``vi`` or only ``en``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from qms.models.common import Text

#: Fields that are never printed in an issued document
_NOT_PRINTED = frozenset({"internal_notes"})


def untranslated(model: BaseModel, lang: str, base: str = "") -> Iterator[str]:
    """The JSON pointers (under ``base``) of the texts of ``model`` that have no ``lang`` text but have the other
    language's: a document in ``lang`` prints those in the other language. Internal notes are skipped."""
    for name in type(model).model_fields:
        if name in _NOT_PRINTED:
            continue
        yield from _walk(getattr(model, name), lang, f"{base}/{name}")


def _walk(value: Any, lang: str, ptr: str) -> Iterator[str]:
    if isinstance(value, Text):
        if not getattr(value, lang, "").strip() and value.get(lang).strip():
            yield ptr
    elif isinstance(value, BaseModel):
        yield from untranslated(value, lang, ptr)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk(item, lang, f"{ptr}/{i}")
