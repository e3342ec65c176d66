"""The rule contract and the context rules run against.

A rule is a class with a permanent ``code`` (``QMSnnn``), a kebab-case
``name``, a default severity, the ISO clauses it serves, a profile (``iso``:
what the standard requires; ``strict``: house style) and a docstring that is
also its documentation page, with the sections *What it checks*, *Why*,
*Example*, *Fix*.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from qms.analysis.people import Directory
from qms.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from qms.i18n import _
from qms.store.workspace import LoadedDoc, Workspace
from qms.store.yaml_io import pointer as pointer  # the rules build their locations with it

Profile = Literal["iso", "strict"]


@dataclass(slots=True)
class CheckContext:
    workspace: Workspace
    today: dt.date = field(default_factory=dt.date.today)
    hours_per_day: float = 8.0
    cache: dict[str, Any] = field(default_factory=dict)
    # The rule catalogue, handed in by the engine so that rules judging the configuration (unknown
    # codes in waivers) need not import the registry, which imports them. Empty: not known.
    catalogue: tuple[type[Rule], ...] = ()

    def directory(self) -> Directory:
        """The people, roles and units of qms.yaml, indexed once per check."""
        found = self.cache.get("directory")
        if not isinstance(found, Directory):
            found = self.cache["directory"] = Directory.of(self.workspace.manifest)
        return found


def find_rule(rules: tuple[type[Rule], ...], code_or_name: str) -> type[Rule] | None:
    """The rule in ``rules`` whose code (any case) or kebab-case name is ``code_or_name``."""
    key = code_or_name.strip()
    for r in rules:
        if key.upper() == r.code or key.lower() == r.name:
            return r
    return None


def closest(value: str, choices: Iterable[str]) -> tuple[str | None, bool]:
    """The nearest of ``choices`` to ``value`` ("did you mean"), and whether it is the only close one."""
    close = difflib.get_close_matches(value, sorted(choices), n=2, cutoff=0.6)
    return (close[0] if close else None), len(close) == 1


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_YAML11_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar that reads back as the same string: plain if it can be, else single-quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML11_WORDS:
        return text
    return "'" + text.replace("'", "''") + "'"


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    clauses: ClassVar[tuple[str, ...]] = ()
    profile: ClassVar[Profile] = "iso"
    family: ClassVar[str] = ""

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        raise NotImplementedError

    # -- helpers -------------------------------------------------------------
    def at(
        self,
        doc: LoadedDoc[Any] | None,
        ptr: str,
        message: str,
        *,
        hint: str = "",
        subject: str = "",
        key: bool = False,
        path: str = "",
        related: tuple[Location, ...] = (),
        clauses: tuple[str, ...] | None = None,
        fix: Fix | None = None,
    ) -> Diagnostic:
        """A diagnostic located at ``ptr`` (a JSON pointer) inside ``doc``."""
        if doc is None:
            loc = Location(path or "qms.yaml", 1, 1, ptr)
        else:
            mark, _found = doc.source_map.locate(ptr, prefer_key=key)
            loc = Location(doc.path, mark.line, mark.column, ptr)
        return Diagnostic(
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            location=loc,
            subject=subject,
            clauses=self.clauses if clauses is None else clauses,
            hint=hint,
            related=related,
            fix=fix,
        )

    def replace_value(self, doc: LoadedDoc[Any] | None, ptr: str, old: str, new: str, message: str,
                      applicability: Applicability) -> Fix | None:
        """A fix that rewrites the one-line text scalar ``old`` at ``ptr`` as ``new`` (None if it cannot).

        The span comes from the source map, quotes included: a plain ``old`` is replaced by ``new``
        (quoted if YAML would read it as something else), a quoted one keeps its quotes.
        """
        if doc is None:
            return None
        span = doc.source_map.span(ptr)
        if span is None or span[0].line != span[1].line:
            return None
        start, end = span
        width = end.column - start.column
        if width == len(old):
            edit = Edit(start.line, start.column, end.line, end.column, yaml_scalar(new), old)
        elif width == len(old) + 2 and not any(c in new for c in "'\"\\"):
            # inside the quotes the author chose: the quotes stay, only the text between them changes
            edit = Edit(start.line, start.column + 1, end.line, end.column - 1, new, old)
        else:
            return None  # escapes or folding: leave it to a person
        return Fix(applicability, message, (edit,))

    def suggest(self, doc: LoadedDoc[Any] | None, ptr: str, value: str,
                choices: Iterable[str]) -> tuple[str, Fix | None]:
        """The "did you mean" hint for an unknown id, and an unsafe fix when the suggestion is unique.

        Replacing an unknown id by the nearest known one may change what the record says, so the
        fix is never safe: `qms check --unsafe-fixes` applies it.
        """
        best, unique = closest(value, choices)
        if best is None:
            return "", None
        hint = _("did you mean `{name}`?").format(name=best)
        fix = (self.replace_value(doc, ptr, value, best,
                                  _("replace `{old}` by `{new}`").format(old=value, new=best), Applicability.UNSAFE)
               if unique else None)
        return hint, fix

    @classmethod
    def doc(cls) -> dict[str, str]:
        """The docstring split into its sections."""
        import inspect

        text = inspect.cleandoc(cls.__doc__ or "")
        sections: dict[str, str] = {}
        current = "summary"
        buf: list[str] = []
        for line in text.splitlines():
            m = re.match(r"^(What it checks|Why|Example|Fix|Use instead)\s*:?\s*$", line.strip())
            if m:
                sections[current] = "\n".join(buf).strip()
                current = m.group(1).lower().replace(" ", "_")
                buf = []
            else:
                buf.append(line)
        sections[current] = "\n".join(buf).strip()
        return sections

    @classmethod
    def summary(cls) -> str:
        return cls.doc().get("summary", "").splitlines()[0] if cls.__doc__ else ""


def location_of(doc: LoadedDoc[Any], ptr: str, key: bool = False) -> Location:
    mark, _ = doc.source_map.locate(ptr, prefer_key=key)
    return Location(doc.path, mark.line, mark.column, ptr)
