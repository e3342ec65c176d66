"""Finding the columns of a dossier log by canonical name or by the usual Vietnamese headers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: Canonical column names, in the order they are documented.
CANONICAL: tuple[str, ...] = (
    "dossier_id",
    "procedure_id",
    "unit",
    "received_at",
    "due_at",
    "completed_at",
    "returned_at",
    "status",
    "mechanism",
    "paused_days",
    "pause_started_at",
    "pause_ended_at",
    "appointment_resets",
    "apology_letter",
)

#: Header synonyms (compared after :func:`normalise_header`, so accents and case do not matter).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "dossier_id": ("Mã hồ sơ", "Số hồ sơ", "Mã số hồ sơ", "Số biên nhận", "dossier id", "dossier"),
    "procedure_id": ("Mã thủ tục", "Mã TTHC", "Mã thủ tục hành chính", "procedure id", "procedure"),
    "unit": ("Đơn vị", "Đơn vị xử lý", "Đơn vị giải quyết", "Cơ quan", "Cơ quan giải quyết", "Phòng ban"),
    "received_at": ("Ngày tiếp nhận", "Thời gian tiếp nhận", "Ngày nhận", "Ngày nộp", "received"),
    "due_at": ("Ngày hẹn trả", "Ngày hẹn trả kết quả", "Hạn xử lý", "Hạn giải quyết", "due", "due date"),
    "completed_at": ("Ngày có kết quả", "Ngày hoàn thành", "Ngày giải quyết xong", "Ngày xử lý xong", "completed"),
    "returned_at": ("Ngày trả kết quả", "Ngày trả", "returned"),
    "status": ("Trạng thái", "Tình trạng", "Trạng thái hồ sơ"),
    "mechanism": ("Cơ chế", "Cơ chế giải quyết", "Hình thức giải quyết"),
    "paused_days": ("Số ngày tạm dừng", "Số ngày bổ sung", "Số ngày chờ bổ sung", "paused"),
    "pause_started_at": ("Ngày yêu cầu bổ sung", "pause started", "pause start"),
    "pause_ended_at": ("Ngày nhận bổ sung", "Ngày bổ sung", "pause ended", "pause end"),
    # one-stop obligations: an appointment may be reset only once, a late dossier needs a letter of apology
    # (cited per regime: `obligations` in qms/legal/data/regimes.yaml)
    "appointment_resets": ("Số lần hẹn lại", "Số lần hẹn lại ngày trả kết quả", "Số lần gia hạn",
                           "Số lần điều chỉnh ngày hẹn", "resets", "appointment resets"),
    "apology_letter": ("Phiếu xin lỗi", "Văn bản xin lỗi", "Đã xin lỗi", "Xin lỗi", "Phiếu xin lỗi và hẹn lại",
                       "apology", "apology letter"),
}

#: Headers of a procedure's NAME rather than its code. Used as the procedure column when the file has
#: no code column; time limits and mechanisms are then looked up by the process title
#: (see :meth:`qms.kpi.classify.Classifier.limit_of`).
PROCEDURE_NAME_SYNONYMS: tuple[str, ...] = (
    "Tên thủ tục", "Tên TTHC", "Tên thủ tục hành chính", "Thủ tục", "Thủ tục hành chính", "procedure name",
)

#: Columns without which no dossier can be classified.
REQUIRED: tuple[str, ...] = ("dossier_id", "received_at")


#: look-alikes of the Vietnamese letter đ/Đ that exports carry (the Icelandic eth of legacy converters,
#: d with a combining stroke), and invisible characters that a copy from a web page leaves in a name
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u0189": "\u0110", "\u200b": None,
                             "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None})
_STROKED = (("d\u0335", "\u0111"), ("d\u0336", "\u0111"), ("D\u0335", "\u0110"), ("D\u0336", "\u0110"))
#: punctuation a name may end with by accident ("Chứng thực bản sao.")
_TRAILING = ".,;:*·…-–— \t"


def tidy_name(text: str) -> str:
    """A procedure or unit name as the same name however a row spells it: NFC, đ for its look-alikes,
    single spaces, no trailing punctuation (case is kept: see :func:`name_key`)."""
    s = text.translate(_LOOKALIKES)
    for seq, letter in _STROKED:
        s = s.replace(seq, letter)
    s = " ".join(unicodedata.normalize("NFC", s).split())
    return s.rstrip(_TRAILING)


def name_key(text: str) -> str:
    """The key under which rows of one procedure (or unit) are grouped: :func:`tidy_name`, case folded.
    Accents are kept: names that differ in a letter's tone mark are different names."""
    return tidy_name(text).casefold()


def name_order(text: str) -> tuple[str, str]:
    """A sort key that puts names in Vietnamese dictionary order well enough for a report: letters
    without their marks first (Địa chính before Tư pháp), then the exact spelling."""
    return normalise_header(text), text


def normalise_header(text: str) -> str:
    """Lower case, no accents (đ -> d), single spaces, no trailing ``:``, ``*`` or ``.``; ``_`` counts as a space."""
    s = unicodedata.normalize("NFD", tidy_name(text))
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    s = s.replace("đ", "d").replace("Đ", "D").lower()
    s = s.replace("_", " ").replace("-", " ").rstrip(_TRAILING).strip()
    return " ".join(s.split())


#: words some one-stop systems put before every procedure name ("Thủ tục hành chính: Chứng thực bản sao"),
#: as :func:`normalise_header` writes them
_NAME_PREFIX = re.compile(r"^(?:thu tuc hanh chinh|thu tuc|tthc)(?=[\s:;,.\-–])[\s:;,.\-–]*")


def procedure_name_key(text: str) -> str:
    """The key a procedure's name is looked up by (the repository's titles and the log's cells alike):
    :func:`normalise_header` without a leading "Thủ tục", "Thủ tục hành chính" or "TTHC" (and the ``:``
    after it), so every spelling of one name meets the same process."""
    s = normalise_header(text)
    return _NAME_PREFIX.sub("", s) or s


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for canon in CANONICAL:
        table[normalise_header(canon)] = canon
        for syn in SYNONYMS.get(canon, ()):
            table[normalise_header(syn)] = canon
    return table


_LOOKUP = _lookup()
_NAME_LOOKUP = frozenset(normalise_header(h) for h in PROCEDURE_NAME_SYNONYMS)


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Column index (0-based) of each canonical column found; -1 when absent."""

    index: dict[str, int]
    header_row: int  # 1-based position of the header among the rows read
    #: canonical name -> the header as the file writes it (for messages)
    names: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> int:
        return self.index.get(name, -1)

    def label(self, name: str) -> str:
        """The file's own header for a canonical column (the canonical name when unknown)."""
        return self.names.get(name) or name

    @property
    def width(self) -> int:
        """How many cells a data row must have to reach every mapped column."""
        return max(self.index.values()) + 1 if self.index else 0


_NOTE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")


def _without_note(header: str) -> str:
    """A header without the note in brackets at its end: "Ngày tiếp nhận (dd/mm/yyyy)", "Mã hồ sơ (*)"."""
    return normalise_header(_NOTE.sub("", header))


def match_header(cells: Sequence[str], mapping: Mapping[str, str] | None = None,
                 schema: LogSchema | None = None) -> dict[str, int]:
    """Canonical name -> index for the cells of one candidate header row.

    ``mapping`` (canonical name -> header text, e.g. from ``qms.yaml``) takes
    precedence over the built-in synonyms; ``schema`` names another log's columns (default: the
    dossier log of the KPI report).
    """
    explicit = {normalise_header(header): canon for canon, header in (mapping or {}).items()}
    lookup = schema.lookup if schema is not None else _LOOKUP
    found: dict[str, int] = {}
    keys = [normalise_header(c) if isinstance(c, str) and c.strip() else "" for c in cells]
    bare = [_without_note(c) if key else "" for c, key in zip(cells, keys, strict=True)]
    for table in (explicit, lookup):  # a mapped header wins over a synonym anywhere in the row
        for i, key in enumerate(keys):
            canon = (table.get(key) or table.get(bare[i])) if key else None
            if canon and canon not in found and i not in found.values():
                found[canon] = i
    if "procedure_id" not in found:
        for i, cell in enumerate(cells):
            if isinstance(cell, str) and (normalise_header(cell) in _NAME_LOOKUP or _without_note(cell) in _NAME_LOOKUP):
                found["procedure_id"] = i
                break
    return found


#: Sub-headings of a two-row header that name a column on their own under a group heading such as
#: "Thời gian" or "Ngày" (merged over them), e.g. "Thời gian" over "Tiếp nhận", "Hẹn trả", "Trả kết quả".
SUBHEADINGS: dict[str, tuple[str, ...]] = {
    "received_at": ("Tiếp nhận", "Nhận", "Nộp", "Nhận hồ sơ"),
    "due_at": ("Hẹn trả", "Hẹn trả kết quả", "Theo hẹn", "Hẹn", "Hạn trả", "Hạn"),
    "completed_at": ("Có kết quả", "Hoàn thành", "Giải quyết xong", "Xử lý xong"),
    "returned_at": ("Trả kết quả", "Trả", "Đã trả", "Trả thực tế"),
}
_SUB_LOOKUP = {normalise_header(sub): canon for canon, subs in SUBHEADINGS.items() for sub in subs}


@dataclass(frozen=True, slots=True)
class TwoRowHeader:
    """What a header of two rows (group headings over sub-headings) names."""

    found: dict[str, int]
    names: dict[str, str]
    #: canonical name -> the headers of the columns that could each be it (none more likely)
    ambiguous: dict[str, list[str]]


def _joined(group: str, sub: str) -> str:
    """ "Thời gian" + "Hẹn trả" -> "Thời gian hẹn trả" (a sub-heading in capitals keeps them)."""
    if sub[:1].isupper() and not sub[1:2].isupper():
        sub = sub[:1].lower() + sub[1:]
    return f"{group} {sub}"


def match_two_rows(top: Sequence[str], sub: Sequence[str], mapping: Mapping[str, str] | None = None,
                   schema: LogSchema | None = None) -> TwoRowHeader | None:
    """The columns named by a header of two rows: ``top`` holds group headings (a merged cell: the
    heading in its first column, the others empty) and headings of columns merged over both rows;
    ``sub`` the sub-headings under the groups. None when ``top`` holds fewer than two headings (a
    title, not group headings).

    A column under a group is named, in this order of preference, by the group and sub-heading
    together ("Ngày" + "Tiếp nhận", either way round), by the sub-heading alone ("Hẹn trả") and by the
    group alone ("Ngày trả kết quả" over "Theo hẹn", "Thực tế"). A canonical column found only by the
    last two ways in more than one column is ambiguous: no column is taken for it.
    """
    def text(row: Sequence[str], i: int) -> str:
        return " ".join(str(row[i]).split()) if i < len(row) and isinstance(row[i], str) else ""

    if sum(1 for i in range(len(top)) if text(top, i)) < 2:
        return None
    explicit = {normalise_header(header): canon for canon, header in (mapping or {}).items()}
    lookup = schema.lookup if schema is not None else _LOOKUP
    for i in range(len(sub)):  # every sub-heading is under a group: a data row under a header is not
        t = text(top, i)
        if text(sub, i) and t and (normalise_header(t) in explicit or normalise_header(t) in lookup
                                   or normalise_header(t) in _NAME_LOOKUP) \
                and not (text(sub, i + 1) and not text(top, i + 1)):
            return None
    subs = _SUB_LOOKUP if schema is None else {}
    # per column: its header as people read it, and (tier, canonical name) of the best match
    labels: list[str] = []
    texts: list[list[str]] = []  # per column: the texts that may name it, best first
    best: list[tuple[int, str] | None] = []
    group = ""
    for i in range(max(len(top), len(sub))):
        t, b = text(top, i), text(sub, i)
        if t and b:
            group = t
        elif not b:
            group = ""
        if not b or not group:
            label = t or b
            tries = [(0, label)] if label else []
        else:
            label = _joined(group, b)
            tries = [(0, label), (0, _joined(b, group)), (1, b), (2, group)]
        labels.append(label)
        texts.append([candidate for _tier, candidate in tries])
        match: tuple[int, str] | None = None
        for tier, candidate in tries:
            key, bare = normalise_header(candidate), _without_note(candidate)
            canon = explicit.get(key) or explicit.get(bare)
            if canon:
                match = (-1 if tier == 0 else tier, canon)
                break
            canon = lookup.get(key) or lookup.get(bare) or (subs.get(key) or subs.get(bare) if tier else None)
            if canon:
                match = (tier, canon)
                break
        if match is not None and match[0] <= 0 and tries:
            labels[-1] = candidate  # "Mã" under "Hồ sơ" is read "Mã hồ sơ"
        best.append(match)
    found: dict[str, int] = {}
    ambiguous: dict[str, list[str]] = {}
    for canon in dict.fromkeys(m[1] for m in best if m):
        tier = min(m[0] for m in best if m and m[1] == canon)
        columns = [i for i, m in enumerate(best) if m == (tier, canon)]
        if tier > 0 and len(columns) > 1:
            ambiguous[canon] = [labels[i] for i in columns]
        else:
            found[canon] = columns[0]
    if "procedure_id" not in found:
        for i, candidates in enumerate(texts):
            named = next((c for c in candidates if normalise_header(c) in _NAME_LOOKUP), None)
            if best[i] is None and named is not None:
                found["procedure_id"] = i
                labels[i] = named if normalise_header(labels[i]) not in _NAME_LOOKUP else labels[i]
                break
    return TwoRowHeader(found, {canon: labels[i] for canon, i in found.items()}, ambiguous)


def header_names(cells: Sequence[str], found: Mapping[str, int]) -> dict[str, str]:
    """Canonical name -> the header text of its column, on one line."""
    return {canon: " ".join(str(cells[i]).replace("\ufeff", "").split()) for canon, i in found.items()}


def accepted_headers(name: str, schema: LogSchema | None = None) -> str:
    synonyms = schema.synonyms if schema is not None else SYNONYMS
    return ", ".join((name, *synonyms.get(name, ())))


@dataclass(frozen=True)
class LogSchema:
    """The columns of another kind of log read by the same reader (headers matched the same way)."""

    name: str
    canonical: tuple[str, ...]
    synonyms: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, str] = {}
        for canon in self.canonical:
            table[normalise_header(canon)] = canon
            for syn in self.synonyms.get(canon, ()):
                table.setdefault(normalise_header(syn), canon)
        object.__setattr__(self, "lookup", table)


#: A hand-over log (Phiếu kiểm soát quá trình giải quyết hồ sơ, or a one-stop system's history):
#: one row per hand-over or per step of a dossier (``qms flow report``, docs/flow.md).
FLOW_CANONICAL: tuple[str, ...] = (
    "dossier_id", "procedure_id", "step", "agency", "handler", "received_at", "completed_at", "due_at",
)
FLOW_SYNONYMS: dict[str, tuple[str, ...]] = {
    "dossier_id": SYNONYMS["dossier_id"],
    "procedure_id": SYNONYMS["procedure_id"],
    "step": ("Bước", "Bước xử lý", "Mã bước", "Tên bước", "Bước thực hiện", "Công việc", "Nội dung công việc",
             "Nội dung xử lý", "step id", "activity"),
    "agency": ("Cơ quan", "Cơ quan xử lý", "Cơ quan thực hiện", "Đơn vị", "Đơn vị xử lý", "Đơn vị thực hiện",
               "Phòng ban", "Bộ phận", "Bộ phận xử lý", "unit"),
    "handler": ("Người xử lý", "Người thực hiện", "Cán bộ xử lý", "Người nhận", "Bên nhận", "Người nhận hồ sơ",
                "person", "resource"),
    "received_at": ("Thời gian nhận", "Thời điểm nhận", "Ngày nhận", "Thời gian tiếp nhận", "Ngày giờ nhận",
                    "Bắt đầu", "Thời gian bắt đầu", "received", "start", "started"),
    "completed_at": ("Thời gian giao", "Thời điểm giao", "Thời gian chuyển", "Ngày giờ giao", "Ngày chuyển",
                     "Thời gian hoàn thành", "Kết thúc", "Thời gian kết thúc", "completed", "end", "handed on"),
    "due_at": ("Ngày hẹn trả", "Ngày hẹn trả kết quả", "Hạn xử lý", "Hạn giải quyết", "appointment", "due"),
}
FLOW_LOG = LogSchema("flow", FLOW_CANONICAL, FLOW_SYNONYMS, ("dossier_id", "received_at"))
