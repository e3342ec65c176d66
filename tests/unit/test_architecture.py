"""The layer contract: what each part of ``qms/`` may import — an allowlist, checked on every import.

Every ``import`` and ``from … import`` counts, wherever it stands: at module level, inside a function
(a lazy import), under ``TYPE_CHECKING``, and ``"qms.pkg.module:attr"`` strings resolved with
``importlib`` (the lazy command and file-kind registries). A layer is a top-level sub-package or module
of ``qms/``; the contract is written per layer, so a new file inside a layer needs no change here.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "qms"

# The foundation every layer may use: the package root (version and tool name), fatal errors, i18n.
BASE = frozenset({"qms", "errors", "i18n"})
# Pure libraries below the models: clause catalogues and the working-day calendar (no files, no models).
LEAVES = frozenset({"standards", "calendar", "safe_regex"})
# What a use case may build on. Use cases never import rules/ (they judge records; they do not act).
# They may use output/'s shared formatters (one CSV writer, one text table, one-line escaping) for the
# documents they produce.
USE_CASE = BASE | LEAVES | {"models", "store", "diagnostics", "analysis", "output"}

# layer -> the other layers it MAY import. Anything not listed here is a violation.
ALLOWED: dict[str, frozenset[str]] = {
    "qms": frozenset(),
    "i18n": frozenset(),
    "errors": frozenset({"i18n"}),
    "diagnostics": frozenset({"i18n"}),
    "standards": BASE,
    "calendar": BASE,
    "safe_regex": BASE,  # repository regular expressions in linear time (RE2)
    "models": BASE | LEAVES,
    # the only layer that touches files; it knows the models it loads, nothing above them, and
    # attaches the text edits it can compute (quoting, NFC) as diagnostics.Edit values
    "store": BASE | LEAVES | {"models", "diagnostics"},
    # domain algorithms over the loaded workspace (store.workspace.Workspace is the in-memory index)
    "analysis": BASE | LEAVES | {"models", "store"},
    # legal references: canonical citations, the register index, change impact (issue 15)
    "legal": BASE | LEAVES | {"models", "store"},
    "rules": BASE | LEAVES | {"models", "store", "diagnostics", "analysis", "legal"},
    "engine": BASE | {"models", "store", "diagnostics", "rules"},
    # `qms check --fix`: runs the engine, applies the fixes its diagnostics carry through store/
    "fixing": BASE | {"models", "store", "diagnostics", "engine"},
    # presentation: the one serialisation of reports (SARIF describes the rules it reports, so it reads
    # the rule catalogue), and the shared text, CSV and JSON formatters of the commands' results, which
    # format models and analysis results and write through store/. Never a use case, engine or cli.
    "output": BASE | LEAVES | {"diagnostics", "rules", "models", "analysis", "store"},
    # documents cite legal references as their language writes them (qms.legal.wording)
    "render": BASE | LEAVES | {"models", "store", "analysis", "legal"},
    "signing": BASE | {"models", "store", "output"},  # output.safe keeps certificate names on one line
    "registers": USE_CASE | {"render", "doccontrol"},  # people reassign moves document ownership
    "doccontrol": USE_CASE | {"render"},
    "auditing": USE_CASE | {"render", "registers"},  # audit findings become NCs
    # a missed target becomes an NC; the one-stop obligations cite the regime of the period (qms.legal)
    "kpi": USE_CASE | {"render", "registers", "legal"},
    "review": USE_CASE | {"render", "kpi", "flow"},  # the review pack includes the KPI and flow reports
    "flow": USE_CASE | {"render", "registers", "kpi"},  # the KPI engine's dates, late rule, charts and NC links
    "migrate": USE_CASE | {"engine", "render"},  # the gap report runs the check; the report is a document
    # `qms import`: Word and Excel in; a 2008 document goes through the same migration as `qms migrate apply`
    "importer": USE_CASE | {"migrate", "legal", "render", "engine"},  # review report: pipeline + check findings
    "agenda": USE_CASE | {"doccontrol", "legal"},  # legal updates come from the legal register  # `qms due`: periodic document reviews come from the catalogue
    "cli": frozenset(),  # filled below: the top layer may import every layer but __main__
    "__main__": BASE | {"cli"},
}
ALLOWED["cli"] = frozenset(set(ALLOWED) - {"cli", "__main__"})

# Temporary, visible exceptions: (importing module, imported module) -> why, and what removes it.
# Each entry must still be needed (a test fails on a stale one) — delete it when the code moves.
# Empty since issue 17 item 3 moved the domain logic out of rules/ (into analysis/): keep it that way.
EXCEPTIONS: dict[tuple[str, str], str] = {}

_REF = re.compile(r"^(qms(?:\.\w+)+):\w+$")


@dataclass(frozen=True, slots=True)
class Import:
    source: str  # importing module, dotted
    target: str  # imported module, dotted (the deepest part that is a module of qms)
    path: Path
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _exists(dotted: str) -> bool:
    base = PACKAGE.parent.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _module_of(dotted: str) -> str:
    """The longest prefix of ``dotted`` that is a module or package of qms."""
    parts = dotted.split(".")
    while parts and not _exists(".".join(parts)):
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[Import]:
    """Every qms import in ``path``: module level, lazy, TYPE_CHECKING and ``"qms.x:attr"`` strings."""
    source = module_name(path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from qms.rules import audit` imports the module qms.rules.audit
            targets = [f"{module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            ref = _REF.match(node.value)
            if ref:
                targets = [ref.group(1)]
        for t in targets:
            if t == "qms" or t.startswith("qms."):
                target = _module_of(t)
                if target and target != source:
                    yield Import(source, target, path, getattr(node, "lineno", 0))


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "qms"


def all_imports() -> list[Import]:
    return [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in imports_of(path)]


def _violations(imports: list[Import] | None = None) -> tuple[list[str], set[tuple[str, str]]]:
    problems: list[str] = []
    used: set[tuple[str, str]] = set()
    for imp in all_imports() if imports is None else imports:
        src, dst = layer_of(imp.source), layer_of(imp.target)
        if src == dst or dst in ALLOWED.get(src, frozenset()):
            continue
        if (imp.source, imp.target) in EXCEPTIONS:
            used.add((imp.source, imp.target))
            continue
        allowed = ", ".join(sorted(ALLOWED.get(src, frozenset()))) or "nothing"
        problems.append(f"{imp.path.relative_to(PACKAGE.parent)}:{imp.line}: {imp.source} imports {imp.target}"
                        f" — layer `{src}` may import only: {allowed}")
    return problems, used


def test_every_layer_is_declared() -> None:
    """A new top-level package or module of qms/ must be placed in the contract before it is used."""
    layers = {module_name(p).split(".")[1] if "." in module_name(p) else "qms"
              for p in PACKAGE.rglob("*.py")}
    assert layers - set(ALLOWED) == set(), "declare these layers in ALLOWED"


def test_imports_follow_the_layer_allowlist() -> None:
    problems, _ = _violations()
    assert not problems, "\n".join(problems)


def test_the_contract_rejects_what_it_does_not_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """An import that is not on the allowlist is reported; one that is, or a listed exception, is not."""
    monkeypatch.setitem(EXCEPTIONS, ("qms.migrate.apply", "qms.rules.legacy"), "a listed exception")
    here = PACKAGE / "models" / "process.py"
    bad = [Import("qms.models.process", "qms.store.workspace", here, 3),  # models -> store
           Import("qms.store.cache", "qms.rules.registry", here, 4),  # store -> rules
           Import("qms.registers.nc", "qms.rules.nonconformity", here, 5),  # a use case -> rules
           Import("qms.migrate.gaps", "qms.rules.legacy", here, 6)]  # a use case -> rules, not listed
    good = [Import("qms.rules.identity", "qms.store.workspace", here, 7),
            Import("qms.migrate.apply", "qms.rules.legacy", here, 8)]  # the listed exception
    problems, used = _violations(bad + good)
    assert len(problems) == 4 and all(p.startswith("qms/models/process.py:") for p in problems)
    assert used == {("qms.migrate.apply", "qms.rules.legacy")}


def test_no_use_case_imports_rules() -> None:
    """Use cases judge nothing: none imports ``rules/`` (the domain logic they share with rules is in analysis/)."""
    use_cases = {"registers", "auditing", "doccontrol", "kpi", "review", "migrate", "agenda", "render"}
    found = [f"{i.source} imports {i.target}" for i in all_imports()
             if layer_of(i.source) in use_cases and layer_of(i.target) == "rules"]
    assert not found, "\n".join(found)


def test_every_exception_is_still_needed() -> None:
    _, used = _violations()
    stale = sorted(set(EXCEPTIONS) - used)
    assert not stale, f"these exceptions are no longer needed; delete them from EXCEPTIONS: {stale}"


def test_lazy_imports_are_seen(tmp_path: Path) -> None:
    """The scanner sees imports inside functions and ``qms.x:attr`` strings, not only module-level ones."""
    probe = PACKAGE / "models" / "organisation.py"
    found = {(i.target, i.line) for i in imports_of(probe)}
    assert any(t.startswith("qms.") for t, _ in found)
    lazy = PACKAGE / "store" / "workspace.py"
    assert any(i.target == "qms.models.organisation" for i in imports_of(lazy))  # a "qms.x:attr" string
    nested = [i for i in imports_of(PACKAGE / "review" / "pack.py") if i.target == "qms.kpi.repo"]
    assert nested, "a function-level import was not seen"


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for imp in all_imports():
        graph.setdefault(imp.source, set()).add(imp.target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.append(m)
                    if m == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_no_import_cycles_between_modules() -> None:
    """No two modules import each other, directly or through others — lazy imports included."""
    cycles = _cycles(_graph())
    assert not cycles, "\n".join(" ↔ ".join(c) for c in cycles)


def test_the_cycle_detector_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
