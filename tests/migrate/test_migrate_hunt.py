"""Round 9 (real use): `qms migrate apply` on the texts a 2008-era agency really wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CITY_2008 = REPO / "examples" / "iso2008-city"


def test_a_bare_2008_clause_number_keeps_the_2008_edition_in_the_text(tmp_path: Path, run_qms) -> None:
    """M2: "theo yêu cầu 4.2.3 của TCVN ISO 9001:2008" (no "điều" / "mục" before the number) is a 2008
    citation: `qms migrate apply` keeps "ISO 9001:2008" there and suggests the 2015 clauses. Before, it
    wrote "4.2.3 của TCVN ISO 9001:2015", a citation of the wrong clause (4.2.3 of 2015 is the scope).
    Also every number of "điều 8.5.2 và 8.5.3" gets a suggestion, not only the first."""
    city = tmp_path / "city"
    shutil.copytree(CITY_2008, city)
    path = city / "processes" / "QT-01.yaml"
    source = path.read_text(encoding="utf-8")
    old = "  vi: Thủ tục dạng văn bản quy định cách ban hành, sửa đổi và phân phối tài liệu của hệ thống.\n"
    assert old in source
    scope = "  vi: Áp dụng cho mọi tài liệu nội bộ và tài liệu có nguồn gốc bên ngoài.\n"
    assert scope in source
    path.write_text(source.replace(old, "  vi: Kiểm soát tài liệu theo yêu cầu 4.2.3 của TCVN ISO 9001:2008.\n")
                    .replace(scope, "  vi: Áp dụng cho điều 8.5.2 và 8.5.3 của TCVN ISO 9001:2008.\n"), encoding="utf-8")
    r = run_qms("migrate", "apply", cwd=city)
    assert r.exit_code == 0, r.stderr
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["purpose"]["vi"] == "Kiểm soát tài liệu theo yêu cầu 4.2.3 của TCVN ISO 9001:2008.", data["purpose"]
    assert data["scope"]["vi"] == "Áp dụng cho điều 8.5.2 và 8.5.3 của TCVN ISO 9001:2008.", data["scope"]
    log = yaml.safe_load((city / "migration-log.yaml").read_text(encoding="utf-8"))
    found = {(s["pointer"], s["found"]) for s in log["suggestions"] if s["file"] == "processes/QT-01.yaml"}
    assert {("/purpose/vi", "4.2.3"), ("/scope/vi", "8.5.2"), ("/scope/vi", "8.5.3")} <= found, found


def test_the_legacy_clause_hint_names_its_evidence_in_words(tmp_path: Path, run_qms) -> None:
    """M5: QMS802's hint on a 2008 clause number says where the correlation comes from in the reader's
    language ("căn cứ đã đối chiếu với bảng tương ứng đã công bố"), in `qms check` and `qms migrate check`.
    Before, it showed the table's raw tags: "(tương ứng đã kiểm chứng, căn cứ seen_dis)"."""
    city = tmp_path / "city"
    shutil.copytree(CITY_2008, city)
    check = run_qms("--lang", "vi", "check", cwd=city)
    gaps = run_qms("--lang", "vi", "migrate", "check", cwd=city)
    for r in (check, gaps):
        hints = [line for line in r.stdout.splitlines() if "`qms migrate apply` sẽ tự sửa" in line]
        assert hints, r.stdout[-2000:]
        assert "căn cứ đã đối chiếu với bảng tương ứng đã công bố" in "\n".join(hints)
        for tag in ("seen_dis", "seen_n1293", "seen_variant", "recalled", "inverse", "parent:"):
            assert not any(tag in line for line in hints), tag
