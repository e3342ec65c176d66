"""QMS607's hints name the closest people, roles and units, not the first ones of qms.yaml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def test_qms607_hints_rank_by_closeness(example_copy: Path, run_qms: Callable[..., Any]) -> None:
    """An auditee `em` (no close match above the cut-off) was hinted with the first five people in alphabetical
    order (Bùi Văn Khánh, Hoàng Văn Em, ...); an unknown lead `khanh` only with "use an id from
    organisation.people". Both hints now start with the closest: hoang_van_em, bui_van_khanh."""
    audit = example_copy / "audits" / "AUD-2026-01.yaml"
    text = audit.read_text(encoding="utf-8")
    assert "  lead: bui_van_khanh\n" in text and "  auditees:\n  - truong_phong_vhxh\n" in text
    audit.write_text(text.replace("  lead: bui_van_khanh\n", "  lead: khanh\n")
                     .replace("  auditees:\n  - truong_phong_vhxh\n", "  auditees:\n  - em\n"), encoding="utf-8")
    r = run_qms("--lang", "en", "check", "--select", "QMS607", cwd=example_copy)
    assert r.exit_code == 1, r.stderr
    lines = r.stdout.splitlines()
    hints = {lines[i].split("QMS607")[1]: lines[i + 1] for i, line in enumerate(lines) if "QMS607" in line}
    lead = next(h for m, h in hints.items() if "unknown person `khanh`" in m)
    auditee = next(h for m, h in hints.items() if "auditee `em`" in m)
    assert "(closest: bui_van_khanh, " in lead, lead
    assert "(closest: hoang_van_em, " in auditee, auditee
    assert "Bùi Văn Khánh, Hoàng Văn Em, Lê Văn Cường" not in auditee
