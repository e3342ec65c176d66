"""Issue 13 data model: structured retention, directed interactions, the glossary helpers,
issued-versus-draft view-models."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from qms.analysis.glossary import abbreviations_in, collation_key, texts, used_term
from qms.models.common import Retention, parse_retention_text
from qms.models.organisation import GlossaryEntry
from qms.models.process import Interaction, Process, RecordSpec

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("text", "yaml", "exact", "vi", "en"), [
    ("5 years", "{years: 5}", True, "5 năm", "5 years"),
    ("1 year", "{years: 1}", True, "1 năm", "1 year"),
    ("5 năm", "{years: 5}", True, "5 năm", "5 years"),
    ("6 tháng", "{months: 6}", True, "6 tháng", "6 months"),
    ("Vĩnh viễn", "permanent", True, "Vĩnh viễn", "Permanent"),
    ("permanently", "permanent", True, "Vĩnh viễn", "Permanent"),
    ("Lâu dài", "permanent", False, "Vĩnh viễn", "Permanent"),
    ("lưu trữ lâu dài", "permanent", False, "Vĩnh viễn", "Permanent"),
    ("until superseded", "until_superseded", True, "Đến khi được thay thế", "Until superseded"),
    ("10 năm sau khi hết hiệu lực", "{years: 10, after: {vi: 'hết hiệu lực', en: 'hết hiệu lực'}}", False,
     "10 năm sau khi hết hiệu lực", "10 years after hết hiệu lực"),
])
def test_old_retention_text_is_read(text: str, yaml: str, exact: bool, vi: str, en: str) -> None:
    parsed = parse_retention_text(text)
    assert parsed is not None
    value, was_exact = parsed
    assert (value.to_yaml(), was_exact, value.text("vi"), value.text("en")) == (yaml, exact, vi, en)


@pytest.mark.parametrize("text", ["dài", "0 years", "99999 years", "5", "years", ""])
def test_unreadable_retention_text_is_kept_as_written(text: str) -> None:
    assert parse_retention_text(text) is None
    spec = RecordSpec(code="HS-1", title="A", retention=text or "x", location="B")
    assert spec.retention_text("vi") == (text or "x")


def test_structured_retention_validates() -> None:
    """Exactly one kind; `after` only with a period; keywords written as strings."""
    assert RecordSpec(code="H", title="A", retention="permanent", location="B").retention == Retention(permanent=True)
    after = Retention.model_validate({"years": 10, "after": {"vi": "hết hiệu lực", "en": "expiry"}})
    assert (after.text("vi"), after.text("en")) == ("10 năm sau khi hết hiệu lực", "10 years after expiry")
    for bad in ({"years": 5, "months": 2}, {}, {"permanent": True, "after": "x"}, {"years": 0}):
        with pytest.raises(ValidationError):
            Retention.model_validate(bad)


def test_interactions_accept_both_forms() -> None:
    base = {"id": "QT-1", "title": "T", "kind": "core", "owner": "r", "unit": "u", "purpose": "p", "scope": "s",
            "document": {"code": "QT-1"}}
    proc = Process.model_validate({**base, "interactions": ["QT-2", {"to": "QT-3", "what": "Dữ liệu"}]})
    assert proc.interaction_targets() == ["QT-2", "QT-3"]
    assert isinstance(proc.interactions[1], Interaction)


@pytest.mark.parametrize(("text", "found"), [
    ("Gửi VPĐKĐĐ và UBND phường theo NĐ 43/2014/NĐ-CP", ["VPĐKĐĐ", "UBND", "NĐ"]),
    ("Mẫu BM-01, quy trình QT-HT-01, Thông tư 01/2018/TT-VPCP, điều II", []),
    ("TCVN ISO 9001:2015 và HĐND", ["TCVN", "ISO", "HĐND"]),
    ("A B c Ab", []),
])
def test_abbreviations_ignore_codes_and_legal_symbols(text: str, found: list[str]) -> None:
    assert abbreviations_in(text) == found


def test_vietnamese_collation_puts_d_bar_after_d_and_tones_second() -> None:
    words = ["Đất", "UBND", "Ấp", "Dân", "An", "ƯU", "Ăn", "bà", "ba", "bá", "HĐND", "HTQLCL"]
    assert sorted(words, key=collation_key) == ["An", "Ăn", "Ấp", "ba", "bà", "bá", "Dân", "Đất", "HĐND",
                                                "HTQLCL", "UBND", "ƯU"]


def test_vietnamese_collation_compares_syllable_by_syllable() -> None:
    """The definitions table of a procedure listed "Hộ kinh doanh" before "Hồ sơ" and "Bàn giao" before
    "Ban hành": spaces were ignored, so the letters of the next syllable outranked the tone of the first.
    A dictionary compares the first syllable whole (letters, then tone) before the next one."""
    words = ["Hộ kinh doanh", "Hồ sơ", "Bàn giao", "Ban hành", "Ông", "Ô tô", "Hồ sơ điện tử", "Ban"]
    assert sorted(words, key=collation_key) == ["Ban", "Ban hành", "Bàn giao", "Hồ sơ", "Hồ sơ điện tử",
                                                "Hộ kinh doanh", "Ô tô", "Ông"]


def test_texts_skip_ids_and_internal_notes_but_read_reference_numbers() -> None:
    raw = {"id": "QT-1", "owner": "chu_tich", "purpose": {"vi": "Mục đích", "en": "Purpose"},
           "references": [{"id": "NĐ 1/2020/NĐ-CP"}], "internal_notes": [{"text": "CHƯA KIỂM CHỨNG"}],
           "steps": [{"id": "B1", "name": {"vi": "Bước", "en": "Step"}, "forms": ["BM-01"]}]}
    assert list(texts(raw, "vi")) == [("/purpose/vi", "Mục đích"), ("/references/0/id", "NĐ 1/2020/NĐ-CP"),
                                      ("/steps/0/name/vi", "Bước")]


def test_an_english_text_citing_a_vietnamese_symbol_uses_its_vietnamese_term() -> None:
    entry = GlossaryEntry.model_validate({"term": {"vi": "NĐ", "en": "Decree"}, "meaning": {"vi": "Nghị định",
                                                                                           "en": "Decree"}})
    assert used_term(entry, "Under NĐ 23/2015/NĐ-CP", "en") == "NĐ"
    assert used_term(entry, "Under the Decree", "en") == "Decree"
    assert used_term(entry, "ANĐ-X only", "en") is None


def test_draft_revision_always_carries_the_watermark_and_notes_only_with_drafts() -> None:
    from qms.models.common import DocumentControl, InternalNote
    from qms.render.viewmodels import control_view, note_views

    draft = DocumentControl(code="QT-1", state="draft")
    issued = DocumentControl(code="QT-1", state="approved")
    assert control_view(draft, "QT-1", "vi").watermark == "Dự thảo"
    assert control_view(issued, "QT-1", "en").watermark == ""
    assert control_view(issued, "QT-1", "en", drafts=True).watermark == "Draft"
    assert control_view(None, "NC-REGISTER", "vi").watermark == ""  # a register has no revision to draft
    note = InternalNote.model_validate({"kind": "verification", "text": "x"})
    assert note_views([note], False, "vi") == []
    assert [n.kind for n in note_views([note], True, "vi")] == ["Kiểm chứng"]
