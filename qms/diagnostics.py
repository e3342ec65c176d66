"""Findings as data: severities, locations, diagnostics and the report.

Rules yield :class:`Diagnostic` values; nothing here prints or touches files.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """Ordered so that ``max()`` gives the worst finding."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}; use error, warning or info") from None


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: a repository-relative path, 1-based line/column and a JSON pointer."""

    path: str
    line: int = 1
    column: int = 1
    pointer: str = ""

    def render(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    subject: str = ""
    clauses: tuple[str, ...] = ()
    hint: str = ""
    related: tuple[Location, ...] = ()
    waived_by: str = ""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        """The one serialisation every output format is built from."""
        loc = self.location
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "path": loc.path,
            "line": loc.line,
            "column": loc.column,
            "pointer": loc.pointer,
            "subject": self.subject,
            "clauses": list(self.clauses),
            "hint": self.hint,
            "related": [
                {"path": r.path, "line": r.line, "column": r.column, "pointer": r.pointer} for r in self.related
            ],
        }


@dataclass(slots=True)
class Report:
    """A sorted set of diagnostics plus what was examined."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_checked: int = 0
    waived: list[Diagnostic] = field(default_factory=list)

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(items)

    def finalise(self) -> Report:
        seen: set[tuple[str, str, int, int, str]] = set()
        unique: list[Diagnostic] = []
        for d in sorted(self.diagnostics, key=Diagnostic.sort_key):
            key = (d.code, d.location.path, d.location.line, d.location.column, d.message)
            if key not in seen:
                seen.add(key)
                unique.append(d)
        self.diagnostics = unique
        return self

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    def summary(self) -> dict[str, int]:
        return {
            "files": self.files_checked,
            "errors": self.count(Severity.ERROR),
            "warnings": self.count(Severity.WARNING),
            "infos": self.count(Severity.INFO),
            "waived": len(self.waived),
        }

    def exit_code(self, fail_on: Severity | None) -> int:
        """0 when nothing reaches ``fail_on`` (None means never fail), else 1."""
        if fail_on is None:
            return 0
        return 1 if any(d.severity >= fail_on for d in self.diagnostics) else 0
