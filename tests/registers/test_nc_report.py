"""The register PDF through the render layer: register table first, then one sheet per record."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nc_helpers import NEW_ARGS, qms_proc

pypdf = pytest.importorskip("pypdf")


def test_register_pdf_has_table_then_one_sheet_per_record(run_qms: Callable[..., Any], repo: Path,
                                                         tmp_path: Path) -> None:
    assert qms_proc(repo, *NEW_ARGS).returncode == 0
    second = [*NEW_ARGS]
    second[second.index("Trả kết quả trễ hạn")] = "Thiếu biểu mẫu tại quầy"
    assert qms_proc(repo, *second).returncode == 0
    assert qms_proc(repo, "nc", "correct", "NC-2026-0002", "--description", "Bổ sung mẫu", "--by", "an").returncode == 0
    out = tmp_path / "nc.pdf"
    res = run_qms("--lang", "vi", "nc", "report", "-o", str(out), cwd=repo)
    assert res.exit_code == 0, res.stderr
    reader = pypdf.PdfReader(str(out))
    pages = [re.sub(r"\s+", " ", p.extract_text()) for p in reader.pages]
    text = " ".join(pages)
    assert "Sổ theo dõi sự không phù hợp và hành động khắc phục" in text
    table_page = next(i for i, p in enumerate(pages) if "NC-2026-0001" in p)
    sheet_1 = next(i for i, p in enumerate(pages) if "NC-2026-0001 — Trả kết quả trễ hạn" in p)
    sheet_2 = next(i for i, p in enumerate(pages) if "NC-2026-0002 — Thiếu biểu mẫu tại quầy" in p)
    assert table_page < sheet_1 < sheet_2
    assert "NC-2026-0002" in pages[table_page]  # both rows in the register table
    assert "Bổ sung mẫu" in pages[sheet_2]  # the correction (10.2.1 a) on the record sheet
    html = tmp_path / "nc.html"
    res = run_qms("--lang", "en", "nc", "report", "-o", str(html), cwd=repo)  # the repository is vi
    assert res.exit_code == 0, res.stderr
    assert "Register of nonconformities and corrective actions" in html.read_text(encoding="utf-8")
