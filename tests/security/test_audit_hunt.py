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


def test_vietnamese_confirmations_and_refusals_name_no_codes(tmp_path: Path, run_qms: Any) -> None:
    """A2: in Vietnamese, `record`, `finding`, `report`, `close` and a refused finding on a closed audit
    said 'conforming (in_progress)', 'minor', '(reported)', 'closed', 'it is closed / planned /
    in_progress' and ISO dates; they now use the Vietnamese words and dd/mm/yyyy."""
    root = _planned(tmp_path, run_qms)

    def vi(*args: str) -> Any:
        return run_qms("--lang", "vi", "--root", str(root), "audit", *args)

    out = []
    r = vi("record", "AUD-2026-02", "Q01", "--result", "conforming", "--evidence", "sổ BM-06", "--date", "2026-11-10")
    assert r.exit_code == 0, r.stderr
    out.append(r.stdout)
    assert "phù hợp (đang đánh giá)" in r.stdout
    r = vi("finding", "AUD-2026-02", "--grade", "minor", "--item", "Q01", "--statement", "Thiếu chữ ký",
           "--evidence", "hồ sơ 0012", "--date", "2026-11-10")
    assert r.exit_code == 0, r.stderr
    out.append(r.stdout)
    assert "Không phù hợp nhẹ" in r.stdout
    assert vi("record", "AUD-2026-02", "--remaining", "--result", "not_audited", "--date", "2026-11-10").exit_code == 0
    r = vi("report", "AUD-2026-02", "--summary", "Tóm tắt", "--conclusions", "Kết luận", "--date", "2026-11-09")
    assert r.exit_code == 2
    assert "09/11/2026" in r.stderr and "10/11/2026" in r.stderr, r.stderr
    out.append(r.stderr)
    r = vi("report", "AUD-2026-02", "--summary", "Tóm tắt", "--conclusions", "Kết luận", "--date", "2026-11-12")
    assert r.exit_code == 0, r.stderr
    out.append(r.stdout)
    assert "(đã báo cáo)" in r.stdout
    r = vi("close", "AUD-2026-02", "--date", "2026-11-13")
    assert r.exit_code == 0, r.stderr
    out.append(r.stdout)
    assert "đã đóng" in r.stdout
    r = vi("finding", "AUD-2026-02", "--grade", "ofi", "--statement", "Nên số hóa", "--date", "2026-11-14")
    assert r.exit_code == 1
    out.append(r.stderr)
    assert "đã đóng" in r.stderr and "đã lập kế hoạch / đang đánh giá" in r.stderr, r.stderr
    text = "\n".join(out)
    for code in ("conforming", "in_progress", "minor", "reported", "closed", "planned", "2026-11-"):
        assert code not in text, (code, text)


def test_plan_refuses_a_date_outside_the_year_of_the_audit_id(tmp_path: Path, run_qms: Any) -> None:
    """A3: `audit plan AUD-2027-05 --date 2026-11-20` (year mistyped) wrote the 2027 programme's audit with
    `programme: 2026` and `qms check` said nothing; it is now refused with the two years, nothing written.
    An id missing from the programme is named as such instead of 'the audit has no scope'."""
    root = example_repo(tmp_path)
    assert run_qms("--root", str(root), "audit", "programme", "--year", "2027", "--write").exit_code == 0
    r = run_qms("--root", str(root), "audit", "plan", "AUD-2027-05", "--date", "2026-11-20")
    assert r.exit_code == 2
    assert "AUD-2027-05" in r.stderr and "2027" in r.stderr and "20/11/2026" in r.stderr, r.stderr
    assert not (root / "audits" / "AUD-2027-05.yaml").exists()
    r = run_qms("--root", str(root), "audit", "plan", "AUD-2026-99", "--date", "2026-11-20")
    assert r.exit_code == 2
    assert "AUD-2026-99 is not in the audit programme of 2026" in r.stderr, r.stderr
    r = run_qms("--root", str(root), "audit", "plan", "AUD-2027-05", "--date", "2027-02-16")
    assert r.exit_code == 0, r.stderr
    assert "programme: 2027" in (root / "audits" / "AUD-2027-05.yaml").read_text(encoding="utf-8")



def test_review_pack_audit_results_use_the_audit_report_words(tmp_path: Path, run_qms: Any) -> None:
    """A4: the management-review pack (9.3.2 c 6) called the audit grade 'observation' 'Khuyến nghị'
    (recommendation) where the audit report says 'Nhận xét', and printed the state code 'in_progress'
    in English; both now read as in the audit documents."""
    import datetime as dt

    from qms.auditing.documents import GRADE_LABELS
    from qms.i18n import _, use_language
    from qms.review.pack import gather

    root = _planned(tmp_path, run_qms)
    r = run_qms("--root", str(root), "audit", "record", "AUD-2026-02", "Q01", "--result", "conforming",
                "--evidence", "sổ BM-06", "--date", "2026-11-10")
    assert r.exit_code == 0, r.stderr
    year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    for lang in ("vi", "en"):
        with use_language(lang):
            section = next(s for s in gather(root, year, [], lang, today=dt.date(2026, 12, 7))
                           if s.key == "audit_results")
            observation = _(GRADE_LABELS["observation"])
        (table,) = section.tables
        if lang == "vi":  # the column counts what the audit report calls 'Nhận xét'
            assert observation == "Nhận xét" and observation in table.head, table.head
        row = next(r for r in table.rows if r[0] == "AUD-2026-02")
        assert row[2] == {"vi": "đang đánh giá", "en": "in progress"}[lang], row


def test_fieldwork_and_report_dates_keep_their_order(tmp_path: Path, run_qms: Any) -> None:
    """A5: dates out of order. A result dated before the audit date (10/11/2026) was recorded, and a report
    dated 17/11 was issued over a finding dated 20/11, so the history read in_progress 20/11 -> reported
    17/11. Both are now refused (exit 2, nothing written); dates in order still pass."""
    root = _planned(tmp_path, run_qms)
    path = root / "audits" / "AUD-2026-02.yaml"

    def audit(*args: str) -> Any:
        return run_qms("--root", str(root), "audit", *args)

    before = path.read_bytes()
    r = audit("record", "AUD-2026-02", "Q01", "--result", "conforming", "--evidence", "sổ", "--date", "2026-11-09")
    assert r.exit_code == 2 and "10/11/2026" in r.stderr and "09/11/2026" in r.stderr, r.stderr
    r = audit("finding", "AUD-2026-02", "--grade", "ofi", "--statement", "Nên số hóa", "--date", "2026-11-09")
    assert r.exit_code == 2 and "before the audit date" in r.stderr, r.stderr
    assert path.read_bytes() == before
    assert audit("record", "AUD-2026-02", "--remaining", "--result", "not_audited", "--date", "2026-11-10").exit_code == 0
    r = audit("finding", "AUD-2026-02", "--grade", "ofi", "--statement", "Nên số hóa", "--date", "2026-11-20")
    assert r.exit_code == 0, r.stderr
    r = audit("report", "AUD-2026-02", "--summary", "s", "--conclusions", "c", "--date", "2026-11-17")
    assert r.exit_code == 2 and "20/11/2026" in r.stderr, r.stderr
    assert "state: in_progress" in path.read_text(encoding="utf-8")
    r = audit("report", "AUD-2026-02", "--summary", "s", "--conclusions", "c", "--date", "2026-11-20")
    assert r.exit_code == 0, r.stderr


def test_review_record_is_not_dated_before_its_period(tmp_path: Path, run_qms: Any) -> None:
    """A6: `review new --period 2026 --date 2025-12-01` created MR-2025-01, a review of 2026 held before 2026
    began; it is now refused (exit 2) with both dates and nothing written. A December review of its own
    year is still accepted."""
    root = example_repo(tmp_path)
    reviews = root / "records" / "reviews"
    before = sorted(p.name for p in reviews.iterdir())
    r = run_qms("--root", str(root), "review", "new", "--period", "2026", "--date", "2025-12-01")
    assert r.exit_code == 2
    assert "01/12/2025" in r.stderr and "01/01/2026" in r.stderr, r.stderr
    assert sorted(p.name for p in reviews.iterdir()) == before
    r = run_qms("--root", str(root), "review", "new", "--period", "2026", "--date", "2026-12-01")
    assert r.exit_code == 0, r.stderr


def test_plan_refuses_an_unknown_auditee(tmp_path: Path, run_qms: Any) -> None:
    """A7: `audit plan --auditee khong_ton_tai` (a typo) was planned, `qms check` said nothing and the plan
    printed the raw id under 'Auditees'. It is now refused with the closest names; a person given by
    name is stored as their id."""
    root = example_repo(tmp_path)
    base = ("audit", "plan", "--date", "2026-11-27", "--process", "QT-HT-03", "--lead", "hoang_van_em")
    r = run_qms("--root", str(root), *base, "--auditee", "tu_phapp")
    assert r.exit_code == 2 and "tu_phapp" in r.stderr and "tu_phap" in r.stderr.split("tu_phapp", 1)[1], r.stderr
    assert not list((root / "audits").glob("AUD-2026-2*.yaml"))
    r = run_qms("--root", str(root), *base, "--auditee", "tu_phap", "--auditee", "Ngô Thị Hoa", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert '"ngo_thi_hoa"' in r.stdout and '"tu_phap"' in r.stdout
