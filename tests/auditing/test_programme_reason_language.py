"""Round 10, item 3: a programme's generated reasons follow the language of the document they are shown in."""

from __future__ import annotations

from qms.auditing.programme import localise_reason

VI = ("QT-01: 1 sự không phù hợp chưa đóng; rủi ro cao R-01 (điểm 12); 3 hồ sơ trễ hạn; thay đổi ngày 05/01/2026; "
      "lần đánh giá thứ 2 trong năm | QT-02: đánh giá định kỳ; lần đánh giá thứ 1 trong năm | "
      "các điều khoản cấp hệ thống chưa quá trình nào đáp ứng: 4.1, 9.3")
EN = ("QT-01: 1 open nonconformity; high risk R-01 (score 12); 3 late dossiers; changed on 05/01/2026; "
      "audit 2 of the year | QT-02: routine audit; audit 1 of the year | "
      "system-level clauses not addressed by any process: 4.1, 9.3")


def test_a_generated_reason_is_said_again_in_the_language_asked() -> None:
    """Item 3: every sentence `propose` writes (singular and plural, the system-level part) reads back
    from Vietnamese into English and back again, word for word."""
    assert localise_reason(VI, "en") == EN
    assert localise_reason(EN, "vi") == VI
    assert localise_reason(VI, "vi") == VI
    plural = "QT-01: 2 sự không phù hợp chưa đóng; 1 hồ sơ trễ hạn; lần đánh giá thứ 1 trong năm"
    assert localise_reason(plural, "en") == "QT-01: 2 open nonconformities; 1 late dossier; audit 1 of the year"


def test_a_typed_reason_is_shown_as_written() -> None:
    """Item 3: a reason a person typed, or a generated one they edited, is never rewritten."""
    for typed in ("Do khách hàng phản ánh nhiều", "QT-01: theo yêu cầu của Chủ tịch; lần đánh giá thứ 1 trong năm",
                  VI + " (thêm theo chỉ đạo)", "", "QT-01: audit 1 of the year; see me"):
        assert localise_reason(typed, "en") == typed
        assert localise_reason(typed, "vi") == typed

