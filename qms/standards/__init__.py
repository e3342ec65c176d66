"""ISO 9001 editions, clause catalogues and correlations, shipped as package data.

The YAML files under ``data/`` are built from public sources and keep their
verification flags (``vi_verified``, ``untitled``, per-row ``evidence``) so
that the product can show what is certain and what needs a person to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from typing import Any

import yaml

try:  # pragma: no cover
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Clause:
    id: str
    title: str
    title_vi: str
    level: int
    vi_verified: bool
    untitled: bool
    new_in_2015: bool = False
    documented_procedure_required: bool = False
    #: for an untitled subclause (a number only in the standard): its parent's titles
    parent_title: str = ""
    parent_title_vi: str = ""

    def label(self, lang: str) -> str:
        """The title to print: an untitled subclause shows its parent's title, never an invented one."""
        if self.untitled and (self.parent_title or self.parent_title_vi):
            return self.parent_title_vi if lang == "vi" and self.parent_title_vi else self.parent_title
        return self.title_vi if lang == "vi" and self.title_vi else self.title


@cache
def load_data(name: str) -> Any:
    from qms.standards.editions import data_root

    return yaml.load(_read_text(data_root(), name), Loader=_Loader)


def _read_text(root: Traversable, name: str) -> str:
    """A file of the standards data (package data, read through ``importlib.resources``)."""
    return (root / name).read_text(encoding="utf-8")


@cache
def catalogue(edition: str = "2015") -> dict[str, Clause]:
    """Clauses of ISO 9001:``edition`` keyed by number, in document order."""
    from qms.standards.editions import registry

    ed = registry().get(edition)
    if not ed.has_catalogue:
        from qms.errors import UsageError
        from qms.i18n import _

        raise UsageError(_("qms ships no clause catalogue for ISO 9001:{edition} yet").format(edition=edition),
                         hint=_("its text is not verified (status: {status})").format(status=ed.status))
    data = load_data(ed.clauses_file)
    result: dict[str, Clause] = {}
    for row in data["clauses"]:
        cid = str(row["id"])
        parent = result.get(cid.rsplit(".", 1)[0]) if "." in cid else None
        result[cid] = Clause(
            id=cid,
            title=str(row.get("title", "")),
            title_vi=str(row.get("title_vi", "")),
            level=int(row.get("level", cid.count(".") + 1)),
            vi_verified=bool(row.get("vi_verified", False)),
            untitled=bool(row.get("untitled", False)),
            new_in_2015=bool(row.get("new_in_2015", False)),
            documented_procedure_required=bool(row.get("documented_procedure_required", False)),
            parent_title=parent.label("en") if parent is not None else "",
            parent_title_vi=parent.label("vi") if parent is not None else "",
        )
    return result


def normalise_clause(text: str) -> str:
    """``"8.5.1 a)"`` → ``"8.5.1"``; ``"clause 7.5"`` → ``"7.5"``."""
    token = text.strip().split()[0] if text.strip() else ""
    if token.lower() in ("clause", "điều", "mục") and len(text.split()) > 1:
        token = text.split()[1]
    return token.rstrip(".")


def clause_exists(clause: str, edition: str = "2015") -> bool:
    return normalise_clause(clause) in catalogue(edition)


def parent_clauses(clause: str) -> list[str]:
    """``"8.5.1"`` → ``["8", "8.5", "8.5.1"]``."""
    parts = normalise_clause(clause).split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]
