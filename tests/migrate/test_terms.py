"""The diacritic-aware matcher behind QMS804-806 and the term renames."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from qms.analysis.legacy import TERMS, find_term, fold

PA = TERMS["preventive_action"]
MR = TERMS["management_representative"]
DP = TERMS["documented_procedure"]


def test_fold() -> None:
    assert fold("Đại diện LÃNH ĐẠO") == "dai dien lanh dao"


def test_matches_with_without_and_mixed_normalisation() -> None:
    for text in ("hành động phòng ngừa", "Hanh dong phong ngua", "HÀNH ĐỘNG phong ngua",
                 unicodedata.normalize("NFD", "hành động phòng ngừa"),
                 "hành " + unicodedata.normalize("NFD", "động") + " phòng\n  ngừa"):
        assert len(find_term(text, PA)) == 1, text


def test_never_matches_other_words() -> None:
    for text in ("hãnh động phòng ngừa", "hành động phóng ngừa", "phòng ngừa rủi ro", "hành động khắc phục",
                 "preventive maintenance", "actionable preventive", "hànhđộng phòng ngừa"):
        assert find_term(text, PA) == [], text
    assert find_term("đại diện UBND; lãnh đạo phòng", MR) == []
    assert find_term("thủ tục hành chính", DP) == []
    assert find_term("thu tuc hanh chinh dang van ban", DP) == []


def test_positions_refer_to_nfc_text() -> None:
    text = unicodedata.normalize("NFD", "Bước 2: hành động phòng ngừa.")
    (m,) = find_term(text, PA)
    nfc = unicodedata.normalize("NFC", text)
    assert nfc[m.start:m.end] == "hành động phòng ngừa"
    assert m.lang == "vi"


WORDS = st.sampled_from(["hồ", "sơ", "công", "dân", "rủi", "ro", "khắc", "phục", "phòng", "hành", "ban", "the",
                         "action", "plan", "risk", "đạo", "lãnh"])


@given(st.lists(WORDS, max_size=8), st.lists(WORDS, max_size=8), st.sampled_from(["NFC", "NFD"]))
def test_found_exactly_once_in_any_context(before: list[str], after: list[str], form: str) -> None:
    text = " ".join([*before, "hành động phòng ngừa", *after])
    text = unicodedata.normalize(form, text)  # type: ignore[arg-type]
    found = find_term(text, PA)
    assert [m.text for m in found] == ["hành động phòng ngừa"]
