"""Hostile and awkward input met while playing an internal auditor of a commune (round nine)."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from ids_helpers import example_repo


def _planned(tmp_path: Path, run_qms: Any) -> Path:
    """The example ward with AUD-2026-02 (QT-HT-01, QT-HT-02) planned and its checklist generated."""
    root = example_repo(tmp_path)
    for args in (("plan", "AUD-2026-02", "--date", "2026-11-10"), ("checklist", "AUD-2026-02")):
        r = run_qms("--root", str(root), "audit", *args)
        assert r.exit_code == 0, (args, r.stderr)
    return root


def test_nfd_evidence_is_recorded_as_nfc(tmp_path: Path, run_qms: Any) -> None:
    """A1: evidence typed in decomposed Vietnamese (NFD, as some macOS and web forms send it) is recorded
    (it was an internal error, exit 3, with nothing written) and stored as NFC."""
    root = _planned(tmp_path, run_qms)
    nfc = "Hồ sơ khai sinh số 0012 thiếu chữ ký của người tiếp nhận"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    r = run_qms("--root", str(root), "audit", "record", "AUD-2026-02", "Q01", "--result", "conforming",
                "--evidence", nfd, "--date", "2026-11-10")
    assert r.exit_code == 0, r.stderr
    text = (root / "audits" / "AUD-2026-02.yaml").read_text(encoding="utf-8")
    assert nfc in text
    assert unicodedata.normalize("NFC", text) == text
