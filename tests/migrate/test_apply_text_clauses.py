"""A text that cites a 2008 clause number keeps its edition: "điều 8.5.3 ISO 9001:2008" never becomes
"điều 8.5.3 ISO 9001:2015" (in 2015, 8.5.3 is property of customers, not preventive action)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from qms.migrate.apply import LOG_NAME, plan_migration, write

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "iso2008-city"


def test_edition_is_not_rewritten_beside_a_2008_clause_number(tmp_path: Path) -> None:
    """M1: a purpose citing "điều 8.5.3 ISO 9001:2008" keeps "ISO 9001:2008" (with a suggestion to check the
    clause by hand, in the log); a text that names the edition without a clause number is still rewritten;
    a second run changes nothing."""
    root = tmp_path / "city"
    shutil.copytree(SAMPLE, root)
    path = root / "processes" / "QT-06.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "vi: Thủ tục dạng văn bản về xác định sự không phù hợp tiềm ẩn và thực hiện hành động phòng ngừa.",
        "vi: Xác định sự không phù hợp tiềm ẩn theo điều 8.5.3 ISO 9001:2008.", 1)
    text = text.replace("vi: Áp dụng cho mọi quá trình của hệ thống.",
                        "vi: Áp dụng cho mọi quá trình của hệ thống quản lý theo TCVN ISO 9001:2008.", 1)
    assert "điều 8.5.3 ISO 9001:2008" in text and "theo TCVN ISO 9001:2008" in text
    path.write_text(text, encoding="utf-8")
    plan = plan_migration(root)
    write(plan)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "8.5.3 ISO 9001:2015" not in data["purpose"]["vi"], data["purpose"]["vi"]
    assert data["purpose"]["vi"] == "Xác định sự không phù hợp tiềm ẩn theo điều 8.5.3 ISO 9001:2008."
    assert data["scope"]["vi"] == "Áp dụng cho mọi quá trình của hệ thống quản lý theo TCVN ISO 9001:2015."
    log = yaml.safe_load((root / LOG_NAME).read_text(encoding="utf-8"))
    assert any(s["file"] == "processes/QT-06.yaml" and s["pointer"] == "/purpose/vi" and "8.5.3" in s["found"]
               and s["suggestion"] == "6.1" for s in log["suggestions"]), log["suggestions"]
    assert not any(c["pointer"] == "/purpose/vi" and "2015" in str(c["after"]) for c in log["changes"]
                   if c["file"] == "processes/QT-06.yaml")
    assert not plan_migration(root).changed
