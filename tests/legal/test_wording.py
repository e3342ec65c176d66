"""Issue 13 item 4: a citation reads in the document's language (``qms.legal.wording``).

Against the example's real register (``legal/register.yaml``): Vietnamese is printed as written, English
is built from the register's kind and English title, the parts cited are named in English, and a number
and symbol is kept as the code it is. Every English form still resolves to the same register entry.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qms.legal.register import Index
from qms.legal.wording import Citations, has_vietnamese
from qms.models.legal import LegalRegister

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def register() -> LegalRegister:
    return LegalRegister.model_validate(yaml.safe_load((ROOT / "legal" / "register.yaml").read_text("utf-8")))


@pytest.mark.parametrize(("written", "english"), [
    ("Mẫu số 01, Thông tư 03/2025/TT-VPCP", "Form No. 01, Circular 03/2025/TT-VPCP"),
    ("NĐ 123/2015/NĐ-CP", "Decree 123/2015/NĐ-CP"),
    ("TT 04/2020/TT-BTP", "Circular 04/2020/TT-BTP"),
    ("QĐ 1329/QĐ-BTP", "Decision 1329/QĐ-BTP"),
    ("Luật 62/2020/QH14", "Law 62/2020/QH14"),
    ("Luật Hộ tịch 2014", "Law on Civil Status 2014"),
    ("Luật Đất đai 2024", "Land Law 2024"),
    ("Khoản 2 Điều 89 Luật Xây dựng 2014", "Art. 89, para. 2, Law on Construction 2014"),
    ("TCVN ISO 9001:2015", "TCVN ISO 9001:2015"),
])
def test_english_citation_from_the_register(register: LegalRegister, written: str, english: str) -> None:
    """L-W1: the English citation is the register's kind and number, or a law's English title and year."""
    cite = Citations(register)
    assert cite.cite(written, "en") == english
    assert cite.cite(written, "vi") == written
    index = Index.build(register)
    # the same entry (a citation with parts before the law resolves from where the law is named)
    original = index.resolve(written[written.find("Luật"):] if written.startswith("Khoản") else written)
    translated = index.resolve(english.rsplit(", ", 1)[-1])
    assert original is not None and translated is not None and original.index == translated.index


def test_without_register_entry_the_code_stays_and_the_words_go() -> None:
    """L-W2: a document the register does not hold: the kind from the word before the number, the number
    and symbol as written; a Vietnamese remark after it is left out; a title with no number stays."""
    cite = Citations(None)
    assert cite.cite("Nghị định số 99/2099/NĐ-CP", "en") == "Decree 99/2099/NĐ-CP"
    assert cite.cite("Mẫu số 07, Thông tư 99/2099/TT-VPCP (ngày hiệu lực chưa kiểm chứng)", "en") == \
        "Form No. 07, Circular 99/2099/TT-VPCP"
    assert cite.cite("Phụ lục III-6 Thông tư 98/2099/TT-BKHĐT", "en") == "Appendix III-6, Circular 98/2099/TT-BKHĐT"
    assert cite.cite("Quy chế nội bộ", "en") == "Quy chế nội bộ"  # a name with no number
    assert cite.cite("", "en") == ""
    for english in ("Decree 99/2099/NĐ-CP", "Form No. 07, Circular 99/2099/TT-VPCP"):
        # what is left is English words and codes (no lower-case Vietnamese letter)
        assert not any(has_vietnamese(w) and not w.isupper() for w in english.replace("/", " ").split())


def test_register_title_in_each_language(register: LegalRegister) -> None:
    """L-W3: the register's title in the document's language; nothing for a document it does not hold."""
    cite = Citations(register)
    assert cite.title("Luật Hộ tịch 2014", "en") == "Law on Civil Status"
    assert cite.title("Luật Hộ tịch 2014", "vi") == "Luật Hộ tịch"
    assert cite.title("NĐ 99/2099/NĐ-CP", "en") == ""
