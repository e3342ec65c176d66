"""The file layer: only ``qms/store/`` touches files (issue 17 item 2).

Every read and write of a repository file, log, cache, output or git call goes through ``qms/store/``;
the package's own data is read through ``importlib.resources``. This test reads the syntax tree of
every module of ``qms/`` outside ``qms/store/`` and fails on a call that touches the file system:

* ``open(...)``, ``io.open``, ``os.open``/``os.fdopen`` and ``os.replace/rename/remove/unlink/rmdir/
  mkdir/makedirs/chmod/listdir/scandir/walk/...``;
* a path method: ``.read_text() .read_bytes() .write_text() .write_bytes() .open() .unlink()
  .mkdir() .rmdir() .touch() .rename() .chmod() .glob() .rglob() .iterdir()``;
* anything of ``shutil``, ``subprocess`` and ``tempfile``;
* a library given a path: polars ``read_*``/``scan_*``, python-docx ``Document(path)``, WeasyPrint's
  ``write_pdf(target)``, openpyxl ``load_workbook``, xlsxwriter ``Workbook(path)``, python-calamine,
  and a document or workbook's ``.save(target)`` unless the target is an in-memory buffer
  (``io.BytesIO``/``io.StringIO``).

A path method called on package data (an expression built from ``importlib.resources.files(...)``,
a name bound to one, or a parameter annotated ``Traversable``) is allowed. Probes that read no content
and change nothing (``exists()``, ``is_file()``, ``is_dir()``, ``stat()``, ``resolve()``) are not
counted. Calls on a module of ``qms`` (``api.write_pdf(...)`` of ``qms.render.api``) are qms's own
functions, which write through ``store/``.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "qms"

#: Path methods that read, write, list or change a file.
PATH_METHODS = frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "open", "unlink", "mkdir",
                          "rmdir", "touch", "rename", "chmod", "symlink_to", "hardlink_to", "glob", "rglob",
                          "iterdir"})
#: Functions of ``os`` that read, write, list or change a file.
OS_CALLS = frozenset({"open", "fdopen", "replace", "rename", "renames", "remove", "unlink", "rmdir",
                      "removedirs", "mkdir", "makedirs", "chmod", "chown", "link", "symlink", "truncate",
                      "listdir", "scandir", "walk", "fwalk", "mkfifo", "utime"})
#: Modules every function of which touches files or runs programs.
WHOLE_MODULES = frozenset({"shutil", "subprocess", "tempfile"})
#: Libraries that open a path they are given: module -> the names that do (``*`` for all).
LIBRARY_CALLS: dict[str, frozenset[str]] = {
    "docx": frozenset({"Document"}),
    "openpyxl": frozenset({"load_workbook"}),
    "xlsxwriter": frozenset({"Workbook"}),
    "python_calamine": frozenset({"*"}),
}

#: Calls that stay outside ``store/``: (module path, call) -> why it cannot move. Each entry must still
#: be needed (a test fails on a stale one).
ALLOWED: dict[tuple[str, str], str] = {
}

@dataclass(frozen=True, slots=True)
class Touch:
    path: str  # relative to the repository, POSIX
    line: int
    call: str  # what is called: "open", "os.replace", ".read_text", "shutil.copytree", "polars.read_csv"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}(...) touches a file outside qms/store/"


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> the dotted name it was imported as (module level and inside functions)."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                out[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.ImportFrom) and node.level:
            for a in node.names:
                out[a.asname or a.name] = f"qms.{node.module or ''}.{a.name}"
    return out


def _dotted(expr: ast.expr, aliases: dict[str, str]) -> str | None:
    """``a.b.c`` resolved through the imports, or None when its head is not an imported name."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name) or expr.id not in aliases:
        return None
    return ".".join([aliases[expr.id], *reversed(parts)])


def _resource_names(tree: ast.AST, aliases: dict[str, str]) -> set[str]:
    """Names bound to package data: assigned from ``importlib.resources.files(...)`` (or an expression
    over such a name), a loop variable over one, or a parameter annotated ``Traversable``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None and "Traversable" in ast.unparse(node.annotation):
            names.add(node.arg)
    changed = True
    while changed:
        changed = False
        for node in ast.walk(tree):
            bound: list[ast.expr] = []
            if isinstance(node, ast.Assign) and _is_resource(node.value, aliases, names):
                bound = list(node.targets)
            elif isinstance(node, ast.For | ast.comprehension) and _is_resource(node.iter, aliases, names):
                bound = [node.target]
            for target in bound:
                if isinstance(target, ast.Name) and target.id not in names:
                    names.add(target.id)
                    changed = True
    return names


def _is_resource(expr: ast.expr, aliases: dict[str, str], names: set[str]) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and _dotted(node.func, aliases) in ("importlib.resources.files",
                                                                          "importlib.resources.as_file"):
            return True
        if isinstance(node, ast.Name) and node.id in names:
            return True
    return False


def _buffer_names(tree: ast.AST, aliases: dict[str, str]) -> set[str]:
    """Names bound to an in-memory buffer (``io.BytesIO()``, ``io.StringIO()``)."""
    return {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign) and _is_buffer(node.value, aliases, set())
            for t in node.targets if isinstance(t, ast.Name)}


def _is_buffer(expr: ast.expr, aliases: dict[str, str], names: set[str]) -> bool:
    if isinstance(expr, ast.Name):
        return expr.id in names
    return isinstance(expr, ast.Call) and _dotted(expr.func, aliases) in ("io.BytesIO", "io.StringIO")


def _library_call(dotted: str, call: ast.Call) -> bool:
    module, _sep, name = dotted.partition(".")
    if module == "polars":
        return name.startswith(("read_", "scan_"))
    wanted = LIBRARY_CALLS.get(module)
    if wanted is None:
        return False
    return ("*" in wanted or name.rpartition(".")[2] in wanted) and bool(call.args or call.keywords)


def _module_call(dotted: str, call: ast.Call) -> bool:
    """Whether ``dotted`` (an imported function) touches the file system."""
    module = dotted.split(".")[0]
    last = dotted.rpartition(".")[2]
    return (dotted in ("io.open", "builtins.open", "codecs.open")
            or (module == "os" and last in OS_CALLS and dotted.count(".") == 1)
            or module in WHOLE_MODULES
            or _library_call(dotted, call)
            or (dotted.startswith("pathlib.Path.") and last in PATH_METHODS))


def touches(path: Path, source: str | None = None) -> list[Touch]:
    """Every call in ``path`` (or in ``source``, read as that file) that touches the file system."""
    rel = path.relative_to(PACKAGE.parent).as_posix()
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"), filename=rel)
    aliases = _aliases(tree)
    resources = _resource_names(tree, aliases)
    buffers = _buffer_names(tree, aliases)
    found: list[Touch] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        call: str | None = None
        dotted = _dotted(func, aliases)
        if isinstance(func, ast.Name) and func.id == "open" and "open" not in aliases:
            call = "open"
        elif dotted is not None:
            if _module_call(dotted, node):
                call = dotted
        elif isinstance(func, ast.Attribute):
            if func.attr in PATH_METHODS and not _is_resource(func.value, aliases, resources):
                call = "." + func.attr
            elif func.attr == "write_pdf" and (node.args or any(k.arg == "target" for k in node.keywords)):
                call = ".write_pdf"
            elif func.attr == "save" and node.args and not _is_buffer(node.args[0], aliases, buffers):
                call = ".save"
        if call is not None:
            found.append(Touch(rel, node.lineno, call))
    return sorted(found, key=lambda t: t.line)


def scanned_modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py"))
            if p.relative_to(PACKAGE).parts[0] != "store"]


def _violations(allowed: dict[tuple[str, str], str] = ALLOWED,
                found: list[Touch] | None = None) -> tuple[list[Touch], set[tuple[str, str]]]:
    problems: list[Touch] = []
    used: set[tuple[str, str]] = set()
    if found is None:
        found = [touch for path in scanned_modules() for touch in touches(path)]
    for touch in found:
        key = (touch.path, touch.call)
        if key in allowed:
            used.add(key)
        else:
            problems.append(touch)
    return problems, used


def test_only_store_touches_files() -> None:
    problems, _used = _violations()
    assert not problems, ("move these file accesses into qms/store/ (or read package data through "
                          "importlib.resources):\n" + "\n".join(map(str, problems)))


def test_every_allowed_entry_is_still_needed() -> None:
    _problems, used = _violations()
    stale = sorted(set(ALLOWED) - used)
    assert not stale, f"these entries are no longer needed; delete them from ALLOWED: {stale}"


def test_every_allowed_entry_says_why() -> None:
    assert all(reason.strip() for reason in ALLOWED.values())


def test_a_stale_allowance_is_found() -> None:
    """An entry whose call is gone is reported as unused; one whose call is there is used."""
    found = touches(PACKAGE / "sample.py", SAMPLE)
    kept, stale = ("qms/sample.py", "open"), ("qms/sample.py", "os.rename")
    problems, used = _violations({kept: "a reason", stale: "a reason"}, found)
    assert used == {kept}
    assert len(problems) == len(found) - 1 and all(t.call != "open" for t in problems)


SAMPLE = '''
import io, os, shutil, subprocess, tempfile
import polars as pl
from docx import Document
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from qms.render import api

def f(p: Path, data: Traversable) -> None:
    open(p)                                  # 1 open
    p.read_text()                            # 2 .read_text
    (p / "x").write_bytes(b"")               # 3 .write_bytes
    os.replace(p, p)                         # 4 os.replace
    shutil.copytree(p, p)                    # 5 shutil.copytree
    subprocess.run(["git"])                  # 6 subprocess.run
    tempfile.mkstemp()                       # 7 tempfile.mkstemp
    pl.read_csv(p)                           # 8 polars.read_csv
    Document(str(p))                         # 9 docx.Document
    p.glob("*.yaml")                         # 10 .glob
    p.unlink()                               # 11 .unlink
    doc.write_pdf(p)                         # 12 .write_pdf
    wb.save(p / "out.xlsx")                  # 13 .save
    base = resources.files("qms") / "data"
    base.read_text()                         # package data: allowed
    for entry in base.iterdir():
        entry.open("rb")                     # package data: allowed
    data.iterdir()                           # a Traversable parameter: allowed
    (resources.files("qms") / "x").read_bytes()  # allowed
    api.write_pdf("<p/>", p, None)           # qms's own function: allowed
    doc.write_pdf()                          # returns bytes: allowed
    p.exists(); p.is_file(); p.stat()        # probes: not counted
    Document()                               # a new, empty document: allowed
    buf = io.BytesIO()
    wb.save(buf)                             # an in-memory buffer: allowed
    wb.save(io.BytesIO())                    # allowed
'''


def test_the_scan_finds_what_it_should() -> None:
    """The scan is not vacuous: each kind of file access is caught, package data and probes are not."""
    found = touches(PACKAGE / "sample.py", SAMPLE)
    assert [t.call for t in found] == [
        "open", ".read_text", ".write_bytes", "os.replace", "shutil.copytree", "subprocess.run",
        "tempfile.mkstemp", "polars.read_csv", "docx.Document", ".glob", ".unlink", ".write_pdf", ".save",
    ], [str(t) for t in found]
    assert Counter(t.path for t in found) == {"qms/sample.py": 13}
