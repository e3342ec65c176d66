"""Find user-facing string literals that bypass the catalogue (issue 16 item 9).

A *sink* is a place whose text reaches the user: ``click.echo``/``secho``, the constructor of a
``QmsError`` subclass, a ``hint=``/``help=``/``message=``/``reason=`` keyword, a load, schema or KPI row problem, a rule's ``self.at(doc, ptr, MESSAGE)``
and a ``ValueError`` raised in a model validator (pydantic shows its text). A literal reaching a sink
must be wrapped in ``_()``/``N_()``/``pgettext``/``ngettext`` (or, for click ``help=``, be a msgid of the
catalogue: click help is translated when the page is formatted). Literals without a letter
(separators, blank lines) are never user text.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TRANSLATORS = {"_", "N_", "gettext", "ngettext", "pgettext", "bilingual"}
ECHO = {"echo", "secho"}
BASE_ERRORS = {"QmsError"}
SINK_KEYWORDS = {"hint", "help", "message", "reason"}
#: the store's and the KPI reader's problem records: constructor -> index of the positional message
PROBLEM_RECORDS = {"LoadProblem": 1, "SchemaProblem": 1, "RejectedRow": 2}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    sink: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.sink}: {self.text!r}"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def has_words(text: str) -> bool:
    return any(c.isalpha() for c in PLACEHOLDER.sub("", text))


def untranslated(node: ast.expr | None) -> str | None:
    """The literal text of ``node`` when it is user text not routed through a translator."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if has_words(node.value) else None
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        return text if has_words(text) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return untranslated(node.left) or (untranslated(node.right) if isinstance(node.op, ast.Add) else None)
    if isinstance(node, ast.IfExp):
        return untranslated(node.body) or untranslated(node.orelse)
    if isinstance(node, ast.Call):
        if _name(node.func) in TRANSLATORS:
            return None
        if isinstance(node.func, ast.Attribute) and node.func.attr in {"format", "join", "strip"}:
            return untranslated(node.func.value)
    return None


def error_classes(files: list[Path]) -> set[str]:
    """``QmsError`` and every class of the package derived from it (by name, to a fixed point)."""
    bases: dict[str, set[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(_name(b) for b in node.bases)
    found = set(BASE_ERRORS)
    changed = True
    while changed:
        changed = False
        for name, parents in bases.items():
            if name not in found and parents & found:
                found.add(name)
                changed = True
    return found


def scan(package: Path, help_msgids: set[str]) -> Iterator[Finding]:
    files = sorted(package.rglob("*.py"))
    errors = error_classes(files)
    for path in files:
        rel = path.relative_to(package.parent).as_posix()
        in_models = rel.startswith("qms/models/")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            candidates: list[tuple[str, ast.expr]] = []
            if name in ECHO and node.args:
                candidates.append((name, node.args[0]))
            if name in errors or (in_models and name == "ValueError"):
                candidates += [(name, a) for a in node.args[:2]]
            if name == "at" and isinstance(node.func, ast.Attribute) and len(node.args) >= 3:
                candidates.append(("finding message", node.args[2]))
            if name in PROBLEM_RECORDS and len(node.args) > PROBLEM_RECORDS[name]:
                candidates.append((name, node.args[PROBLEM_RECORDS[name]]))
            if name == "Diagnostic" and len(node.args) >= 4:
                candidates.append(("finding message", node.args[3]))
            for kw in node.keywords:
                if kw.arg in SINK_KEYWORDS:
                    candidates.append((f"{kw.arg}=", kw.value))
            for sink, arg in candidates:
                text = untranslated(arg)
                if text is None:
                    continue
                if sink == "help=" and inspect.cleandoc(text) in help_msgids:
                    continue  # click help, translated when the page is formatted (qms.cli.helptext)
                yield Finding(rel, arg.lineno, sink, text)
