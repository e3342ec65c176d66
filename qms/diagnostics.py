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


class Applicability(enum.Enum):
    """Whether a fix may be applied without a person reading it (ruff's safe / unsafe)."""

    SAFE = "safe"  # keeps the meaning: quoting, normalising, an exact spelling the rule proposes
    UNSAFE = "unsafe"  # may change the meaning (e.g. replacing an unknown id by the nearest known one)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text from (``line``, ``column``) up to, not including, (``end_line``, ``end_column``).

    Lines and columns are 1-based and count characters of the decoded file (without a byte-order
    mark), as :class:`Location` does. ``original`` is the text the span must hold now; an edit whose
    span holds something else (the file changed) is not applied.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    content: str
    original: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column, "content": self.content, "original": self.original}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Edit:
        return cls(int(d["line"]), int(d["column"]), int(d["end_line"]), int(d["end_column"]),
                   str(d["content"]), str(d.get("original", "")))


@dataclass(frozen=True, slots=True)
class Fix:
    """Text edits in the diagnostic's file that resolve it; applied together or not at all."""

    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]

    @property
    def safe(self) -> bool:
        return self.applicability is Applicability.SAFE

    def to_dict(self) -> dict[str, Any]:
        return {"applicability": self.applicability.value, "message": self.message,
                "edits": [e.to_dict() for e in self.edits]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fix:
        return cls(Applicability(d["applicability"]), str(d["message"]),
                   tuple(Edit.from_dict(e) for e in d["edits"]))


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
    fix: Fix | None = None

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
            "fix": self.fix.to_dict() if self.fix is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], waived_by: str = "") -> Diagnostic:
        """The diagnostic :meth:`to_dict` serialised (the result cache reads reports back)."""
        return cls(
            code=d["code"], name=d["name"], severity=Severity.parse(d["severity"]), message=d["message"],
            location=Location(d["path"], d["line"], d["column"], d["pointer"]), subject=d["subject"],
            clauses=tuple(d["clauses"]), hint=d["hint"],
            related=tuple(Location(r["path"], r["line"], r["column"], r["pointer"]) for r in d["related"]),
            waived_by=waived_by, fix=Fix.from_dict(d["fix"]) if d.get("fix") else None,
        )


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

    def to_dict(self) -> dict[str, Any]:
        """``{summary, diagnostics, waived}``: the body of the JSON document and of the result cache."""
        return {
            "summary": self.summary(),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "waived": [{**d.to_dict(), "waived_by": d.waived_by} for d in self.waived],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """The report :meth:`to_dict` (or the JSON document) serialised."""
        return cls(
            diagnostics=[Diagnostic.from_dict(d) for d in data["diagnostics"]],
            files_checked=int(data["summary"]["files"]),
            waived=[Diagnostic.from_dict(d, d.get("waived_by", "")) for d in data.get("waived", [])],
        )

    def exit_code(self, fail_on: Severity | None) -> int:
        """0 when nothing reaches ``fail_on`` (None means never fail), else 1."""
        if fail_on is None:
            return 0
        return 1 if any(d.severity >= fail_on for d in self.diagnostics) else 0
