"""Imports flow one way: cli → use cases → rules → (store, diagnostics) → models."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "qms"

# layer -> qms sub-packages it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "models": ("store", "rules", "engine", "cli", "render", "registers", "auditing", "kpi", "migrate",
               "doccontrol", "signing", "output", "analysis"),
    "store": ("rules", "engine", "cli", "render", "registers", "auditing", "migrate", "doccontrol",
              "signing", "output"),
    "diagnostics": ("store", "rules", "engine", "cli", "render", "models"),
    "standards": ("store", "rules", "engine", "cli", "render", "models"),
    "rules": ("engine", "cli", "render", "output"),
    "analysis": ("rules", "engine", "cli", "render"),
    "engine": ("cli", "render"),
    "output": ("cli", "engine", "render"),
    "render": ("cli",),
    "registers": ("cli",),
    "auditing": ("cli",),
    "kpi": ("cli",),
    "migrate": ("cli",),
    "calendar": ("cli", "store", "rules", "engine", "render"),
    "doccontrol": ("cli",),
    "signing": ("cli",),
    "i18n": ("store", "rules", "engine", "cli", "render", "models"),
}


def _layer(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("qms."):
                    found.add(alias.name.split(".")[1])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("qms."):
                found.add(node.module.split(".")[1])
            elif node.module == "qms":
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 1 and path.parent != PACKAGE:
            found.add(path.relative_to(PACKAGE).parts[0])
    return found


def test_imports_flow_one_way() -> None:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = _layer(path)
        for target in _imports(path) & set(FORBIDDEN.get(layer, ())):
            problems.append(f"{path.relative_to(PACKAGE.parent)} ({layer}) imports qms.{target}")
    assert not problems, "\n".join(problems)


def test_nothing_but_the_cli_imports_the_cli() -> None:
    offenders = [
        str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
        if _layer(p) not in ("cli", "__main__") and "cli" in _imports(p)
    ]
    assert not offenders
