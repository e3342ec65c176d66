"""Vietnamese text typed in legacy 8-bit fonts (TCVN3 ``.VnTime``, VNI ``VNI-Times``), read by font name.

Before Unicode, Vietnamese Word documents kept ASCII-range code points and let the font draw them as
Vietnamese letters: "Môc ®Ých" in ``.VnTime`` shows "Mục đích". The text itself is wrong in any other
font, so the importer converts a run when its font name says it is one of these encodings.

The KPI reader refuses a CSV log in TCVN3 (``store/dossier_logs.detect_encoding``): a plain-text file
says nothing about its font, so guessing would silently corrupt data; a Word run names its font, so
the conversion here is certain, and the import report lists every converted run.
"""

from __future__ import annotations

import unicodedata

# TCVN 5712:1993 (VN3): one byte per precomposed lower-case letter; capitals with marks use the
# upper-case fonts (.VnTimeH), which draw the lower-case codes as capitals.
_TCVN3 = {
    "¸": "á", "µ": "à", "¶": "ả", "·": "ã", "¹": "ạ",
    "¨": "ă", "¾": "ắ", "»": "ằ", "¼": "ẳ", "½": "ẵ", "Æ": "ặ",
    "©": "â", "Ê": "ấ", "Ç": "ầ", "È": "ẩ", "É": "ẫ", "Ë": "ậ",
    "®": "đ",
    "Ð": "é", "Ì": "è", "Î": "ẻ", "Ï": "ẽ", "Ñ": "ẹ",
    "ª": "ê", "Õ": "ế", "Ò": "ề", "Ó": "ể", "Ô": "ễ", "Ö": "ệ",
    "Ý": "í", "×": "ì", "Ø": "ỉ", "Ü": "ĩ", "Þ": "ị",
    "ã": "ó", "ß": "ò", "á": "ỏ", "â": "õ", "ä": "ọ",
    "«": "ô", "è": "ố", "å": "ồ", "æ": "ổ", "ç": "ỗ", "é": "ộ",
    "¬": "ơ", "í": "ớ", "ê": "ờ", "ë": "ở", "ì": "ỡ", "î": "ợ",
    "ó": "ú", "ï": "ù", "ñ": "ủ", "ò": "ũ", "ô": "ụ",
    "\u00ad": "ư", "ø": "ứ", "õ": "ừ", "ö": "ử", "÷": "ữ", "ù": "ự",
    "ý": "ý", "ú": "ỳ", "û": "ỷ", "ü": "ỹ", "þ": "ỵ",
    "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư",
}
_TCVN3_TABLE = str.maketrans(_TCVN3)
_TCVN3_REVERSE = {v: k for k, v in _TCVN3.items()}

# VNI: a base letter followed by a mark character (tone, circumflex, breve), plus a few single letters.
_VNI_SINGLE = {"ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
               "í": "í", "Í": "Í", "ì": "ì", "Ì": "Ì", "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị"}
_TONE = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_HAT = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}


def font_encoding(font: str) -> str:
    """``tcvn3``, ``tcvn3-upper``, ``vni`` or ``""`` for a font name."""
    name = font.strip().lower()
    if name.startswith(".vn"):
        return "tcvn3-upper" if name.rstrip().endswith("h") else "tcvn3"
    if name.startswith(("vni-", "vni ")):
        return "vni"
    return ""


def _vni(text: str) -> str:
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        base = unicodedata.normalize("NFD", out[-1])[0].lower() if out else ""
        if (base and base in "aeiouyơư") or (out and out[-1].lower() in "ơư"):
            if low in _TONE:
                out[-1] = unicodedata.normalize("NFC", out[-1] + _TONE[low])
                continue
            if low in _HAT and base in "aeo":
                out[-1] = unicodedata.normalize("NFC", out[-1] + "\u0302" + _HAT[low])
                continue
            if low in _BREVE and base == "a":
                out[-1] = unicodedata.normalize("NFC", out[-1] + "\u0306" + _BREVE[low])
                continue
        out.append(_VNI_SINGLE.get(ch, ch))
    return "".join(out)


def convert(text: str, encoding: str) -> str:
    """``text`` typed in a legacy font, as Unicode (NFC)."""
    if encoding == "tcvn3":
        return text.translate(_TCVN3_TABLE)
    if encoding == "tcvn3-upper":
        return text.translate(_TCVN3_TABLE).upper()
    if encoding == "vni":
        return unicodedata.normalize("NFC", _vni(text))
    return text


def to_tcvn3(text: str) -> str:
    """Unicode lower-case Vietnamese as TCVN3 bytes would show it (for test material)."""
    return "".join(_TCVN3_REVERSE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))
