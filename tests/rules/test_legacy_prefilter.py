"""The fast prefilter of the 2008-term matcher never hides a real match."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from qms.analysis.legacy import TERMS, find_phrases, find_phrases_exact, prefilter, quick_fold

WORDS = ["hành", "hanh", "động", "dong", "phòng", "phong", "phóng", "ngừa", "ngua", "đại", "dai", "diện",
         "dien", "lãnh", "lanh", "đạo", "dao", "của", "thủ", "tục", "dạng", "bằng", "văn", "bản", "van", "ban",
         "preventive", "Preventative", "ACTION", "actions", "management", "representative", "documented",
         "procedure", "procedures", "được", "lập", "thành", "x", "1"]
SEPARATORS = [" ", "  ", "\u00a0", "\n", "-", "–", " - ", "\u2003", "\u2028", ", "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=12),
       st.sampled_from(["NFC", "NFD"]))
def test_prefilter_is_a_superset(parts: list[tuple[str, str]], form: str) -> None:
    text = unicodedata.normalize(form, "".join(w + sep for w, sep in parts))
    for term in TERMS.values():
        exact = find_phrases_exact(text, term.phrases)
        if exact:
            assert prefilter(term.phrases).search(quick_fold(text)), (text, exact)
        assert find_phrases(text, term.phrases) == exact
