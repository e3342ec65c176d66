"""Evidence tags of the correlation tables and the editions data stay in the product (CLI, JSON, migration
report), never in issued text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: the evidence tags and confidence words of qms/standards/data, as they would leak into a document
TAGS = re.compile(r"inverse-of|seen_n1293|seen_dis|seen_variant|\brecalled\b|identity-default|evidence:|"
                  r"Amd 1:2024|climate_change")


def test_issued_documents_carry_no_evidence_tags(example_copy: Path, tmp_path: Path,
                                                 run_qms: Callable[..., Any]) -> None:
    """I1: the manual and procedures of the example (which records the Amd 1:2024 decision) show no evidence tag."""
    assert "climate_change:" in (example_copy / "qms.yaml").read_text(encoding="utf-8")
    for lang in ("vi", "en"):
        out = tmp_path / f"site-{lang}"
        result = run_qms("--root", str(example_copy), "render", "manual", "--format", "html", "-o", str(out),
                         "--lang", lang)
        assert result.exit_code == 0, result.stderr
        pages = sorted(out.rglob("*.html"))
        assert len(pages) > 5
        for page in pages:
            found = TAGS.search(page.read_text(encoding="utf-8"))
            assert found is None, (page.name, found.group(0) if found else "")


def test_the_command_line_shows_the_evidence(example_copy: Path, tmp_path: Path,
                                                 run_qms: Callable[..., Any]) -> None:
    """I2: the product does show them: `migrate map` answers with the evidence of each target, in words
    ("its row in the inverse table is read in the published table"); the JSON answer keeps the tags."""
    result = run_qms("--lang", "en", "migrate", "map", "5.6")
    assert "its row in the inverse table is read in the published table" in result.stdout
    assert "evidence: recalled from memory (to confirm)" in result.stdout
    assert "inverse-of:seen_n1293" not in result.stdout
    data = run_qms("migrate", "map", "5.6", "--format", "json")
    assert "inverse-of:seen_n1293" in data.stdout and '"evidence": "recalled"' in data.stdout
