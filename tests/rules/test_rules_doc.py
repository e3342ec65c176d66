"""docs/rules.md is the rendering of the rule docstrings; regenerate with `python -m qms.rules.docs > docs/rules.md`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qms.rules.docs import render
from qms.rules.registry import all_rules

REPO = Path(__file__).resolve().parents[2]


def test_docs_rules_md_is_up_to_date() -> None:
    current = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == render(), "docs/rules.md is stale: run `python -m qms.rules.docs > docs/rules.md`"


def test_every_rule_has_a_section_and_a_table_row() -> None:
    text = render()
    for rule in all_rules():
        assert f"### {rule.code} {rule.name}\n" in text
        assert f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) |" in text


def test_module_entry_point_prints_the_page() -> None:
    out = subprocess.run([sys.executable, "-m", "qms.rules.docs"], capture_output=True, text=True, check=True,
                         encoding="utf-8")
    assert out.stdout == render()
