"""Rule documentation pages (`qms rule CODE`) in other languages than English.

The English page is the rule's docstring (summary, What it checks, Why, Example, Fix, Use instead).
A translation lives in ``locale/<lang>/rule_pages.yaml``, one entry per rule code: each prose section
translated whole, and for the example only its prose parts (code blocks are shown as written). Each
entry records ``source``, a short hash of the English sections it translates: when a docstring
changes, the translation is stale, is not shown (the English page is), and a test names it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

import yaml

SECTIONS: tuple[str, ...] = ("summary", "what_it_checks", "why", "example", "fix", "use_instead")
_FENCE = re.compile(r"(```.*?```)", re.S)


def source_hash(doc: dict[str, str]) -> str:
    """A short hash of the English sections a translation was made from."""
    text = "\x1e".join(f"{key}\x1f{doc.get(key, '').strip()}" for key in SECTIONS)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def example_prose(example: str) -> list[str]:
    """The prose parts of an example, in order (code blocks excluded)."""
    return [part.strip() for part in _FENCE.split(example) if part.strip() and not part.startswith("```")]


@cache
def pages(lang: str) -> dict[str, dict[str, Any]]:
    """Every translated page of ``lang``, by rule code."""
    base = resources.files("qms.i18n") / "locale" / lang / "rule_pages.yaml"
    if not base.is_file():
        return {}
    data = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip()


def translated(code: str, doc: dict[str, str], lang: str) -> dict[str, str] | None:
    """The sections of ``doc`` (a rule's English page) in ``lang``; None when there is no current
    translation (missing, or made from an English text that has since changed)."""
    entry = pages(lang).get(code)
    if not isinstance(entry, dict) or entry.get("source") != source_hash(doc):
        return None
    out: dict[str, str] = {}
    for key in SECTIONS:
        english = doc.get(key, "").strip()
        if not english:
            continue
        if key == "example":
            prose = [_nfc(p) for p in entry.get("example") or []]
            if len(prose) != len(example_prose(english)):
                return None
            parts = iter(prose)
            out[key] = "".join(part if part.startswith("```") or not part.strip()
                               else part.replace(part.strip(), next(parts))
                               for part in _FENCE.split(english)).strip()
            continue
        if not entry.get(key):
            return None
        out[key] = _nfc(entry[key])
    return out
